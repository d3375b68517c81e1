// The bytes behind the camera's resource URLs, and the way the camera sends them.
//
// As captured (GET /DL01010979.JPG): `Transfer-Encoding: chunked` without Content-Length, a Date in
// the year 19324, `Server: Panasonic`, `transferMode.dlna.org:Interactive`, X-REC_DATE_TIME,
// X-ROTATE_INFO and X-FILE_SIZE (the real size; the DIDL-Lite sizes are placeholders).
//   /DT<id>.JPG  thumbnail (JPEG_TN), 160x120
//   /DL<id>.JPG  JPEG_MED, 1024x683
//   /DF<id>.JPG  JPEG_LRG, 1920x1280
//   /DO<id>.JPG  the JPG original of a DNG+JPG pair, 1920x1280 at high quality
//   /DO<id>.DNG  the raw original: a TIFF header, then deterministic pseudo-random bytes
import type { ServerResponse } from 'node:http';
import { photoJpeg } from './jpeg';
import type { CameraItem } from './content';

export const MEDIA_DATE_HEADER = 'Fri, 31 Mar 19324 11:47:28 GMT';
export const MEDIA_SERVER_HEADER = 'Panasonic';

export type MediaKind = 'thumbnail' | 'medium' | 'large' | 'originalJpg' | 'originalDng';

const SIZES: Readonly<Record<Exclude<MediaKind, 'originalDng'>, readonly [number, number, number]>> = {
  thumbnail: [160, 120, 75],
  medium: [1024, 683, 80],
  large: [1920, 1280, 80],
  originalJpg: [1920, 1280, 92],
};

/** Which kind a path is (`/DT01010972.JPG` -> thumbnail of 01010972). */
export function mediaKindOf(path: string): { kind: MediaKind; id: string } | undefined {
  const m = /^\/D([TLFO])([0-9A-Za-z]+)\.(JPG|DNG)$/.exec(path);
  if (!m) return undefined;
  const [, letter, id, ext] = m as unknown as [string, string, string, string];
  if (letter === 'O') return { kind: ext === 'DNG' ? 'originalDng' : 'originalJpg', id };
  if (ext !== 'JPG') return undefined;
  return { kind: letter === 'T' ? 'thumbnail' : letter === 'L' ? 'medium' : 'large', id };
}

/** FNV-1a of a string: the seed of an item's pictures and raw bytes. */
export function seedOf(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Default served size of a DNG: 256–384 KiB, different per item, so tests stay fast. */
export function smallOriginalSize(id: string): number {
  return 256 * 1024 + (seedOf(id) % (128 * 1024));
}

const DNG_HEADER = Buffer.from('II*\0\x08\0\0\0', 'latin1');

/** The raw original of `id`, `size` bytes, in chunks of `chunkSize` (the same bytes every time). */
export function* dngChunks(id: string, size: number, chunkSize = 64 * 1024): Generator<Buffer> {
  let state = seedOf(`dng:${id}`) || 1;
  let produced = 0;
  while (produced < size) {
    const len = Math.min(chunkSize, size - produced);
    const chunk = Buffer.allocUnsafe(len);
    let i = 0;
    if (produced === 0) {
      const head = Math.min(len, DNG_HEADER.length);
      DNG_HEADER.copy(chunk, 0, 0, head);
      i = head;
    }
    // xorshift32, four bytes per step
    for (; i + 4 <= len; i += 4) {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      chunk.writeUInt32LE(state, i);
    }
    for (; i < len; i++) {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      chunk[i] = state & 0xff;
    }
    produced += len;
    yield chunk;
  }
}

export function dngBytes(id: string, size: number): Buffer {
  return Buffer.concat([...dngChunks(id, size)]);
}

/** Encoded JPEGs, kept per path; thumbnails are many and small, the big ones few. */
export class JpegCache {
  private readonly small = new Map<string, Buffer>();
  private readonly big = new Map<string, Buffer>();

  get(kind: Exclude<MediaKind, 'originalDng'>, id: string): Buffer {
    const cache = kind === 'thumbnail' ? this.small : this.big;
    const limit = kind === 'thumbnail' ? 20_000 : 12;
    const key = `${kind}:${id}`;
    let bytes = cache.get(key);
    if (!bytes) {
      const [w, h, quality] = SIZES[kind];
      bytes = photoJpeg(w, h, seedOf(id), { quality });
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(key, bytes);
    }
    return bytes;
  }
}

export interface MediaServeOptions {
  /** Bytes per second; undefined sends as fast as the socket takes them. */
  bytesPerSecond?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends one resource the way the camera does: chunked, no Content-Length, the captured headers.
 * `body` is the whole file or a chunk source with its total size. Stops when the client goes away.
 */
export async function sendMedia(
  res: ServerResponse,
  item: CameraItem,
  contentType: string,
  body: { size: number; chunks: () => Iterable<Buffer> },
  method: string,
  options: MediaServeOptions,
): Promise<void> {
  // writeHead with a raw list keeps the camera's header names and order.
  res.writeHead(200, [
    ['Date', MEDIA_DATE_HEADER],
    ['Server', MEDIA_SERVER_HEADER],
    ['Cache-Control', 'no-cache'],
    ['Pragma', 'no-cache'],
    ['Transfer-Encoding', 'chunked'],
    ['Content-Type', contentType],
    ['Accept-Ranges', 'bytes'],
    ['transferMode.dlna.org', 'Interactive'],
    ['X-REC_DATE_TIME', item.date.slice(0, 19)],
    ['X-ROTATE_INFO', '1'],
    ['X-FILE_SIZE', String(body.size)],
    ['Connection', 'Keep-Alive'],
  ].flat());
  if (method === 'HEAD') {
    res.end();
    return;
  }
  let gone = false;
  res.once('close', () => { gone = true; });
  const rate = options.bytesPerSecond;
  for (const chunk of body.chunks()) {
    // Throttled: 16 KiB pieces spaced to the rate, so a test can cancel mid-body.
    const pieces = rate ? Math.ceil(chunk.length / 16384) : 1;
    for (let p = 0; p < pieces; p++) {
      if (gone) return;
      const piece = pieces === 1 ? chunk : chunk.subarray(p * 16384, (p + 1) * 16384);
      if (!res.write(piece)) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
      if (rate) await sleep((piece.length / rate) * 1000);
    }
  }
  if (!gone) res.end();
}

/** One buffer as a chunk source, cut into 32 KiB chunks like an embedded server writes them. */
export function bufferBody(bytes: Buffer): { size: number; chunks: () => Iterable<Buffer> } {
  return {
    size: bytes.length,
    chunks: function* () { for (let i = 0; i < bytes.length; i += 32768) yield bytes.subarray(i, i + 32768); },
  };
}
