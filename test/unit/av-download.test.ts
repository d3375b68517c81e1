// downloadToFile and fetchImage against a real HTTP server on 127.0.0.1 that answers like the
// Leica Q3 (chunked, no Content-Length, Date in the year 19324, X-FILE_SIZE) and breaks in the ways
// a camera on Wi-Fi does: slow bodies, connections cut mid-file, short bodies.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DownloadError, NotAnImageError, downloadToFile, fetchImage, sniffImageType } from '../../src/core/av/download';
import type { DownloadProgress } from '../../src/core/av/download';
import { FetchError } from '../../src/core/http/fetch';
import { photoJpeg } from '../devices/camera-data/jpeg';

const FILE = randomBytes(1024 * 1024 + 123);
const JPEG = photoJpeg(160, 120, 7);
const BIG = randomBytes(2 * 1024 * 1024 + 7);

const CAMERA_HEADERS: Array<[string, string]> = [
  ['Date', 'Fri, 31 Mar 19324 11:47:28 GMT'],
  ['Server', 'Panasonic'],
  ['Cache-Control', 'no-cache'],
  ['Pragma', 'no-cache'],
  ['Transfer-Encoding', 'chunked'],
  ['Content-Type', 'image/jpeg'],
  ['Accept-Ranges', 'bytes'],
  ['transferMode.dlna.org', 'Interactive'],
  ['X-REC_DATE_TIME', '2024-12-10T21:21:34'],
  ['X-ROTATE_INFO', '1'],
  ['Connection', 'Keep-Alive'],
];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function sendChunks(res: http.ServerResponse, data: Buffer, chunk: number, delayMs: number, stopAfter = Infinity): Promise<void> {
  for (let i = 0; i < data.length; i += chunk) {
    if (res.destroyed) return;
    if (i >= stopAfter) {
      res.socket?.destroy(); // the connection drops mid-file
      return;
    }
    res.write(data.subarray(i, i + chunk));
    if (delayMs) await sleep(delayMs);
  }
  res.end();
}

describe('downloadToFile and fetchImage', () => {
  let server: http.Server;
  let base: string;
  let dir: string;
  const sockets = new Set<Socket>();

  before(async () => {
    dir = mkdtempSync(join(os.tmpdir(), 'upnp-av-download-'));
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      const camera = (size: number): void => { res.writeHead(200, [...CAMERA_HEADERS, ['X-FILE_SIZE', String(size)]].flat()); };
      switch (path) {
        case '/chunked': camera(FILE.length); void sendChunks(res, FILE, 32768, 0); return;
        case '/wrong-file-size': camera(5000); void sendChunks(res, FILE, 65536, 0); return;
        case '/big-close': res.writeHead(200, { 'Content-Length': String(BIG.length), Connection: 'close' }); res.end(BIG); return;
        case '/length': res.writeHead(200, { 'Content-Length': String(FILE.length), 'Content-Type': 'application/octet-stream' }); res.end(FILE); return;
        case '/slow': camera(FILE.length); void sendChunks(res, FILE, 16384, 25); return;
        case '/break': camera(FILE.length); void sendChunks(res, FILE, 65536, 1, 512 * 1024); return;
        case '/short': res.writeHead(200, { 'Content-Length': String(FILE.length) }); res.write(FILE.subarray(0, 1000)); setTimeout(() => res.socket?.destroy(), 20); return;
        case '/stall': camera(FILE.length); res.write(FILE.subarray(0, 1000)); return; // then silence
        case '/jpeg': camera(JPEG.length); void sendChunks(res, JPEG, 500, 0); return;
        case '/html': res.writeHead(200, { 'Content-Type': 'image/jpeg' }); res.end('<html>Not an image</html>'); return;
        default: res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('Not found\n');
      }
    });
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const leftovers = (): string[] => readdirSync(dir).filter((f) => f.includes('.part-'));

  it('a chunked body without Content-Length, with the camera\'s quirky headers, arrives byte for byte', async () => {
    const progress: DownloadProgress[] = [];
    const dest = join(dir, 'L1010972.DNG');
    const result = await downloadToFile(`${base}/chunked`, dest, { onProgress: (p) => progress.push(p), expectedSize: 76436480 });
    assert.equal(result.bytes, FILE.length);
    assert.equal(result.path, dest);
    assert.ok(readFileSync(dest).equals(FILE));
    assert.equal(result.headers['date'], 'Fri, 31 Mar 19324 11:47:28 GMT');
    assert.equal(result.headers['transfer-encoding'], 'chunked');
    assert.equal(result.headers['content-length'], undefined);
    assert.deepEqual(result.warnings, []);
    // Total from X-FILE_SIZE (not the DIDL size), bytes growing to the end.
    assert.deepEqual(progress[0], { bytes: 0, total: FILE.length });
    assert.deepEqual(progress.at(-1), { bytes: FILE.length, total: FILE.length });
    assert.ok(progress.length > 3);
    assert.deepEqual(leftovers(), []);
  });

  it('Content-Length wins over the DIDL size; an existing file is replaced only when complete', async () => {
    const dest = join(dir, 'replace.bin');
    writeFileSync(dest, 'old');
    const progress: DownloadProgress[] = [];
    await downloadToFile(`${base}/length`, dest, { onProgress: (p) => progress.push(p), expectedSize: 1 });
    assert.ok(readFileSync(dest).equals(FILE));
    assert.equal(progress[0]?.total, FILE.length);
  });

  it('survives a server that closes the connection right after a body larger than the client reads at once', async () => {
    // undici 7 kills the process (uncatchable assert(!this.paused)) when its parser is paused by
    // backpressure as the server's FIN arrives (nodejs/undici#5360); downloads must never get there.
    // The crash needs the last bytes and the FIN to meet a paused parser: a race, so many tries.
    for (let i = 0; i < 40; i++) {
      const dest = join(dir, `big-${i}.bin`);
      const result = await downloadToFile(`${base}/big-close`, dest);
      assert.equal(result.bytes, BIG.length);
      assert.ok(readFileSync(dest).equals(BIG));
      rmSync(dest);
    }
  });

  it('X-FILE_SIZE that disagrees with a complete chunked body is a warning, not a failure', async () => {
    const dest = join(dir, 'wrong.bin');
    const result = await downloadToFile(`${base}/wrong-file-size`, dest);
    assert.ok(readFileSync(dest).equals(FILE));
    assert.deepEqual(result.warnings, [`The device announced X-FILE_SIZE 5000 but the complete body has ${FILE.length} bytes.`]);
  });

  it('cancelling mid-body leaves nothing: no temp file, the destination untouched', async () => {
    const dest = join(dir, 'cancel.bin');
    writeFileSync(dest, 'keep me');
    const controller = new AbortController();
    let sawTemp = false;
    const done = downloadToFile(`${base}/slow`, dest, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 100_000 && !controller.signal.aborted) {
          sawTemp = leftovers().some((f) => f.startsWith('.cancel.bin.part-'));
          controller.abort();
        }
      },
    });
    await assert.rejects(done, (err: unknown) => {
      assert.ok(err instanceof DownloadError);
      assert.equal(err.kind, 'aborted');
      assert.equal(err.name, 'AbortError');
      return true;
    });
    assert.ok(sawTemp, 'the body was written to .cancel.bin.part-… while downloading');
    assert.deepEqual(leftovers(), []);
    assert.equal(readFileSync(dest, 'utf8'), 'keep me');
  });

  it('a cancel before the answer arrives leaves nothing either', async () => {
    const dest = join(dir, 'early.bin');
    await assert.rejects(downloadToFile(`${base}/slow`, dest, { signal: AbortSignal.abort() }), (err: unknown) => err instanceof DownloadError && err.kind === 'aborted');
    await assert.rejects(downloadToFile(`${base}/stall`, dest, { signal: AbortSignal.timeout(200) }), (err: unknown) => err instanceof DownloadError && err.kind === 'aborted');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('early')), []);
  });

  it('a connection cut mid-file, a short body and a stalled body fail and leave nothing', async () => {
    for (const [path, kind] of [['/break', 'truncated'], ['/short', 'truncated']] as const) {
      const dest = join(dir, `broken${path.slice(1)}.bin`);
      await assert.rejects(downloadToFile(`${base}${path}`, dest), (err: unknown) => {
        assert.ok(err instanceof DownloadError, String(err));
        assert.equal(err.kind, kind, err.message);
        assert.match(err.message, /nothing was saved/);
        return true;
      });
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('broken')), []);
    }
    const dest = join(dir, 'stalled.bin');
    await assert.rejects(downloadToFile(`${base}/stall`, dest, { timeoutMs: 300 }), (err: unknown) => err instanceof DownloadError && err.kind === 'timeout');
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('stalled')), []);
  });

  it('HTTP errors, bad URLs and unwritable destinations', async () => {
    await assert.rejects(downloadToFile(`${base}/missing`, join(dir, 'x.bin')), (err: unknown) => err instanceof DownloadError && err.kind === 'http-status' && err.status === 404);
    await assert.rejects(downloadToFile('ftp://h/x', join(dir, 'x.bin')), (err: unknown) => err instanceof DownloadError && err.kind === 'invalid-url');
    await assert.rejects(downloadToFile(`${base}/chunked`, join(dir, 'no-such-dir', 'x.bin')), (err: unknown) => err instanceof DownloadError && err.kind === 'file');
    assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('x.bin') || f.startsWith('.x.bin')), []);
  });

  it('fetchImage takes image bytes whatever the headers say, and refuses what is not an image', async () => {
    const img = await fetchImage(`${base}/jpeg`);
    assert.equal(img.mime, 'image/jpeg');
    assert.ok(img.data.equals(JPEG));
    await assert.rejects(fetchImage(`${base}/html`), NotAnImageError);
    await assert.rejects(fetchImage(`${base}/missing`), (err: unknown) => err instanceof FetchError && err.kind === 'http-status');
    await assert.rejects(fetchImage(`${base}/chunked`, { maxBytes: 1000 }), (err: unknown) => err instanceof FetchError && err.kind === 'too-large');
    assert.equal(sniffImageType(Buffer.from('GIF89a....')), 'image/gif');
    assert.equal(sniffImageType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])), 'image/png');
    assert.equal(sniffImageType(Buffer.from('RIFF0000WEBPVP8 ')), 'image/webp');
    assert.equal(sniffImageType(Buffer.from('II*\0')), undefined);
  });
});
