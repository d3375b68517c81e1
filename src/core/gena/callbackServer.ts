// The HTTP server devices send their events to (the CALLBACK of our subscriptions). Anyone on the
// network can connect to it, so it is strict: only NOTIFY, only to the path of a subscription,
// headers checked as UDA 1.1 §4.3.2 says, bodies capped, slow senders cut off. The subscription
// behind a path decides about the SID; this server answers at once and hands the event over
// after the answer has gone, so a slow listener never holds up a device.
import { errorMessage } from '../util/errors';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifyRequest {
  /** Path of the request (no query). */
  readonly path: string;
  /** SID header as sent. */
  readonly sid: string;
  /** SEQ header as sent; undefined when missing. */
  readonly seq?: string;
  /** Headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly remoteAddress?: string;
  /** Epoch ms when the request's headers arrived. */
  readonly receivedAt: number;
}

export type NotifyVerdict =
  | { readonly status: 200; readonly deliver: () => void }
  | { readonly status: 412; readonly reason: string };

/** What a subscription's path does with an event that passed the server's checks. */
export interface NotifyRoute {
  accept(request: NotifyRequest): NotifyVerdict | Promise<NotifyVerdict>;
}

/** A request the server refused, for logs and diagnostics. */
export interface RejectedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly reason: string;
  readonly remoteAddress?: string;
}

export interface CallbackServerOptions {
  /** Local address to listen on (one interface, never all of them). */
  readonly host: string;
  /** Port; default 0 (an ephemeral one). */
  readonly port?: number;
  /** Bodies above this are refused with 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** A sender must finish its headers within this. Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** A sender must finish the whole request within this. Default 20 s. */
  readonly requestTimeoutMs?: number;
  readonly onRejected?: (rejected: RejectedRequest) => void;
}

export const DEFAULT_MAX_NOTIFY_BYTES = 1024 * 1024;

export class CallbackServer {
  private constructor(
    private readonly server: http.Server,
    readonly host: string,
  ) {}

  /** Listens on `options.host`; `route(path)` names the subscription behind a path, if any. */
  static async start(options: CallbackServerOptions, route: (path: string) => NotifyRoute | undefined): Promise<CallbackServer> {
    // One interface, never all of them: anyone on any network could otherwise post to it.
    if (/^(0\.0\.0\.0|::|::0|)$/.test(options.host)) {
      throw new Error(`the callback server must listen on one interface's address, not on "${options.host || 'all'}"`);
    }
    const requestTimeout = options.requestTimeoutMs ?? 20_000;
    const headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_NOTIFY_BYTES;
    const server = http.createServer({
      headersTimeout,
      requestTimeout,
      // Node checks those deadlines on this period (default 30 s, far too slow for short ones).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeout / 2))),
      keepAliveTimeout: 1000,
    });
    const handler = new RequestHandler(route, maxBodyBytes, options.onRejected);
    server.on('request', (req, res) => { void handler.handle(req, res); });
    server.on('clientError', (_err, socket) => { socket.destroy(); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host, () => { server.off('error', reject); resolve(); });
    });
    return new CallbackServer(server, options.host);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The callback URL for a path, e.g. `http://192.168.1.10:41234/gena/…`. */
  urlFor(path: string): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${host}:${this.port}${path}`;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

class RequestHandler {
  constructor(
    private readonly route: (path: string) => NotifyRoute | undefined,
    private readonly maxBodyBytes: number,
    private readonly onRejected: ((rejected: RejectedRequest) => void) | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const method = req.method ?? '';
    const remoteAddress = req.socket.remoteAddress;
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://callback').pathname;
    } catch {
      return this.refuse(req, res, method, req.url ?? '', 400, 'the request line has no valid path');
    }
    const route = this.route(path);
    if (!route) return this.refuse(req, res, method, path, 404, 'no subscription uses this path');
    if (method !== 'NOTIFY') {
      res.setHeader('Allow', 'NOTIFY');
      return this.refuse(req, res, method, path, 405, `${method} is not accepted here, only NOTIFY`);
    }
    const nt = header(req, 'nt');
    const nts = header(req, 'nts');
    // UDA 1.1 §4.3.2: a missing NT or NTS is a bad request; a wrong one, or a missing or
    // unknown SID, fails the precondition.
    if (nt === undefined || nts === undefined) {
      return this.refuse(req, res, method, path, 400, `the ${nt === undefined ? 'NT' : 'NTS'} header is missing`);
    }
    if (nt !== 'upnp:event') return this.refuse(req, res, method, path, 412, `NT is "${nt}", not "upnp:event"`);
    if (nts !== 'upnp:propchange') return this.refuse(req, res, method, path, 412, `NTS is "${nts}", not "upnp:propchange"`);
    const sid = header(req, 'sid');
    if (!sid) return this.refuse(req, res, method, path, 412, 'the SID header is missing');

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      return this.refuse(req, res, method, path, 413, `the body announces ${declared} bytes, more than the ${this.maxBodyBytes} accepted`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) {
          return this.refuse(req, res, method, path, 413, `the body is larger than the ${this.maxBodyBytes} bytes accepted`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch {
      // The sender went away or was cut off for being slow; nobody is left to answer.
      res.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    const request: NotifyRequest = {
      path, sid, headers, body: Buffer.concat(chunks, size), receivedAt,
      ...(headers['seq'] !== undefined ? { seq: headers['seq'] } : {}),
      ...(remoteAddress !== undefined ? { remoteAddress } : {}),
    };
    let verdict: NotifyVerdict;
    try {
      verdict = await route.accept(request);
    } catch (err) {
      return this.refuse(req, res, method, path, 500, errorMessage(err));
    }
    if (verdict.status !== 200) return this.refuse(req, res, method, path, verdict.status, verdict.reason);
    respond(res, 200);
    verdict.deliver();
  }

  private refuse(req: IncomingMessage, res: ServerResponse, method: string, path: string, status: number, reason: string): void {
    const remoteAddress = req.socket.remoteAddress;
    this.onRejected?.({ method, path, status, reason, ...(remoteAddress !== undefined ? { remoteAddress } : {}) });
    // Unread request data would otherwise be parsed as the next request on this connection.
    res.setHeader('Connection', 'close');
    respond(res, status);
    if (!req.complete) {
      // Drain briefly so the sender can read our answer, but never for longer than a moment:
      // a refused body (413) may be endless.
      const socket = req.socket;
      req.on('error', () => { /* the sender may reset; nothing to do */ }).resume();
      res.once('finish', () => {
        const timer = setTimeout(() => socket.destroy(), 500);
        timer.unref();
        socket.once('close', () => clearTimeout(timer));
      });
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v[0] ?? '' : v).trim();
}

function respond(res: ServerResponse, status: number): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('Content-Length', 0);
  res.end();
}
