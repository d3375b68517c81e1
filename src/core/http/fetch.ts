// Fetching documents from untrusted devices: every request has a deadline and a size cap, and
// every failure becomes a FetchError whose message a user can act on.
import { Agent, request } from 'undici';

export interface FetchOptions {
  /** Whole-request deadline (connect, headers and body), in milliseconds. Default 10 000. */
  readonly timeoutMs?: number;
  /** Bodies larger than this are refused (by Content-Length, or while streaming). Default 2 MiB. */
  readonly maxBytes?: number;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Aborts the request early (the user cancelled). */
  readonly signal?: AbortSignal;
  /** Called when the response headers arrived (the device is answering, however slowly the body comes). */
  readonly onResponse?: () => void;
  /**
   * Let the connection be reused for the next GET to the same device within a couple of seconds
   * (a description and its SCPDs: one connection instead of three). A GET that meets a connection
   * the device closed meanwhile is retried once on a fresh one. Off by default: everything else is
   * sent with `Connection: close`, as many devices expect.
   */
  readonly keepAlive?: boolean;
}

export interface FetchResult {
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly elapsedMs: number;
}

export type FetchErrorKind = 'invalid-url' | 'timeout' | 'too-large' | 'http-status' | 'network' | 'aborted';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    message: string,
    readonly url: string,
    readonly status?: number,
    readonly body?: Buffer,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

// Requests go out with `Connection: close` (devices often close anyway, and some mishandle reuse)
// unless the caller asks for keep-alive; then an idle connection is kept for at most 2 s.
const agent = new Agent({ pipelining: 1, connections: 8, keepAliveTimeout: 2000, keepAliveMaxTimeout: 2000, connectTimeout: 15_000 });

/**
 * GET (or another method) a URL with a deadline and a size cap.
 * Non-2xx statuses are returned, not thrown, when `acceptStatus` says so; by default they throw.
 */
export async function fetchBytes(
  url: string,
  options: FetchOptions = {},
  acceptStatus: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<FetchResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError('invalid-url', `"${url}" is not a valid URL.`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchError('invalid-url', `${url} is not an http:// URL (UPnP documents are served over HTTP).`, url);
  }
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  const started = performance.now();
  const method = options.method ?? 'GET';
  const keepAlive = options.keepAlive === true && method === 'GET';
  const send = (reset: boolean): ReturnType<typeof request> => request(parsed, {
    method: method as 'GET',
    headers: { 'user-agent': USER_AGENT, ...options.headers },
    body: options.body,
    signal,
    dispatcher: agent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    reset,
  });
  try {
    let res;
    try {
      res = await send(!keepAlive);
    } catch (err) {
      // A kept connection the device closed in the meantime: once more, on a fresh connection.
      if (!keepAlive || !isStaleConnection(err) || signal.aborted) throw err;
      res = await send(true);
    }
    options.onResponse?.();
    const headers = flattenHeaders(res.headers);
    const declared = Number(headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      discard(res.body);
      throw new FetchError('too-large', `${url} announced ${formatBytes(declared)}, more than the ${formatBytes(maxBytes)} limit.`, url, res.statusCode);
    }
    const body = await readFlowing(res.body, maxBytes, () =>
      new FetchError('too-large', `${url} sent more than the ${formatBytes(maxBytes)} limit; the rest was not read.`, url, res.statusCode));
    if (!acceptStatus(res.statusCode)) {
      throw new FetchError('http-status', `${url} answered HTTP ${res.statusCode}${statusText(res.statusCode)}.`, url, res.statusCode, body);
    }
    return { url, status: res.statusCode, headers, body, elapsedMs: performance.now() - started };
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (options.signal?.aborted) throw new FetchError('aborted', `Request to ${url} was cancelled.`, url);
    if (deadline.aborted || isTimeout(err)) {
      throw new FetchError('timeout', `${url} did not answer within ${formatSeconds(timeoutMs)} (setting upnpExplorer.http.timeoutSeconds).`, url);
    }
    throw new FetchError('network', `Could not reach ${url}: ${describeNetworkError(err)}.`, url);
  }
}

type BodyStream = NodeJS.ReadableStream & { destroy(): unknown };

/**
 * Reads a whole body in flowing mode ('data' events, never paused). undici 7 can hit an uncatchable
 * assertion (nodejs/undici#5360) when a paused body meets the server's FIN, and devices close the
 * connection right after every answer; an async iterator pauses between chunks, so it is not used.
 */
function readFlowing(stream: BodyStream, maxBytes: number, tooLarge: () => FetchError): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      total += chunk.length;
      if (total > maxBytes) {
        settled = true;
        discard(stream);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    stream.once('error', (err: Error) => {
      if (settled) return;
      settled = true;
      reject(err);
    });
  });
}

/**
 * Stops reading a body we refuse. undici's body stream reports an early destroy as an 'error'
 * ("Request aborted"); with nobody listening that would be an uncaught exception in the host.
 */
function discard(body: { on(event: 'error', listener: (err: Error) => void): unknown; destroy(): unknown }): void {
  body.on('error', () => { /* expected: we aborted it */ });
  body.destroy();
}

export const USER_AGENT = `Node/${process.versions.node} UPnP/1.1 UPnP-Explorer/0.1`;

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function isStaleConnection(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } } | null;
  const code = e?.code ?? e?.cause?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED';
}

function isTimeout(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  const name = (err as { name?: string } | null)?.name;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || name === 'TimeoutError';
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  const code = e?.cause?.code ?? e?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connection refused (is the device still running, and is the port right?)';
    case 'EHOSTUNREACH': return 'host unreachable (is it on another subnet without a route?)';
    case 'ENETUNREACH': return 'network unreachable';
    case 'ECONNRESET': return 'the device closed the connection';
    case 'UND_ERR_SOCKET': return 'the device closed the connection mid-response';
    case 'ENOTFOUND': return 'host name not found';
    default: return e?.cause?.message ?? e?.message ?? String(err);
  }
}

function statusText(status: number): string {
  const texts: Record<number, string> = { 400: ' Bad Request', 401: ' Unauthorized', 403: ' Forbidden', 404: ' Not Found', 405: ' Method Not Allowed', 412: ' Precondition Failed', 500: ' Internal Server Error', 501: ' Not Implemented', 503: ' Service Unavailable' };
  return texts[status] ?? '';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  // Exact near a round limit, so "1.0 MiB, more than the 1.0 MiB limit" can't happen.
  if (n % 1024 !== 0 && Math.abs(n / 1024 / 1024 - Math.round(n / 1024 / 1024)) < 0.05 && n >= 1024 * 1024) return `${n.toLocaleString('en-US')} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
