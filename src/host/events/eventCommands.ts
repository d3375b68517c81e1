// Event commands: Subscribe / Unsubscribe on service rows (inline and context menu), Subscribe to
// All Services on root devices, Unsubscribe All and Show Events from the palette and the view's
// title menu. From the palette without a row, Subscribe and Unsubscribe offer a quick pick.
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import { showError, showInfo, showWarning } from '../text/notify';
import { pickText } from '../../core/util/text';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { DevicesTreeProvider } from '../tree/devicesTreeProvider';
import { deviceLabel, serviceLabel } from '../text/labels';
import type { TreeNode } from '../tree/nodes';
import type { EventsController } from './eventsController';

export const SUBSCRIBE_COMMAND = 'upnpExplorer.subscribeEvents';
export const UNSUBSCRIBE_COMMAND = 'upnpExplorer.unsubscribeEvents';
export const SUBSCRIBE_ALL_SERVICES_COMMAND = 'upnpExplorer.subscribeAllServices';
export const UNSUBSCRIBE_ALL_COMMAND = 'upnpExplorer.unsubscribeAll';
export const SHOW_EVENTS_COMMAND = 'upnpExplorer.showEvents';
export const OPEN_EVENT_COMMAND = 'upnpExplorer.openEvent';

interface Target {
  readonly device: DiscoveredDevice;
  readonly service: ServiceState;
}

export class EventCommands extends Feature {

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly events: EventsController,
    private readonly tree: DevicesTreeProvider,
  ) {
    super();
    this.disposables.push(
      vscode.commands.registerCommand(SUBSCRIBE_COMMAND, (arg?: unknown) => this.subscribeCommand(arg)),
      vscode.commands.registerCommand(UNSUBSCRIBE_COMMAND, (arg?: unknown) => this.unsubscribeCommand(arg)),
      vscode.commands.registerCommand(SUBSCRIBE_ALL_SERVICES_COMMAND, (arg?: unknown) => this.subscribeAllCommand(arg)),
      vscode.commands.registerCommand(UNSUBSCRIBE_ALL_COMMAND, () => this.unsubscribeAllCommand()),
      vscode.commands.registerCommand(SHOW_EVENTS_COMMAND, () => this.events.showChannel()),
      vscode.commands.registerCommand(OPEN_EVENT_COMMAND, () => this.events.documents.pickAndOpen()),
    );
  }


  private async subscribeCommand(arg: unknown): Promise<void> {
    const target = this.serviceTarget(arg) ?? await this.pick('subscribe');
    if (!target) return;
    // Watching is the point of subscribing: bring the channel up, keeping focus in the tree.
    this.events.showChannel(true);
    try {
      await this.events.subscribe(target.device, target.service);
    } catch (err) {
      void showError(errorMessage(err));
    }
  }

  private async unsubscribeCommand(arg: unknown): Promise<void> {
    const target = this.serviceTarget(arg) ?? await this.pick('unsubscribe');
    if (!target) return;
    await this.events.unsubscribe(target.device.key, target.service.key);
  }

  private async subscribeAllCommand(arg: unknown): Promise<void> {
    const node = isTreeNode(arg) ? arg : this.tree.view.selection[0];
    const device = node ? this.latest(node.device) : undefined;
    if (!device) {
      void showInfo('Select a device in the UPnP Devices view first.');
      return;
    }
    const services = device.services.filter((s) => s.description.eventSubUrl && !this.events.statusOf(device.key, s.key));
    const name = deviceLabel(device);
    if (services.length === 0) {
      const evented = device.services.some((s) => s.description.eventSubUrl);
      void showInfo(evented ? `Every evented service of ${name} is subscribed already.` : `${name} has no services with an eventSubURL.`);
      return;
    }
    this.events.showChannel(true);
    const outcomes = await Promise.allSettled(services.map((s) => this.events.subscribe(device, s)));
    const failures = outcomes
      .map((o, i) => (o.status === 'rejected' ? `${serviceLabel(services[i]!)}: ${errorMessage(o.reason)}` : undefined))
      .filter((f): f is string => f !== undefined);
    if (failures.length > 0) {
      void showWarning(`Subscribed to ${services.length - failures.length} of ${services.length} services of ${name}. ${failures.join(' ')}`);
    }
  }

  private async unsubscribeAllCommand(): Promise<void> {
    const n = await this.events.unsubscribeAll();
    void showInfo(n === 0 ? 'No event subscriptions to end.' : `Ended ${n} event subscription${n === 1 ? '' : 's'}.`);
  }

  /** The service row given (inline button, context menu) or selected. */
  /**
   * The service of the row the command came from. From the palette there is none: then the
   * caller shows a picker rather than acting on whatever row happens to be selected.
   */
  private serviceTarget(arg: unknown): Target | undefined {
    const node = isTreeNode(arg) ? arg : undefined;
    for (let n: TreeNode | undefined = node; n; n = n.parent) {
      if (n.kind === 'service') {
        const device = this.latest(n.device);
        return { device, service: device.services.find((s) => s.key === n.service.key) ?? n.service };
      }
    }
    return undefined;
  }

  private async pick(mode: 'subscribe' | 'unsubscribe'): Promise<Target | undefined> {
    type Item = vscode.QuickPickItem & { target: Target };
    const items: Item[] = [];
    for (const device of this.explorer.devices) {
      for (const service of device.services) {
        if (!service.description.eventSubUrl) continue;
        const subscribed = this.events.statusOf(device.key, service.key) !== undefined;
        if (subscribed !== (mode === 'unsubscribe')) continue;
        items.push({ label: pickText(serviceLabel(service)), description: pickText(deviceLabel(device)), detail: pickText(service.description.eventSubUrl), target: { device, service } });
      }
    }
    if (items.length === 0) {
      void showInfo(mode === 'subscribe'
        ? 'No evented services to subscribe to: discover or add a device first.'
        : 'No event subscriptions to end.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: mode === 'subscribe' ? 'Subscribe to UPnP Events' : 'Unsubscribe from UPnP Events',
      placeHolder: 'Service or device',
      matchOnDescription: true,
    });
    return picked?.target;
  }

  /** Rows are snapshots; act on what the registry knows now. */
  private latest(device: DiscoveredDevice): DiscoveredDevice {
    return this.explorer.get(device.key) ?? device;
  }
}

function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'id' in value && 'device' in value;
}
