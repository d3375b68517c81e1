// SSDP control-point side: one search socket per chosen interface (M-SEARCH goes out there and
// unicast answers come back to it) and one passive listener on port 1900 joined to the group on
// every chosen interface (NOTIFY alive / byebye / update).
//
// The sockets live on a thread of their own (./socketThread.ts), whose event loop only reads
// them, so a crowd's burst of answers is taken off the kernel's buffer at once even while this
// thread is busy; datagrams come over in batches, are queued, and are parsed and handed to the
// registry here in slices of a few milliseconds.
//
// Why not node-ssdp's Client here: it hard-codes `MX: 3`, skips loopback interfaces, is IPv4-only,
// drops `ssdp:update`, and answers arrive on the same socket it listens for NOTIFY on. See README.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Emitter } from '../util/events';
import type { CancellationTokenLike, DisposableLike, EventLike, Logger } from '../util/events';
import { silentLogger } from '../util/events';
import type { Advertisement } from './message';
import { SSDP_IPV4_GROUP, SSDP_IPV6_LINK_LOCAL_GROUP, SSDP_PORT, SsdpParseError, clampMx, formatMSearch, parseSsdpMessage, toAdvertisement } from './message';
import { toTrafficRecord } from './traffic';
import type { TrafficRecord } from './traffic';
import type { SsdpInterface } from './interfaces';
import { onSubnet } from './interfaces';
import type { FromThread, ThreadDatagram, ToThread } from './socketThread';

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

/**
 * Receive buffer asked for on every SSDP socket. A crowd answering one search sends thousands of
 * datagrams within MX (1,000 devices × 5 answers × 3 M-SEARCH copies, each taking about 1.3 KB of
 * buffer); the default (about 200 KB) holds some 160. Linux caps the request at net.core.rmem_max.
 */
export const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
/** Datagrams (and bytes) waiting to be handled at most; more are dropped (and counted). */
const MAX_QUEUED_DATAGRAMS = 50_000;
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** Longest stretch of datagram handling before other work gets a turn, ms. */
const DRAIN_SLICE_MS = 8;

interface QueuedDatagram {
  readonly item: ThreadDatagram;
  readonly via: 'search' | 'notify';
}

export interface ReceiveStats {
  /** Datagrams received. */
  readonly received: number;
  /** Dropped because a queue was full (the kernel's own drops are in RcvbufErrors). */
  readonly dropped: number;
  /** Dropped for being longer than any SSDP message (MAX_DATAGRAM_BYTES). */
  readonly oversize: number;
  /** Largest queue length seen. */
  readonly maxQueued: number;
  /** Receive buffer the kernel granted on the search sockets, bytes (0 before `open`). */
  readonly receiveBufferBytes: number;
}

/** The script of the socket thread: next to the bundle (dist/ssdpThread.js), or the source under tsx. */
function socketThreadScript(): string {
  for (const name of ['ssdpThread.js', 'socketThread.js', 'socketThread.ts']) {
    const file = join(__dirname, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`The SSDP socket thread's script is missing next to ${__dirname} (ssdpThread.js); reinstall the extension.`);
}

/** The main thread's side of the socket thread: commands out, datagrams and answers in. */
class SocketThread {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly sends = new Map<number, (error: string | undefined) => void>();
  private openWaiter: ((m: Extract<FromThread, { type: 'opened' }>) => void) | undefined;
  private closeWaiter: (() => void) | undefined;
  private failed: Error | undefined;
  /** Commands awaiting an answer: while there are any, the thread keeps the process alive. */
  private waiting = 0;

  constructor(private readonly onDatagrams: (items: readonly ThreadDatagram[], dropped: number, oversize: number) => void, private readonly logger: Logger) {
    const script = socketThreadScript();
    // Under tsx (tests, benchmarks, scripts run from source) a worker needs tsx's loader itself.
    this.worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true })
      : new Worker(script);
    this.worker.unref();
    this.worker.on('message', (m: FromThread) => this.onMessage(m));
    this.worker.on('error', (err) => {
      this.failed = err;
      this.logger.error(`SSDP: the socket thread failed: ${err.message}`);
      for (const done of this.sends.values()) done(err.message);
      this.sends.clear();
      this.openWaiter?.({ type: 'opened', sockets: [], failures: [`the socket thread failed (${err.message})`], listenerProblems: [], receiveBufferBytes: 0 });
      this.openWaiter = undefined;
      this.closeWaiter?.();
    });
  }

  open(interfaces: readonly SsdpInterface[]): Promise<Extract<FromThread, { type: 'opened' }>> {
    if (this.failed) return Promise.reject(this.failed);
    return this.awaiting(new Promise((resolve) => {
      this.openWaiter = resolve;
      this.post({
        type: 'open',
        interfaces: interfaces.map((i) => ({ name: i.name, address: i.address, family: i.family })),
        receiveBufferBytes: RECEIVE_BUFFER_BYTES,
        port: SSDP_PORT,
        group4: SSDP_IPV4_GROUP,
        group6: SSDP_IPV6_LINK_LOCAL_GROUP,
      });
    }));
  }

  send(socket: number, data: Buffer, port: number, address: string): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return this.awaiting(new Promise((resolve, reject) => {
      this.sends.set(id, (error) => (error ? reject(new Error(error)) : resolve()));
      this.post({ type: 'send', id, socket, data, port, address });
    }));
  }

  ack(count: number, bytes: number): void {
    if (!this.failed) this.post({ type: 'ack', count, bytes });
  }

  close(): Promise<void> {
    if (this.failed) return Promise.resolve();
    return this.awaiting(new Promise((resolve) => {
      this.closeWaiter = resolve;
      this.post({ type: 'close' });
    }));
  }

  /** Keeps the process alive until `promise` settles (the thread is otherwise unref'd, like a socket). */
  private awaiting<T>(promise: Promise<T>): Promise<T> {
    if (this.waiting++ === 0) this.worker.ref();
    return promise.finally(() => {
      if (--this.waiting === 0) this.worker.unref();
    });
  }

  terminate(): void {
    void this.worker.terminate();
  }

  private post(message: ToThread): void {
    this.worker.postMessage(message);
  }

  private onMessage(m: FromThread): void {
    switch (m.type) {
      case 'opened': this.openWaiter?.(m); this.openWaiter = undefined; break;
      case 'datagrams': this.onDatagrams(m.items, m.dropped, m.oversize); break;
      case 'sent': this.sends.get(m.id)?.(m.error); this.sends.delete(m.id); break;
      case 'warning': this.logger.warn(m.message); break;
      case 'closed': this.closeWaiter?.(); this.closeWaiter = undefined; break;
    }
  }
}

export class SsdpDiscovery implements DisposableLike {
  private readonly sightingEmitter = new Emitter<Sighting>();
  readonly onSighting: EventLike<Sighting> = this.sightingEmitter.event;
  /**
   * Every SSDP datagram read (NOTIFYs, anyone's M-SEARCHes, answers), parsed, before it is judged:
   * for the traffic view. Set while somebody records; nothing is built otherwise.
   */
  trafficTap: ((record: TrafficRecord) => void) | undefined;
  private trafficSeq = 0;

  private thread: SocketThread | undefined;
  /** Interfaces with an open search socket, by the socket's index in the thread. */
  private sockets: { readonly index: number; readonly iface: SsdpInterface }[] = [];
  /** The same, by the socket's index (each answer looks its interface up). */
  private searchInterfaces = new Map<number, SsdpInterface>();
  private listening: readonly SsdpInterface[] = [];
  private answersDuringSearch = 0;
  private opened = false;
  private queue: QueuedDatagram[] = [];
  private queueHead = 0;
  private draining = false;
  private received = 0;
  private dropped = 0;
  private oversize = 0;
  private queuedBytes = 0;
  private maxQueued = 0;
  private receiveBufferBytes = 0;

  constructor(private readonly logger: Logger = silentLogger) {}

  get interfaces(): readonly SsdpInterface[] {
    return this.sockets.map((s) => s.iface);
  }

  get isOpen(): boolean {
    return this.opened;
  }

  get receiveStats(): ReceiveStats {
    return { received: this.received, dropped: this.dropped, oversize: this.oversize, maxQueued: this.maxQueued, receiveBufferBytes: this.receiveBufferBytes };
  }

  /**
   * Opens sockets on the given interfaces. Interfaces that fail are logged and skipped; it rejects
   * only when no interface could be opened at all. Passive listening on port 1900 is best effort
   * (another program may hold the port without SO_REUSEADDR): searching still works without it.
   */
  async open(interfaces: readonly SsdpInterface[]): Promise<void> {
    await this.close();
    this.thread ??= new SocketThread((items, dropped, oversize) => this.enqueue(items, dropped, oversize), this.logger);
    const result = await this.thread.open(interfaces);
    for (const failure of result.failures) this.logger.warn(`SSDP: cannot use ${failure}`);
    this.sockets = result.sockets.map((index) => ({ index, iface: interfaces[index]! }));
    this.searchInterfaces = new Map(this.sockets.map((s) => [s.index, s.iface]));
    if (this.sockets.length === 0) {
      throw new Error(
        interfaces.length === 0
          ? 'No network interface to discover on: none is up with multicast and an IPv4 address. Set upnpExplorer.discovery.interfaces (e.g. ["127.0.0.1"] for local simulators).'
          : `Could not open SSDP sockets on any chosen interface (${result.failures.join('; ')}).`,
      );
    }
    for (const problem of result.listenerProblems) {
      this.logger.warn(`SSDP: not listening for NOTIFY on ${problem}; devices will only be seen when searching, and leaving devices are noticed only when they expire.`);
    }
    this.listening = this.sockets.map((s) => s.iface);
    this.receiveBufferBytes = result.receiveBufferBytes;
    // Linux reports twice what it grants for payload (it counts its bookkeeping too).
    const kib = Math.round(result.receiveBufferBytes / 1024);
    if (result.receiveBufferBytes < RECEIVE_BUFFER_BYTES) {
      this.logger.warn(`SSDP: the receive buffer is ${kib} KiB (asked ${RECEIVE_BUFFER_BYTES / 1024} KiB; net.core.rmem_max caps it). In a crowd of devices answers may be dropped; raise net.core.rmem_max to keep them.`);
    } else {
      this.logger.info(`SSDP: receive buffer ${kib} KiB (asked ${RECEIVE_BUFFER_BYTES / 1024} KiB).`);
    }
    this.opened = true;
    this.logger.info(`SSDP: using ${this.interfaces.map((i) => `${i.name} ${i.address}`).join(', ')}`);
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
    this.logger.info(`M-SEARCH ST=${options.searchTarget} MX=${mx} on ${this.sockets.map((s) => s.iface.name + ' ' + s.iface.address).join(', ')} (×${repeats})`);
    for (let r = 0; r < repeats && !isCancelled(); r++) {
      if (r > 0) await Promise.race([delay(spacing), cancel]);
      if (isCancelled()) break;
      for (const s of this.sockets) {
        const v6 = s.iface.family === 6;
        const host = v6 ? `[${SSDP_IPV6_LINK_LOCAL_GROUP}]:${SSDP_PORT}` : `${SSDP_IPV4_GROUP}:${SSDP_PORT}`;
        const msg = Buffer.from(formatMSearch({ searchTarget: options.searchTarget, mx, host, userAgent: USER_AGENT_SSDP }), 'latin1');
        const dest = v6 ? `${SSDP_IPV6_LINK_LOCAL_GROUP}%${s.iface.name}` : SSDP_IPV4_GROUP;
        try {
          await this.thread!.send(s.index, msg, SSDP_PORT, dest);
          sent++;
        } catch (err) {
          this.logger.warn(`M-SEARCH on ${s.iface.name} ${s.iface.address} failed: ${(err as Error).message}`);
        }
      }
    }
    // Devices answer within MX seconds of the last copy; allow a little for the network.
    if (!isCancelled()) await Promise.race([delay(mx * 1000 + 300), cancel]);
    return { sent, answers: this.answersDuringSearch - before, interfaces: this.sockets.map((s) => s.iface.name), cancelled: isCancelled() };
  }

  async close(): Promise<void> {
    const wasOpen = this.opened || this.sockets.length > 0;
    this.sockets = [];
    this.searchInterfaces = new Map();
    this.listening = [];
    this.opened = false;
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    if (wasOpen) await this.thread?.close();
  }

  dispose(): void {
    void this.close().finally(() => this.thread?.terminate());
    this.sightingEmitter.dispose();
  }

  /** Takes a batch from the socket thread: only queues (O(1) each); drain() does the work. */
  private enqueue(items: readonly ThreadDatagram[], threadDropped: number, oversize: number): void {
    this.received += items.length;
    this.dropped += threadDropped;
    this.oversize += oversize;
    let bytes = 0;
    for (const item of items) {
      bytes += item.data.byteLength;
      const length = this.queue.length - this.queueHead;
      if (length >= MAX_QUEUED_DATAGRAMS || this.queuedBytes + item.data.byteLength > MAX_QUEUED_BYTES) {
        this.dropped++;
        continue;
      }
      this.queuedBytes += item.data.byteLength;
      this.queue.push({ item, via: item.socket >= 0 ? 'search' : 'notify' });
      if (length + 1 > this.maxQueued) this.maxQueued = length + 1;
    }
    this.thread?.ack(items.length, bytes);
    if (!this.draining && this.queueHead < this.queue.length) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** Handles queued datagrams for at most DRAIN_SLICE_MS, then lets other work run. */
  private drain(): void {
    const deadline = performance.now() + DRAIN_SLICE_MS;
    let n = 0;
    while (this.queueHead < this.queue.length) {
      const d = this.queue[this.queueHead]!;
      this.queue[this.queueHead++] = undefined as unknown as QueuedDatagram;
      this.queuedBytes -= d.item.data.byteLength;
      try {
        const iface = d.via === 'search' ? this.searchInterfaces.get(d.item.socket) : this.interfaceFor(d.item.address, this.listening);
        this.handleDatagram(Buffer.from(d.item.data.buffer, d.item.data.byteOffset, d.item.data.byteLength), d.item.address, d.item.port, d.via, iface);
      } catch (err) {
        this.logger.error(`SSDP: a datagram from ${d.item.address}:${d.item.port} could not be handled: ${(err as Error).message}`);
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

  private interfaceFor(remote: string, ifaces: readonly SsdpInterface[]): SsdpInterface | undefined {
    const plain = remote.replace(/^::ffff:/, '');
    if (plain.startsWith('127.')) return ifaces.find((i) => i.internal && i.family === 4);
    const zone = /%(.+)$/.exec(remote)?.[1];
    if (zone) return ifaces.find((i) => i.name === zone || String(i.scopeId) === zone);
    return ifaces.find((i) => onSubnet(i, plain)) ?? (ifaces.length === 1 ? ifaces[0] : undefined);
  }

  private handleDatagram(buf: Buffer, address: string, port: number, via: 'search' | 'notify', iface: SsdpInterface | undefined): void {
    let advertisement: Advertisement;
    try {
      const msg = parseSsdpMessage(buf);
      if (this.trafficTap) this.trafficTap(toTrafficRecord(++this.trafficSeq, Date.now(), msg, buf.toString('latin1'), address, port, iface ? `${iface.name} ${iface.address}` : undefined));
      if (via === 'notify' && msg.start.kind !== 'notify') return; // our own and others' M-SEARCHes
      const ad = toAdvertisement(msg);
      if ('error' in ad) {
        this.logger.debug(`SSDP from ${address}:${port} ignored: ${ad.error}`);
        return;
      }
      advertisement = ad;
    } catch (err) {
      if (err instanceof SsdpParseError) {
        this.logger.debug(`SSDP from ${address}:${port} ignored: ${err.message}`);
        return;
      }
      throw err;
    }
    if (via === 'search') this.answersDuringSearch++;
    this.logger.trace(`SSDP ${advertisement.type} ${advertisement.usn} from ${address}:${port}${advertisement.location ? ' LOCATION ' + advertisement.location : ''}`);
    this.sightingEmitter.fire({ advertisement, via, remoteAddress: address, remotePort: port, ...(iface ? { interface: iface } : {}) });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
