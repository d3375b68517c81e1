// The Hosted Devices view: each running device with where it is announced (interface, LOCATION)
// and what it has done (searches answered, HTTP requests, SOAP calls, subscribers, NOTIFYs).
// Counters move with traffic: the view redraws at most once a second.
import * as vscode from 'vscode';
import type { HostedDevice } from '../../device/index';
import { oneLine } from '../../core/util/text';
import { Feature } from '../feature';

export const HOSTED_VIEW_ID = 'upnpExplorer.hosted';

export type HostedNode =
  | { readonly kind: 'device'; readonly device: HostedDevice }
  | { readonly kind: 'interface'; readonly device: HostedDevice; readonly name: string; readonly address: string; readonly location: string; readonly unicast: boolean; readonly sendProblem?: string }
  | { readonly kind: 'stat'; readonly device: HostedDevice; readonly id: string; readonly label: string; readonly description: string; readonly icon: string };

export class HostedTreeProvider extends Feature implements vscode.TreeDataProvider<HostedNode> {
  private readonly changeEmitter = new vscode.EventEmitter<HostedNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<HostedNode>;
  private readonly deviceNodes = new Map<HostedDevice, HostedNode>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly devices: () => readonly HostedDevice[]) {
    super();
    this.view = vscode.window.createTreeView(HOSTED_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(this.view, this.changeEmitter);
  }

  /** Something changed (a device started or stopped): redraw now. */
  refresh(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const d of [...this.deviceNodes.keys()]) if (!this.devices().includes(d)) this.deviceNodes.delete(d);
    this.changeEmitter.fire(undefined);
    void vscode.commands.executeCommand('setContext', 'upnpExplorer.hosting', this.devices().length > 0);
  }

  /** Counters moved: redraw within a second. */
  touch(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.changeEmitter.fire(undefined);
    }, 1000);
  }

  nodeOf(device: HostedDevice): HostedNode {
    let node = this.deviceNodes.get(device);
    if (!node) {
      node = { kind: 'device', device };
      this.deviceNodes.set(device, node);
    }
    return node;
  }

  getChildren(node?: HostedNode): HostedNode[] {
    if (!node) return this.devices().map((d) => this.nodeOf(d));
    if (node.kind !== 'device') return [];
    const d = node.device;
    const s = d.ssdp.counters;
    const h = d.http.counters;
    const subscribers = d.definition.services.reduce((n, svc) => n + d.http.subscriberCount(svc.description.serviceId), 0);
    return [
      ...d.ssdp.interfaces.map(({ iface, unicast, sendProblem }): HostedNode => ({ kind: 'interface', device: d, name: iface.name, address: iface.address, location: d.locationFor(iface.address), unicast, ...(sendProblem !== undefined ? { sendProblem } : {}) })),
      { kind: 'stat', device: d, id: 'ssdp', label: 'Searches', description: `${s.answered} answered, ${s.ignored} not · ${s.notifies} NOTIFYs sent`, icon: 'radio-tower' },
      { kind: 'stat', device: d, id: 'http', label: 'HTTP', description: `${h.requests} requests · ${h.soapCalls} SOAP calls`, icon: 'globe' },
      { kind: 'stat', device: d, id: 'events', label: 'Events', description: `${subscribers} subscriber${subscribers === 1 ? '' : 's'} · ${h.notifies} NOTIFYs delivered`, icon: 'bell' },
    ];
  }

  getTreeItem(node: HostedNode): vscode.TreeItem {
    const key = node.device.identity.udn;
    switch (node.kind) {
      case 'device': {
        const d = node.device;
        const item = new vscode.TreeItem(oneLine(d.friendlyName, 120), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `hosted|${key}`;
        item.description = vscode.workspace.asRelativePath(d.folder);
        item.iconPath = new vscode.ThemeIcon('broadcast');
        item.contextValue = 'upnpHostedDevice';
        item.tooltip = new vscode.MarkdownString(undefined, false);
        item.tooltip.appendText(`${d.friendlyName}\nFolder: ${d.folder}\nUDN: ${d.identity.udn} (${d.identity.source === 'manifest' ? 'from the manifest' : 'kept in the folder'})\nSERVER: ${d.definition.manifest.ssdp.server}\nmax-age: ${d.definition.manifest.ssdp.maxAgeSeconds} s · answers: ${d.definition.manifest.ssdp.answer === 'root' ? 'upnp:rootdevice and ssdp:all only' : 'every search target'}`);
        return item;
      }
      case 'interface': {
        const item = new vscode.TreeItem(`${node.name} ${node.address}`, vscode.TreeItemCollapsibleState.None);
        item.id = `hosted|${key}|if|${node.address}`;
        item.description = node.sendProblem ? `${node.location} · announcements fail` : node.location;
        item.iconPath = node.sendProblem ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon('plug');
        item.tooltip = `${node.sendProblem ? `Announcements can't be sent from ${node.name} (${node.address}): ${oneLine(node.sendProblem, 200)}. Control points there find the device only by searching.` : `Announced on ${node.name} (${node.address})`}; LOCATION ${node.location}${node.unicast ? '' : '\nPort 1900 on this address is taken by another program: unicast M-SEARCH to it is not answered.'}`;
        item.contextValue = 'upnpHostedInterface';
        return item;
      }
      case 'stat': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = `hosted|${key}|${node.id}`;
        item.description = node.description;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'upnpHostedStat';
        item.command = { command: 'upnpExplorer.showHostLog', title: 'Show Host Log' };
        return item;
      }
    }
  }

  getParent(node: HostedNode): HostedNode | undefined {
    return node.kind === 'device' ? undefined : this.nodeOf(node.device);
  }

  protected override onDispose(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
