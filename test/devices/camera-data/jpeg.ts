// A small baseline JPEG encoder (ITU T.81: 8-bit, YCbCr 4:4:4, one scan, the Annex K tables),
// so the simulated camera and the minidlna tests serve real photos without an image library.
// Optionally writes an EXIF APP1 segment with camera fields and an embedded thumbnail (IFD1,
// JPEGInterchangeFormat), which is what makes minidlna offer a JPEG_TN resource.

// Natural (row-major) index of the k-th coefficient in zigzag order.
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

// Annex K.1 quantisation tables, natural order.
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99,
  ...new Array<number>(32).fill(99),
];

// Annex K.3 luminance Huffman tables; used for all three components (any valid table will do).
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_VALS = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
  0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];

interface HuffTable { code: Uint16Array; size: Uint8Array }

function huffTable(bits: readonly number[], vals: readonly number[]): HuffTable {
  const code = new Uint16Array(256);
  const size = new Uint8Array(256);
  let c = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]!; i++) {
      code[vals[k]!] = c++;
      size[vals[k]!] = len;
      k++;
    }
    c <<= 1;
  }
  return { code, size };
}

const DC_TABLE = huffTable(DC_BITS, DC_VALS);
const AC_TABLE = huffTable(AC_BITS, AC_VALS);

// c[u*8+x] = C(u)/2 · cos((2x+1)uπ/16): the 2-D DCT is two passes of this.
const COS = (() => {
  const t = new Float64Array(64);
  for (let u = 0; u < 8; u++) for (let x = 0; x < 8; x++) t[u * 8 + x] = (u === 0 ? Math.SQRT1_2 : 1) / 2 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  return t;
})();

function scaledTable(base: readonly number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - q * 2;
  return base.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;

  put(code: number, len: number): void {
    this.acc = (this.acc << len) | code;
    this.n += len;
    while (this.n >= 8) {
      const b = (this.acc >>> (this.n - 8)) & 0xff;
      this.bytes.push(b);
      if (b === 0xff) this.bytes.push(0); // byte stuffing
      this.n -= 8;
    }
    this.acc &= (1 << this.n) - 1;
  }

  finish(): number[] {
    if (this.n > 0) this.put((1 << (8 - this.n)) - 1, 8 - this.n); // pad with 1-bits
    return this.bytes;
  }
}

function category(v: number): number {
  let a = v < 0 ? -v : v;
  let n = 0;
  while (a) { n++; a >>= 1; }
  return n;
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head[0] = 0xff;
  head[1] = marker;
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

export interface ExifFields {
  make?: string;
  model?: string;
  /** 'YYYY:MM:DD HH:MM:SS' */
  dateTimeOriginal?: string;
  /** A small JPEG embedded as the EXIF thumbnail (IFD1). */
  thumbnail?: Buffer;
}

export interface JpegOptions {
  /** 1–100, libjpeg scale; default 80. */
  quality?: number;
  exif?: ExifFields;
}

/** Encodes an RGB image (`rgb` = width*height*3 bytes, row-major) as a baseline JPEG. */
export function encodeJpeg(width: number, height: number, rgb: Uint8Array, options: JpegOptions = {}): Buffer {
  if (width < 1 || height < 1 || width > 65535 || height > 65535 || rgb.length < width * height * 3) throw new RangeError('bad image size');
  const quality = options.quality ?? 80;
  const qTables = [scaledTable(LUMA_Q, quality), scaledTable(CHROMA_Q, quality)];

  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  if (options.exif) parts.push(segment(0xe1, exifPayload(options.exif)));
  else parts.push(segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])));
  const dqt = Buffer.alloc(130);
  for (let t = 0; t < 2; t++) {
    dqt[t * 65] = t;
    for (let k = 0; k < 64; k++) dqt[t * 65 + 1 + k] = qTables[t]![ZIGZAG[k]!]!;
  }
  parts.push(segment(0xdb, dqt));
  const sof = Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
  parts.push(segment(0xc0, sof));
  parts.push(segment(0xc4, Buffer.from([0x00, ...DC_BITS, ...DC_VALS, 0x10, ...AC_BITS, ...AC_VALS])));
  parts.push(segment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])));

  const writer = new BitWriter();
  const block = new Float64Array(64);
  const tmp = new Float64Array(64);
  const prevDc = [0, 0, 0];
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let comp = 0; comp < 3; comp++) {
        // Level-shifted samples of this component, edges replicated past the image.
        for (let y = 0; y < 8; y++) {
          const sy = Math.min(by + y, height - 1);
          for (let x = 0; x < 8; x++) {
            const sx = Math.min(bx + x, width - 1);
            const p = (sy * width + sx) * 3;
            const r = rgb[p]!, g = rgb[p + 1]!, b = rgb[p + 2]!;
            block[y * 8 + x] = comp === 0 ? 0.299 * r + 0.587 * g + 0.114 * b - 128
              : comp === 1 ? -0.168736 * r - 0.331264 * g + 0.5 * b
                : 0.5 * r - 0.418688 * g - 0.081312 * b;
          }
        }
        for (let y = 0; y < 8; y++) {
          for (let u = 0; u < 8; u++) {
            let s = 0;
            for (let x = 0; x < 8; x++) s += COS[u * 8 + x]! * block[y * 8 + x]!;
            tmp[y * 8 + u] = s;
          }
        }
        const q = qTables[comp === 0 ? 0 : 1]!;
        const coeffs = new Int32Array(64);
        for (let v = 0; v < 8; v++) {
          for (let u = 0; u < 8; u++) {
            let s = 0;
            for (let y = 0; y < 8; y++) s += COS[v * 8 + y]! * tmp[y * 8 + u]!;
            coeffs[v * 8 + u] = Math.round(s / q[v * 8 + u]!);
          }
        }
        // DC: difference to the previous block of the same component.
        const dc = coeffs[0]!;
        const diff = dc - prevDc[comp]!;
        prevDc[comp] = dc;
        const dcCat = category(diff);
        writer.put(DC_TABLE.code[dcCat]!, DC_TABLE.size[dcCat]!);
        if (dcCat) writer.put(diff < 0 ? diff + (1 << dcCat) - 1 : diff, dcCat);
        // AC: run-length of zeros in zigzag order.
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const v = coeffs[ZIGZAG[k]!]!;
          if (v === 0) { run++; continue; }
          while (run > 15) { writer.put(AC_TABLE.code[0xf0]!, AC_TABLE.size[0xf0]!); run -= 16; }
          const cat = category(v);
          const sym = (run << 4) | cat;
          writer.put(AC_TABLE.code[sym]!, AC_TABLE.size[sym]!);
          writer.put(v < 0 ? v + (1 << cat) - 1 : v, cat);
          run = 0;
        }
        if (run > 0) writer.put(AC_TABLE.code[0x00]!, AC_TABLE.size[0x00]!);
      }
    }
  }
  parts.push(Buffer.from(writer.finish()));
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

// ---- EXIF (TIFF little-endian) ----

interface IfdEntry { tag: number; type: number; count: number; data: Buffer }

const ascii = (tag: number, s: string): IfdEntry => {
  const data = Buffer.from(`${s}\0`, 'latin1');
  return { tag, type: 2, count: data.length, data };
};
const short = (tag: number, v: number): IfdEntry => { const d = Buffer.alloc(2); d.writeUInt16LE(v); return { tag, type: 3, count: 1, data: d }; };
const long = (tag: number, v: number): IfdEntry => { const d = Buffer.alloc(4); d.writeUInt32LE(v); return { tag, type: 4, count: 1, data: d }; };

function ifdSize(entries: readonly IfdEntry[]): number {
  let size = 2 + entries.length * 12 + 4;
  for (const e of entries) if (e.data.length > 4) size += e.data.length + (e.data.length & 1);
  return size;
}

/** Writes one IFD at `offset` (relative to the TIFF header), its long values right after it. */
function writeIfd(tiff: Buffer, offset: number, entries: IfdEntry[], next: number): void {
  entries.sort((a, b) => a.tag - b.tag);
  tiff.writeUInt16LE(entries.length, offset);
  let data = offset + 2 + entries.length * 12 + 4;
  entries.forEach((e, i) => {
    const at = offset + 2 + i * 12;
    tiff.writeUInt16LE(e.tag, at);
    tiff.writeUInt16LE(e.type, at + 2);
    tiff.writeUInt32LE(e.count, at + 4);
    if (e.data.length <= 4) {
      e.data.copy(tiff, at + 8);
    } else {
      tiff.writeUInt32LE(data, at + 8);
      e.data.copy(tiff, data);
      data += e.data.length + (e.data.length & 1);
    }
  });
  tiff.writeUInt32LE(next, offset + 2 + entries.length * 12);
}

function exifPayload(f: ExifFields): Buffer {
  const ifd0: IfdEntry[] = [short(0x0112, 1)];
  if (f.make) ifd0.push(ascii(0x010f, f.make));
  if (f.model) ifd0.push(ascii(0x0110, f.model));
  const exifIfd: IfdEntry[] = f.dateTimeOriginal ? [ascii(0x9003, f.dateTimeOriginal)] : [];
  if (exifIfd.length) ifd0.push(long(0x8769, 0)); // pointer, filled below
  const ifd1: IfdEntry[] = f.thumbnail ? [short(0x0103, 6), long(0x0201, 0), long(0x0202, f.thumbnail.length)] : [];

  const ifd0At = 8;
  const exifAt = ifd0At + ifdSize(ifd0);
  const ifd1At = exifAt + (exifIfd.length ? ifdSize(exifIfd) : 0);
  const thumbAt = ifd1At + (ifd1.length ? ifdSize(ifd1) : 0);
  if (exifIfd.length) ifd0.find((e) => e.tag === 0x8769)!.data.writeUInt32LE(exifAt);
  if (ifd1.length) ifd1.find((e) => e.tag === 0x0201)!.data.writeUInt32LE(thumbAt);
  const tiff = Buffer.alloc(thumbAt + (f.thumbnail?.length ?? 0));
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0At, 4);
  writeIfd(tiff, ifd0At, ifd0, ifd1.length ? ifd1At : 0);
  if (exifIfd.length) writeIfd(tiff, exifAt, exifIfd, 0);
  if (ifd1.length) writeIfd(tiff, ifd1At, ifd1, 0);
  f.thumbnail?.copy(tiff, thumbAt);
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}

// ---- pictures ----

/** HSV (h in degrees) to RGB bytes. */
function hsv(h: number, s: number, v: number): [number, number, number] {
  const c = v * s;
  const hp = ((h % 360) + 360) % 360 / 60;
  const x = c * (1 - Math.abs((hp % 2) - 1));
  const [r, g, b] = hp < 1 ? [c, x, 0] : hp < 2 ? [x, c, 0] : hp < 3 ? [0, c, x] : hp < 4 ? [0, x, c] : hp < 5 ? [x, 0, c] : [c, 0, x];
  const m = v - c;
  return [Math.round((r + m) * 255), Math.round((g + m) * 255), Math.round((b + m) * 255)];
}

/**
 * A "photo": a sky-to-ground gradient in a hue picked by `seed`, with a sun disc, so thumbnails of
 * different items look different and a scaled copy looks like the same picture.
 */
export function photoPixels(width: number, height: number, seed: number): Uint8Array {
  const hue = (seed * 137.508) % 360;
  const rgb = new Uint8Array(width * height * 3);
  const sunX = width * (0.25 + ((seed * 7919) % 50) / 100);
  const sunY = height * 0.3;
  const sunR = Math.min(width, height) * 0.12;
  for (let y = 0; y < height; y++) {
    const t = y / Math.max(1, height - 1);
    const row = t < 0.6 ? hsv(hue, 0.35 + t * 0.5, 0.95 - t * 0.3) : hsv(hue + 120, 0.6, 0.55 - (t - 0.6) * 0.5);
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const dx = x - sunX, dy = y - sunY;
      if (dx * dx + dy * dy < sunR * sunR) { rgb[p] = 255; rgb[p + 1] = 236; rgb[p + 2] = 170; } else { rgb[p] = row[0]; rgb[p + 1] = row[1]; rgb[p + 2] = row[2]; }
    }
  }
  return rgb;
}

/** A photo JPEG of the given size for `seed`. */
export function photoJpeg(width: number, height: number, seed: number, options: JpegOptions = {}): Buffer {
  return encodeJpeg(width, height, photoPixels(width, height, seed), options);
}
