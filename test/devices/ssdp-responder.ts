// The device side of SSDP (UPnP Device Architecture 1.1, section 1) for one IPv4 interface.
//
// One responder owns two UDP sockets on the interface and can advertise any number of root
// devices, so a whole fleet shares them:
//   - `mcast`: bound to 0.0.0.0:1900 (reuseAddr, so several responders and control points can
//     coexist), joined to 239.255.255.250 on the interface. Receives multicast M-SEARCH and sends
//     NOTIFY (source port 1900, as real stacks do).
//   - `ucast`: bound to <interface>:1900 (reuseAddr; falls back to an ephemeral port). Receives
//     unicast M-SEARCH (Linux prefers the more specific binding) and sends search responses, so
//     they leave from the interface address as in the captures.
// Unicast datagrams to port 1900 reach only ONE of several sockets bound to the same address, so
// devices that must all answer unicast searches should share one responder.
// A root may also speak from an address of its own (`speakFrom`, e.g. the 127.1.x.y its HTTP
// server listens on): its answers and NOTIFYs then leave from a socket bound there, as a real
// device's come from its own address, while the shared sockets still hear the searches.
//
// Only run this inside an isolated network namespace (scripts/netns.sh; see Tests in the README).

import dgram from 'node:dgram';
import type { Socket } from 'node:dgram';

export const SSDP_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;

/** A device as SSDP sees it: identity, type and the service types it carries. */
export interface AdvertisedDevice {
  /** `uuid:...` */
  udn: string;
  deviceType: string;
  serviceTypes: string[];
  embedded?: AdvertisedDevice[];
}

/** Per-root behaviour; anything left out falls back to the responder's defaults. */
export interface RootBehaviour {
  maxAgeSeconds?: number;
  /** SERVER header, "OS/version UPnP/1.1 product/version". */
  server?: string;
  /** Answer M-SEARCH for this root (default true). */
  answerSearch?: boolean;
  /** Send NOTIFY ssdp:alive at start and periodically (default true). */
  announce?: boolean;
  /** Period of the ssdp:alive repeats; default maxAge/2. */
  notifyIntervalMs?: number;
}

export interface RootAdvertisement extends RootBehaviour {
  root: AdvertisedDevice;
  location: string;
  bootId?: number;
  configId?: number;
  /** Local address this root's answers and NOTIFYs leave from (default: the responder's interface). */
  speakFrom?: string;
}

export interface SsdpResponderOptions extends RootBehaviour {
  /** IPv4 address of the interface to serve (default 127.0.0.1). */
  interfaceAddress?: string;
  /** Upper bound in ms of the random delay before answering a multicast M-SEARCH (default 5000). */
  maxResponseDelayMs?: number;
  /** Multicast TTL; UDA 1.1 says it SHOULD default to 2. */
  ttl?: number;
  log?: (line: string) => void;
}

export const DEFAULT_SERVER = 'Linux/6 UPnP/1.1 upnp-explorer-sim/1.0';

/** One (NT/ST, USN) pair of a root's advertisement set. */
export interface AdvertTarget {
  nt: string;
  usn: string;
}

/**
 * The set a root advertises (UDA 1.1 §1.2.2): for the root `upnp:rootdevice`, then for every
 * device its uuid and type, then each distinct service type of that device.
 */
export function advertTargets(root: AdvertisedDevice): AdvertTarget[] {
  const out: AdvertTarget[] = [{ nt: 'upnp:rootdevice', usn: `${root.udn}::upnp:rootdevice` }];
  const visit = (d: AdvertisedDevice): void => {
    out.push({ nt: d.udn, usn: d.udn });
    out.push({ nt: d.deviceType, usn: `${d.udn}::${d.deviceType}` });
    for (const st of new Set(d.serviceTypes)) out.push({ nt: st, usn: `${d.udn}::${st}` });
    for (const e of d.embedded ?? []) visit(e);
  };
  visit(root);
  return out;
}

const URN_RE = /^urn:([^:]+):(device|service):([^:]+):(\d+)$/;

/**
 * The (ST, USN) pairs a root answers a search target with. Versioned types match when the
 * requested version is <= ours, and the response carries the requested version (UDA 1.1 §1.3.3).
 */
export function matchSearchTarget(root: AdvertisedDevice, st: string): AdvertTarget[] {
  if (st === 'ssdp:all') return advertTargets(root).map((t) => ({ nt: t.nt, usn: t.usn }));
  if (st === 'upnp:rootdevice') return [{ nt: st, usn: `${root.udn}::upnp:rootdevice` }];
  const devices: AdvertisedDevice[] = [];
  const collect = (d: AdvertisedDevice): void => { devices.push(d); (d.embedded ?? []).forEach(collect); };
  collect(root);
  if (st.startsWith('uuid:')) {
    return devices.filter((d) => d.udn === st).map((d) => ({ nt: st, usn: d.udn }));
  }
  const want = URN_RE.exec(st);
  if (!want) return [];
  const matches = (have: string): boolean => {
    const m = URN_RE.exec(have);
    return !!m && m[1] === want[1] && m[2] === want[2] && m[3] === want[3] && Number(want[4]) <= Number(m[4]);
  };
  const out: AdvertTarget[] = [];
  for (const d of devices) {
    const types = want[2] === 'device' ? [d.deviceType] : [...new Set(d.serviceTypes)];
    if (types.some(matches)) out.push({ nt: st, usn: `${d.udn}::${st}` });
  }
  return out;
}

/** Parses an SSDP datagram into its start line and upper-cased header map; null if not HTTP-like. */
export function parseSsdpMessage(text: string): { startLine: string; headers: Map<string, string> } | null {
  const lines = text.split(/\r?\n/);
  const startLine = (lines.shift() ?? '').trim();
  if (!startLine) return null;
  const headers = new Map<string, string>();
  for (const line of lines) {
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toUpperCase(), line.slice(colon + 1).trim());
  }
  return { startLine, headers };
}

function formatMessage(startLine: string, headers: Array<[string, string | number]>): Buffer {
  return Buffer.from(`${startLine}\r\n${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`, 'utf8');
}

function sendTo(socket: Socket, msg: Buffer, port: number, address: string): Promise<void> {
  return new Promise((resolve) => {
    socket.send(msg, port, address, () => resolve()); // a lost datagram is SSDP's normal life
  });
}

function bindSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind(port, address, () => { socket.off('error', onError); resolve(); });
  });
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A root device advertised by a responder. */
export class AdvertisedRoot {
  private silentFlag = false;
  private removed = false;
  private timer: NodeJS.Timeout | undefined;
  bootId: number;
  readonly configId: number;

  constructor(
    private readonly responder: SsdpResponder,
    readonly advert: RootAdvertisement,
    private readonly behaviour: Required<Omit<RootBehaviour, 'notifyIntervalMs'>> & { notifyIntervalMs: number },
    /** The socket of its own address (speakFrom), if it has one. */
    readonly socket?: Socket,
  ) {
    this.bootId = advert.bootId ?? Math.floor(Date.now() / 1000) % 0x7fffffff;
    this.configId = advert.configId ?? 1;
  }

  get silent(): boolean { return this.silentFlag; }
  get maxAgeSeconds(): number { return this.behaviour.maxAgeSeconds; }
  get server(): string { return this.behaviour.server; }
  get answersSearch(): boolean { return this.behaviour.answerSearch && !this.silentFlag && !this.removed; }
  get targets(): AdvertTarget[] { return advertTargets(this.advert.root); }

  /** Starts announcing: ssdp:alive twice now (UDP is lossy), then every notifyIntervalMs. */
  async start(): Promise<void> {
    if (!this.behaviour.announce) return;
    await this.sendAlive();
    await delay(100);
    if (this.silentFlag || this.removed) return;
    await this.sendAlive();
    this.timer = setInterval(() => { void this.sendAlive(); }, this.behaviour.notifyIntervalMs);
    this.timer.unref(); // a forgotten device must not keep a test process alive
  }

  async sendAlive(): Promise<void> {
    if (this.silentFlag || this.removed) return;
    await this.responder.multicast(this.targets.map((t) => formatMessage('NOTIFY * HTTP/1.1', [
      ['HOST', `${SSDP_ADDRESS}:${SSDP_PORT}`],
      ['CACHE-CONTROL', `max-age=${this.behaviour.maxAgeSeconds}`],
      ['LOCATION', this.advert.location],
      ['NT', t.nt],
      ['NTS', 'ssdp:alive'],
      ['SERVER', this.behaviour.server],
      ['USN', t.usn],
      ['BOOTID.UPNP.ORG', this.bootId],
      ['CONFIGID.UPNP.ORG', this.configId],
    ])), this.socket);
  }

  async sendByebye(): Promise<void> {
    await this.responder.multicast(this.targets.map((t) => formatMessage('NOTIFY * HTTP/1.1', [
      ['HOST', `${SSDP_ADDRESS}:${SSDP_PORT}`],
      ['NT', t.nt],
      ['NTS', 'ssdp:byebye'],
      ['USN', t.usn],
      ['BOOTID.UPNP.ORG', this.bootId],
      ['CONFIGID.UPNP.ORG', this.configId],
    ])), this.socket);
  }

  /**
   * Sends ssdp:update (UDA 1.1 §1.2.4: the device is about to change BOOTID, e.g. a new
   * interface came up) and adopts the new boot id for later messages.
   */
  async sendUpdate(nextBootId: number = this.bootId + 1): Promise<void> {
    await this.responder.multicast(this.targets.map((t) => formatMessage('NOTIFY * HTTP/1.1', [
      ['HOST', `${SSDP_ADDRESS}:${SSDP_PORT}`],
      ['LOCATION', this.advert.location],
      ['NT', t.nt],
      ['NTS', 'ssdp:update'],
      ['USN', t.usn],
      ['BOOTID.UPNP.ORG', this.bootId],
      ['CONFIGID.UPNP.ORG', this.configId],
      ['NEXTBOOTID.UPNP.ORG', nextBootId],
    ])), this.socket);
    this.bootId = nextBootId;
  }

  /** Builds the unicast 200 OK answers for one search target. */
  searchResponses(st: string): Buffer[] {
    return matchSearchTarget(this.advert.root, st).map((t) => formatMessage('HTTP/1.1 200 OK', [
      ['CACHE-CONTROL', `max-age=${this.behaviour.maxAgeSeconds}`],
      ['DATE', new Date().toUTCString()],
      ['EXT', ''],
      ['LOCATION', this.advert.location],
      ['SERVER', this.behaviour.server],
      ['ST', t.nt],
      ['USN', t.usn],
      ['BOOTID.UPNP.ORG', this.bootId],
      ['CONFIGID.UPNP.ORG', this.configId],
    ]));
  }

  /** Stops announcing and answering WITHOUT byebye, as a device that lost power would. */
  goSilent(): void {
    this.silentFlag = true;
    this.stopTimer();
  }

  /** Withdraws the root: byebye (unless silent) and no more answers. */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.stopTimer();
    if (!this.silentFlag) await this.sendByebye();
    this.removed = true;
    this.responder.forget(this);
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

export class SsdpResponder {
  private readonly roots = new Set<AdvertisedRoot>();
  private readonly pending = new Set<NodeJS.Timeout>();
  /** Sockets of the roots' own addresses (speakFrom), by address. */
  private readonly own = new Map<string, Promise<Socket>>();
  private closed = false;
  private sendChain: Promise<void> = Promise.resolve();
  private sentSincePause = 0;
  readonly interfaceAddress: string;
  private readonly maxResponseDelayMs: number;
  private readonly log: (line: string) => void;

  private constructor(
    private readonly mcast: Socket,
    private readonly ucast: Socket,
    private readonly opts: SsdpResponderOptions,
  ) {
    this.interfaceAddress = opts.interfaceAddress ?? '127.0.0.1';
    this.maxResponseDelayMs = opts.maxResponseDelayMs ?? 5000;
    this.log = opts.log ?? ((): void => undefined);
  }

  /** Binds the sockets and joins the SSDP group on the interface. */
  static async start(opts: SsdpResponderOptions = {}): Promise<SsdpResponder> {
    const iface = opts.interfaceAddress ?? '127.0.0.1';
    const mcast = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const ucast = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await bindSocket(mcast, SSDP_PORT, '0.0.0.0');
      mcast.addMembership(SSDP_ADDRESS, iface);
      mcast.setMulticastInterface(iface);
      mcast.setMulticastLoopback(true);
      mcast.setMulticastTTL(opts.ttl ?? 2);
      try {
        await bindSocket(ucast, SSDP_PORT, iface);
      } catch {
        // Someone holds <iface>:1900 without SO_REUSEADDR: answer from an ephemeral port instead.
        await bindSocket(ucast, 0, iface);
      }
    } catch (err) {
      mcast.close();
      ucast.close();
      throw err;
    }
    const responder = new SsdpResponder(mcast, ucast, opts);
    mcast.on('message', (msg, rinfo) => responder.onMessage(msg, rinfo, false));
    ucast.on('message', (msg, rinfo) => responder.onMessage(msg, rinfo, true));
    // A bad datagram or a send error must not crash the process hosting the simulated devices.
    mcast.on('error', (err) => responder.log(`ssdp mcast socket error: ${err.message}`));
    ucast.on('error', (err) => responder.log(`ssdp ucast socket error: ${err.message}`));
    return responder;
  }

  /** Port the unicast socket got (1900 unless it had to fall back). */
  get unicastPort(): number { return this.ucast.address().port; }

  /** Adds a root and starts announcing it (alive twice, then periodically). */
  async addRoot(advert: RootAdvertisement): Promise<AdvertisedRoot> {
    if (this.closed) throw new Error('SSDP responder is closed');
    const maxAgeSeconds = advert.maxAgeSeconds ?? this.opts.maxAgeSeconds ?? 1800;
    const socket = advert.speakFrom && advert.speakFrom !== this.interfaceAddress ? await this.ownSocket(advert.speakFrom) : undefined;
    const root = new AdvertisedRoot(this, advert, {
      maxAgeSeconds,
      server: advert.server ?? this.opts.server ?? DEFAULT_SERVER,
      answerSearch: advert.answerSearch ?? this.opts.answerSearch ?? true,
      announce: advert.announce ?? this.opts.announce ?? true,
      notifyIntervalMs: advert.notifyIntervalMs ?? this.opts.notifyIntervalMs ?? (maxAgeSeconds * 1000) / 2,
    }, socket);
    this.roots.add(root);
    await root.start();
    return root;
  }

  /** A socket bound to `address` (any port) sending to the SSDP group on this responder's interface. */
  private ownSocket(address: string): Promise<Socket> {
    let socket = this.own.get(address);
    if (!socket) {
      socket = (async () => {
        const s = dgram.createSocket({ type: 'udp4' });
        s.on('error', (err) => this.log(`ssdp socket of ${address}: ${err.message}`));
        await bindSocket(s, 0, address);
        s.setMulticastInterface(this.interfaceAddress);
        s.setMulticastLoopback(true);
        s.setMulticastTTL(this.opts.ttl ?? 2);
        return s;
      })();
      this.own.set(address, socket);
    }
    return socket;
  }

  /** @internal called by AdvertisedRoot.remove */
  forget(root: AdvertisedRoot): void {
    this.roots.delete(root);
  }

  /**
   * Queues datagrams for the SSDP group. One queue per responder keeps them in order and paces
   * them (a few per millisecond), so a fleet of hundreds does not overrun receive buffers.
   */
  multicast(messages: Buffer[], from: Socket = this.mcast): Promise<void> {
    const run = async (): Promise<void> => {
      for (let i = 0; i < messages.length; i++) {
        if (this.closed) return;
        await sendTo(from, messages[i], SSDP_PORT, SSDP_ADDRESS);
        if (++this.sentSincePause >= 8) {
          this.sentSincePause = 0;
          await delay(1);
        }
      }
    };
    this.sendChain = this.sendChain.then(run);
    return this.sendChain;
  }

  /** Byebye for every root still talking, then closes the sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
    for (const root of [...this.roots]) await root.remove();
    this.closed = true;
    const own = await Promise.all([...this.own.values()].map((p) => p.catch(() => undefined)));
    this.own.clear();
    await Promise.all([this.mcast, this.ucast, ...own].map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : undefined)));
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo, viaUnicastSocket: boolean): void {
    if (this.closed) return;
    const parsed = parseSsdpMessage(msg.toString('utf8'));
    if (!parsed || !/^M-SEARCH \* HTTP\/1\.1$/i.test(parsed.startLine)) return; // NOTIFYs, replies
    const h = parsed.headers;
    if (h.get('MAN') !== '"ssdp:discover"') return; // UDA: MAN must be exactly "ssdp:discover"
    const st = h.get('ST');
    if (!st) return;
    // Node cannot tell a datagram's destination address, so the socket that got it and the HOST
    // header tell multicast from unicast.
    const host = h.get('HOST') ?? '';
    const unicast = viaUnicastSocket || !host.startsWith(SSDP_ADDRESS);
    // Unicast searches are answered at once (UDA 1.1 §1.3.2); multicast ones after a random
    // delay within MX, which is clamped to 1..5 seconds, and further capped by the option.
    let windowMs = 0;
    if (!unicast) {
      const mxText = h.get('MX');
      if (mxText === undefined || !/^\d+$/.test(mxText)) return; // multicast without valid MX: ignore
      const mx = Math.min(5, Math.max(1, Number(mxText)));
      windowMs = Math.min(mx * 1000, this.maxResponseDelayMs);
    }
    this.log(`M-SEARCH ${unicast ? 'unicast' : 'multicast'} ST=${st} from ${rinfo.address}:${rinfo.port}`);
    for (const root of this.roots) {
      if (!root.answersSearch) continue;
      const answers = root.searchResponses(st);
      if (answers.length === 0) continue;
      const send = async (): Promise<void> => {
        if (this.closed || !root.answersSearch) return;
        for (const a of answers) await sendTo(root.socket ?? this.ucast, a, rinfo.port, rinfo.address);
      };
      if (windowMs === 0) { void send(); continue; }
      // Each root picks its own delay, spreading a fleet's answers over MX as real devices do.
      const t = setTimeout(() => { this.pending.delete(t); void send(); }, Math.random() * windowMs);
      this.pending.add(t);
    }
  }
}

export function startSsdpResponder(opts: SsdpResponderOptions = {}): Promise<SsdpResponder> {
  return SsdpResponder.start(opts);
}
