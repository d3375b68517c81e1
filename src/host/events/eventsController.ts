// The GENA feature in the host: owns the GenaClient, subscribes and unsubscribes services on
// request, writes every event and subscription change to the "UPnP Events" channel, keeps the last
// evented values for the tree, drops the subscriptions of devices that leave, and on shutdown
// unsubscribes everything within the client's bound. One Disposable; close() is what deactivate awaits.
import { errorMessage } from '../../core/util/errors';
import type { ServiceEventsChange } from '../tree/devicesTreeProvider';
import { showWarning } from '../text/notify';
import { honestChannel } from '../text/honestChannel';
import * as vscode from 'vscode';
import { GenaClient } from '../../core/gena/client';
import type { GenaActivity, GenaClientOptions, GenaEvent, GenaSubscriptionInfo } from '../../core/gena/client';
import type { UpnpExplorer } from '../../core/explorer';
import type { DeviceDescription } from '../../core/description/model';
import type { DeviceRemoved, DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { Logger } from '../../core/util/events';
import { CONFIG_SECTION } from '../settings';
import { deviceLabel, serviceLabel } from '../text/labels';
import { readEventSettings } from './eventSettings';
import type { EventSettings } from './eventSettings';
import { activityLines, deviceLeftLine, fallbackSource, formatClock, sourceText, WARNING_MARK } from './format';
import type { EventSource, ServiceEventStatus } from './format';
import { EventedValues } from './lastValues';
import { EventDocuments } from './eventDocuments';

export const EVENTS_CHANNEL_NAME = 'UPnP Events';

/**
 * One service we subscribed to (or are subscribing to). The GenaClient carries it as the
 * subscription's tag, so every activity names its record: no map of client ids is kept here.
 */
class Watched {
  /** The client's id, once the device accepted. */
  id?: string;
  state: 'subscribing' | 'subscribed' = 'subscribing';
  eventCount = 0;
  readonly values = new EventedValues();
  readonly abort = new AbortController();
  /** Unsubscribed (or the device left) while the SUBSCRIBE was still out. */
  cancelled = false;

  constructor(
    /** `${device.key}|${service.key}`: the tree's identity of the service row. */
    readonly rowKey: string,
    /** The core's `${deviceUdn}::${serviceId}`. */
    readonly serviceKey: string,
    readonly deviceKey: string,
    readonly deviceUdn: string,
    readonly source: EventSource,
    readonly client: GenaClient,
  ) {}
}

/** An event of a subscribed service, as a listener of onDidEvent gets it. */
export interface ServiceEvent {
  readonly deviceKey: string;
  readonly serviceKey: string;
  readonly event: GenaEvent;
}

interface ClientEntry {
  readonly client: GenaClient;
  readonly listener: vscode.Disposable;
}

export class EventsController implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;
  private readonly changeEmitter = new vscode.EventEmitter<ServiceEventsChange | undefined>();
  /** Fires when a subscription starts, ends or brings an event (the tree redraws, debounced). */
  readonly onDidChange = this.changeEmitter.event;
  private readonly eventEmitter = new vscode.EventEmitter<ServiceEvent>();
  /** Every event of a subscription made here (the Now Playing panels follow their renderer's). */
  readonly onDidEvent = this.eventEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private settings: EventSettings;
  private current: ClientEntry;
  /** Clients made before a callbackPort change; closed once their last subscription ends. */
  private readonly retired = new Set<ClientEntry>();
  /** The tree's index of the records (the client holds them as tags). */
  private readonly byRow = new Map<string, Watched>();
  private readonly subscribing = new Set<Watched>();
  private closing: Promise<void> | undefined;
  private channelClosed = false;

  /** Recent events, whole, for "UPnP: Open Event…". */
  readonly documents = new EventDocuments();

  constructor(explorer: UpnpExplorer, private readonly log: Logger) {
    this.channel = honestChannel(vscode.window.createOutputChannel(EVENTS_CHANNEL_NAME));
    this.settings = readEventSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    this.current = this.makeClient();
    this.disposables.push(
      this.documents,
      this.changeEmitter,
      this.eventEmitter,
      explorer.onDidRemoveDevice((removed) => { void this.deviceRemoved(removed); }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${CONFIG_SECTION}.events`)) this.applySettings();
      }),
    );
  }

  // ---- what the tree reads ----

  statusOf(deviceKey: string, serviceKey: string): ServiceEventStatus | undefined {
    const w = this.byRow.get(rowKeyOf(deviceKey, serviceKey));
    if (!w) return undefined;
    return w.state === 'subscribing' ? { state: 'subscribing' } : { state: 'subscribed', eventCount: w.eventCount };
  }

  lastValue(deviceKey: string, serviceKey: string, variable: string): string | undefined {
    return this.byRow.get(rowKeyOf(deviceKey, serviceKey))?.values.get(variable);
  }

  /** Subscribed or subscribing services. */
  get count(): number {
    return this.byRow.size;
  }

  // ---- commands ----

  /**
   * Subscribes to a service's events. Resolves the subscription, or undefined when it was already
   * subscribed or the subscription was cancelled meanwhile; rejects with the core's message
   * (naming the URL) when the device refused or could not be reached.
   */
  async subscribe(device: DiscoveredDevice, service: ServiceState): Promise<GenaSubscriptionInfo | undefined> {
    if (this.closing) throw new Error('Event subscriptions are shut down.');
    const eventSubUrl = service.description.eventSubUrl;
    const source: EventSource = { deviceName: serviceDeviceName(device, service), serviceLabel: serviceLabel(service) };
    if (!eventSubUrl) throw new Error(`${sourceText(source)} has no eventSubURL: it sends no events.`);
    const rowKey = rowKeyOf(device.key, service.key);
    if (this.byRow.has(rowKey)) return undefined;
    const w = new Watched(rowKey, service.key, device.key, service.deviceUdn, source, this.current.client);
    this.byRow.set(rowKey, w);
    this.subscribing.add(w);
    this.changed(w);
    try {
      const info = await w.client.subscribe({
        eventSubUrl,
        deviceUdn: service.deviceUdn,
        serviceId: service.description.serviceId,
        serviceType: service.description.serviceType,
        timeoutSeconds: this.settings.timeoutSeconds,
        signal: w.abort.signal,
        tag: w,
      });
      if (w.cancelled) {
        await w.client.unsubscribe(info.id);
        return undefined;
      }
      return info;
    } catch (err) {
      if (this.byRow.get(rowKey) === w) this.byRow.delete(rowKey);
      if (w.cancelled) return undefined;
      const message = errorMessage(err);
      this.write([`[${formatClock(Date.now())}] ${WARNING_MARK} Subscribing to ${sourceText(source)} failed: ${message}`]);
      throw err;
    } finally {
      this.subscribing.delete(w);
      this.retireIfIdle();
      this.changed(w);
    }
  }

  /** Ends the subscription of a service row (also one still being made). False when there was none. */
  async unsubscribe(deviceKey: string, serviceKey: string): Promise<boolean> {
    const w = this.byRow.get(rowKeyOf(deviceKey, serviceKey));
    if (!w) return false;
    await this.end(w);
    return true;
  }

  /** Ends every subscription (UNSUBSCRIBE each); resolves how many there were. */
  async unsubscribeAll(): Promise<number> {
    const all = [...this.byRow.values()];
    await Promise.all(all.map((w) => this.end(w)));
    return all.length;
  }

  showChannel(preserveFocus = false): void {
    this.channel.show(preserveFocus);
  }

  /** Unsubscribes everything (bounded by the client's shutdown timeout) and closes the callback servers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const d of this.disposables.splice(0)) d.dispose();
      for (const w of this.subscribing) {
        w.cancelled = true;
        w.abort.abort();
      }
      const entries = [this.current, ...this.retired];
      this.retired.clear();
      await Promise.all(entries.map((e) => e.client.close()));
      for (const e of entries) e.listener.dispose();
      this.byRow.clear();
      this.channelClosed = true;
      this.channel.dispose();
    })();
    return this.closing;
  }

  dispose(): void {
    void this.close();
  }

  // ---- internals ----

  private makeClient(): ClientEntry {
    const options: GenaClientOptions = { requestedTimeoutSeconds: this.settings.timeoutSeconds, callbackPort: this.settings.callbackPort, logger: this.log };
    const client = new GenaClient(options);
    return { client, listener: client.onActivity((a) => this.onActivity(a)) };
  }

  private applySettings(): void {
    const next = readEventSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    const portChanged = next.callbackPort !== this.settings.callbackPort;
    this.settings = next;
    // TIMEOUT is given per SUBSCRIBE; the callback port belongs to the client, so new
    // subscriptions get a new client and the running ones keep theirs until they end.
    if (!portChanged) return;
    const old = this.current;
    this.current = this.makeClient();
    this.retired.add(old);
    this.retireIfIdle();
    this.write([`[${formatClock(Date.now())}] Callback port is now ${next.callbackPort === 0 ? 'ephemeral' : next.callbackPort} for new subscriptions.`]);
  }

  /** Closes retired clients that hold nothing any more. */
  private retireIfIdle(): void {
    for (const entry of [...this.retired]) {
      const busy = [...this.byRow.values()].some((w) => w.client === entry.client);
      if (busy || entry.client.subscriptions.length > 0) continue;
      this.retired.delete(entry);
      void entry.client.close().finally(() => entry.listener.dispose());
    }
  }

  private async end(w: Watched): Promise<void> {
    if (this.byRow.get(w.rowKey) === w) this.byRow.delete(w.rowKey);
    w.values.clear();
    this.changed(w);
    if (w.state === 'subscribing') {
      // subscribe() sees `cancelled` and unsubscribes if the device accepted in the meantime.
      w.cancelled = true;
      w.abort.abort();
      return;
    }
    if (w.id !== undefined) await w.client.unsubscribe(w.id);
  }

  private async deviceRemoved({ device, reason }: DeviceRemoved): Promise<void> {
    // 'merged': the same device lives on under another entry; its subscriptions are still good.
    if (reason === 'merged') return;
    const mine = [...this.byRow.values()].filter((w) => w.deviceKey === device.key);
    if (mine.length === 0) return;
    this.write([deviceLeftLine(deviceLabel(device), reason, mine.length, Date.now())]);
    for (const w of mine) this.byRow.delete(w.rowKey);
    for (const w of mine.filter((m) => m.state === 'subscribing')) {
      w.cancelled = true;
      w.abort.abort();
    }
    // A device that left would not answer an UNSUBSCRIBE; one the user removed from the list still can.
    const network = reason === 'removed';
    const udnsByClient = new Map<GenaClient, Set<string>>();
    for (const w of mine) {
      const udns = udnsByClient.get(w.client) ?? new Set<string>();
      udns.add(w.deviceUdn);
      udnsByClient.set(w.client, udns);
    }
    const drops: Promise<number>[] = [];
    for (const [client, udns] of udnsByClient) for (const udn of udns) drops.push(client.unsubscribeDevice(udn, { network }));
    await Promise.all(drops);
    this.retireIfIdle();
    this.changed();
  }

  private onActivity(activity: GenaActivity): void {
    const info = activity.subscription;
    const w = info?.tag instanceof Watched ? info.tag : undefined;
    if (activity.type === 'subscribed' && w) {
      w.id = info!.id;
      w.state = 'subscribed';
    }
    const source = w?.source ?? (info ? fallbackSource(info) : { deviceName: 'unknown device', serviceLabel: 'service' });
    this.write(activityLines(activity, source, Date.now()));
    if (activity.type === 'event') this.documents.keep(source, activity.event);
    switch (activity.type) {
      case 'event':
        if (w) {
          w.eventCount = activity.subscription.eventCount;
          // A fresh series (initial event) brings every value: start over.
          if (activity.event.initial) w.values.clear();
          if (this.byRow.get(w.rowKey) === w) w.values.apply(activity.event);
          this.eventEmitter.fire({ deviceKey: w.deviceKey, serviceKey: w.serviceKey, event: activity.event });
        }
        break;
      case 'noInitialEvent':
        void this.warn(`${sourceText(source)}: ${activity.message}`);
        break;
      case 'unsubscribed':
        if (w && this.byRow.get(w.rowKey) === w) {
          this.byRow.delete(w.rowKey);
          if (activity.reason === 'lost') {
            void this.warn(`Lost the subscription to ${sourceText(source)}: the renewal and a fresh SUBSCRIBE both failed. Subscribe again to resume.`);
          }
        }
        this.retireIfIdle();
        break;
      default:
        break;
    }
    this.changed(w);
  }

  private async warn(message: string): Promise<void> {
    const choice = await showWarning(message, 'Show Events');
    if (choice === 'Show Events') this.showChannel();
  }

  private write(lines: readonly string[]): void {
    // The shutdown lines still go out; once close() is done the channel is gone.
    if (this.channelClosed) return;
    for (const line of lines) this.channel.appendLine(line);
  }

  /** Tells the tree what changed: one service's rows, or (undefined) several. */
  private changed(w?: Watched): void {
    if (!this.closing) this.changeEmitter.fire(w ? { deviceKey: w.deviceKey, serviceKey: w.serviceKey } : undefined);
  }
}

function rowKeyOf(deviceKey: string, serviceKey: string): string {
  return `${deviceKey}|${serviceKey}`;
}

/** The friendly name of the (root or embedded) device holding the service. */
function serviceDeviceName(device: DiscoveredDevice, service: ServiceState): string {
  const root = device.description?.device;
  const find = (d: DeviceDescription): DeviceDescription | undefined =>
    d.udn === service.deviceUdn ? d : d.devices.map(find).find((x) => x !== undefined);
  const holder = root ? find(root) : undefined;
  return holder && holder !== root && holder.friendlyName.trim() ? holder.friendlyName.trim() : deviceLabel(device);
}
