// The HTTP side of a simulated UPnP device: serves descriptions and SCPDs, answers SOAP control
// requests through registered action handlers, and refuses everything else (404 for unknown
// paths, 405 for unsupported methods). Binds only to the given host, never to all interfaces.

import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

// The wire formats are the product's own (src/device/wire.ts): simulated and hosted devices answer alike.
export { XML_CONTENT_TYPE, sendNotify, soapActionResponse, soapEnvelope, soapFault } from '../../src/device/wire';
export { xmlEscape } from '../../src/core/xml/xml';
import { XML_CONTENT_TYPE, sendNotify, soapActionResponse, soapFault } from '../../src/device/wire';
import { xmlEscape } from '../../src/core/xml/xml';
const MAX_REQUEST_BYTES = 1024 * 1024;

/** A UPnP action error (UDA 1.1 §3.2.2), sent back as a SOAP fault with HTTP 500. */
export class UpnpFault extends Error {
  constructor(readonly code: number, readonly description: string) {
    super(`UPnPError ${code}: ${description}`);
    this.name = 'UpnpFault';
  }
}

export type ActionArgs = Record<string, string>;
/** Takes the in-arguments (namespace prefixes stripped), returns out-arguments in SCPD order. */
export type ActionHandler = (args: ActionArgs) => ActionArgs | Promise<ActionArgs>;

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

/** Throws 402 Invalid Args unless every named in-argument is present. */
export function requireArgs(args: ActionArgs, names: string[]): void {
  for (const n of names) if (!(n in args)) throw new UpnpFault(402, 'Invalid Args');
}

/** Throws 402 Invalid Args when an argument the action does not declare is present. */
export function rejectUnknownArgs(args: ActionArgs, allowed: string[]): void {
  for (const n of Object.keys(args)) if (!allowed.includes(n)) throw new UpnpFault(402, 'Invalid Args');
}

type OrderedNode = Record<string, unknown>;

function localName(tag: string): string {
  const i = tag.indexOf(':');
  return i < 0 ? tag : tag.slice(i + 1);
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@' && k !== '#text' && k !== '?xml' && k !== '#comment');
}

function textOf(children: OrderedNode[]): string {
  return children.map((c) => (typeof c['#text'] === 'string' ? c['#text'] : '')).join('');
}

/** Extracts the action element from a SOAP request: its local name and its arguments. */
export function parseSoapRequest(xml: string): { action: string; args: ActionArgs } | null {
  if (XMLValidator.validate(xml) !== true) return null;
  const parser = new XMLParser({
    preserveOrder: true, ignoreAttributes: false, parseTagValue: false, trimValues: false, processEntities: true,
  });
  const doc = parser.parse(xml) as OrderedNode[];
  const find = (nodes: OrderedNode[], name: string): OrderedNode[] | null => {
    for (const n of nodes) {
      const tag = elementName(n);
      if (tag && localName(tag) === name) return n[tag] as OrderedNode[];
    }
    return null;
  };
  const envelope = find(doc, 'Envelope');
  const body = envelope && find(envelope, 'Body');
  if (!body) return null;
  const actionNode = body.find((n) => elementName(n) !== undefined);
  if (!actionNode) return null;
  const actionTag = elementName(actionNode) as string;
  const args: ActionArgs = {};
  for (const child of actionNode[actionTag] as OrderedNode[]) {
    const tag = elementName(child);
    if (tag) args[localName(tag)] = textOf(child[tag] as OrderedNode[]);
  }
  return { action: localName(actionTag), args };
}

const URN_RE = /^urn:([^:]+):service:([^:]+):(\d+)$/;

/** A control URL: one service type and its actions, which may be added later. */
export class ControlEndpoint {
  private readonly actions = new Map<string, ActionHandler>();

  constructor(readonly serviceType: string, actions: Record<string, ActionHandler> = {}) {
    for (const [name, h] of Object.entries(actions)) this.actions.set(name, h);
  }

  setAction(name: string, handler: ActionHandler): void {
    this.actions.set(name, handler);
  }

  /** Answers one SOAP POST. */
  async handle(req: IncomingMessage, res: ServerResponse, body: Buffer, send: Sender): Promise<void> {
    // SOAPACTION: "urn:schemas-upnp-org:service:Type:v#Action" (quotes required, tolerated missing)
    const soapAction = String(req.headers['soapaction'] ?? '').trim().replace(/^"(.*)"$/, '$1');
    const hash = soapAction.lastIndexOf('#');
    const parsed = parseSoapRequest(body.toString('utf8'));
    if (!parsed) return send(res, 400, 'text/plain', 'Malformed SOAP request\n');
    const fault = (code: number, desc: string): void => send(res, 500, XML_CONTENT_TYPE, soapFault(code, desc));
    if (hash < 0) return fault(401, 'Invalid Action');
    const reqType = soapAction.slice(0, hash);
    const actionName = soapAction.slice(hash + 1);
    const ours = URN_RE.exec(this.serviceType);
    const theirs = URN_RE.exec(reqType);
    const typeOk = reqType === this.serviceType ||
      (!!ours && !!theirs && ours[1] === theirs[1] && ours[2] === theirs[2] && Number(theirs[3]) <= Number(ours[3]));
    const handler = this.actions.get(actionName);
    if (!typeOk || actionName !== parsed.action || !handler) return fault(401, 'Invalid Action');
    try {
      const out = await handler(parsed.args);
      send(res, 200, XML_CONTENT_TYPE, soapActionResponse(reqType, actionName, out));
    } catch (err) {
      if (err instanceof UpnpFault) return fault(err.code, err.description);
      fault(501, 'Action Failed');
    }
  }
}

export type Sender = (res: ServerResponse, status: number, contentType: string, body: string | Buffer) => void;

export interface HttpDeviceServerOptions {
  /** Address to bind; default 127.0.0.1. The unspecified address is refused. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** SERVER header of responses. */
  server?: string;
}

export class HttpDeviceServer {
  private readonly routes = new Map<string, Map<string, RouteHandler>>();
  private readonly sockets = new Set<Socket>();
  private readonly serverHeader: string;

  private constructor(private readonly server: http.Server, readonly host: string, serverHeader: string) {
    this.serverHeader = serverHeader;
  }

  static async start(opts: HttpDeviceServerOptions = {}): Promise<HttpDeviceServer> {
    const host = opts.host ?? '127.0.0.1';
    if (host === '0.0.0.0' || host === '::' || host === '') {
      throw new Error('simulated devices bind to one interface address, not to all of them');
    }
    const server = http.createServer();
    const device = new HttpDeviceServer(server, host, opts.server ?? 'Linux/6 UPnP/1.1 upnp-explorer-sim/1.0');
    server.on('request', (req, res) => { void device.onRequest(req, res); });
    server.on('connection', (s) => { device.sockets.add(s); s.on('close', () => device.sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => { server.off('error', reject); resolve(); });
    });
    return device;
  }

  get port(): number { return (this.server.address() as AddressInfo).port; }

  /** http://host:port with no trailing slash. */
  get baseUrl(): string {
    const h = this.host.includes(':') ? `[${this.host}]` : this.host;
    return `http://${h}:${this.port}`;
  }

  /** Registers (or replaces) the handler of one method on one path. */
  route(path: string, method: string, handler: RouteHandler): void {
    let methods = this.routes.get(path);
    if (!methods) this.routes.set(path, (methods = new Map()));
    methods.set(method.toUpperCase(), handler);
  }

  /** Declares a path that exists but accepts no method yet (answers 405). */
  declare(path: string): void {
    if (!this.routes.has(path)) this.routes.set(path, new Map());
  }

  unroute(path: string): void {
    this.routes.delete(path);
  }

  /** Serves a document on GET and HEAD; `body` may be a function to serve changing content. */
  serveDocument(path: string, body: string | Buffer | (() => string | Buffer), contentType = XML_CONTENT_TYPE): void {
    const handler: RouteHandler = (_req, res) => this.send(res, 200, contentType, typeof body === 'function' ? body() : body);
    this.route(path, 'GET', handler);
    this.route(path, 'HEAD', handler);
  }

  /** Serves a control URL; add actions to the returned endpoint. */
  serveControl(path: string, serviceType: string, actions: Record<string, ActionHandler> = {}): ControlEndpoint {
    const endpoint = new ControlEndpoint(serviceType, actions);
    this.route(path, 'POST', (req, res, body) => endpoint.handle(req, res, body, this.send));
    return endpoint;
  }

  /**
   * Declares an event subscription URL without eventing: SUBSCRIBE gets 405. Devices that
   * publish events use publishEvents() instead.
   */
  serveEvents(path: string): void {
    this.declare(path);
  }

  /** Serves GENA SUBSCRIBE/UNSUBSCRIBE on `path`; send events through the returned publisher. */
  publishEvents(path: string, options: EventPublisherOptions = {}): EventPublisher {
    const publisher = new EventPublisher(this.serverHeader, options);
    this.route(path, 'SUBSCRIBE', (req, res) => publisher.handleSubscribe(req, res));
    this.route(path, 'UNSUBSCRIBE', (req, res) => publisher.handleUnsubscribe(req, res));
    return publisher;
  }

  readonly send: Sender = (res, status, contentType, body) => {
    const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.statusCode = status;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', buf.length);
    res.setHeader('Server', this.serverHeader);
    if (contentType === XML_CONTENT_TYPE) res.setHeader('EXT', '');
    res.end(buf); // Node drops the body itself for HEAD
  };

  async close(): Promise<void> {
    // Drop keep-alive and deliberately stalled connections so close() does not hang.
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://x').pathname;
    } catch {
      return this.send(res, 400, 'text/plain', 'Bad request\n');
    }
    const methods = this.routes.get(path);
    if (!methods) {
      req.resume();
      return this.send(res, 404, 'text/plain', 'Not found\n');
    }
    const handler = methods.get(req.method ?? '');
    if (!handler) {
      req.resume();
      res.setHeader('Allow', [...methods.keys()].join(', '));
      return this.send(res, 405, 'text/plain', 'Method not allowed\n');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_REQUEST_BYTES) return this.send(res, 413, 'text/plain', 'Request too large\n');
        chunks.push(chunk as Buffer);
      }
      await handler(req, res, Buffer.concat(chunks));
    } catch (err) {
      if (!res.headersSent) this.send(res, 500, 'text/plain', `Internal error: ${(err as Error).message}\n`);
      else res.destroy();
    }
  }
}

export function startHttpDeviceServer(opts: HttpDeviceServerOptions = {}): Promise<HttpDeviceServer> {
  return HttpDeviceServer.start(opts);
}

// ---- GENA, the publisher's side (UDA 1.1 §4) ----

export const GENA_EVENT_NS = 'urn:schemas-upnp-org:event-1-0';

/** An evented variable and its value (unescaped; the publisher escapes it). */
export type EventedVariable = readonly [name: string, value: string];

export interface EventPublisherOptions {
  /** SID of a new subscription; default a fresh `uuid:…`. The Leica camera hands out its own UDN. */
  sidFor?: () => string;
  /**
   * TIMEOUT granted, in seconds: a number grants that whatever was asked (the camera: 300);
   * undefined grants what was asked (1800 when nothing or `infinite` was asked).
   */
  grantSeconds?: number;
  /** The variables of the initial event (SEQ 0), sent right after a subscription is accepted. */
  initialEvent?: () => EventedVariable[];
  /** Don't send the initial event (a device that accepts subscriptions but never sends events). */
  silent?: boolean;
}

export interface GenaSubscriber {
  readonly sid: string;
  readonly callbacks: readonly string[];
  /** Epoch ms after which the subscription lapses unless renewed. */
  readonly expiresAt: number;
  /** SEQ of the next event. */
  readonly nextSeq: number;
}

/** One request the publisher answered, for tests to check (renewals, their SIDs, 412s). */
export interface GenaRequestRecord {
  readonly method: 'SUBSCRIBE' | 'UNSUBSCRIBE';
  readonly kind: 'new' | 'renew' | 'cancel';
  readonly sid?: string;
  readonly status: number;
  readonly requestedTimeout?: string;
  readonly at: number;
}

/** One NOTIFY the publisher sent. */
export interface GenaDelivery {
  readonly sid: string;
  readonly seq: number;
  readonly callback: string;
  /** HTTP status of the subscriber's answer; absent when it could not be reached. */
  readonly status?: number;
  readonly error?: string;
}

interface SubscriberState {
  sid: string;
  callbacks: string[];
  expiresAt: number;
  nextSeq: number;
  /** NOTIFYs to one subscriber go out one after the other, in SEQ order. */
  chain: Promise<void>;
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return v === undefined ? undefined : (Array.isArray(v) ? v[0] ?? '' : v).trim();
}

/**
 * The property set as the Leica camera writes it: indented, CRLF line ends (its CONTENT-LENGTH
 * values count them), no XML declaration.
 */
export function propertySetXml(variables: readonly EventedVariable[]): string {
  const props = variables.map(([name, value]) => `  <e:property>\r\n    <${name}>${xmlEscape(value)}</${name}>\r\n  </e:property>\r\n`).join('');
  return `<e:propertyset xmlns:e="${GENA_EVENT_NS}">\r\n${props}</e:propertyset>\r\n`;
}

/**
 * Subscriptions to one event URL and the events sent to them. Answers SUBSCRIBE (new or renewal)
 * and UNSUBSCRIBE as UDA 1.1 §4.1 says: 412 for a missing/invalid CALLBACK or NT, or an unknown
 * SID; 400 for SID together with CALLBACK or NT.
 */
export class EventPublisher {
  private readonly subs = new Map<string, SubscriberState>();
  private skip = 0;
  /** Every SUBSCRIBE/UNSUBSCRIBE answered, in order. */
  readonly requests: GenaRequestRecord[] = [];
  /** Every NOTIFY sent, in order. */
  readonly deliveries: GenaDelivery[] = [];

  constructor(private readonly serverHeader: string, private readonly options: EventPublisherOptions) {}

  /** Current, unexpired subscriptions. */
  subscribers(): GenaSubscriber[] {
    this.dropExpired();
    return [...this.subs.values()].map((s) => ({ sid: s.sid, callbacks: [...s.callbacks], expiresAt: s.expiresAt, nextSeq: s.nextSeq }));
  }

  /** Sends one event with these variables to every subscriber; resolves once all were delivered (or failed). */
  async notify(variables: readonly EventedVariable[]): Promise<void> {
    this.dropExpired();
    const skip = this.skip;
    this.skip = 0;
    const body = propertySetXml(variables);
    await Promise.all([...this.subs.values()].map((s) => {
      s.nextSeq = advance(s.nextSeq, skip);
      return this.enqueue(s, body);
    }));
  }

  /** The next event's SEQ jumps by `count` (events "lost on the way"), so gap detection can be tested. */
  skipSeq(count: number): void {
    this.skip += count;
  }

  /** Forgets every subscription, as a device does when it reboots: renewals then get 412. */
  forgetAll(): void {
    this.subs.clear();
  }

  handleSubscribe(req: IncomingMessage, res: ServerResponse): void {
    const sid = headerOf(req, 'sid');
    const nt = headerOf(req, 'nt');
    const callback = headerOf(req, 'callback');
    const timeout = headerOf(req, 'timeout');
    this.dropExpired();
    if (sid !== undefined) {
      if (nt !== undefined || callback !== undefined) return this.answer(res, 400, { method: 'SUBSCRIBE', kind: 'renew', sid, requestedTimeout: timeout });
      const sub = this.subs.get(sid);
      if (!sub) return this.answer(res, 412, { method: 'SUBSCRIBE', kind: 'renew', sid, requestedTimeout: timeout });
      const granted = this.grant(timeout);
      sub.expiresAt = Date.now() + granted * 1000;
      return this.answer(res, 200, { method: 'SUBSCRIBE', kind: 'renew', sid, requestedTimeout: timeout }, { SID: sid, TIMEOUT: `Second-${granted}` });
    }
    const callbacks = [...(callback ?? '').matchAll(/<([^>]*)>/g)].map((m) => m[1]!).filter((u) => /^http:\/\//i.test(u));
    if (nt !== 'upnp:event' || callbacks.length === 0) {
      return this.answer(res, 412, { method: 'SUBSCRIBE', kind: 'new', requestedTimeout: timeout });
    }
    const newSid = this.options.sidFor?.() ?? `uuid:${randomUUID()}`;
    const granted = this.grant(timeout);
    // A fixed SID (the camera's UDN) means a second SUBSCRIBE replaces the first subscription.
    const state: SubscriberState = { sid: newSid, callbacks, expiresAt: Date.now() + granted * 1000, nextSeq: 0, chain: Promise.resolve() };
    this.subs.set(newSid, state);
    this.answer(res, 200, { method: 'SUBSCRIBE', kind: 'new', sid: newSid, requestedTimeout: timeout }, { SID: newSid, TIMEOUT: `Second-${granted}` });
    if (this.options.silent) return;
    // UDA: the initial event follows the SUBSCRIBE answer.
    res.once('finish', () => {
      const vars = this.options.initialEvent?.() ?? [];
      if (vars.length > 0 && this.subs.get(newSid) === state) void this.enqueue(state, propertySetXml(vars));
    });
  }

  handleUnsubscribe(req: IncomingMessage, res: ServerResponse): void {
    const sid = headerOf(req, 'sid');
    if (headerOf(req, 'nt') !== undefined || headerOf(req, 'callback') !== undefined) {
      return this.answer(res, 400, { method: 'UNSUBSCRIBE', kind: 'cancel', ...(sid !== undefined ? { sid } : {}) });
    }
    if (!sid || !this.subs.has(sid)) return this.answer(res, 412, { method: 'UNSUBSCRIBE', kind: 'cancel', ...(sid !== undefined ? { sid } : {}) });
    this.subs.delete(sid);
    this.answer(res, 200, { method: 'UNSUBSCRIBE', kind: 'cancel', sid });
  }

  private grant(timeout: string | undefined): number {
    if (this.options.grantSeconds !== undefined) return this.options.grantSeconds;
    const asked = /^second-(\d+)$/i.exec(timeout ?? '');
    return asked ? Math.max(1, Number(asked[1])) : 1800;
  }

  private answer(res: ServerResponse, status: number, record: Omit<GenaRequestRecord, 'status' | 'at'> & { requestedTimeout?: string | undefined }, headers: Record<string, string> = {}): void {
    const { requestedTimeout, ...rest } = record;
    this.requests.push({ ...rest, ...(requestedTimeout !== undefined ? { requestedTimeout } : {}), status, at: Date.now() });
    res.statusCode = status;
    res.setHeader('CONTENT-LENGTH', 0);
    res.setHeader('DATE', new Date().toUTCString());
    res.setHeader('SERVER', this.serverHeader);
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('CONNECTION', 'close');
    res.end();
  }

  private enqueue(sub: SubscriberState, body: string): Promise<void> {
    const seq = sub.nextSeq;
    sub.nextSeq = advance(seq, 1);
    sub.chain = sub.chain.then(async () => {
      // UDA: try the callback URLs in order until one accepts.
      for (const callback of sub.callbacks) {
        try {
          const status = await sendNotify(callback, sub.sid, seq, body);
          this.deliveries.push({ sid: sub.sid, seq, callback, status });
          if (status === 200) return;
        } catch (err) {
          this.deliveries.push({ sid: sub.sid, seq, callback, error: (err as Error).message });
        }
      }
    });
    return sub.chain;
  }

  private dropExpired(): void {
    const now = Date.now();
    for (const [sid, s] of this.subs) if (s.expiresAt <= now) this.subs.delete(sid);
  }
}

/** SEQ arithmetic of UDA 1.1 §4.3.2: after 4294967295 comes 1, never 0 again. */
function advance(seq: number, by: number): number {
  if (by <= 0) return seq;
  if (seq === 0) return advance(1, by - 1);
  return ((seq - 1 + by) % 4294967295) + 1;
}
