// SSDP for a hosted device (UDA 1.1 §1): the NOTIFY alive set at start and again at random
// intervals within half the max-age, byebye at stop, and answers to M-SEARCH as the manifest says.
// Every search received is reported with who asked and what was decided, because that is how a
// Canon user learns the camera's address and how a control-point developer sees why a device
// stays silent.
//
// Built on node:dgram, not on node-ssdp's Server: the README ("Packages, and where node-ssdp falls
// short") lists what the Server could not do for this (loopback, per-ST answers, unicast searches,
// the max-age, duplicate NTs, errors thrown from socket callbacks) and
// test/integration/node-ssdp-interop.test.ts keeps that evidence checked against the package.
//
// Sockets, on each chosen address: one bound to it on port 1900 (it sends NOTIFYs and answers, and
// receives unicast M-SEARCH), and listeners bound to the group addresses that join the groups on
// every chosen interface (multicast M-SEARCH). Nothing listens on an interface that wasn't chosen.
//
// IPv6 (UDA 1.1 Annex A): a link-local address announces to FF02::C, a unique-local or global one to
// FF05::C; searches are heard on FF02::C, FF05::C and FF0E::C (GSSDP searches from a global
// address there). LOCATION is whatever `locationFor` gives for the address: the hosted device
// prefers the interface's routable address, which needs no zone in a URL.
import * as dgram from 'node:dgram';
import { SSDP_IPV4_GROUP, SSDP_IPV6_LINK_LOCAL_GROUP, SSDP_PORT, SsdpParseError, parseSsdpMessage } from '../core/ssdp/message';
import type { SsdpInterface } from '../core/ssdp/interfaces';
import { isLinkLocal6, onSubnet, scopedAddress } from '../core/ssdp/interfaces';
import { errorMessage } from '../core/util/errors';
import { oneLine } from '../core/util/text';
import type { SsdpAnswerPolicy } from './manifest';
import type { SsdpTarget } from './ssdpTargets';
import { answerSearch } from './ssdpTargets';

export interface AnnouncerLogEntry {
  readonly kind: 'search' | 'answer' | 'notify' | 'warning';
  readonly message: string;
  readonly remoteAddress?: string;
}

export interface AnnouncerOptions {
  /** Interface addresses to announce and answer on (see selectInterfaces, ipv6AddressesOf). */
  readonly interfaces: readonly SsdpInterface[];
  readonly targets: readonly SsdpTarget[];
  /** LOCATION on an interface. */
  readonly locationFor: (address: string) => string;
  readonly server: string;
  readonly maxAgeSeconds: number;
  readonly answer: SsdpAnswerPolicy;
  /** Whether answers to a multicast search wait a random time within its MX. */
  readonly mxDelay: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** UDA 1.1 devices send BOOTID.UPNP.ORG and CONFIGID.UPNP.ORG; 1.0 devices don't. */
  readonly uda11?: { readonly bootId: number; readonly configId: number };
  readonly log?: (entry: AnnouncerLogEntry) => void;
  /** Multicast TTL (UDA 1.1: 2). */
  readonly ttl?: number;
  /** Tests only: another port than 1900. */
  readonly port?: number;
  /** Tests only: the randomness of delays. */
  readonly random?: () => number;
}

export interface AnnouncerCounters {
  searches: number;
  answered: number;
  ignored: number;
  answersSent: number;
  notifies: number;
}

interface InterfaceSocket {
  readonly iface: SsdpInterface;
  readonly socket: dgram.Socket;
  /** Where its NOTIFYs go: the IPv4 group, FF02::C (link-local) or FF05::C. */
  readonly group: string;
  /** False when port 1900 on the address was taken: unicast searches can't reach us there. */
  readonly unicast: boolean;
}

/** Longer datagrams are not searches (an M-SEARCH is a few hundred bytes). */
const MAX_DATAGRAM_BYTES = 8192;
/** Answers waiting for their MX delay at most; a search flood beyond this is not answered. */
const MAX_PENDING_ANSWERS = 1024;
/** A copy of the same search from the same sender within this is the same search heard twice. */
const DUPLICATE_WINDOW_MS = 100;
/** Searches remembered for that at most (a flood of distinct ones). */
const MAX_RECENT = 4096;
/** UDA 1.1 §1.3.3: an MX above 5 is taken as 5. */
const MAX_MX_SECONDS = 5;
/** UDA 1.1 Annex A: site-local scope. */
const SSDP_IPV6_SITE_LOCAL_GROUP = 'ff05::c';
/** Global scope: GSSDP searches here from a global or unique-local address. */
const SSDP_IPV6_GLOBAL_GROUP = 'ff0e::c';

function groupOf(iface: SsdpInterface): string {
  if (iface.family === 4) return SSDP_IPV4_GROUP;
  return isLinkLocal6(iface.address) ? SSDP_IPV6_LINK_LOCAL_GROUP : SSDP_IPV6_SITE_LOCAL_GROUP;
}

function hostHeader(group: string): string {
  return group.includes(':') ? `[${group.toUpperCase()}]:${SSDP_PORT}` : `${group}:${SSDP_PORT}`;
}

export class SsdpAnnouncer {
  readonly counters: AnnouncerCounters = { searches: 0, answered: 0, ignored: 0, answersSent: 0, notifies: 0 };
  private sockets: InterfaceSocket[] = [];
  private listeners: dgram.Socket[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readvertise: NodeJS.Timeout | undefined;
  private pendingAnswers = 0;
  /** Why the last announcement round could not be sent from a socket (absent once one goes out). */
  private readonly sendProblems = new Map<InterfaceSocket, string>();
  /** Searches heard within DUPLICATE_WINDOW_MS, oldest first. */
  private readonly recent = new Map<string, number>();
  private stopped = false;
  /** Problems met while opening, for the user (e.g. port 1900 taken on an address). */
  readonly problems: string[] = [];

  private constructor(private readonly options: AnnouncerOptions) {}

  /** Opens the sockets and sends the alive set. Rejects (with nothing left open) when no interface works. */
  static async start(options: AnnouncerOptions): Promise<SsdpAnnouncer> {
    const ifaces = options.interfaces;
    if (ifaces.length === 0) throw new Error('Hosting needs an interface to announce on; none was chosen.');
    const announcer = new SsdpAnnouncer(options);
    try {
      await announcer.open(ifaces);
    } catch (err) {
      await announcer.close();
      throw err;
    }
    void announcer.advertise('alive');
    // UDP is lossy: the alive set goes out again shortly after start (UDA 1.1 §1.2.2).
    announcer.later(1000 + announcer.random() * 500, () => { void announcer.advertise('alive'); });
    announcer.scheduleReadvertise();
    return announcer;
  }

  /**
   * The interfaces announced on, with whether unicast searches reach them and why the last
   * announcement could not be sent there (e.g. no multicast route), if it could not.
   */
  get interfaces(): ReadonlyArray<{ readonly iface: SsdpInterface; readonly unicast: boolean; readonly sendProblem?: string }> {
    return this.sockets.map((s) => {
      const sendProblem = this.sendProblems.get(s);
      return { iface: s.iface, unicast: s.unicast, ...(sendProblem !== undefined ? { sendProblem } : {}) };
    });
  }

  /** Sends byebye for every target on every interface, waits until they are out, then closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.readvertise) clearTimeout(this.readvertise);
    await this.advertise('byebye');
    await this.close();
  }

  // ---- sockets ----

  private port(): number {
    return this.options.port ?? SSDP_PORT;
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  private log(entry: AnnouncerLogEntry): void {
    this.options.log?.(entry);
  }

  private async open(ifaces: readonly SsdpInterface[]): Promise<void> {
    for (const iface of ifaces) {
      try {
        this.sockets.push(await this.openInterface(iface));
      } catch (err) {
        this.problems.push(`${iface.name} ${iface.address}: ${errorMessage(err)}`);
      }
    }
    if (this.sockets.length === 0) throw new Error(`Could not open SSDP on any chosen interface (${this.problems.join('; ')}).`);
    const v4 = this.sockets.filter((s) => s.iface.family === 4);
    const v6 = this.sockets.filter((s) => s.iface.family === 6);
    const names6 = [...new Set(v6.map((s) => s.iface.name))];
    const plans: Array<{ readonly type: 'udp4' | 'udp6'; readonly bind: string; readonly group: string; readonly joins: ReadonlyArray<{ readonly on: string; readonly label: string }> }> = [];
    if (v4.length > 0) plans.push({ type: 'udp4', bind: SSDP_IPV4_GROUP, group: SSDP_IPV4_GROUP, joins: v4.map((s) => ({ on: s.iface.address, label: `${s.iface.name} ${s.iface.address}` })) });
    // FF02::C is one group per link: a listener of its own on each interface.
    for (const name of names6) plans.push({ type: 'udp6', bind: `${SSDP_IPV6_LINK_LOCAL_GROUP}%${name}`, group: SSDP_IPV6_LINK_LOCAL_GROUP, joins: [{ on: `::%${name}`, label: name }] });
    for (const group of [SSDP_IPV6_SITE_LOCAL_GROUP, SSDP_IPV6_GLOBAL_GROUP]) {
      if (names6.length > 0) plans.push({ type: 'udp6', bind: group, group, joins: names6.map((name) => ({ on: `::%${name}`, label: name })) });
    }
    let joined = 0;
    for (const plan of plans) {
      const listener = await this.openListener(plan.type, plan.bind).catch((err: unknown) => {
        this.problems.push(`cannot listen on ${plan.group} (${errorMessage(err)}); multicast searches to it will not be heard.`);
        return undefined;
      });
      if (!listener) continue;
      let here = 0;
      for (const join of plan.joins) {
        try {
          listener.addMembership(plan.group, join.on);
          here++;
        } catch (err) {
          this.problems.push(`${join.label}: cannot join ${plan.group} (${errorMessage(err)}); multicast searches to it there will not be heard.`);
        }
      }
      if (here === 0) {
        listener.close();
        continue;
      }
      joined += here;
      this.listeners.push(listener);
    }
    if (joined === 0) throw new Error(`Could not join the SSDP multicast group on any chosen interface (${this.problems.join('; ')}).`);
  }

  private openInterface(iface: SsdpInterface): Promise<InterfaceSocket> {
    const bind = (port: number): Promise<dgram.Socket> => new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: iface.family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
      socket.once('error', (err) => { socket.close(); reject(err); });
      socket.bind({ address: scopedAddress(iface), port }, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => this.log({ kind: 'warning', message: `SSDP socket on ${iface.name} ${iface.address}: ${err.message}` }));
        try {
          socket.setMulticastInterface(iface.family === 6 ? `::%${iface.name}` : iface.address);
          socket.setMulticastTTL(this.options.ttl ?? 2);
          socket.setMulticastLoopback(true); // control points on this machine (our own discovery) hear it
        } catch (err) {
          socket.close();
          reject(err as Error);
          return;
        }
        resolve(socket);
      });
    });
    return bind(this.port()).then(
      (socket) => this.wire({ iface, socket, group: groupOf(iface), unicast: true }),
      async (err: unknown) => {
        // Someone holds the port on this address without sharing it: announce and answer from any
        // port; only unicast searches to this address can't reach us.
        this.problems.push(`${iface.name} ${iface.address}: port ${this.port()} is taken (${errorMessage(err)}); unicast M-SEARCH to this address will not be answered.`);
        return this.wire({ iface, socket: await bind(0), group: groupOf(iface), unicast: false });
      },
    );
  }

  private wire(s: InterfaceSocket): InterfaceSocket {
    s.socket.on('message', (data, rinfo) => this.receive(data, rinfo, s));
    return s;
  }

  private openListener(type: 'udp4' | 'udp6', group: string): Promise<dgram.Socket> {
    const tryBind = (address: string): Promise<dgram.Socket> => new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type, reuseAddr: true });
      socket.once('error', (err) => { socket.close(); reject(err); });
      socket.bind({ address, port: this.port() }, () => {
        socket.removeAllListeners('error');
        socket.on('error', (err) => this.log({ kind: 'warning', message: `SSDP listener on ${group}: ${err.message}` }));
        socket.on('message', (data, rinfo) => this.receive(data, rinfo, undefined));
        resolve(socket);
      });
    });
    // Bound to the group, a listener hears multicast to that group only (unicast to port 1900 on
    // an address goes to that address's socket). Systems that can't bind a group address get the
    // wildcard.
    return tryBind(group).catch(() => tryBind(type === 'udp6' ? '::' : '0.0.0.0'));
  }

  private async close(): Promise<void> {
    const all = [...this.sockets.map((s) => s.socket), ...this.listeners];
    this.sockets = [];
    this.listeners = [];
    await Promise.all(all.map((s) => new Promise<void>((resolve) => {
      try { s.close(() => resolve()); } catch { resolve(); }
    })));
  }

  private later(ms: number, run: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) run();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  // ---- NOTIFY ----

  private scheduleReadvertise(): void {
    // UDA 1.1 §1.2.2: again at a random interval shorter than half the max-age.
    const half = (this.options.maxAgeSeconds * 1000) / 2;
    this.readvertise = setTimeout(() => {
      if (this.stopped) return;
      void this.advertise('alive');
      this.scheduleReadvertise();
    }, half * (0.5 + 0.4 * this.random()));
    this.readvertise.unref();
  }

  private async advertise(nts: 'alive' | 'byebye'): Promise<void> {
    const sends: Array<Promise<void>> = [];
    const sent = new Map<InterfaceSocket, number>();
    const failed = new Map<InterfaceSocket, string>();
    for (const s of this.sockets) {
      const location = this.options.locationFor(s.iface.address);
      for (const t of this.options.targets) {
        const lines = [
          'NOTIFY * HTTP/1.1',
          `HOST: ${hostHeader(s.group)}`,
          ...(nts === 'alive' ? [`CACHE-CONTROL: max-age=${this.options.maxAgeSeconds}`, `LOCATION: ${location}`] : []),
          `NT: ${t.nt}`,
          `NTS: ssdp:${nts}`,
          ...(nts === 'alive' ? [`SERVER: ${this.options.server}`] : []),
          `USN: ${t.usn}`,
          ...this.uda11Lines(),
          ...(nts === 'alive' ? this.extraLines() : []),
        ];
        const to = s.group === SSDP_IPV6_LINK_LOCAL_GROUP ? `${s.group}%${s.iface.name}` : s.group;
        sends.push(this.send(s.socket, lines, to, this.port(), false).then(() => {
          this.counters.notifies++;
          sent.set(s, (sent.get(s) ?? 0) + 1);
        }, (err: unknown) => { failed.set(s, `${to}: ${errorMessage(err)}`); }));
      }
    }
    await Promise.all(sends);
    // One line per round, and one per interface that could not send (not one per datagram).
    const what = nts === 'alive' ? 'ssdp:alive' : 'ssdp:byebye';
    const where = [...sent.keys()].map((s) => `${s.iface.name} ${s.iface.address}`).join(', ');
    if (sent.size > 0) this.log({ kind: 'notify', message: `Sent ${what} ×${this.options.targets.length} on ${where}` });
    for (const s of sent.keys()) this.sendProblems.delete(s);
    for (const [s, why] of failed) {
      if (!sent.has(s)) this.sendProblems.set(s, why);
      this.log({ kind: 'warning', message: `Could not send ${what} on ${s.iface.name} ${s.iface.address} (${why}); control points there hear of the device only by searching` });
    }
  }

  private uda11Lines(): string[] {
    const u = this.options.uda11;
    return u ? [`BOOTID.UPNP.ORG: ${u.bootId}`, `CONFIGID.UPNP.ORG: ${u.configId}`] : [];
  }

  private extraLines(): string[] {
    return Object.entries(this.options.headers).map(([k, v]) => `${k}: ${v}`);
  }

  private send(socket: dgram.Socket, lines: readonly string[], address: string, port: number, logFailure = true): Promise<void> {
    const data = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    return new Promise((resolve, reject) => {
      try {
        socket.send(data, port, address, (err) => {
          if (err) {
            if (logFailure) this.log({ kind: 'warning', message: `Could not send to ${address}:${port}: ${err.message}` });
            reject(err);
          } else {
            resolve();
          }
        });
      } catch (err) {
        reject(err as Error); // the socket closed under us
      }
    });
  }

  // ---- M-SEARCH ----

  private receive(data: Buffer, rinfo: dgram.RemoteInfo, via: InterfaceSocket | undefined): void {
    if (this.stopped) return;
    const from = `${rinfo.address}:${rinfo.port}`;
    if (data.length > MAX_DATAGRAM_BYTES) {
      this.counters.ignored++;
      this.log({ kind: 'search', remoteAddress: rinfo.address, message: `Datagram from ${from} ignored: ${data.length} bytes, not an SSDP message (at most ${MAX_DATAGRAM_BYTES})` });
      return;
    }
    let message;
    try {
      message = parseSsdpMessage(data);
    } catch (err) {
      if (!(err instanceof SsdpParseError)) throw err;
      // Not SSDP: nothing to answer, but whoever is debugging a control point wants to know.
      this.counters.ignored++;
      this.log({ kind: 'search', remoteAddress: rinfo.address, message: `Datagram from ${from} ignored: ${err.message}` });
      return;
    }
    if (message.start.kind !== 'search') return; // NOTIFYs and answers are other devices' business
    const multicast = via === undefined;
    // One search may arrive twice (heard on two joined interfaces, or looped back): answer once.
    const key = `${from}\n${data.toString('latin1')}`;
    const now = Date.now();
    // Oldest first (insertion order): drop what has left the window, then look.
    for (const [k, t] of this.recent) {
      if (now - t < DUPLICATE_WINDOW_MS && this.recent.size <= MAX_RECENT) break;
      this.recent.delete(k);
    }
    if (this.recent.has(key)) return;
    this.recent.set(key, now);

    this.counters.searches++;
    const h = message.headers;
    const st = h['st'] ?? '';
    const mxText = h['mx'];
    const agent = h['user-agent'] ? `, USER-AGENT ${oneLine(h['user-agent'], 120)}` : '';
    const what = `M-SEARCH from ${from} (${multicast ? 'multicast' : 'unicast'}, ST ${oneLine(st, 160) || '(none)'}${mxText !== undefined ? `, MX ${oneLine(mxText, 10)}` : ''}${agent})`;
    const ignore = (why: string): void => {
      this.counters.ignored++;
      this.log({ kind: 'search', remoteAddress: rinfo.address, message: `${what}: not answered, ${why}` });
    };
    if ((h['man'] ?? '').replace(/"/g, '').trim() !== 'ssdp:discover') return ignore('MAN is not "ssdp:discover"');
    if (st === '') return ignore('it has no ST');
    let mx = 0;
    if (multicast) {
      if (mxText === undefined || !/^\d+$/.test(mxText.trim()) || Number(mxText) < 1) return ignore('a multicast search needs an MX of 1 or more (UDA 1.1 §1.3.2)');
      mx = Math.min(MAX_MX_SECONDS, Number(mxText));
    }
    const target = via ?? this.socketFor(rinfo.address);
    if (!target) return ignore(`${rinfo.address} is outside the subnets hosted on (${this.sockets.map((s) => `${s.iface.address}/${s.iface.netmask}`).join(', ')})`);
    const decision = answerSearch(st, this.options.targets, this.options.answer);
    if (decision.answers.length === 0) return ignore(decision.reason ?? 'nothing matches');
    if (this.pendingAnswers + decision.answers.length > MAX_PENDING_ANSWERS) return ignore(`${this.pendingAnswers} answers are already waiting (a search flood)`);

    this.counters.answered++;
    const delayed = multicast && this.options.mxDelay;
    this.log({ kind: 'search', remoteAddress: rinfo.address, message: `${what}: answering with ${decision.answers.length} on ${target.iface.name}${delayed ? ` within ${mx} s` : ' now'}` });
    const location = this.options.locationFor(target.iface.address);
    const sent: string[] = [];
    let left = decision.answers.length;
    this.pendingAnswers += left;
    for (const answer of decision.answers) {
      // UDA 1.1 §1.3.3: each answer at a random time within MX, so a crowd doesn't answer at once.
      const delay = delayed ? Math.floor(this.random() * mx * 1000) : 0;
      const go = (): void => {
        const lines = [
          'HTTP/1.1 200 OK',
          `CACHE-CONTROL: max-age=${this.options.maxAgeSeconds}`,
          `DATE: ${new Date().toUTCString()}`,
          'EXT:',
          `LOCATION: ${location}`,
          `SERVER: ${this.options.server}`,
          `ST: ${answer.nt}`,
          `USN: ${answer.usn}`,
          ...this.uda11Lines(),
          ...this.extraLines(),
        ];
        void this.send(target.socket, lines, rinfo.address, rinfo.port).then(() => {
          this.counters.answersSent++;
          sent.push(answer.nt);
        }, () => undefined).finally(() => {
          this.pendingAnswers--;
          if (--left === 0 && sent.length > 0) {
            this.log({ kind: 'answer', remoteAddress: rinfo.address, message: `Answered ${from}: ${sent.join(', ')}` });
          }
        });
      };
      if (delay === 0) go();
      else this.later(delay, go);
    }
  }

  /** The interface a multicast search from `address` is answered on. */
  private socketFor(address: string): InterfaceSocket | undefined {
    const v6 = address.includes(':') && !/^::ffff:\d/i.test(address);
    const plain = address.replace(/^::ffff:(?=\d)/i, '');
    const same = this.sockets.filter((s) => (s.iface.family === 6) === v6);
    const onIt = same.find((s) => onSubnet(s.iface, plain));
    if (onIt) return onIt;
    // One interface: a search routed from farther away (TTL > 1) still gets its answer.
    return same.length === 1 ? same[0] : undefined;
  }
}
