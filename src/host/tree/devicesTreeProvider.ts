// The "Devices" view: root devices from the explorer, sorted by name, with a device-count badge.
//
// Rows keep their identity: a node is the same object for as long as its id exists (its snapshot
// is updated in place), and a change redraws only the device it concerns (debounced), not the
// whole tree. A command from a row's context menu then always arrives with its row, even while
// events stream in and other rows are redrawn.
import { Feature } from '../feature';
import { oneLine } from '../../core/util/text';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DeviceDescription } from '../../core/description/model';
import type { ServiceState } from '../../core/registry/types';
import type { DeviceIconCache } from '../iconCache';
import {
  actionTooltip, deviceRowDescription, deviceTooltip, deviceTypeCodicon, embeddedDeviceRowDescription, embeddedDeviceTooltip, formatActionSignature, formatStateVariableDescription, serviceRowDescription, serviceTooltip, stateVariableTooltip,
} from './format';
import { deviceLabel, serviceLabel, sortDevices } from '../text/labels';
import type { DeviceNode, TreeNode } from './nodes';
import { childrenOf, hasChildren, rootDeviceNode } from './nodes';
import { isOpenableWebUrl } from '../urls';
import { subscriptionDescription, withEventedValue } from '../events/format';
import type { ServiceEventStatus } from '../events/format';
import type { ContentTreeSource } from '../content/contentTree';

export const DEVICES_VIEW_ID = 'upnpExplorer.devices';
const REFRESH_DELAY_MS = 100;

export interface ServiceEventsChange {
  readonly deviceKey: string;
  /** The core's service key (`${deviceUdn}::${serviceId}`). */
  readonly serviceKey: string;
}

/** What the tree shows of event subscriptions (the events feature implements it). */
export interface ServiceEventsView {
  /** Fires with the service whose subscription or values changed, or undefined for several. */
  readonly onDidChange: vscode.Event<ServiceEventsChange | undefined>;
  statusOf(deviceKey: string, serviceKey: string): ServiceEventStatus | undefined;
  lastValue(deviceKey: string, serviceKey: string, variable: string): string | undefined;
}

export class DevicesTreeProvider extends Feature implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<TreeNode>;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** Every node handed to VS Code, by id: the same object across redraws. */
  private readonly nodes = new Map<string, TreeNode>();
  /** What to redraw at the next flush: the device list (root) and/or single devices. */
  private pendingRoot = false;
  private readonly pendingDevices = new Set<string>();
  private readonly pendingServices = new Set<string>();
  /** Ids of the service, state-variables and variable rows of each `${deviceKey}|${serviceKey}`. */
  private readonly serviceRows = new Map<string, Set<string>>();
  /** Each device's label when last drawn: a new one may change its place in the sorted list. */
  private readonly drawnLabels = new Map<string, string>();
  /** What each row looked like when VS Code last asked (itemSignature), by node id. */
  private readonly drawnItems = new Map<string, string>();
  /** The child ids each row had when VS Code last asked for its children, by node id. */
  private readonly drawnChildren = new Map<string, string>();

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly icons: DeviceIconCache,
    private readonly events?: ServiceEventsView,
    private readonly content?: ContentTreeSource,
  ) {
    super();
    this.view = vscode.window.createTreeView(DEVICES_VIEW_ID, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.changeEmitter,
      explorer.onDidAddDevice(() => this.scheduleRefresh(undefined)),
      explorer.onDidChangeDevice((d) => this.scheduleRefresh(d.key)),
      explorer.onDidRemoveDevice((r) => {
        this.forget(r.device.key);
        this.scheduleRefresh(undefined);
      }),
      // An icon redraws only the devices showing it: a redraw of the whole list would make VS Code
      // forget every row's handle for a moment (see the events comment below).
      icons.onDidChange((url) => {
        for (const d of this.explorer.devices) {
          if (d.description && deviceShowsIcon(d.description.device, url, (x) => icons.iconUrlOf(x))) this.scheduleRefresh(d.key);
        }
      }),
    );
    // An event redraws only its service's row and its variables' rows: redrawing a row makes VS
    // Code forget its children's handles until it asks for them again, and a context-menu command
    // on one of them in that moment would arrive without its row.
    if (events) this.disposables.push(events.onDidChange((change) => (change ? this.scheduleServiceRefresh(change) : this.scheduleRefresh(undefined))));
    // Content rows change one container at a time (a page loaded, an item deleted).
    if (content) this.disposables.push(content.onDidChange((node) => (node ? this.changeEmitter.fire(node) : this.scheduleRefresh(undefined))));
    this.updateBadge();
  }

  getChildren(element?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (!element) {
      return sortDevices(this.explorer.devices).map((d) => {
        this.drawnLabels.set(d.key, deviceLabel(d));
        return this.intern(rootDeviceNode(d));
      });
    }
    // Content children come from Browse, fetched by the content feature.
    if (element.kind === 'content') return this.content?.children(element) ?? [];
    const children = childrenOf(element).map((n) => this.intern(n));
    this.drawnChildren.set(element.id, children.map((c) => c.id).join('\n'));
    return children;
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return element.parent;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = honest(this.buildTreeItem(node));
    if (node.kind !== 'content') this.drawnItems.set(node.id, itemSignature(item));
    return item;
  }

  private buildTreeItem(node: TreeNode): vscode.TreeItem {
    if (node.kind === 'content') return this.content?.treeItem(node) ?? new vscode.TreeItem(node.id);
    const item = new vscode.TreeItem('', hasChildren(node) ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    switch (node.kind) {
      case 'device': {
        const d = node.description;
        if (node.isRoot) {
          item.label = deviceLabel(node.device);
          item.description = deviceRowDescription(node.device);
          // Root tooltips are built on hover (resolveTreeItem) so "expires in" is current.
        } else if (d) {
          item.label = d.friendlyName || embeddedDeviceRowDescription(d);
          item.description = embeddedDeviceRowDescription(d);
          item.tooltip = markdown(embeddedDeviceTooltip(d));
        }
        item.iconPath = this.deviceIcon(node);
        item.contextValue = deviceContextValue(node);
        break;
      }
      case 'service': {
        const events = this.events?.statusOf(node.device.key, node.service.key);
        item.label = serviceLabel(node.service);
        item.description = [serviceRowDescription(node.service), events ? subscriptionDescription(events) : ''].filter((s) => s !== '').join(' · ');
        item.tooltip = markdown(serviceTooltip(node.service));
        item.iconPath = new vscode.ThemeIcon(events ? 'broadcast' : 'symbol-interface');
        item.contextValue = serviceContextValue(node.service, events);
        break;
      }
      case 'action':
        item.label = node.action.name;
        item.description = formatActionSignature(node.action);
        item.tooltip = markdown(actionTooltip(node.action, node.service.scpd?.stateVariables ?? []));
        item.iconPath = new vscode.ThemeIcon('symbol-method');
        item.contextValue = 'upnpAction';
        // A click opens the action's form (the command's argument is the row itself).
        item.command = { command: 'upnpExplorer.invokeAction', title: 'Invoke Action', arguments: [node] };
        break;
      case 'variables':
        item.label = 'State Variables';
        item.description = String(node.service.scpd?.stateVariables.length ?? 0);
        item.iconPath = new vscode.ThemeIcon('symbol-variable');
        item.contextValue = 'upnpVariables';
        break;
      case 'variable':
        item.label = node.variable.name;
        item.description = withEventedValue(
          formatStateVariableDescription(node.variable),
          this.events?.lastValue(node.device.key, node.service.key, node.variable.name),
        );
        item.tooltip = markdown(stateVariableTooltip(node.variable));
        item.iconPath = new vscode.ThemeIcon(node.variable.sendEvents ? 'broadcast' : 'symbol-field');
        item.contextValue = 'upnpVariable';
        break;
      case 'message':
        item.label = node.message;
        item.tooltip = node.message;
        item.iconPath = node.severity === 'error'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : new vscode.ThemeIcon('loading~spin');
        item.contextValue = node.severity === 'error' ? 'upnpError' : 'upnpLoading';
        break;
    }
    return item;
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (node.kind === 'device' && node.isRoot && item.tooltip === undefined) {
      // Re-read the device: the row may be older than the latest announcement.
      const device = this.explorer.get(node.device.key) ?? node.device;
      item.tooltip = markdown(deviceTooltip(device, { now: Date.now(), formatTime: (ms) => new Date(ms).toLocaleTimeString() }));
    }
    return item;
  }

  /** The root node of a device currently in the registry (the tree's own object). */
  nodeForDevice(key: string): DeviceNode | undefined {
    const device = this.explorer.get(key);
    return device ? this.intern(rootDeviceNode(device)) : undefined;
  }

  /** Shows and selects a device (used after Add Device by URL). */
  async revealDevice(key: string): Promise<void> {
    this.flush();
    const node = this.nodeForDevice(key);
    if (node) await this.view.reveal(node, { select: true, focus: true, expand: false });
  }

  /** Applies pending changes now instead of after the debounce delay. */
  flush(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.updateBadge();
    let root = this.pendingRoot;
    const changed: TreeNode[] = [];
    for (const key of this.pendingDevices) {
      const device = this.explorer.get(key);
      if (!device) continue;
      // A new label may move the device in the sorted list: then the list is redrawn.
      if (this.drawnLabels.get(key) !== deviceLabel(device)) root = true;
      if (!root) changed.push(...this.changedWithin(this.intern(rootDeviceNode(device))));
    }
    if (!root) {
      for (const service of this.pendingServices) {
        if (this.pendingDevices.has(service.slice(0, service.indexOf('|')))) continue; // redrawn whole anyway
        for (const id of this.serviceRows.get(service) ?? []) {
          const node = this.nodes.get(id);
          if (node && node.kind !== 'variables') changed.push(node);
        }
      }
    }
    this.pendingRoot = false;
    this.pendingDevices.clear();
    this.pendingServices.clear();
    if (root) this.changeEmitter.fire(undefined);
    else if (changed.length > 0) this.changeEmitter.fire(changed);
  }

  protected override onDispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  /**
   * The rows of `node`'s subtree that look different from when they were drawn: the highest ones
   * only (a redrawn row's children are asked for again). A row that looks the same is not redrawn,
   * because redrawing a row makes VS Code forget its children's handles until it asks for them
   * again, and a context-menu command on one of them in that moment would arrive without its row.
   */
  private changedWithin(node: TreeNode): TreeNode[] {
    if (node.kind === 'content') return [];
    const drawn = this.drawnItems.get(node.id);
    if (drawn === undefined) return []; // never shown: nothing to redraw
    if (itemSignature(honest(this.buildTreeItem(node))) !== drawn) return [node];
    const drawnChildren = this.drawnChildren.get(node.id);
    if (drawnChildren === undefined) return []; // its children were never asked for
    const children = childrenOf(node).map((n) => this.intern(n));
    if (children.map((c) => c.id).join('\n') !== drawnChildren) return [node];
    return children.flatMap((c) => this.changedWithin(c));
  }

  /** Redraws a device (by key) or the whole list (undefined) soon: bursts make one redraw. */
  private scheduleRefresh(deviceKey: string | undefined): void {
    if (deviceKey === undefined) this.pendingRoot = true;
    else this.pendingDevices.add(deviceKey);
    this.refreshTimer ??= setTimeout(() => this.flush(), REFRESH_DELAY_MS);
  }

  private scheduleServiceRefresh(change: ServiceEventsChange): void {
    this.pendingServices.add(`${change.deviceKey}|${change.serviceKey}`);
    this.refreshTimer ??= setTimeout(() => this.flush(), REFRESH_DELAY_MS);
  }

  /** The tree's object for this node's id, its snapshot brought up to date; `fresh` when new. */
  private intern<T extends TreeNode>(fresh: T): T {
    const known = this.nodes.get(fresh.id);
    if (known && known.kind === fresh.kind) {
      Object.assign(known, fresh);
      return known as T;
    }
    this.nodes.set(fresh.id, fresh);
    if (fresh.kind === 'service' || fresh.kind === 'variable' || fresh.kind === 'variables') {
      const key = `${fresh.device.key}|${fresh.service.key}`;
      let ids = this.serviceRows.get(key);
      if (!ids) this.serviceRows.set(key, (ids = new Set()));
      ids.add(fresh.id);
    }
    return fresh;
  }

  /** Drops the nodes of a device that left. */
  private forget(deviceKey: string): void {
    const id = `device:${deviceKey}`;
    for (const key of [...this.nodes.keys()]) {
      if (key === id || key.startsWith(`${id}/`)) {
        this.nodes.delete(key);
        this.drawnItems.delete(key);
        this.drawnChildren.delete(key);
      }
    }
    for (const key of [...this.serviceRows.keys()]) if (key.startsWith(`${deviceKey}|`)) this.serviceRows.delete(key);
    this.drawnLabels.delete(deviceKey);
  }

  private updateBadge(): void {
    const count = this.explorer.devices.length;
    this.view.badge = count > 0 ? { value: count, tooltip: count === 1 ? '1 UPnP device' : `${count} UPnP devices` } : undefined;
  }

  private deviceIcon(node: DeviceNode): vscode.TreeItem['iconPath'] {
    if (node.isRoot && node.device.status === 'describing') return new vscode.ThemeIcon('loading~spin');
    if (node.isRoot && node.device.status === 'error') return new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
    const own = node.description ? this.icons.iconFor(node.description) : undefined;
    return own ?? new vscode.ThemeIcon(deviceTypeCodicon(node.description?.deviceType));
  }
}

/** Space-separated flags matched by the `when` clauses in package.json (`viewItem =~ /\bflag\b/`). */
function deviceContextValue(node: DeviceNode): string {
  const flags = ['upnpDevice', node.isRoot ? 'root' : 'embedded', node.device.status];
  if (node.description) flags.push('described');
  if (node.isRoot && node.device.descriptionXml !== undefined) flags.push('hasDescriptionXml');
  if (isOpenableWebUrl(node.description?.presentationUrl)) flags.push('hasPresentation');
  if (node.isRoot ? node.device.udn ?? node.description?.udn : node.description?.udn) flags.push('hasUdn');
  if (node.isRoot && node.device.usns.length > 0) flags.push('hasUsn');
  const udn = node.description?.udn;
  if (udn && node.device.services.some((s) => s.deviceUdn === udn && /:service:AVTransport:\d+$/.test(s.description.serviceType))) flags.push('renderer');
  return flags.join(' ');
}

/** `upnpService [hasScpdXml] [canSubscribe|subscribed]`: `hasScpdXml` must stay right after `upnpService`. */
function serviceContextValue(service: ServiceState, events: ServiceEventStatus | undefined): string {
  const flags = ['upnpService'];
  if (service.scpdXml !== undefined) flags.push('hasScpdXml');
  // Subscribing counts as subscribed: Unsubscribe then cancels the SUBSCRIBE under way.
  if (events) flags.push('subscribed');
  else if (service.description.eventSubUrl) flags.push('canSubscribe');
  return flags.join(' ');
}

function markdown(text: string): vscode.MarkdownString {
  // Device text is already escaped; still keep commands, HTML and theme icons off.
  const md = new vscode.MarkdownString(text, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

/**
 * Every row's label and description as one honest line: whatever part of them a device wrote
 * (names, types, titles, errors), newlines, separators, bidi overrides and controls show as escapes.
 */
function honest(item: vscode.TreeItem): vscode.TreeItem {
  if (typeof item.label === 'string') item.label = oneLine(item.label, 200);
  else if (item.label) item.label = { ...item.label, label: oneLine(item.label.label, 200) };
  if (typeof item.description === 'string') item.description = oneLine(item.description, 300);
  return item;
}

/** What a row shows, as one string: two rows with the same signature look the same. */
function itemSignature(item: vscode.TreeItem): string {
  const icon = item.iconPath;
  const iconKey = icon instanceof vscode.ThemeIcon ? `theme:${icon.id}:${icon.color?.id ?? ''}` : icon === undefined ? '' : typeof icon === 'string' ? icon : JSON.stringify(icon);
  const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value ?? '';
  const label = typeof item.label === 'string' ? item.label : JSON.stringify(item.label ?? '');
  return JSON.stringify([label, item.description ?? '', tooltip, iconKey, item.contextValue ?? '', item.collapsibleState ?? 0, item.command?.command ?? '']);
}

/** Whether a device or one of its embedded devices shows the icon at `url`. */
function deviceShowsIcon(description: DeviceDescription, url: string, iconUrlOf: (d: DeviceDescription) => string | undefined): boolean {
  const stack: DeviceDescription[] = [description];
  for (let n = 0; stack.length > 0 && n < 1000; n++) {
    const d = stack.pop()!;
    if (iconUrlOf(d) === url) return true;
    stack.push(...d.devices);
  }
  return false;
}
