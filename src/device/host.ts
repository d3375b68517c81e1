// Hosting a device definition over HTTP (node:http): its description (with the device's UUID and
// friendlyName filled in), the files of its folder and nothing outside it, SOAP control answered
// from the manifest, and GENA eventing with SUBSCRIBE/renew/UNSUBSCRIBE, the initial event and
// emitted changes. Everything a request does is reported to `log`, refusals included. SSDP (the
// announcing) is the announcer's job; this is what LOCATION points at.
//
// The network is untrusted: request bodies and headers are bounded, slow requests time out, a
// SUBSCRIBE whose callback points at another host than the subscriber is refused (no one makes
// the device send NOTIFYs at a third machine), and no path ever leaves the folder.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { readFile, realpath, stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { Action, ServiceScpd, StateVariable } from '../core/description/model';
import { findStateVariable } from '../core/description/lookup';
import { validateValue } from '../core/soap/types';
import { interfaceNameOf } from '../core/gena/localAddress';
import { parseTimeoutHeader } from '../core/gena/timeout';
import { errorMessage } from '../core/util/errors';
import { oneLine } from '../core/util/text';
import { childElements, parseXml, xmlEscape } from '../core/xml/xml';
import type { DeviceDefinition, HostedService } from './definition';
import type { DeviceIdentity } from './identity';
import { MANIFEST_FILE, expandFriendlyName, isSafeRelativePath } from './manifest';
import { servedUdns } from './ssdpTargets';
import { SOAP_ENV_NS, XML_CONTENT_TYPE, sendNotify, soapActionResponse, soapFault } from './wire';

export interface HostLogEntry {
  readonly kind: 'http' | 'soap' | 'subscribe' | 'notify' | 'refused';
  /** One line a user reads in the "UPnP Host" channel. */
  readonly message: string;
  readonly remoteAddress?: string;
}

export interface DeviceHostOptions {
  /**
   * The interface addresses to serve on (never a wildcard), one HTTP server on each: LOCATION's
   * host on that interface. At least one.
   */
  readonly addresses: readonly string[];
  /** For the friendlyName template. */
  readonly hostname: string;
  readonly user: string;
  readonly log?: (entry: HostLogEntry) => void;
  /** Deadline of each NOTIFY; default 5 s. */
  readonly notifyTimeoutMs?: number;
  /**
   * How long after the SUBSCRIBE answer is written the initial event goes out; default
   * INITIAL_EVENT_DELAY_MS. GUPnP's control point answers 200 to, and drops, a NOTIFY that
   * arrives before it has read the SID from that answer (gupnp-service-proxy.c, server_handler),
   * so an initial event sent at once is lost whenever the subscriber is slow to read.
   */
  readonly initialEventDelayMs?: number;
}

export interface HostCounters {
  requests: number;
  soapCalls: number;
  subscriptions: number;
  notifies: number;
}

const MAX_BODY_BYTES = 256 * 1024;
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MIN_TIMEOUT_S = 60;
const MAX_TIMEOUT_S = 86_400;
const DEFAULT_TIMEOUT_S = 1800;
const MAX_SUBSCRIBERS_PER_SERVICE = 64;
const INITIAL_EVENT_DELAY_MS = 300;

interface Subscriber {
  readonly sid: string;
  readonly callbacks: readonly string[];
  /** The interface a link-local callback is reached through (its URL can't say). */
  readonly zone?: string;
  seq: number;
  expiresAt: number;
  /** NOTIFYs go out one after another, in SEQ order. */
  chain: Promise<void>;
}

interface ServiceRuntime {
  readonly service: HostedService;
  readonly values: Map<string, string>;
  readonly subscribers: Map<string, Subscriber>;
}

export class DeviceHost {
  readonly counters: HostCounters = { requests: 0, soapCalls: 0, subscriptions: 0, notifies: 0 };
  private readonly byControl = new Map<string, ServiceRuntime>();
  private readonly byEvents = new Map<string, ServiceRuntime>();
  private readonly byId = new Map<string, ServiceRuntime>();
  private readonly descriptionBody: Buffer;
  private folderReal = '';
  private stopped = false;

  private constructor(
    readonly definition: DeviceDefinition,
    readonly identity: DeviceIdentity,
    private readonly options: DeviceHostOptions,
    private readonly servers: readonly Server[],
  ) {
    this.descriptionBody = Buffer.from(servedDescription(definition, identity, options), 'utf8');
    for (const service of definition.services) {
      const values = new Map<string, string>();
      for (const v of service.scpd.stateVariables) values.set(v.name, v.defaultValue ?? '');
      const behaviour = definition.manifest.services[service.description.serviceId];
      for (const [name, value] of Object.entries(behaviour?.variables ?? {})) values.set(name, value);
      const runtime: ServiceRuntime = { service, values, subscribers: new Map() };
      this.byControl.set(service.controlPath, runtime);
      this.byEvents.set(service.eventPath, runtime);
      this.byId.set(service.description.serviceId, runtime);
    }
  }

  /** Starts serving on each of `options.addresses` (the manifest's port, or any free one). */
  static async start(definition: DeviceDefinition, identity: DeviceIdentity, options: DeviceHostOptions): Promise<DeviceHost> {
    if (options.addresses.length === 0) throw new Error('A hosted device needs an interface address to serve on.');
    for (const address of options.addresses) {
      if (!isIP(address) || address === '0.0.0.0' || address === '::') {
        throw new Error(`A hosted device serves on interface addresses, not on "${address}".`);
      }
    }
    const servers = options.addresses.map(() => createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 15_000, headersTimeout: 10_000 }));
    const host = new DeviceHost(definition, identity, options, servers);
    host.folderReal = await realpath(definition.folder);
    const port = definition.manifest.http.port;
    try {
      for (const [i, server] of servers.entries()) {
        const address = options.addresses[i]!;
        server.on('request', (req, res) => { void host.handle(req, res); });
        server.on('clientError', (_err, socket) => socket.destroy());
        await new Promise<void>((resolve, reject) => {
          server.once('error', (err: NodeJS.ErrnoException) => reject(new Error(err.code === 'EADDRINUSE'
            ? `Port ${port} on ${address} is in use: choose another "http.port" in ${MANIFEST_FILE}, or 0 for any free port.`
            : `Could not serve on ${address}:${port}: ${err.message}`)));
          server.listen(port, address, () => resolve());
        });
      }
    } catch (err) {
      await host.stop();
      throw err;
    }
    return host;
  }

  /** The port on the first address (with "http.port" 0 each address may have its own). */
  get port(): number {
    return this.portOf(0);
  }

  /** The description's URL on the first address. */
  get location(): string {
    return this.locationFor(this.options.addresses[0]!);
  }

  /** The description's URL on one of the addresses served: what SSDP announces on that interface. */
  locationFor(address: string): string {
    const index = Math.max(0, this.options.addresses.indexOf(address));
    // A link-local address serves with its zone (fe80::1%eth0); the URL has none (see locationInterface).
    const a = this.options.addresses[index]!.replace(/%.*$/, '');
    const host = a.includes(':') ? `[${a}]` : a;
    return `http://${host}:${this.portOf(index)}${this.definition.manifest.http.descriptionPath}`;
  }

  get addresses(): readonly string[] {
    return this.options.addresses;
  }

  private portOf(index: number): number {
    const a = this.servers[index]?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** A state variable's current value. */
  value(serviceId: string, name: string): string | undefined {
    return this.byId.get(serviceId)?.values.get(name);
  }

  /** Current subscribers of a service. */
  subscriberCount(serviceId: string): number {
    const rt = this.byId.get(serviceId);
    if (!rt) return 0;
    this.dropExpired(rt);
    return rt.subscribers.size;
  }

  /**
   * Sets an evented variable and notifies every subscriber with its next SEQ. Resolves with how
   * many NOTIFYs were delivered. Rejects when the service or variable doesn't exist or the value
   * doesn't fit its type.
   */
  async emit(serviceId: string, name: string, value: string): Promise<number> {
    const rt = this.byId.get(serviceId);
    if (!rt) throw new Error(`This device has no service ${serviceId}.`);
    const variable = findStateVariable(rt.service.scpd, name);
    if (!variable) throw new Error(`${serviceId} has no state variable ${name}.`);
    if (!variable.sendEvents) throw new Error(`${name} is not evented (sendEvents="no").`);
    const check = validateValue(value, variable);
    if (!check.ok) throw new Error(`${name}: ${check.message}`);
    rt.values.set(name, check.normalized);
    this.dropExpired(rt);
    const results = await Promise.all([...rt.subscribers.values()].map((s) => this.notify(rt, s, [[name, check.normalized]])));
    return results.filter(Boolean).length;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.all(this.servers.map((server) => new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  }

  // ---- requests ----

  private log(entry: HostLogEntry): void {
    this.options.log?.(entry);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const remote = req.socket.remoteAddress ?? '?';
    const method = req.method ?? '';
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://host.invalid').pathname;
    } catch {
      return this.refuse(req, res, 400, 'the request line is not a URL');
    }
    try {
      if (method === 'GET' || method === 'HEAD') return await this.get(req, res, pathname);
      const control = this.byControl.get(pathname);
      if (control && method === 'POST') return await this.control(req, res, control);
      const events = this.byEvents.get(pathname);
      if (events && method === 'SUBSCRIBE') return this.subscribe(req, res, events);
      if (events && method === 'UNSUBSCRIBE') return this.unsubscribe(req, res, events);
      return this.refuse(req, res, 405, `${method} is not served at ${pathname}`);
    } catch (err) {
      this.log({ kind: 'refused', remoteAddress: remote, message: `${method} ${oneLine(pathname, 200)} from ${remote} failed: ${errorMessage(err)}` });
      if (!res.headersSent) this.send(res, 500, 'text/plain; charset=utf-8', 'Internal error');
      else res.destroy();
    }
  }

  private send(res: ServerResponse, status: number, contentType: string | undefined, body: string | Buffer, extra: Record<string, string> = {}): void {
    const data = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, {
      server: this.definition.manifest.http.server,
      ...(contentType ? { 'content-type': contentType } : {}),
      'content-length': String(data.length),
      connection: 'close',
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : data);
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number, why: string): void {
    const remote = req.socket.remoteAddress ?? '?';
    this.log({ kind: 'refused', remoteAddress: remote, message: `${req.method ?? '?'} ${oneLine(req.url ?? '', 200)} from ${remote} refused with ${status}: ${why}` });
    this.send(res, status, 'text/plain; charset=utf-8', `${status} ${why}\n`);
  }

  private logHttp(req: IncomingMessage, status: number, what: string): void {
    const remote = req.socket.remoteAddress ?? '?';
    const agent = req.headers['user-agent'] ? ` (${oneLine(String(req.headers['user-agent']), 120)})` : '';
    this.log({ kind: 'http', remoteAddress: remote, message: `${req.method} ${oneLine(req.url ?? '', 200)} from ${remote}${agent}: ${status} ${what}` });
  }

  private async get(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const manifest = this.definition.manifest;
    if (pathname === manifest.http.descriptionPath) {
      this.send(res, 200, manifest.http.contentType, this.descriptionBody);
      this.logHttp(req, 200, 'the description');
      return;
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname.slice(1));
    } catch {
      return this.refuse(req, res, 400, 'the path is not valid percent-encoding');
    }
    // Only the folder's own files: no way out, no hidden files, not the manifest.
    if (!isSafeRelativePath(relative) || relative.split('/').some((p) => p.startsWith('.')) || relative === MANIFEST_FILE) {
      return this.refuse(req, res, 404, 'not a file of this device');
    }
    const file = path.join(this.definition.folder, ...relative.split('/'));
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      return this.refuse(req, res, 404, 'no such file');
    }
    if (!real.startsWith(this.folderReal + path.sep)) return this.refuse(req, res, 404, 'a link out of the device folder');
    const info = await stat(real);
    if (!info.isFile() || info.size > MAX_FILE_BYTES) return this.refuse(req, res, 404, 'not a file this device serves');
    const body = await readFile(real);
    this.send(res, 200, contentTypeOf(relative, manifest.http.contentType), body);
    this.logHttp(req, 200, `${relative} (${body.length} bytes)`);
  }

  private async readBody(req: IncomingMessage): Promise<Buffer | undefined> {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return undefined;
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, total);
  }

  // ---- SOAP ----

  private async control(req: IncomingMessage, res: ServerResponse, rt: ServiceRuntime): Promise<void> {
    this.counters.soapCalls++;
    const remote = req.socket.remoteAddress ?? '?';
    const body = await this.readBody(req);
    if (!body) return this.refuse(req, res, 413, `a SOAP request is at most ${MAX_BODY_BYTES / 1024} KiB`);
    const serviceType = rt.service.description.serviceType;
    const fault = (code: number, description: string): void => {
      this.send(res, 500, XML_CONTENT_TYPE, soapFault(code, description));
      this.log({ kind: 'soap', remoteAddress: remote, message: `SOAP ${callName} from ${remote}: fault ${code} ${description}` });
    };
    let callName = '(unreadable)';
    let envelope;
    try {
      envelope = parseXml(body.toString('utf8'), 'SOAP request');
    } catch (err) {
      return fault(401, `Invalid Action: the request is not well-formed XML (${errorMessage(err)})`);
    }
    const bodyEl = childElements(envelope, 'Body').find((e) => e.namespaceUri === SOAP_ENV_NS);
    const call = bodyEl?.children[0];
    if (envelope.localName !== 'Envelope' || envelope.namespaceUri !== SOAP_ENV_NS || !call) return fault(401, 'Invalid Action: not a SOAP envelope with an action in its Body');
    callName = call.localName;
    const soapAction = String(req.headers['soapaction'] ?? '').trim().replace(/^"|"$/g, '');
    const [headerType, headerAction] = soapAction.split('#');
    if (call.namespaceUri !== serviceType || (soapAction !== '' && (headerType !== serviceType || headerAction !== call.localName))) {
      return fault(401, `Invalid Action: this control URL is ${serviceType}'s`);
    }
    const action = rt.service.scpd.actions.find((a) => a.name === call.localName);
    if (!action) return fault(401, `Invalid Action: ${serviceType} has no action ${call.localName}`);
    const args = new Map<string, string>();
    for (const child of call.children) args.set(child.localName, child.text);
    const ins = action.arguments.filter((a) => a.direction === 'in');
    const missing = ins.filter((a) => !args.has(a.name)).map((a) => a.name);
    const unknown = [...args.keys()].filter((n) => !ins.some((a) => a.name === n));
    if (missing.length > 0 || unknown.length > 0) {
      return fault(402, `Invalid Args: ${[missing.length ? `missing ${missing.join(', ')}` : '', unknown.length ? `unknown ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}`);
    }
    for (const a of ins) {
      const variable = findStateVariable(rt.service.scpd, a.relatedStateVariable);
      const check = variable ? validateValue(args.get(a.name)!, variable) : undefined;
      if (check && !check.ok) return fault(600, `Argument Value Invalid: ${a.name} ${check.message}`);
    }
    const argsText = ins.map((a) => `${a.name}=${oneLine(args.get(a.name)!, 80)}`).join(', ');
    const answer = this.definition.manifest.services[rt.service.description.serviceId]?.actions[action.name];
    if (answer?.kind === 'fault') {
      this.send(res, 500, XML_CONTENT_TYPE, soapFault(answer.code, answer.description));
      this.log({ kind: 'soap', remoteAddress: remote, message: `SOAP ${action.name}(${argsText}) from ${remote}: fault ${answer.code} ${answer.description} (canned)` });
      return;
    }
    const outputs = outputsOf(action, rt.service.scpd, answer?.outputs ?? {}, rt.values);
    this.send(res, 200, XML_CONTENT_TYPE, soapActionResponse(serviceType, action.name, outputs));
    this.log({ kind: 'soap', remoteAddress: remote, message: `SOAP ${action.name}(${argsText}) from ${remote}: ${outputs.map(([n, v]) => `${n}=${oneLine(v, 80)}`).join(', ') || 'OK'}` });
  }

  // ---- GENA ----

  private subscribe(req: IncomingMessage, res: ServerResponse, rt: ServiceRuntime): void {
    const remote = req.socket.remoteAddress ?? '';
    const sidHeader = req.headers['sid'];
    const callbackHeader = req.headers['callback'];
    const nt = req.headers['nt'];
    const timeout = grantedTimeout(req.headers['timeout']);
    const serviceId = rt.service.description.serviceId;
    this.dropExpired(rt);
    if (sidHeader !== undefined) {
      if (callbackHeader !== undefined || nt !== undefined) return this.refuse(req, res, 400, 'a renewal carries SID alone, without CALLBACK or NT');
      const sub = rt.subscribers.get(String(sidHeader));
      if (!sub) return this.refuse(req, res, 412, `no subscription ${oneLine(String(sidHeader), 80)} (expired, or never made)`);
      sub.expiresAt = Date.now() + timeout * 1000;
      this.send(res, 200, undefined, '', { sid: sub.sid, timeout: `Second-${timeout}` });
      this.log({ kind: 'subscribe', remoteAddress: remote, message: `Renewed ${serviceId} for ${remote}: SID ${sub.sid}, ${timeout} s` });
      return;
    }
    if (nt !== 'upnp:event') return this.refuse(req, res, 412, 'NT must be upnp:event');
    const callbacks = [...String(callbackHeader ?? '').matchAll(/<([^<>]*)>/g)].map((m) => m[1]!).slice(0, 4);
    if (callbacks.length === 0) return this.refuse(req, res, 412, 'CALLBACK holds no <http://…> URL');
    for (const cb of callbacks) {
      let url: URL;
      try {
        url = new URL(cb);
      } catch {
        return this.refuse(req, res, 412, `CALLBACK ${oneLine(cb, 120)} is not a URL`);
      }
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (url.protocol !== 'http:') return this.refuse(req, res, 412, `CALLBACK ${oneLine(cb, 120)} is not http://`);
      // Events go back to the subscriber only: a callback at a third host would make this device
      // send NOTIFYs at a machine that never asked for them.
      if (normalizeAddress(host) !== normalizeAddress(remote) && !(isOwnAddress(remote) && isOwnAddress(host))) {
        return this.refuse(req, res, 412, `CALLBACK ${oneLine(cb, 120)} points at another host than the subscriber ${remote}`);
      }
    }
    if (rt.subscribers.size >= MAX_SUBSCRIBERS_PER_SERVICE) return this.refuse(req, res, 503, `${serviceId} has ${MAX_SUBSCRIBERS_PER_SERVICE} subscribers already`);
    const zone = /%(.+)$/.exec(remote)?.[1] ?? interfaceNameOf(normalizeAddress(req.socket.localAddress ?? ''));
    const sub: Subscriber = { sid: `uuid:${randomUUID()}`, callbacks, ...(zone ? { zone } : {}), seq: 0, expiresAt: Date.now() + timeout * 1000, chain: Promise.resolve() };
    rt.subscribers.set(sub.sid, sub);
    this.counters.subscriptions++;
    this.send(res, 200, undefined, '', { sid: sub.sid, timeout: `Second-${timeout}` });
    this.log({ kind: 'subscribe', remoteAddress: remote, message: `Subscribed ${remote} to ${serviceId}: SID ${sub.sid}, ${timeout} s, callback ${callbacks.join(' ')}` });
    // The initial event, with every evented variable, once the answer is on its way.
    const evented = rt.service.scpd.stateVariables.filter((v) => v.sendEvents).map((v): [string, string] => [v.name, rt.values.get(v.name) ?? '']);
    // SEQ 0 is taken now, so an event emitted meanwhile queues behind it with SEQ 1.
    const delay = this.options.initialEventDelayMs ?? INITIAL_EVENT_DELAY_MS;
    sub.chain = new Promise<void>((resolve) => {
      let started = false;
      const start = (): void => {
        if (started) return;
        started = true;
        setTimeout(resolve, delay).unref();
      };
      res.once('finish', start);
      res.once('close', start);
    });
    void this.notify(rt, sub, evented);
  }

  private unsubscribe(req: IncomingMessage, res: ServerResponse, rt: ServiceRuntime): void {
    const remote = req.socket.remoteAddress ?? '';
    const sid = req.headers['sid'];
    if (req.headers['callback'] !== undefined || req.headers['nt'] !== undefined) return this.refuse(req, res, 400, 'UNSUBSCRIBE carries SID alone');
    if (sid === undefined || !rt.subscribers.delete(String(sid))) return this.refuse(req, res, 412, `no subscription ${oneLine(String(sid ?? '(none)'), 80)}`);
    this.send(res, 200, undefined, '');
    this.log({ kind: 'subscribe', remoteAddress: remote, message: `Unsubscribed ${remote} from ${rt.service.description.serviceId}: SID ${String(sid)}` });
  }

  private dropExpired(rt: ServiceRuntime): void {
    const now = Date.now();
    for (const [sid, s] of rt.subscribers) if (s.expiresAt <= now) rt.subscribers.delete(sid);
  }

  /** Queues a NOTIFY for `sub` (in SEQ order); resolves whether a callback took it. */
  private notify(rt: ServiceRuntime, sub: Subscriber, variables: ReadonlyArray<readonly [string, string]>): Promise<boolean> {
    const seq = sub.seq;
    sub.seq = sub.seq >= 0xffffffff ? 1 : sub.seq + 1;
    const body = propertySet(variables);
    const delivered = sub.chain.then(() => this.deliver(rt, sub, seq, body, variables));
    sub.chain = delivered.then(() => undefined);
    return delivered;
  }

  private async deliver(rt: ServiceRuntime, sub: Subscriber, seq: number, body: string, variables: ReadonlyArray<readonly [string, string]>): Promise<boolean> {
    if (this.stopped || !rt.subscribers.has(sub.sid)) return false;
    const names = variables.map(([n, v]) => `${n}=${oneLine(v, 60)}`).join(', ');
    for (const callback of sub.callbacks) {
      const status = await sendNotify(callback, sub.sid, seq, body, this.options.notifyTimeoutMs ?? 5000, sub.zone).catch((err: unknown) => errorMessage(err));
      if (status === 200) {
        this.counters.notifies++;
        this.log({ kind: 'notify', message: `NOTIFY SEQ ${seq} to ${callback} (${rt.service.description.serviceId}): ${names}` });
        return true;
      }
      this.log({ kind: 'notify', message: `NOTIFY SEQ ${seq} to ${callback} failed: ${typeof status === 'number' ? `HTTP ${status}` : status}` });
    }
    return false;
  }
}

/** The description as served: the device's UUID as the root UDN, the friendlyName from its template. */
export function servedDescription(definition: DeviceDefinition, identity: DeviceIdentity, names: { readonly hostname: string; readonly user: string }): string {
  const root = definition.description.device;
  let xml = definition.descriptionXml;
  const replaceFirst = (element: string, from: string, to: string): void => {
    const pattern = new RegExp(`(<${element}>\\s*)${escapeRegExp(xmlEscape(from))}(\\s*</${element}>)`);
    if (pattern.test(xml)) xml = xml.replace(pattern, (_m, open: string, close: string) => `${open}${xmlEscape(to)}${close}`);
  };
  for (const [written, served] of servedUdns(root, identity.udn)) replaceFirst('UDN', written, served);
  const template = definition.manifest.identity.friendlyName;
  if (template) replaceFirst('friendlyName', root.friendlyName, expandFriendlyName(template, names));
  return xml;
}

function outputsOf(action: Action, scpd: ServiceScpd, canned: Readonly<Record<string, string>>, values: ReadonlyMap<string, string>): Array<[string, string]> {
  return action.arguments.filter((a) => a.direction === 'out').map((a) => {
    if (canned[a.name] !== undefined) return [a.name, canned[a.name]!];
    const v: StateVariable | undefined = findStateVariable(scpd, a.relatedStateVariable);
    return [a.name, values.get(a.relatedStateVariable) ?? v?.defaultValue ?? ''];
  });
}

function propertySet(variables: ReadonlyArray<readonly [string, string]>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">${variables.map(([n, v]) => `<e:property><${n}>${xmlEscape(v)}</${n}></e:property>`).join('')}</e:propertyset>\n`;
}

/** The TIMEOUT granted: what was asked within 60 s – 24 h, 1800 s when nothing (or infinite) was. */
function grantedTimeout(header: string | string[] | undefined): number {
  const parsed = parseTimeoutHeader(Array.isArray(header) ? header[0] : header);
  if (parsed.kind !== 'seconds') return DEFAULT_TIMEOUT_S;
  return Math.min(MAX_TIMEOUT_S, Math.max(MIN_TIMEOUT_S, parsed.seconds));
}

function contentTypeOf(file: string, xmlType: string): string {
  const ext = path.extname(file).toLowerCase();
  switch (ext) {
    case '.xml': return xmlType;
    case '.png': return 'image/png';
    case '.jpg': case '.jpeg': return 'image/jpeg';
    case '.gif': return 'image/gif';
    case '.bmp': return 'image/bmp';
    case '.webp': return 'image/webp';
    case '.html': case '.htm': return 'text/html; charset=utf-8';
    case '.txt': return 'text/plain; charset=utf-8';
    default: return 'application/octet-stream';
  }
}

/**
 * Whether `address` is one of this machine's: a subscriber on this machine may connect from one of
 * its addresses and take events at another (the kernel picks the source), and is no third host.
 */
function isOwnAddress(address: string): boolean {
  const a = normalizeAddress(address);
  return a === '::1' || a.startsWith('127.') || interfaceNameOf(a) !== undefined;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are one host, and so are `fe80::1%eth0` and `fe80::1`. */
function normalizeAddress(a: string): string {
  return a.replace(/^::ffff:/i, '').replace(/%.*$/, '').toLowerCase();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
