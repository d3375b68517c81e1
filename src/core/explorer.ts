// The protocol core as one object: SSDP discovery feeding the device registry, configured by
// plain settings. The VS Code host builds one of these; so do tests, the benchmark and scripts.
import type { CancellationTokenLike, DisposableLike, EventLike, Logger } from './util/events';
import { silentLogger } from './util/events';
import { SsdpDiscovery } from './ssdp/discovery';
import { selectInterfaces } from './ssdp/interfaces';
import { clampMx, validateSearchTarget } from './ssdp/message';
import { DEFAULT_MAX_DEVICES, DeviceRegistry } from './registry/registry';
import type { DeviceLimitReached, RegistryOptions } from './registry/registry';
import type { ReceiveStats } from './ssdp/discovery';
import type { TrafficRecord } from './ssdp/traffic';
import type { DeviceRemoved, DiscoveredDevice } from './registry/types';

export interface ExplorerSettings {
  /** `ssdp:all`, `upnp:rootdevice`, `uuid:…`, `urn:…:device:…:v` or `urn:…:service:…:v`. */
  readonly searchTarget: string;
  /** 1..5 seconds. */
  readonly mx: number;
  /** Addresses or interface names; empty = every up, multicast-capable IPv4 interface (loopback only if no other). */
  readonly interfaces: readonly string[];
  readonly ipv6: boolean;
  readonly httpTimeoutMs: number;
  /** Devices known or being described at most (announcements of more are ignored). Default 500. */
  readonly maxDevices?: number;
}

export const DEFAULT_SETTINGS: ExplorerSettings = { searchTarget: 'ssdp:all', mx: 2, interfaces: [], ipv6: false, httpTimeoutMs: 10_000, maxDevices: DEFAULT_MAX_DEVICES };

export interface SearchResult {
  /** M-SEARCH answers received during the window (one device sends several). */
  readonly responses: number;
  readonly interfaces: readonly string[];
  readonly cancelled: boolean;
}

export interface ActiveInterface {
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
}

export class UpnpExplorer implements DisposableLike {
  private readonly discovery: SsdpDiscovery;
  private readonly registry: DeviceRegistry;
  private settings: ExplorerSettings;
  private readonly subscriptions: DisposableLike[] = [];

  readonly onDidAddDevice: EventLike<DiscoveredDevice>;
  readonly onDidChangeDevice: EventLike<DiscoveredDevice>;
  readonly onDidRemoveDevice: EventLike<DeviceRemoved>;
  /** Once, when the device cap first makes the explorer ignore an announcement. */
  readonly onDidReachLimit: EventLike<DeviceLimitReached>;

  constructor(settings: ExplorerSettings = DEFAULT_SETTINGS, private readonly logger: Logger = silentLogger, registryOptions: Omit<RegistryOptions, 'logger' | 'httpTimeoutMs'> = {}) {
    this.settings = settings;
    this.discovery = new SsdpDiscovery(logger);
    this.registry = new DeviceRegistry({ maxDevices: settings.maxDevices ?? DEFAULT_MAX_DEVICES, ...registryOptions, logger, httpTimeoutMs: settings.httpTimeoutMs });
    this.onDidAddDevice = this.registry.onDidAddDevice;
    this.onDidChangeDevice = this.registry.onDidChangeDevice;
    this.onDidRemoveDevice = this.registry.onDidRemoveDevice;
    this.onDidReachLimit = this.registry.onDidReachLimit;
    this.subscriptions.push(this.discovery.onSighting((s) => this.registry.handleSighting(s)));
  }

  private readonly trafficListeners = new Set<(record: TrafficRecord) => void>();

  /**
   * Every SSDP datagram the sockets read, as a record (the traffic view). The discovery only
   * builds records while at least one listener is there.
   */
  onTraffic(listener: (record: TrafficRecord) => void): DisposableLike {
    this.trafficListeners.add(listener);
    this.discovery.trafficTap = (record) => { for (const l of this.trafficListeners) l(record); };
    return {
      dispose: () => {
        this.trafficListeners.delete(listener);
        if (this.trafficListeners.size === 0) this.discovery.trafficTap = undefined;
      },
    };
  }

  /** Opens the SSDP sockets. Rejects with a message naming the setting to change when nothing can be used. */
  async start(): Promise<void> {
    const { selected, problems } = selectInterfaces(this.settings.interfaces, this.settings.ipv6);
    for (const p of problems) this.logger.warn(p);
    if (selected.length === 0 && this.settings.interfaces.length > 0) {
      throw new Error(`None of the interfaces in upnpExplorer.discovery.interfaces can be used. ${problems.join(' ')}`);
    }
    await this.discovery.open(selected);
  }

  async updateSettings(settings: ExplorerSettings): Promise<void> {
    const old = this.settings;
    this.settings = settings;
    this.registry.httpTimeout = settings.httpTimeoutMs;
    this.registry.deviceLimit = settings.maxDevices ?? DEFAULT_MAX_DEVICES;
    const socketsChanged = old.ipv6 !== settings.ipv6 || old.interfaces.join('\n') !== settings.interfaces.join('\n');
    if (socketsChanged) await this.start();
  }

  get isStarted(): boolean {
    return this.discovery.isOpen;
  }

  async search(options: { searchTarget?: string; mx?: number } = {}, token?: CancellationTokenLike): Promise<SearchResult> {
    const searchTarget = (options.searchTarget ?? this.settings.searchTarget).trim() || 'ssdp:all';
    const bad = validateSearchTarget(searchTarget);
    if (bad) throw new Error(bad);
    if (!this.discovery.isOpen) await this.start();
    const summary = await this.discovery.search({ searchTarget, mx: clampMx(options.mx ?? this.settings.mx) }, token);
    this.logger.info(`Search ${searchTarget} done: ${summary.answers} answers on ${summary.interfaces.join(', ')}${summary.cancelled ? ' (cancelled)' : ''}; ${this.registry.devices.length} devices known`);
    return { responses: summary.answers, interfaces: summary.interfaces, cancelled: summary.cancelled };
  }

  addByUrl(url: string): Promise<DiscoveredDevice> {
    return this.registry.addByUrl(url);
  }

  get devices(): readonly DiscoveredDevice[] {
    return this.registry.devices;
  }

  get(key: string): DiscoveredDevice | undefined {
    return this.registry.get(key);
  }

  remove(key: string): void {
    this.registry.remove(key);
  }

  refresh(key: string): Promise<void> {
    return this.registry.refresh(key);
  }

  /** The device cap, devices known, and announcements ignored because of it. */
  get limitStats(): DeviceLimitReached {
    return this.registry.limitStats;
  }

  /** Sizes of the registry's indexes (devices, UDNs, LOCATIONs, expiry queue): all bounded by the device cap. */
  get registryStats(): DeviceRegistry['indexStats'] {
    return this.registry.indexStats;
  }

  /** Datagrams received and dropped by the SSDP receive path, and the kernel buffer granted. */
  get receiveStats(): ReceiveStats {
    return this.discovery.receiveStats;
  }

  get activeInterfaces(): readonly ActiveInterface[] {
    return this.discovery.interfaces.map((i) => ({ name: i.name, address: i.address, family: i.family }));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.discovery.dispose();
    this.registry.dispose();
  }
}
