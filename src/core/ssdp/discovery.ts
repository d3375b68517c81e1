// SSDP control-point side: one search socket per chosen interface (M-SEARCH goes out there and
// unicast answers come back to it) and one passive listener on port 1900 joined to the group on
// every chosen interface (NOTIFY alive / byebye / update).
//
// Why not node-ssdp's Client here: it hard-codes `MX: 3`, skips loopback interfaces, is IPv4-only,
// drops `ssdp:update`, and answers arrive on the same socket it listens for NOTIFY on. See README.
import * as dgram from 'node:dgram';
import { Emitter } from '../util/events';
import type { CancellationTokenLike, DisposableLike, EventLike, Logger } from '../util/events';
import { silentLogger } from '../util/events';
import type { Advertisement } from './message';
import { SSDP_IPV4_GROUP, SSDP_IPV6_LINK_LOCAL_GROUP, SSDP_PORT, SsdpParseError, clampMx, formatMSearch, parseSsdpMessage, toAdvertisement } from './message';
import type { SsdpInterface } from './interfaces';
import { onSubnet } from './interfaces';

export interface Sighting {
  readonly advertisement: Advertisement;
  /** How it reached us: an answer to our M-SEARCH or a NOTIFY heard on the group. */
  readonly via: 'search' | 'notify';
  /** The device's address and port. */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Our interface it arrived on. */
  readonly interface?: SsdpInterface;
}

export interface SearchOptions {
  readonly searchTarget: string;
  readonly mx: number;
  /** How many times M-SEARCH is sent (UDP is lossy). Default 3. */
  readonly repeats?: number;
  /** Gap between the copies, ms. Default 150. */
  readonly spacingMs?: number;
}

export interface SearchSummary {
  readonly sent: number;
  readonly answers: number;
  readonly interfaces: readonly string[];
  readonly cancelled: boolean;
}

export const USER_AGENT_SSDP = `Node/${process.versions.node.split('.')[0]} UPnP/1.1 UPnP-Explorer/0.1`;

interface SearchSocket {
  readonly iface: SsdpInterface;
  readonly socket: dgram.Socket;
}

/**
 * Receive buffer asked for on every SSDP socket. A crowd answering one search sends thousands of
 * datagrams within MX (1,000 devices × 5 answers × 3 M-SEARCH copies); the default buffer (about
 * 200 KB, some 200 datagrams) overflows whenever the event loop is busy for a moment, and the
 * kernel drops the rest. Linux caps the request at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Datagrams waiting to be read at most; more are dropped (and counted). */
const MAX_QUEUED_DATAGRAMS = 50_000;
/** Longest stretch of datagram processing before other work gets a turn, ms. */
const DRAIN_SLICE_MS = 8;

interface QueuedDatagram {
  readonly buf: Buffer;
  readonly rinfo: dgram.RemoteInfo;
  readonly via: 'search' | 'notify';
  readonly iface: SsdpInterface | undefined;
}

export interface ReceiveStats {
  /** Datagrams received (queued). */
  readonly received: number;
  /** Dropped because the queue was full (never seen by the kernel's counters). */
  readonly dropped: number;
  /** Largest queue length seen. */
  readonly maxQueued: number;
  /** Receive buffer the kernel granted on the search sockets, bytes (0 before `open`). */
  readonly receiveBufferBytes: number;
}

export class SsdpDiscovery implements DisposableLike {
  private readonly sightingEmitter = new Emitter<Sighting>();
  readonly onSighting: EventLike<Sighting> = this.sightingEmitter.event;

  private searchSockets: SearchSocket[] = [];
  private listeners: dgram.Socket[] = [];
  private answersDuringSearch = 0;
  private opened = false;
  // The receive path only queues: the socket callback is as short as possible, so libuv empties
  // the kernel's buffer quickly; parsing and the registry run in bounded slices afterwards.
  private queue: QueuedDatagram[] = [];
  private queueHead = 0;
  private draining = false;
  private received = 0;
  private dropped = 0;
  private maxQueued = 0;
  private receiveBufferBytes = 0;

  constructor(private readonly logger: Logger = silentLogger) {}

  get interfaces(): readonly SsdpInterface[] {
    return this.searchSockets.map((s) => s.iface);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get receiveStats(): ReceiveStats {
    return { received: this.received, dropped: this.dropped, maxQueued: this.maxQueued, receiveBufferBytes: this.receiveBufferBytes };
  }

  /**
   * Opens sockets on the given interfaces. Interfaces that fail are logged and skipped; it rejects
   * only when no interface could be opened at all. Passive listening on port 1900 is best effort
   * (another program may hold the port without SO_REUSEADDR): searching still works without it.
   */
  async open(interfaces: readonly SsdpInterface[]): Promise<void> {
    await this.close();
    const failures: string[] = [];
    for (const iface of interfaces) {
      try {
        this.searchSockets.push(await this.openSearchSocket(iface));
      } catch (err) {
        failures.push(`${iface.name} ${iface.address}: ${(err as Error).message}`);
        this.logger.warn(`SSDP: cannot use ${iface.name} ${iface.address}: ${(err as Error).message}`);
      }
    }
    if (this.searchSockets.length === 0) {
      throw new Error(
        interfaces.length === 0
          ? 'No network interface to discover on: none is up with multicast and an IPv4 address. Set upnpExplorer.discovery.interfaces (e.g. ["127.0.0.1"] for local simulators).'
          : `Could not open SSDP sockets on any chosen interface (${failures.join('; ')}).`,
      );
    }
    const ok = this.searchSockets.map((s) => s.iface);
    for (const family of [4, 6] as const) {
      const ifs = ok.filter((i) => i.family === family);
      if (ifs.length === 0) continue;
      try {
        this.listeners.push(await this.openListener(family, ifs));
      } catch (err) {
        this.logger.warn(`SSDP: not listening for NOTIFY on IPv${family} port ${SSDP_PORT} (${(err as Error).message}); devices will only be seen when searching, and leaving devices are noticed only when they expire.`);
      }
    }
    this.opened = true;
    this.logger.info(`SSDP: using ${ok.map((i) => `${i.name} ${i.address}`).join(', ')}`);
  }

  /** Sends M-SEARCH on every open interface and resolves after the MX window. */
  async search(options: SearchOptions, token?: CancellationTokenLike): Promise<SearchSummary> {
    if (!this.opened) throw new Error('SSDP discovery is not started.');
    const mx = clampMx(options.mx);
    const before = this.answersDuringSearch;
    let cancelled = false;
    let cancelSubscription: DisposableLike | undefined;
    const cancel = new Promise<void>((resolve) => {
      if (!token) return;
      if (token.isCancellationRequested) resolve();
      cancelSubscription = token.onCancellationRequested(() => resolve());
    }).then(() => { cancelled = true; });
    try {
      return await this.runSearch(options, mx, cancel, () => cancelled, before);
    } finally {
      cancelSubscription?.dispose();
    }
  }

  private async runSearch(options: SearchOptions, mx: number, cancel: Promise<void>, isCancelled: () => boolean, before: number): Promise<SearchSummary> {
    const repeats = Math.max(1, options.repeats ?? 3);
    const spacing = options.spacingMs ?? 150;
    let sent = 0;
    this.logger.info(`M-SEARCH ST=${options.searchTarget} MX=${mx} on ${this.searchSockets.map((s) => s.iface.name + ' ' + s.iface.address).join(', ')} (×${repeats})`);
    for (let r = 0; r < repeats && !isCancelled(); r++) {
      if (r > 0) await Promise.race([delay(spacing), cancel]);
      if (isCancelled()) break;
      for (const s of this.searchSockets) {
        const v6 = s.iface.family === 6;
        const host = v6 ? `[${SSDP_IPV6_LINK_LOCAL_GROUP}]:${SSDP_PORT}` : `${SSDP_IPV4_GROUP}:${SSDP_PORT}`;
        const msg = Buffer.from(formatMSearch({ searchTarget: options.searchTarget, mx, host, userAgent: USER_AGENT_SSDP }), 'latin1');
        const dest = v6 ? `${SSDP_IPV6_LINK_LOCAL_GROUP}%${s.iface.name}` : SSDP_IPV4_GROUP;
        try {
          await new Promise<void>((resolve, reject) => s.socket.send(msg, SSDP_PORT, dest, (err) => (err ? reject(err) : resolve())));
          sent++;
        } catch (err) {
          this.logger.warn(`M-SEARCH on ${s.iface.name} ${s.iface.address} failed: ${(err as Error).message}`);
        }
      }
    }
    // Devices answer within MX seconds of the last copy; allow a little for the network.
    if (!isCancelled()) await Promise.race([delay(mx * 1000 + 300), cancel]);
    return { sent, answers: this.answersDuringSearch - before, interfaces: this.searchSockets.map((s) => s.iface.name), cancelled: isCancelled() };
  }

  async close(): Promise<void> {
    const all = [...this.searchSockets.map((s) => s.socket), ...this.listeners];
    this.queue = [];
    this.queueHead = 0;
    this.searchSockets = [];
    this.listeners = [];
    this.opened = false;
    await Promise.all(all.map((s) => new Promise<void>((resolve) => {
      try { s.close(() => resolve()); } catch { resolve(); }
    })));
  }

  dispose(): void {
    void this.close();
    this.sightingEmitter.dispose();
  }

  private openSearchSocket(iface: SsdpInterface): Promise<SearchSocket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: iface.family === 6 ? 'udp6' : 'udp4' });
      const bindAddress = iface.family === 6 ? `${iface.address}%${iface.name}` : iface.address;
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.on('message', (buf, rinfo) => this.enqueue(buf, rinfo, 'search', iface));
      socket.bind({ address: bindAddress, port: 0, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.logger.warn(`SSDP socket on ${iface.name}: ${err.message}`));
        this.receiveBufferBytes = growReceiveBuffer(socket, this.logger, `${iface.name} ${iface.address}`);
        try {
          socket.setMulticastInterface(iface.family === 6 ? `::%${iface.name}` : iface.address);
          socket.setMulticastTTL(2); // UDA 1.1: TTL 2 by default
          socket.setMulticastLoopback(true); // devices on this same host (simulators) must hear us
        } catch (err) {
          socket.close();
          reject(err as Error);
          return;
        }
        socket.unref();
        resolve({ iface, socket });
      });
    });
  }

  private openListener(family: 4 | 6, ifaces: readonly SsdpInterface[]): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.on('message', (buf, rinfo) => this.enqueue(buf, rinfo, 'notify', ifaces));
      socket.bind({ port: SSDP_PORT, address: family === 6 ? '::' : '0.0.0.0' }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.logger.warn(`SSDP listener: ${err.message}`));
        growReceiveBuffer(socket, this.logger, `the IPv${family} listener`);
        let joined = 0;
        for (const i of ifaces) {
          try {
            if (family === 6) socket.addMembership(SSDP_IPV6_LINK_LOCAL_GROUP, `::%${i.name}`);
            else socket.addMembership(SSDP_IPV4_GROUP, i.address);
            joined++;
          } catch (err) {
            this.logger.warn(`SSDP: cannot join the multicast group on ${i.name} ${i.address}: ${(err as Error).message}`);
          }
        }
        if (joined === 0) {
          socket.close();
          reject(new Error('could not join the SSDP multicast group on any interface'));
          return;
        }
        socket.unref();
        resolve(socket);
      });
    });
  }

  private interfaceFor(remote: string, ifaces: readonly SsdpInterface[]): SsdpInterface | undefined {
    const plain = remote.replace(/^::ffff:/, '');
    if (plain.startsWith('127.')) return ifaces.find((i) => i.internal && i.family === 4);
    const zone = /%(.+)$/.exec(remote)?.[1];
    if (zone) return ifaces.find((i) => i.name === zone || String(i.scopeId) === zone);
    return ifaces.find((i) => onSubnet(i, plain)) ?? (ifaces.length === 1 ? ifaces[0] : undefined);
  }

  private enqueue(buf: Buffer, rinfo: dgram.RemoteInfo, via: 'search' | 'notify', where: SsdpInterface | readonly SsdpInterface[] | undefined): void {
    this.received++;
    const length = this.queue.length - this.queueHead;
    if (length >= MAX_QUEUED_DATAGRAMS) {
      this.dropped++;
      return;
    }
    const iface = Array.isArray(where) ? this.interfaceFor(rinfo.address, where) : where as SsdpInterface | undefined;
    this.queue.push({ buf, rinfo, via, iface });
    if (length + 1 > this.maxQueued) this.maxQueued = length + 1;
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Handles queued datagrams for at most DRAIN_SLICE_MS, then lets other work (and the sockets) run. */
  private drain(): void {
    const deadline = performance.now() + DRAIN_SLICE_MS;
    let n = 0;
    while (this.queueHead < this.queue.length) {
      const d = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as QueuedDatagram;
      try {
        this.handleDatagram(d.buf, d.rinfo, d.via, d.iface);
      } catch (err) {
        this.logger.error(`SSDP: a datagram from ${d.rinfo.address}:${d.rinfo.port} could not be handled: ${(err as Error).message}`);
      }
      if ((++n & 31) === 0 && performance.now() > deadline) break;
    }
    if (this.queueHead >= this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
      this.draining = false;
      return;
    }
    if (this.queueHead > 4096) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    setImmediate(() => this.drain());
  }

  private handleDatagram(buf: Buffer, rinfo: dgram.RemoteInfo, via: 'search' | 'notify', iface: SsdpInterface | undefined): void {
    let advertisement: Advertisement;
    try {
      const msg = parseSsdpMessage(buf);
      if (via === 'notify' && msg.start.kind !== 'notify') return; // our own and others' M-SEARCHes
      const ad = toAdvertisement(msg);
      if ('error' in ad) {
        this.logger.debug(`SSDP from ${rinfo.address}:${rinfo.port} ignored: ${ad.error}`);
        return;
      }
      advertisement = ad;
    } catch (err) {
      if (err instanceof SsdpParseError) {
        this.logger.debug(`SSDP from ${rinfo.address}:${rinfo.port} ignored: ${err.message}`);
        return;
      }
      throw err;
    }
    if (via === 'search') this.answersDuringSearch++;
    this.logger.trace(`SSDP ${advertisement.type} ${advertisement.usn} from ${rinfo.address}:${rinfo.port}${advertisement.location ? ' LOCATION ' + advertisement.location : ''}`);
    this.sightingEmitter.fire({ advertisement, via, remoteAddress: rinfo.address, remotePort: rinfo.port, ...(iface ? { interface: iface } : {}) });
  }
}

/** Asks for RECEIVE_BUFFER_BYTES; returns what the kernel granted (and says so when it is less). */
function growReceiveBuffer(socket: dgram.Socket, logger: Logger, what: string): number {
  try {
    socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
  } catch (err) {
    logger.debug(`SSDP: could not enlarge the receive buffer on ${what}: ${(err as Error).message}`);
  }
  let granted = 0;
  try {
    granted = socket.getRecvBufferSize();
  } catch {
    return 0;
  }
  // Linux reports twice what it reserves for data; below the ask, the system limit capped it.
  if (granted < RECEIVE_BUFFER_BYTES) {
    logger.info(`SSDP: receive buffer on ${what} is ${Math.round(granted / 1024)} KiB (asked ${RECEIVE_BUFFER_BYTES / 1024} KiB; net.core.rmem_max caps it). In a crowd of devices, raise it so no answer is dropped.`);
  }
  return granted;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
