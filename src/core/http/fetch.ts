// The HTTP edge: the only code that calls undici. Every request to a device has a deadline (or,
// for long transfers, idle timeouts) and a size cap, and every failure becomes a FetchError whose
// message a user can act on. One request function (openResponse) and its sinks: a buffer
// (fetchBytes, readBody) and a writer (drainBody: downloads to a file); av/download.ts builds the
// image and file fetches on them.
import type * as Undici from 'undici';
import { isLinkLocal6 } from '../ssdp/interfaces';

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

/**
 * Which connections a request uses. `documents`: descriptions, SCPDs, SOAP, GENA, icons — short
 * requests, `Connection: close` unless the caller asks for keep-alive, then an idle connection is
 * kept for at most 2 s. `media`: images and downloads — long-lived transfers kept off the
 * connections documents are fetched on.
 */
export type ConnectionPool = 'documents' | 'media';

/**
 * undici, loaded on the first request rather than with the extension: evaluating it takes ~120 ms,
 * which at activation would hold up the extension host every user's other extensions share.
 */
let loaded: { request: typeof Undici.request; agents: Record<ConnectionPool, Undici.Agent> } | undefined;

function undici(): NonNullable<typeof loaded> {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose (see above)
    const { Agent, request } = require('undici') as typeof Undici;
    loaded = {
      request,
      agents: {
        documents: new Agent({ pipelining: 1, connections: 8, keepAliveTimeout: 2000, keepAliveMaxTimeout: 2000, connectTimeout: 15_000 }),
        media: new Agent({ pipelining: 0, connections: 4, keepAliveTimeout: 1, connectTimeout: 15_000 }),
      },
    };
  }
  return loaded;
}

export interface RequestOptions extends FetchOptions {
  /** Default `documents`. */
  readonly pool?: ConnectionPool;
  /**
   * `timeoutMs` bounds each wait (for the headers, and each pause in the body) instead of the whole
   * request: a 70 MiB original over Wi-Fi takes longer than any whole-request deadline.
   */
  readonly idleTimeout?: boolean;
}

/** Response headers have arrived; the body is still to be read with one of the sinks below. */
export interface OpenResponse {
  readonly url: string;
  readonly status: number;
  /** Names in lower case; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BodyStream;
  readonly started: number;
  /** What went wrong while reading the body, as a FetchError (deadline, cancel, cut connection). */
  failure(err: unknown): FetchError;
  /** Stops reading a body we refuse (a status or size we won't take). */
  discard(): void;
}

/**
 * The one place that talks to undici: checks the URL, sends the request with a deadline (or idle
 * timeouts), retries once on a kept-alive connection the device closed meanwhile, and maps every
 * failure to a FetchError a user can act on.
 */
export async function openResponse(url: string, options: RequestOptions = {}): Promise<OpenResponse> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError('invalid-url', `"${url}" is not a valid URL.`, url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new FetchError('invalid-url', `${url} is not an http:// URL (UPnP documents are served over HTTP).`, url);
  }
  if (options.signal?.aborted) throw new FetchError('aborted', `Request to ${url} was cancelled.`, url);
  const deadline = options.idleTimeout ? undefined : AbortSignal.timeout(timeoutMs);
  const signals = [deadline, options.signal].filter((s): s is AbortSignal => s !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const started = performance.now();
  const method = options.method ?? 'GET';
  const pool = options.pool ?? 'documents';
  const keepAlive = options.keepAlive === true && method === 'GET' && pool === 'documents';
  const { request, agents } = undici();
  const send = (reset: boolean): ReturnType<typeof request> => request(parsed, {
    method: method as 'GET',
    headers: { 'user-agent': USER_AGENT, ...options.headers },
    body: options.body,
    ...(signal ? { signal } : {}),
    dispatcher: agents[pool],
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    reset,
  });
  // The status once headers came: a failure after that broke off an answer already under way.
  const answered: { status?: number } = {};
  const failure = (err: unknown): FetchError => {
    const status = answered.status;
    if (err instanceof FetchError) return err;
    if (options.signal?.aborted) return new FetchError('aborted', `Request to ${url} was cancelled.`, url, status);
    if (deadline?.aborted || isTimeout(err)) {
      const message = options.idleTimeout
        ? `${url} stopped sending for ${formatSeconds(timeoutMs)} (setting upnpExplorer.http.timeoutSeconds).`
        : `${url} did not answer within ${formatSeconds(timeoutMs)} (setting upnpExplorer.http.timeoutSeconds).`;
      return new FetchError('timeout', message, url, status);
    }
    if (status !== undefined) return new FetchError('network', `${url} broke off mid-answer: ${describeNetworkError(err)}.`, url, status);
    const v6Host = /^https?:\/\/\[([^\]]+)\]/i.exec(url)?.[1];
    if (v6Host !== undefined && isLinkLocal6(v6Host)) {
      // A link-local URL can't name the interface (zone) a connection needs; the kernel refuses it.
      return new FetchError('network', `Could not reach ${url}: it is a link-local IPv6 address, which is only reachable through a named interface, and a URL can't carry that (${describeNetworkError(err)}). Give the device a unique-local or global IPv6 address (or use IPv4) so its LOCATION is routable.`, url);
    }
    return new FetchError('network', `Could not reach ${url}: ${describeNetworkError(err)}.`, url);
  };
  let res;
  try {
    try {
      res = await send(!keepAlive);
    } catch (err) {
      // A kept connection the device closed in the meantime: once more, on a fresh connection.
      if (!keepAlive || !isStaleConnection(err) || signal?.aborted) throw err;
      res = await send(true);
    }
  } catch (err) {
    throw failure(err);
  }
  answered.status = res.statusCode;
  options.onResponse?.();
  const body = res.body;
  return {
    url, status: res.statusCode, headers: flattenHeaders(res.headers), body, started, failure,
    discard: () => discard(body),
  };
}

/**
 * GET (or another method) a URL with a deadline and a size cap, the body in memory.
 * Non-2xx statuses are returned, not thrown, when `acceptStatus` says so; by default they throw.
 */
export async function fetchBytes(
  url: string,
  options: RequestOptions = {},
  acceptStatus: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<FetchResult> {
  const res = await openResponse(url, options);
  const body = await readBody(res, options.maxBytes ?? DEFAULT_MAX_BYTES);
  if (!acceptStatus(res.status)) {
    throw new FetchError('http-status', `${url} answered HTTP ${res.status}${statusText(res.status)}.`, url, res.status, body);
  }
  return { url, status: res.status, headers: res.headers, body, elapsedMs: performance.now() - res.started };
}

/** Buffer sink: the whole body, refused beyond `maxBytes` (by Content-Length, or while streaming). */
export async function readBody(res: OpenResponse, maxBytes: number): Promise<Buffer> {
  const declared = sizeHeader(res.headers['content-length']);
  if (declared !== undefined && declared > maxBytes) {
    res.discard();
    throw new FetchError('too-large', `${res.url} announced ${formatBytes(declared)}, more than the ${formatBytes(maxBytes)} limit.`, res.url, res.status);
  }
  try {
    return await readFlowing(res.body, maxBytes, () =>
      new FetchError('too-large', `${res.url} sent more than the ${formatBytes(maxBytes)} limit; the rest was not read.`, res.url, res.status));
  } catch (err) {
    throw res.failure(err);
  }
}

/** A size header's value when it is a plain decimal number. */
export function sizeHeader(value: string | undefined): number | undefined {
  return value !== undefined && /^\s*\d{1,16}\s*$/.test(value) ? Number(value) : undefined;
}

/** What a response body offers the sinks (undici's body stream). */
export interface BodyStream {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  once(event: 'end', listener: () => void): unknown;
  once(event: 'error', listener: (err: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
  destroy(err?: Error): unknown;
}

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

// Bytes received but not yet written before the body is paused, and the level to resume at.
const QUEUE_HIGH = 16 * 1024 * 1024;
const QUEUE_LOW = 4 * 1024 * 1024;

/**
 * Writer sink (a file): reads the body in flowing mode into a queue that `write` empties in order;
 * resolves when all of it is written. Errors are the raw ones; `res.failure` words them. Why not
 * `for await` with backpressure: undici 7 crashes the whole process with an uncatchable
 * `assert(!this.paused)` when its parser is paused by backpressure and the server then closes the
 * connection (nodejs/undici#5360) — which is what a camera does at the end of every file when asked
 * for `Connection: close`. So the body is only paused when the writer falls more than 16 MiB behind
 * the network, which a download to a local disk does not.
 */
export function drainBody(res: OpenResponse, write: (chunk: Buffer) => Promise<void>, received: (chunk: Buffer) => void): Promise<void> {
  const body = res.body;
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
      discard(body);
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
