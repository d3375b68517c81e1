// The device registry: turns SSDP sightings and "add by URL" into described devices. One entry per
// root device, found by any UDN in its tree or by its LOCATION, so a device that answers several
// search targets, or is seen on several interfaces, appears once.
//
// Announcements come by the thousand (a crowd answering one search, each device several times,
// or a flood), so every sighting is O(1): entries are found through indexes by UDN and LOCATION,
// never by scanning; expiry is kept in a heap, not found by visiting every device each second;
// what one device can make us keep (USNs, UDNs, LOCATIONs, problems) is bounded; and the number of
// devices known or being described is capped (`maxDevices`), with one warning when the cap bites.
// Descriptions and SCPDs are fetched through a HostScheduler, so a device that stalls holds up
// nobody else; a device has at most one description under way (announcements while it runs ask
// for at most one more), and one that failed is retried on re-announcement ever less often.
import { Emitter } from '../util/events';
import type { DisposableLike, EventLike, Logger } from '../util/events';
import { silentLogger } from '../util/events';
import { fetchBytes } from '../http/fetch';
import { HostScheduler, SchedulerError } from '../http/hostScheduler';
import type { HostSchedulerOptions } from '../http/hostScheduler';
import { decodeText } from '../xml/xml';
import { MAX_PROBLEMS, readDeviceDescription } from '../description/device';
import { readScpd } from '../description/scpd';
import { offDeviceUrls } from '../description/offDevice';
import type { DeviceDescription, Problem, RootDescription } from '../description/model';
import type { Sighting } from '../ssdp/discovery';
import type { DeviceRemoved, DiscoveredDevice, RemovalReason, ServiceState } from './types';
import { ExpiryQueue } from './expiryQueue';

export interface RegistryOptions {
  readonly logger?: Logger;
  readonly httpTimeoutMs?: number;
  /** Cap for description and SCPD bodies. Default 1 MiB. */
  readonly maxDocumentBytes?: number;
  /** Devices known or being described at most; announcements of further devices are ignored. Default 500. */
  readonly maxDevices?: number;
  /** How fetches are shared between hosts (slots, per host, patience). */
  readonly scheduler?: HostSchedulerOptions;
  /** Clock, for tests of expiry. */
  readonly now?: () => number;
  /** How often expiry is checked, ms. Default 1000. */
  readonly sweepIntervalMs?: number;
  /**
   * A device in error that re-announces is described again after this long, ms; the wait doubles
   * with each failure in a row (at most 32 times this). Default 30 000.
   */
  readonly retryAfterErrorMs?: number;
  /**
   * When the device cap first bites, the one warning waits this long (ms) so that the count of
   * ignored announcements it names covers the burst that caused it. 0 = warn at once. Default 1000.
   */
  readonly limitWarningDelayMs?: number;
}

/** The cap on devices bit: announcements of new devices are being ignored. */
export interface DeviceLimitReached {
  readonly limit: number;
  /** Devices known or being described. */
  readonly known: number;
  /** Announcements of devices beyond the cap ignored so far. */
  readonly ignored: number;
}

interface Entry {
  device: DiscoveredDevice;
  /** Every UDN in the device tree, and the USN's before the description arrives (as written). */
  udns: Set<string>;
  /** Bumped on every (re)description, so late answers of an older one are dropped. */
  generation: number;
  lastAttempt: number;
  /** Descriptions that failed in a row (spaces out the retries). */
  failures: number;
  /** The description under way, and the one asked for while it runs (at most one more). */
  running: Promise<void> | undefined;
  rerun: Promise<void> | undefined;
  /** The first MAX_PROBLEMS problems of the description and SCPDs; `device.problems` adds a count of the rest. */
  problems: Problem[];
  problemsLeftOut: number;
  /** Characters of document text (description, SCPDs) this entry keeps; see keepText. */
  keptText: number;
  /** Whether the device was told that some of its text is not kept (once per description). */
  toldTextDropped: boolean;
}

export const DEFAULT_MAX_DEVICES = 500;
/** USNs (and UDNs) and LOCATIONs kept per device: a real one has a handful of each. */
export const MAX_USNS = 64;
export const MAX_LOCATIONS = 8;
/**
 * Document text kept for "open as XML", per device and in all (characters). Real devices send tens
 * of kilobytes; a device serving 256 SCPDs of 1 MiB each must not make us keep a quarter gigabyte.
 * Beyond these, a document is still read (its services and actions appear) but its text is dropped.
 */
export const MAX_KEPT_TEXT_PER_DEVICE = 2 * 1024 * 1024;
export const MAX_KEPT_TEXT = 64 * 1024 * 1024;
/** Retries of a failing device are spaced out up to this many times retryAfterErrorMs. */
const MAX_RETRY_FACTOR = 32;

export const DEFAULT_MAX_DOCUMENT_BYTES = 1024 * 1024;

export class DeviceRegistry implements DisposableLike {
  private readonly addEmitter = new Emitter<DiscoveredDevice>();
  private readonly changeEmitter = new Emitter<DiscoveredDevice>();
  private readonly removeEmitter = new Emitter<DeviceRemoved>();
  private readonly limitEmitter = new Emitter<DeviceLimitReached>();
  readonly onDidAddDevice: EventLike<DiscoveredDevice> = this.addEmitter.event;
  readonly onDidChangeDevice: EventLike<DiscoveredDevice> = this.changeEmitter.event;
  readonly onDidRemoveDevice: EventLike<DeviceRemoved> = this.removeEmitter.event;
  /** Fired once, the first time the device cap makes the registry ignore an announcement. */
  readonly onDidReachLimit: EventLike<DeviceLimitReached> = this.limitEmitter.event;

  private readonly entries = new Map<string, Entry>();
  /** Lower-cased UDN -> the entry whose tree holds it. */
  private readonly byUdn = new Map<string, Entry>();
  private readonly byLocation = new Map<string, Entry>();
  /** SSDP devices by when their announcement expires (re-announcements move them lazily, in sweep). */
  private readonly expiry = new ExpiryQueue<Entry>();
  /** Characters of document text kept over all entries. */
  private keptText = 0;
  private nextId = 1;
  private readonly logger: Logger;
  private readonly now: () => number;
  private httpTimeoutMs: number;
  private readonly maxBytes: number;
  private maxDevices: number;
  private ignored = 0;
  private warnedLimit = false;
  private limitTimer: NodeJS.Timeout | undefined;
  private readonly limitWarningDelayMs: number;
  private readonly retryAfterErrorMs: number;
  private readonly scheduler: HostScheduler;
  private readonly sweepTimer: NodeJS.Timeout;

  constructor(options: RegistryOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.httpTimeoutMs = options.httpTimeoutMs ?? 10_000;
    this.maxBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    this.maxDevices = Math.max(1, options.maxDevices ?? DEFAULT_MAX_DEVICES);
    this.retryAfterErrorMs = options.retryAfterErrorMs ?? 30_000;
    this.limitWarningDelayMs = options.limitWarningDelayMs ?? 1000;
    this.scheduler = new HostScheduler(options.scheduler);
    this.sweepTimer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 1000);
    this.sweepTimer.unref();
  }

  set httpTimeout(ms: number) {
    this.httpTimeoutMs = ms;
  }

  /** Changes the device cap; devices already known stay. The warning is still given once at most. */
  set deviceLimit(limit: number) {
    this.maxDevices = Math.max(1, limit);
  }

  /** The cap, how many devices are known, and how many announcements it made us ignore. */
  get limitStats(): DeviceLimitReached {
    return { limit: this.maxDevices, known: this.entries.size, ignored: this.ignored };
  }

  /** Sizes of the registry's indexes (for tests and the log): each is bounded by the device cap. */
  get indexStats(): { readonly devices: number; readonly udns: number; readonly locations: number; readonly expiring: number } {
    return { devices: this.entries.size, udns: this.byUdn.size, locations: this.byLocation.size, expiring: this.expiry.size };
  }

  get devices(): readonly DiscoveredDevice[] {
    return [...this.entries.values()].map((e) => e.device);
  }

  get(key: string): DiscoveredDevice | undefined {
    return this.entries.get(key)?.device;
  }

  /** Feeds one SSDP sighting (M-SEARCH answer or NOTIFY). O(1). */
  handleSighting(s: Sighting): void {
    const ad = s.advertisement;
    if (ad.type === 'byebye') {
      const entry = this.findByUdn(ad.udn);
      // Only the root device's byebye removes the device: embedded devices and services leave with it.
      if (entry && (entry.device.udn === undefined || entry.device.udn === ad.udn || !entry.device.description)) {
        this.logger.info(`${label(entry.device)} said byebye (${ad.usn})`);
        this.delete(entry, 'byebye');
      }
      return;
    }
    const location = ad.location!;
    const now = this.now();
    const expiresAt = now + (ad.maxAgeSeconds ?? 1800) * 1000;
    let entry = this.findByUdn(ad.udn) ?? this.byLocation.get(location);
    if (!entry) {
      if (!this.admit(location)) return;
      const device: DiscoveredDevice = {
        key: `d${this.nextId++}`,
        ...(ad.target === 'upnp:rootdevice' ? { udn: ad.udn } : {}),
        location,
        locations: [location],
        usns: [ad.usn],
        ...(ad.server ? { server: ad.server } : {}),
        remoteAddress: s.remoteAddress,
        ...(s.interface ? { localAddress: s.interface.address } : {}),
        source: 'ssdp',
        ...(ad.maxAgeSeconds !== undefined ? { maxAgeSeconds: ad.maxAgeSeconds } : {}),
        expiresAt,
        ...(ad.bootId ? { bootId: ad.bootId } : {}),
        ...(ad.configId ? { configId: ad.configId } : {}),
        status: 'describing',
        services: [],
        problems: [],
        firstSeen: now,
        lastSeen: now,
      };
      entry = this.insert(device);
      this.indexUdn(entry, ad.udn);
      this.logger.info(`Found ${location} (${ad.usn}) from ${s.remoteAddress} via ${s.via}`);
      this.addEmitter.fire(device);
      void this.describe(entry);
      return;
    }
    const d = entry.device;
    this.indexUdn(entry, ad.udn);
    const newLocation = !d.locations.includes(location) && d.locations.length < MAX_LOCATIONS;
    const newUsn = !d.usns.includes(ad.usn) && d.usns.length < MAX_USNS;
    const rebooted = (ad.bootId !== undefined && d.bootId !== undefined && ad.bootId !== d.bootId) || (ad.type === 'update' && ad.nextBootId !== undefined);
    const reconfigured = ad.configId !== undefined && d.configId !== undefined && ad.configId !== d.configId;
    const movedPrimary = ad.type === 'update' || (rebooted && location !== d.location);
    if (newLocation || movedPrimary) this.byLocation.set(location, entry);
    const update: Partial<Mutable<DiscoveredDevice>> = {
      lastSeen: now,
      expiresAt: d.source === 'manual' ? undefined : Math.max(expiresAt, d.expiresAt ?? 0),
      ...(ad.maxAgeSeconds !== undefined ? { maxAgeSeconds: ad.maxAgeSeconds } : {}),
      ...(newUsn ? { usns: [...d.usns, ad.usn] } : {}),
      ...(newLocation ? { locations: [...d.locations, location] } : {}),
      ...(movedPrimary ? { location } : {}),
      ...(ad.nextBootId ?? ad.bootId ? { bootId: ad.nextBootId ?? ad.bootId } : {}),
      ...(ad.configId ? { configId: ad.configId } : {}),
      ...(ad.server && !d.server ? { server: ad.server } : {}),
      ...(ad.target === 'upnp:rootdevice' && !d.udn ? { udn: ad.udn } : {}),
    };
    this.patch(entry, update, newLocation || movedPrimary || newUsn);
    if (rebooted || reconfigured) {
      this.logger.info(`${label(entry.device)} ${rebooted ? 'rebooted (BOOTID changed)' : 'changed its configuration (CONFIGID)'}; describing it again`);
      void this.describe(entry);
    } else if (entry.device.status === 'error' && now - entry.lastAttempt > this.retryDelay(entry)) {
      void this.describe(entry);
    }
  }

  /** How long a device in error waits before a re-announcement gets it described again. */
  private retryDelay(entry: Entry): number {
    return this.retryAfterErrorMs * Math.min(MAX_RETRY_FACTOR, 2 ** Math.max(0, entry.failures - 1));
  }

  /**
   * Whether a new device may be added; counts the ones the cap turns away and, once per registry,
   * warns (after a short while, so the counts cover the burst that made the cap bite).
   */
  private admit(location: string): boolean {
    if (this.entries.size < this.maxDevices) return true;
    this.ignored++;
    if (!this.warnedLimit) {
      this.warnedLimit = true;
      const first = location;
      const warn = (): void => {
        this.limitTimer = undefined;
        const stats = this.limitStats;
        this.logger.warn(`The device limit bit: ${stats.known.toLocaleString('en-US')} devices are known, the most UPnP Explorer keeps (upnpExplorer.discovery.maxDevices = ${stats.limit}), and ${stats.ignored.toLocaleString('en-US')} announcement${stats.ignored === 1 ? '' : 's'} of further devices ${stats.ignored === 1 ? 'was' : 'were'} ignored so far (the first from ${first}). This is said once; later ones are ignored silently.`);
        this.limitEmitter.fire(stats);
      };
      if (this.limitWarningDelayMs <= 0) warn();
      else {
        this.limitTimer = setTimeout(warn, this.limitWarningDelayMs);
        this.limitTimer.unref();
      }
    }
    return false;
  }

  /**
   * Adds a device by its description URL (another subnet, a container, no multicast). Resolves
   * once described, in status 'ready' or 'error'. Throws only when the URL itself is unusable.
   */
  async addByUrl(url: string): Promise<DiscoveredDevice> {
    const parsed = parseHttpUrl(url);
    const existing = this.byLocation.get(parsed);
    if (existing) {
      await this.describe(existing);
      return this.entryForDevice(existing).device;
    }
    if (this.entries.size >= this.maxDevices) {
      throw new Error(`${this.entries.size} devices are known, the most UPnP Explorer keeps; remove some, or raise upnpExplorer.discovery.maxDevices, to add ${parsed}.`);
    }
    const now = this.now();
    const device: DiscoveredDevice = {
      key: `d${this.nextId++}`,
      location: parsed,
      locations: [parsed],
      usns: [],
      source: 'manual',
      status: 'describing',
      services: [],
      problems: [],
      firstSeen: now,
      lastSeen: now,
    };
    const entry = this.insert(device);
    this.logger.info(`Adding ${parsed} by URL`);
    this.addEmitter.fire(device);
    await this.describe(entry);
    return this.entryForDevice(entry).device;
  }

  remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry) this.delete(entry, 'removed');
  }

  async refresh(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) await this.describe(entry);
  }

  /**
   * Drops devices whose announcements expired. Called every second; public for tests. Visits only
   * the devices due: one re-announced since it was queued is queued again at its new time.
   */
  sweep(now: number = this.now()): void {
    for (let due = this.expiry.popDue(now); due; due = this.expiry.popDue(now)) {
      const entry = due.item;
      if (this.entries.get(entry.device.key) !== entry) continue;
      const exp = entry.device.expiresAt;
      if (entry.device.source !== 'ssdp' || exp === undefined) continue;
      if (exp > now) {
        this.expiry.set(entry, exp);
        continue;
      }
      this.logger.info(`${label(entry.device)} expired: not re-announced within max-age=${entry.device.maxAgeSeconds ?? '?'} s`);
      this.delete(entry, 'expired');
    }
  }

  dispose(): void {
    clearInterval(this.sweepTimer);
    if (this.limitTimer) clearTimeout(this.limitTimer);
    this.scheduler.clear('The device list was closed.');
    this.entries.clear();
    this.byUdn.clear();
    this.byLocation.clear();
    this.expiry.clear();
    this.limitEmitter.dispose();
    this.addEmitter.dispose();
    this.changeEmitter.dispose();
    this.removeEmitter.dispose();
  }

  // ---- describing ----

  /**
   * Describes the device now, or, if a description is under way, once more when it ends: however
   * often a device re-announces (a new BOOTID each time, say), it has at most one description
   * running and one waiting.
   */
  private describe(entry: Entry): Promise<void> {
    if (entry.running) {
      entry.rerun ??= entry.running.then(() => {
        entry.rerun = undefined;
        return this.entries.get(entry.device.key) === entry ? this.describe(entry) : undefined;
      });
      return entry.rerun;
    }
    const running = this.describeOnce(entry).finally(() => {
      if (entry.running === running) entry.running = undefined;
    });
    entry.running = running;
    return running;
  }

  private async describeOnce(entry: Entry): Promise<void> {
    const generation = ++entry.generation;
    entry.lastAttempt = this.now();
    const location = entry.device.location;
    if (entry.device.status !== 'describing') this.patch(entry, { status: 'describing', error: undefined }, true);
    const started = this.now();
    let root: RootDescription;
    let xml: string;
    try {
      // A description is asked of the machine that announced it (when it points elsewhere, see schedulingKey).
      const res = await this.fetch(location, entry.device.source === 'ssdp' ? entry.device.remoteAddress : undefined);
      if (!this.current(entry, generation)) return;
      xml = decodeText(res.body, res.headers['content-type']);
      root = await readDeviceDescription(xml, location);
      if (!this.current(entry, generation)) return;
    } catch (err) {
      if (!this.current(entry, generation)) return;
      const message = (err as Error).message;
      entry.failures++;
      this.logger.warn(`Cannot describe ${location}: ${message}${entry.device.source === 'ssdp' ? ` (retried when it announces itself again, after ${Math.round(this.retryDelay(entry) / 1000)} s at the earliest)` : ''}`);
      entry.problems = [{ severity: 'error', message }];
      entry.problemsLeftOut = 0;
      this.patch(entry, { status: 'error', error: message, services: [], problems: entry.problems }, true);
      return;
    }
    const udn = root.device.udn || entry.device.udn;
    // The same device may already be known under another LOCATION (another interface): merge.
    const twin = udn ? this.findByUdn(udn, entry) : undefined;
    if (twin) {
      entry.udns.add(udn!);
      this.logger.info(`${root.device.friendlyName} at ${location} is the same device as ${twin.device.location}; merged`);
      this.mergeInto(twin, entry);
      return;
    }
    for (const u of allUdns(root.device)) this.indexUdn(entry, u);
    entry.failures = 0;
    const services = allServices(root.device).map(({ device, service }): ServiceState => ({
      key: `${device.udn}::${service.serviceId}`,
      deviceUdn: device.udn,
      description: service,
      scpdStatus: service.scpdUrl ? 'pending' : 'error',
      ...(service.scpdUrl ? {} : { scpdError: `The description gives no SCPDURL for ${service.serviceId || service.serviceType}.` }),
    }));
    entry.problems = [];
    entry.problemsLeftOut = 0;
    this.releaseText(entry);
    const notKept = this.keepText(entry, xml);
    this.patch(entry, {
      status: 'ready',
      error: undefined,
      description: root,
      descriptionXml: notKept ? undefined : xml,
      ...(udn ? { udn } : {}),
      services,
      problems: this.addProblems(entry, [...collectProblems(root), ...(notKept ? [this.textDropped(entry, 'the description', notKept)] : [])]),
    }, true);
    this.logger.info(`Described ${root.device.friendlyName} (${udn}) in ${Math.round(this.now() - started)} ms: ${services.length} services`);
    const away = offDeviceUrls(root, location);
    if (away.length > 0) {
      this.logger.warn(`${root.device.friendlyName} (${location}) names ${away.length}${away.length >= 50 ? '+' : ''} URL${away.length === 1 ? '' : 's'} on another host than its description's: ${away.slice(0, 5).map((u) => `${u.what} at ${u.host}`).join('; ')}${away.length > 5 ? '; …' : ''}`);
    }
    await Promise.all(services.map((s, index) => (s.scpdStatus === 'pending' ? this.fetchScpd(entry, generation, index) : Promise.resolve())));
  }

  private async fetchScpd(entry: Entry, generation: number, index: number): Promise<void> {
    const service = entry.device.services[index]!;
    const url = service.description.scpdUrl;
    let next: ServiceState;
    let notKept: TextBudget | undefined;
    try {
      const res = await this.fetch(url, hostOf(entry.device.location));
      if (!this.current(entry, generation)) return;
      const xml = decodeText(res.body, res.headers['content-type']);
      const scpd = await readScpd(xml, url);
      if (!this.current(entry, generation)) return;
      notKept = this.keepText(entry, xml);
      next = { ...service, scpdStatus: 'ready', scpd, ...(notKept ? {} : { scpdXml: xml }) };
    } catch (err) {
      if (!this.current(entry, generation)) return;
      const message = (err as Error).message;
      this.logger.warn(`Cannot read the SCPD of ${service.description.serviceId} on ${label(entry.device)}: ${message}`);
      next = { ...service, scpdStatus: 'error', scpdError: message };
    }
    // Services are bounded per description (MAX_SERVICES), so this copy is too.
    const services = entry.device.services.slice();
    services[index] = next;
    const dropped = notKept && !entry.toldTextDropped ? [this.textDropped(entry, `the SCPD of ${shortService(next)} (and of any service after it)`, notKept)] : [];
    const problems = next.scpd ? this.addProblems(entry, [...next.scpd.problems.map((p) => ({ ...p, message: `${shortService(next)}: ${p.message}` })), ...dropped]) : entry.device.problems;
    this.patch(entry, { services, problems }, true);
  }

  /**
   * A description or SCPD, fetched fairly with other hosts (see HostScheduler). `origin` is the
   * host that gave us the URL: the announcer of a description, the description's host for an SCPD.
   */
  private async fetch(url: string, origin: string | undefined): ReturnType<typeof fetchBytes> {
    try {
      return await this.scheduler.run(schedulingKey(url, origin), (task) => fetchBytes(url, { timeoutMs: this.httpTimeoutMs, maxBytes: this.maxBytes, keepAlive: true, signal: task.signal }));
    } catch (err) {
      if (err instanceof SchedulerError) {
        throw new Error(`${url} did not answer within ${(err.waitedMs / 1000).toFixed(1)} s, while ${err.others} other requests also waited on devices that don't answer; given up.`);
      }
      throw err;
    }
  }

  /** Counts `text` as kept if it fits the entry's and the registry's budget; else says which budget it passes. */
  private keepText(entry: Entry, text: string): TextBudget | undefined {
    if (entry.keptText + text.length > MAX_KEPT_TEXT_PER_DEVICE) return 'device';
    if (this.keptText + text.length > MAX_KEPT_TEXT) return 'all';
    entry.keptText += text.length;
    this.keptText += text.length;
    return undefined;
  }

  private releaseText(entry: Entry): void {
    this.keptText -= entry.keptText;
    entry.keptText = 0;
    entry.toldTextDropped = false;
  }

  private textDropped(entry: Entry, what: string, budget: TextBudget): Problem {
    entry.toldTextDropped = true;
    const why = budget === 'device'
      ? `this device's documents pass the ${MAX_KEPT_TEXT_PER_DEVICE / 1024 / 1024} MiB of text kept per device`
      : `the documents of all devices pass the ${MAX_KEPT_TEXT / 1024 / 1024} MiB of text kept in all`;
    return { severity: 'warning', message: `The text of ${what} is not kept for "open as XML": ${why}. What the documents say is read and shown.` };
  }

  /** Adds problems to the entry's bounded list; returns the device's problems (with a count of those left out). */
  private addProblems(entry: Entry, more: readonly Problem[]): Problem[] {
    for (const p of more) {
      if (entry.problems.length < MAX_PROBLEMS) entry.problems.push(p);
      else entry.problemsLeftOut++;
    }
    if (entry.problemsLeftOut === 0) return entry.problems.slice();
    const left = entry.problemsLeftOut;
    return [...entry.problems, { severity: 'warning', message: `… and ${left.toLocaleString('en-US')} more problem${left === 1 ? '' : 's'} not listed.` }];
  }

  // ---- bookkeeping ----

  private current(entry: Entry, generation: number): boolean {
    return entry.generation === generation && this.entries.get(entry.device.key) === entry;
  }

  private patch(entry: Entry, update: Partial<Mutable<DiscoveredDevice>>, notify: boolean): void {
    const next = { ...entry.device, ...update } as Mutable<DiscoveredDevice>;
    for (const k of Object.keys(update) as (keyof DiscoveredDevice)[]) {
      if (update[k] === undefined) delete next[k];
    }
    entry.device = next;
    // Expiry is queued once (re-announcements only push expiresAt later; sweep catches up lazily).
    if (next.expiresAt !== undefined && next.source === 'ssdp' && !this.expiry.has(entry) && this.entries.get(next.key) === entry) this.expiry.set(entry, next.expiresAt);
    if (notify) this.changeEmitter.fire(next);
  }

  private mergeInto(target: Entry, dup: Entry): void {
    for (const u of dup.udns) this.indexUdn(target, u, true);
    const locations = [...target.device.locations, ...dup.device.locations.filter((l) => !target.device.locations.includes(l))].slice(0, MAX_LOCATIONS);
    const usns = [...target.device.usns, ...dup.device.usns.filter((u) => !target.device.usns.includes(u))].slice(0, MAX_USNS);
    this.patch(target, { locations, usns, lastSeen: Math.max(target.device.lastSeen, dup.device.lastSeen) }, true);
    this.unindex(dup);
    this.expiry.delete(dup);
    this.releaseText(dup);
    this.entries.delete(dup.device.key);
    for (const l of locations) this.byLocation.set(l, target);
    dup.generation++;
    this.removeEmitter.fire({ device: dup.device, reason: 'merged' });
  }

  private entryForDevice(entry: Entry): Entry {
    if (this.entries.get(entry.device.key) === entry) return entry;
    // Merged into a twin while describing.
    for (const u of entry.udns) {
      const twin = this.findByUdn(u);
      if (twin) return twin;
    }
    return entry;
  }

  private insert(device: DiscoveredDevice): Entry {
    const entry: Entry = { device, udns: new Set(), generation: 0, lastAttempt: 0, failures: 0, running: undefined, rerun: undefined, problems: [], problemsLeftOut: 0, keptText: 0, toldTextDropped: false };
    this.entries.set(device.key, entry);
    this.byLocation.set(device.location, entry);
    if (device.source === 'ssdp' && device.expiresAt !== undefined) this.expiry.set(entry, device.expiresAt);
    return entry;
  }

  private delete(entry: Entry, reason: RemovalReason): void {
    if (this.entries.get(entry.device.key) !== entry) return;
    this.entries.delete(entry.device.key);
    this.unindex(entry);
    this.expiry.delete(entry);
    this.releaseText(entry);
    entry.generation++;
    this.removeEmitter.fire({ device: entry.device, reason });
  }

  /**
   * Records that `udn` belongs to `entry`; a UDN already owned by another entry keeps its owner
   * unless `take`. An entry holds MAX_USNS UDNs at most: a device announcing ever new UUIDs at one
   * LOCATION grows neither the entry nor the index.
   */
  private indexUdn(entry: Entry, udn: string, take = false): void {
    if (!udn) return;
    if (!entry.udns.has(udn)) {
      if (entry.udns.size >= MAX_USNS) return;
      entry.udns.add(udn);
    }
    const key = udn.toLowerCase();
    const owner = this.byUdn.get(key);
    if (!owner || take || this.entries.get(owner.device.key) !== owner) this.byUdn.set(key, entry);
  }

  private unindex(entry: Entry): void {
    for (const u of entry.udns) {
      const key = u.toLowerCase();
      if (this.byUdn.get(key) === entry) this.byUdn.delete(key);
    }
    if (entry.device.udn && this.byUdn.get(entry.device.udn.toLowerCase()) === entry) this.byUdn.delete(entry.device.udn.toLowerCase());
    for (const l of entry.device.locations) if (this.byLocation.get(l) === entry) this.byLocation.delete(l);
  }

  private findByUdn(udn: string, except?: Entry): Entry | undefined {
    const entry = this.byUdn.get(udn.toLowerCase());
    if (!entry || entry === except || this.entries.get(entry.device.key) !== entry) return undefined;
    return entry;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Which budget of kept document text a document would pass. */
type TextBudget = 'device' | 'all';

/** True once the description and every SCPD have been fetched (successfully or not). */
export function isFullyDescribed(d: DiscoveredDevice): boolean {
  return d.status === 'error' || (d.status === 'ready' && d.services.every((s) => s.scpdStatus !== 'pending'));
}

function parseHttpUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new Error(`"${url}" is not a URL. Paste the device's description URL, e.g. http://192.168.1.20:49152/description.xml (the LOCATION of its SSDP announcement).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new Error(`"${url}" is not an http:// URL. UPnP description URLs are http://host:port/path.`);
  }
  return u.toString();
}

function allUdns(d: DeviceDescription): string[] {
  return [d.udn, ...d.devices.flatMap(allUdns)].filter((u) => u);
}

function allServices(d: DeviceDescription): { device: DeviceDescription; service: DeviceDescription['services'][number] }[] {
  return [...d.services.map((service) => ({ device: d, service })), ...d.devices.flatMap(allServices)];
}

/** `http://192.168.1.20:49152/d.xml` -> `192.168.1.20`: fairness is per machine, whatever the port. */
function hostOf(url: string): string {
  try {
    return plainAddress(new URL(url).hostname);
  } catch {
    return url;
  }
}

/** `[fe80::1%eth0]`, `fe80::1%eth0`, `::ffff:10.0.0.5` -> `fe80::1`, `fe80::1`, `10.0.0.5`. */
function plainAddress(host: string): string {
  return host.replace(/^\[|\]$/g, '').replace(/%.*$/, '').replace(/^::ffff:(?=\d+\.)/i, '').toLowerCase();
}

/**
 * Whose turn a fetch takes (see HostScheduler). A URL on the host that gave it to us is that host's;
 * one that points elsewhere is charged to the host that gave it: one machine announcing a thousand
 * LOCATIONs on other (or no) machines, or a description listing SCPDs on a thousand hosts, gets
 * one host's share of the fetching, not a thousand.
 */
function schedulingKey(url: string, origin: string | undefined): string {
  const host = hostOf(url);
  if (!origin) return host;
  const from = plainAddress(origin);
  return host === from ? host : `elsewhere, for ${from}`;
}

function collectProblems(root: RootDescription): Problem[] {
  const out: Problem[] = [...root.problems];
  const walk = (d: DeviceDescription): void => {
    out.push(...d.problems);
    for (const s of d.services) out.push(...s.problems);
    d.devices.forEach(walk);
  };
  walk(root.device);
  return out;
}

function shortService(s: ServiceState): string {
  return s.description.serviceId || s.description.serviceType;
}

function label(d: DiscoveredDevice): string {
  return d.description?.device.friendlyName ? `${d.description.device.friendlyName} (${d.location})` : d.location;
}
