// Downloading a resource to disk, and fetching a thumbnail into memory.
//
// Camera originals are tens of MiB, so downloads stream to disk (fetchBytes buffers and caps).
// The Leica Q3 answers with `Transfer-Encoding: chunked` and no Content-Length, a Date in the year
// 19324, `transferMode.dlna.org:Interactive` and its own `X-FILE_SIZE`; none of that may trip the
// client. A download is written to a temporary file next to the destination and renamed only once
// the body is complete, so a cancelled or broken transfer never leaves a partial file behind and
// never touches an existing file of the same name.
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { Agent, request } from 'undici';
import { FetchError, USER_AGENT, formatBytes } from '../http/fetch';

export interface DownloadProgress {
  bytes: number;
  /** From Content-Length, else X-FILE_SIZE, else the DIDL size (`expectedSize`). */
  total?: number;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  /** Deadline for the answer's headers and for each pause in the body (not the whole transfer); default 30 000 ms. */
  timeoutMs?: number;
  /** The size the DIDL-Lite declares, used only for progress when the server says nothing. */
  expectedSize?: number;
}

export interface DownloadResult {
  bytes: number;
  path: string;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** Things worth knowing that did not stop the download (X-FILE_SIZE disagreeing with the body). */
  warnings: string[];
}

export type DownloadErrorKind = 'invalid-url' | 'http-status' | 'network' | 'timeout' | 'truncated' | 'aborted' | 'file';

export class DownloadError extends Error {
  constructor(readonly kind: DownloadErrorKind, message: string, readonly url: string, readonly status?: number) {
    super(message);
    // Cancellation is reported like every other AbortError, so callers can tell it from failures.
    this.name = kind === 'aborted' ? 'AbortError' : 'DownloadError';
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;
// Its own agent: downloads are long-lived and must not hold the connections documents are fetched on.
const agent = new Agent({ pipelining: 0, connections: 4, keepAliveTimeout: 1, connectTimeout: 15_000 });

function flatten(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sizeHeader(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d{1,16}\s*$/.test(value) ? Number(value) : undefined;
}

/** `.<name>.part-<random>` next to the destination. */
function tempPathFor(destination: string): string {
  return path.join(path.dirname(destination), `.${path.basename(destination)}.part-${randomBytes(6).toString('hex')}`);
}

/**
 * Streams `url` into `destination`: written to a temporary file next to it, renamed over it only
 * when the body is complete; on error or cancel the temporary file is removed and `destination` is
 * untouched.
 * @throws DownloadError (name 'AbortError' and kind 'aborted' when cancelled).
 */
export async function downloadToFile(url: string, destination: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DownloadError('invalid-url', `"${url}" is not a valid URL.`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new DownloadError('invalid-url', `${url} is not an http:// URL.`, url);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = options.signal;
  if (signal?.aborted) throw new DownloadError('aborted', `Download of ${url} was cancelled.`, url);

  const temp = tempPathFor(destination);
  let file: FileHandle | undefined;
  let bytes = 0;
  let status: number | undefined;
  try {
    file = await open(temp, 'wx');
    const res = await request(parsed, {
      method: 'GET',
      // No Accept-Encoding: the file must arrive byte for byte as the device stores it.
      headers: { 'user-agent': USER_AGENT, accept: '*/*', connection: 'close' },
      ...(signal ? { signal } : {}),
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    const headers = flatten(res.headers);
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.on('error', () => { /* we stop reading on purpose */ });
      res.body.destroy();
      throw new DownloadError('http-status', `${url} answered HTTP ${res.statusCode}; nothing was saved.`, url, res.statusCode);
    }
    const contentLength = sizeHeader(headers['content-length']);
    const fileSize = sizeHeader(headers['x-file_size']);
    const total = contentLength ?? fileSize ?? options.expectedSize;
    options.onProgress?.({ bytes: 0, ...(total !== undefined ? { total } : {}) });
    const handle = file;
    await drainToFile(res.body, async (chunk) => {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
        offset += bytesWritten;
      }
    }, (chunk) => {
      bytes += chunk.length;
      options.onProgress?.({ bytes, ...(total !== undefined ? { total } : {}) });
    });
    if (contentLength !== undefined && bytes !== contentLength) {
      throw new DownloadError('truncated', `${url} announced ${formatBytes(contentLength)} but sent ${formatBytes(bytes)}; nothing was saved.`, url, status);
    }
    const warnings: string[] = [];
    if (contentLength === undefined && fileSize !== undefined && fileSize !== bytes) {
      warnings.push(`The device announced X-FILE_SIZE ${fileSize} but the complete body has ${bytes} bytes.`);
    }
    // Flushed to disk before the rename, so the name never points at a file still in the cache only.
    await file.sync();
    await file.close();
    file = undefined;
    await rename(temp, destination);
    return { bytes, path: destination, headers, warnings };
  } catch (err) {
    if (file) await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    if (err instanceof DownloadError) throw err;
    if (signal?.aborted) throw new DownloadError('aborted', `Download of ${url} was cancelled; nothing was saved.`, url, status);
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
    const code = e?.code ?? e?.cause?.code;
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      throw new DownloadError('timeout', `${url} stopped sending for ${Math.round(timeoutMs / 1000)} s after ${formatBytes(bytes)}; nothing was saved.`, url, status);
    }
    if (code === 'EEXIST' || code === 'EACCES' || code === 'ENOENT' || code === 'ENOSPC' || code === 'EROFS' || code === 'EISDIR' || code === 'EPERM') {
      throw new DownloadError('file', `Could not write ${destination}: ${e?.message ?? code}.`, url, status);
    }
    if (status !== undefined) {
      throw new DownloadError('truncated', `${url} broke off after ${formatBytes(bytes)} (${e?.cause?.message ?? e?.message ?? String(err)}); nothing was saved.`, url, status);
    }
    throw new DownloadError('network', `Could not download ${url}: ${e?.cause?.message ?? e?.message ?? String(err)}.`, url);
  }
}

// Bytes received but not yet written before the body is paused, and the level to resume at.
const QUEUE_HIGH = 16 * 1024 * 1024;
const QUEUE_LOW = 4 * 1024 * 1024;

interface BodyStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(err?: Error): unknown;
}

/**
 * Reads `body` in flowing mode into a queue that `write` empties in order; resolves when all of it
 * is written. Why not `for await` with backpressure: undici 7 crashes the whole process with an
 * uncatchable `assert(!this.paused)` when its parser is paused by backpressure and the server then
 * closes the connection (nodejs/undici#5360) — which is what a camera does at the end of every file
 * when asked for `Connection: close`. So the body is only paused when the disk falls more than
 * 16 MiB behind the network, which a download to a local disk does not.
 */
function drainToFile(body: BodyStream, write: (chunk: Buffer) => Promise<void>, received: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let writing = false;
    let ended = false;
    let paused = false;
    let failed = false;
    const fail = (err: Error): void => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(err);
    };
    const pump = async (): Promise<void> => {
      if (writing || failed) return;
      writing = true;
      try {
        while (queue.length > 0) {
          const chunk = queue.shift()!;
          await write(chunk);
          queued -= chunk.length;
          if (paused && queued <= QUEUE_LOW) {
            paused = false;
            body.resume();
          }
        }
      } catch (err) {
        fail(err instanceof Error ? err : new Error(String(err)));
        return;
      } finally {
        writing = false;
      }
      if (ended && !failed) resolve();
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      queue.push(chunk);
      queued += chunk.length;
      received(chunk);
      if (queued > QUEUE_HIGH && !paused) {
        paused = true;
        body.pause();
      }
      void pump();
    });
    body.on('end', () => {
      ended = true;
      if (!writing && queue.length === 0 && !failed) resolve();
    });
    body.on('error', (err: Error) => fail(err));
  });
}

/** The server answered, but not with an image. */
export class NotAnImageError extends Error {
  constructor(message: string, readonly url: string) {
    super(message);
    this.name = 'NotAnImageError';
  }
}

/** The image type of some bytes by their signature, or undefined when they are no image we know. */
export function sniffImageType(data: Buffer): string | undefined {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 6 && /^GIF8[79]a$/.test(data.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (data.length >= 12 && data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (data.length >= 2 && data[0] === 0x42 && data[1] === 0x4d) return 'image/bmp';
  return undefined;
}

/**
 * Fetches a thumbnail or preview into memory (default cap 8 MiB, deadline 10 s for the whole request) and checks that
 * the bytes are an image; the MIME type comes from the bytes, not the server's Content-Type.
 * @throws FetchError (kind 'http-status', 'too-large', 'timeout', 'aborted', …), or NotAnImageError.
 */
export async function fetchImage(url: string, options: { signal?: AbortSignal; maxBytes?: number; timeoutMs?: number } = {}): Promise<{ mime: string; data: Buffer }> {
  // Not fetchBytes: its `for await` read has the backpressure crash described at drainToFile, and
  // a thumbnail grid makes thousands of these requests to devices that close every connection.
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError('invalid-url', `"${url}" is not a valid URL.`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FetchError('invalid-url', `${url} is not an http:// URL.`, url);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let status: number | undefined;
  let headers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const res = await request(parsed, {
      method: 'GET',
      headers: { 'user-agent': USER_AGENT, accept: 'image/*, */*', connection: 'close' },
      signal,
      dispatcher: agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    status = res.statusCode;
    headers = flatten(res.headers);
    const declared = sizeHeader(headers['content-length']);
    if (res.statusCode < 200 || res.statusCode >= 300 || (declared !== undefined && declared > maxBytes)) {
      res.body.on('error', () => { /* we stop reading on purpose */ });
      res.body.destroy();
      if (declared !== undefined && declared > maxBytes && res.statusCode < 300) {
        throw new FetchError('too-large', `${url} announced ${formatBytes(declared)}, more than the ${formatBytes(maxBytes)} limit.`, url, status);
      }
      throw new FetchError('http-status', `${url} answered HTTP ${res.statusCode}.`, url, status);
    }
    await drainToFile(res.body, async (chunk) => {
      total += chunk.length;
      if (total > maxBytes) throw new FetchError('too-large', `${url} sent more than the ${formatBytes(maxBytes)} limit; the rest was not read.`, url, status);
      chunks.push(chunk);
    }, () => undefined);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (options.signal?.aborted) throw new FetchError('aborted', `Request to ${url} was cancelled.`, url);
    const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
    const code = e?.code ?? e?.cause?.code;
    if (deadline.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      throw new FetchError('timeout', `${url} did not answer within ${Math.round(timeoutMs / 100) / 10} s.`, url, status);
    }
    throw new FetchError('network', `Could not fetch ${url}: ${e?.cause?.message ?? e?.message ?? String(err)}.`, url, status);
  }
  const data = Buffer.concat(chunks, total);
  const mime = sniffImageType(data);
  if (!mime) {
    const said = headers['content-type'] ? ` (Content-Type ${headers['content-type']})` : '';
    throw new NotAnImageError(`${url} did not send an image${said}: ${data.length} bytes that are no JPEG, PNG, GIF, WebP or BMP.`, url);
  }
  return { mime, data };
}
