// The HTTP side of a simulated UPnP device: serves descriptions and SCPDs, answers SOAP control
// requests through registered action handlers, and refuses everything else (404 for unknown
// paths, 405 for unsupported methods). Binds only to the given host, never to all interfaces.

import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const XML_CONTENT_TYPE = 'text/xml; charset="utf-8"';
const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP_ENCODING = 'http://schemas.xmlsoap.org/soap/encoding/';
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

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** Throws 402 Invalid Args unless every named in-argument is present. */
export function requireArgs(args: ActionArgs, names: string[]): void {
  for (const n of names) if (!(n in args)) throw new UpnpFault(402, 'Invalid Args');
}

/** Throws 402 Invalid Args when an argument the action does not declare is present. */
export function rejectUnknownArgs(args: ActionArgs, allowed: string[]): void {
  for (const n of Object.keys(args)) if (!allowed.includes(n)) throw new UpnpFault(402, 'Invalid Args');
}

export function soapEnvelope(bodyXml: string): string {
  return `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP_ENV_NS}" s:encodingStyle="${SOAP_ENCODING}"><s:Body>${bodyXml}</s:Body></s:Envelope>`;
}

export function soapActionResponse(serviceType: string, action: string, out: ActionArgs): string {
  const args = Object.entries(out).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('');
  return soapEnvelope(`<u:${action}Response xmlns:u="${xmlEscape(serviceType)}">${args}</u:${action}Response>`);
}

export function soapFault(code: number, description: string): string {
  return soapEnvelope(
    '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>' +
      `<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>${code}</errorCode>` +
      `<errorDescription>${xmlEscape(description)}</errorDescription></UPnPError></detail></s:Fault>`,
  );
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
   * Declares an event subscription URL. GENA is not simulated yet, so SUBSCRIBE gets 405;
   * a later change plugs SUBSCRIBE/UNSUBSCRIBE handlers in with route().
   */
  serveEvents(path: string): void {
    this.declare(path);
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
