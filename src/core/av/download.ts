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
import type { OpenResponse } from '../http/fetch';
import { FetchError, drainBody, fetchBytes, formatBytes, openResponse, sizeHeader } from '../http/fetch';

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
  headers: Readonly<Record<string, string>>;
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
const FILE_ERRORS = new Set(['EEXIST', 'EACCES', 'ENOENT', 'ENOSPC', 'EROFS', 'EISDIR', 'EPERM']);

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = options.signal;
  if (signal?.aborted) throw new DownloadError('aborted', `Download of ${url} was cancelled.`, url);

  const temp = tempPathFor(destination);
  let file: FileHandle | undefined;
  let res: OpenResponse | undefined;
  let bytes = 0;
  try {
    file = await open(temp, 'wx');
    // No Accept-Encoding: the file must arrive byte for byte as the device stores it.
    res = await openResponse(url, { pool: 'media', idleTimeout: true, timeoutMs, headers: { accept: '*/*' }, ...(signal ? { signal } : {}) });
    const status = res.status;
    if (status < 200 || status >= 300) {
      res.discard();
      throw new DownloadError('http-status', `${url} answered HTTP ${status}; nothing was saved.`, url, status);
    }
    const contentLength = sizeHeader(res.headers['content-length']);
    const fileSize = sizeHeader(res.headers['x-file_size']);
    const total = contentLength ?? fileSize ?? options.expectedSize;
    options.onProgress?.({ bytes: 0, ...(total !== undefined ? { total } : {}) });
    const handle = file;
    await drainBody(res, async (chunk) => {
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
    return { bytes, path: destination, headers: res.headers, warnings };
  } catch (err) {
    if (file) await file.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw downloadError(err, url, destination, res, bytes, timeoutMs);
  }
}

/** Any failure of a download, in the words of a download: what happened, and that nothing was saved. */
function downloadError(err: unknown, url: string, destination: string, res: OpenResponse | undefined, bytes: number, timeoutMs: number): DownloadError {
  if (err instanceof DownloadError) return err;
  const code = (err as { code?: string } | null)?.code;
  if (!(err instanceof FetchError) && code !== undefined && FILE_ERRORS.has(code)) {
    return new DownloadError('file', `Could not write ${destination}: ${(err as Error).message ?? code}.`, url, res?.status);
  }
  const fetchError = err instanceof FetchError ? err : res ? res.failure(err) : new FetchError('network', String(err), url);
  const status = res?.status;
  switch (fetchError.kind) {
    case 'aborted':
      return new DownloadError('aborted', `Download of ${url} was cancelled; nothing was saved.`, url, status);
    case 'timeout':
      return new DownloadError('timeout', `${url} stopped sending for ${Math.round(timeoutMs / 1000)} s after ${formatBytes(bytes)}; nothing was saved.`, url, status);
    case 'invalid-url':
      return new DownloadError('invalid-url', fetchError.message, url);
    default:
      // Headers had come: the body broke off. Otherwise the device could not be reached at all.
      if (status !== undefined) return new DownloadError('truncated', `${url} broke off after ${formatBytes(bytes)} (${fetchError.message}); nothing was saved.`, url, status);
      return new DownloadError('network', `Could not download: ${fetchError.message}`, url);
  }
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
 * Fetches a thumbnail or preview into memory (default cap 8 MiB, deadline 10 s for the whole
 * request, on the media connections) and checks that the bytes are an image; the MIME type comes
 * from the bytes, not the server's Content-Type.
 * @throws FetchError (kind 'http-status', 'too-large', 'timeout', 'aborted', …), or NotAnImageError.
 */
export async function fetchImage(url: string, options: { signal?: AbortSignal; maxBytes?: number; timeoutMs?: number } = {}): Promise<{ mime: string; data: Buffer }> {
  const result = await fetchBytes(url, {
    pool: 'media',
    headers: { accept: 'image/*, */*' },
    maxBytes: options.maxBytes ?? 8 * 1024 * 1024,
    timeoutMs: options.timeoutMs ?? 10_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const data = result.body;
  const mime = sniffImageType(data);
  if (!mime) {
    const said = result.headers['content-type'] ? ` (Content-Type ${result.headers['content-type']})` : '';
    throw new NotAnImageError(`${url} did not send an image${said}: ${data.length} bytes that are no JPEG, PNG, GIF, WebP or BMP.`, url);
  }
  return { mime, data };
}
