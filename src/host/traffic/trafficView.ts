// The SSDP Traffic view: every datagram the discovery sockets read, newest first, in a tree —
// native rows, keyboard and screen-reader friendly, filterable like the Problems panel, and
// cheap: a ring buffer of records (upnpExplorer.traffic.bufferSize) and at most four redraws a
// second. The view is hidden until asked for (UPnP: Show SSDP Traffic, Show Traffic on a device,
// or the container's menu). Recording starts the first time it is shown and runs until paused;
// it costs the discovery nothing while nobody records (see UpnpExplorer.onTraffic).
import * as os from 'node:os';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import { TrafficRing, matchesTraffic, trafficJsonLines, trafficText } from '../../core/ssdp/traffic';
import type { TrafficFilter, TrafficKind, TrafficRecord } from '../../core/ssdp/traffic';
import type { DisposableLike } from '../../core/util/events';
import { oneLine } from '../../core/util/text';
import { Feature } from '../feature';
import { CONFIG_SECTION } from '../settings';
import { showInfo } from '../text/notify';
import type { TreeNode } from '../tree/nodes';

export const TRAFFIC_VIEW_ID = 'upnpExplorer.traffic';
const DEFAULT_BUFFER = 2000;
const REDRAW_MS = 250;

const KIND_ICONS: Readonly<Record<TrafficKind, string>> = {
  alive: 'broadcast', byebye: 'debug-disconnect', update: 'sync', notify: 'bell', search: 'search', answer: 'reply', other: 'question',
};

export class TrafficView extends Feature implements vscode.TreeDataProvider<TrafficRecord> {
  private readonly changeEmitter = new vscode.EventEmitter<undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<TrafficRecord>;
  private ring: TrafficRing;
  private recording: DisposableLike | undefined;
  private paused = false;
  private filter: TrafficFilter = {};
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly explorer: UpnpExplorer, private readonly revealDevice: (udn: string) => Promise<boolean>) {
    super();
    this.ring = new TrafficRing(bufferSize());
    this.view = vscode.window.createTreeView(TRAFFIC_VIEW_ID, { treeDataProvider: this });
    this.disposables.push(
      this.view,
      this.changeEmitter,
      this.view.onDidChangeVisibility((e) => { if (e.visible) this.start(); }),
      vscode.commands.registerCommand('upnpExplorer.traffic.pause', () => this.setPaused(true)),
      vscode.commands.registerCommand('upnpExplorer.traffic.resume', () => this.setPaused(false)),
      vscode.commands.registerCommand('upnpExplorer.traffic.clear', () => { this.ring.clear(); this.redrawNow(); }),
      vscode.commands.registerCommand('upnpExplorer.traffic.filter', () => this.askFilter()),
      vscode.commands.registerCommand('upnpExplorer.traffic.clearFilter', () => this.setFilter({})),
      vscode.commands.registerCommand('upnpExplorer.traffic.export', () => this.export()),
      vscode.commands.registerCommand('upnpExplorer.traffic.copyRaw', (r?: TrafficRecord) => this.copyRaw(r)),
      vscode.commands.registerCommand('upnpExplorer.traffic.showDevice', (r?: TrafficRecord) => this.showDevice(r)),
      vscode.commands.registerCommand('upnpExplorer.showTraffic', (node?: TreeNode) => this.showTrafficOf(node)),
      // The view is hidden until asked for (it would shrink the Devices tree for everyone).
      vscode.commands.registerCommand('upnpExplorer.traffic.show', async () => {
        await vscode.commands.executeCommand(`${TRAFFIC_VIEW_ID}.focus`);
        this.start();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(`${CONFIG_SECTION}.traffic.bufferSize`)) return;
        const next = new TrafficRing(bufferSize());
        for (const r of this.ring.toArray().slice(-next.capacity)) next.push(r);
        this.ring = next;
        this.redrawNow();
      }),
    );
    void vscode.commands.executeCommand('setContext', 'upnpExplorer.trafficPaused', false);
    if (this.view.visible) this.start();
  }

  /** What is recorded now, oldest first (tests, export). */
  get records(): readonly TrafficRecord[] {
    return this.ring.toArray();
  }

  // ---- the tree ----

  getChildren(element?: TrafficRecord): TrafficRecord[] {
    if (element) return [];
    return this.ring.toArray().filter((r) => matchesTraffic(r, this.filter)).reverse();
  }

  getTreeItem(r: TrafficRecord): vscode.TreeItem {
    const time = new Date(r.at).toISOString().slice(11, 23);
    const item = new vscode.TreeItem(`${time} ${r.kind.toUpperCase()} ${oneLine(r.target ?? '', 120)}`, vscode.TreeItemCollapsibleState.None);
    item.id = `traffic|${r.seq}`;
    item.description = `${r.from}:${r.fromPort}${r.usn ? ` · ${oneLine(r.usn, 120)}` : ''}`;
    item.iconPath = new vscode.ThemeIcon(KIND_ICONS[r.kind]);
    const tip = new vscode.MarkdownString(undefined, false);
    tip.appendText(`${r.kind.toUpperCase()} from ${r.from}:${r.fromPort}${r.via ? ` on ${r.via}` : ''}, ${new Date(r.at).toISOString()}\n`);
    tip.appendCodeblock(r.raw.replace(/\r\n?/g, '\n').trimEnd(), 'http');
    item.tooltip = tip;
    item.contextValue = r.usn && /^uuid:/i.test(r.usn) ? 'upnpTraffic withDevice' : 'upnpTraffic';
    item.accessibilityInformation = { label: `${r.kind} from ${r.from}, ${r.target ?? ''}, at ${time}` };
    return item;
  }

  // ---- recording ----

  private start(): void {
    if (this.recording || this.paused || this.isDisposed) return;
    this.recording = this.explorer.onTraffic((r) => {
      this.ring.push(r);
      this.scheduleRedraw();
    });
    this.updateMessage();
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    void vscode.commands.executeCommand('setContext', 'upnpExplorer.trafficPaused', paused);
    if (paused) {
      this.recording?.dispose();
      this.recording = undefined;
    } else {
      this.start();
    }
    this.updateMessage();
  }

  private scheduleRedraw(): void {
    if (!this.view.visible) return; // drawn when shown again
    this.timer ??= setTimeout(() => this.redrawNow(), REDRAW_MS);
  }

  private redrawNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.changeEmitter.fire(undefined);
    this.updateMessage();
  }

  private updateMessage(): void {
    const parts: string[] = [];
    if (this.paused) parts.push('Paused.');
    const f = this.filter;
    const filters = [f.label ? `device ${f.label}` : '', f.kinds?.length ? f.kinds.join(', ') : '', f.text ? `"${f.text}"` : ''].filter(Boolean);
    if (filters.length) parts.push(`Filtered: ${filters.join(' · ')}.`);
    if (this.ring.dropped > 0) parts.push(`Showing the last ${this.ring.capacity} (upnpExplorer.traffic.bufferSize).`);
    this.view.message = parts.length ? oneLine(parts.join(' '), 300) : undefined;
    this.view.description = `${this.ring.size}`;
  }

  // ---- filter ----

  private setFilter(f: TrafficFilter): void {
    this.filter = f;
    void vscode.commands.executeCommand('setContext', 'upnpExplorer.trafficFiltered', Boolean(f.text || f.kinds?.length || f.udn));
    this.redrawNow();
  }

  private async askFilter(): Promise<void> {
    const kinds = await vscode.window.showQuickPick(
      (['alive', 'byebye', 'update', 'search', 'answer', 'notify'] as TrafficKind[]).map((k) => ({ label: k, picked: this.filter.kinds?.includes(k) ?? false })),
      { title: 'Filter SSDP Traffic (1/2): kinds', placeHolder: 'The kinds of datagram to show (none: all)', canPickMany: true },
    );
    if (!kinds) return;
    const text = await vscode.window.showInputBox({ title: 'Filter SSDP Traffic (2/2): text', prompt: 'Shown when the source, NT/ST, USN, LOCATION, SERVER or USER-AGENT contains this (empty: anything)', value: this.filter.text ?? '' });
    if (text === undefined) return;
    this.setFilter({ ...this.filter, kinds: kinds.map((k) => k.label as TrafficKind), ...(text.trim() ? { text: text.trim() } : { text: undefined }) });
  }

  private async showTrafficOf(node?: TreeNode): Promise<void> {
    const udn = node && 'device' in node ? node.device.udn : undefined;
    if (!udn) return;
    this.setFilter({ udn, label: oneLine(node && 'device' in node ? node.device.description?.device.friendlyName ?? udn : udn, 60) });
    await vscode.commands.executeCommand(`${TRAFFIC_VIEW_ID}.focus`);
    this.start();
  }

  // ---- rows ----

  private async copyRaw(r?: TrafficRecord): Promise<void> {
    const record = r ?? this.view.selection[0];
    if (!record) return;
    await vscode.env.clipboard.writeText(record.raw);
    void vscode.window.setStatusBarMessage('Copied the datagram', 3000);
  }

  private async showDevice(r?: TrafficRecord): Promise<void> {
    const record = r ?? this.view.selection[0];
    const udn = /^(uuid:[^:]+)/i.exec(record?.usn ?? '')?.[1];
    if (!udn) return;
    if (!(await this.revealDevice(udn))) void showInfo(`${udn} is not in the Devices tree (it may have gone, or not been described yet).`);
  }

  private async export(): Promise<void> {
    const records = this.ring.toArray().filter((r) => matchesTraffic(r, this.filter));
    if (records.length === 0) {
      void showInfo('There is no traffic to export.');
      return;
    }
    const uri = await vscode.window.showSaveDialog({
      title: `Export ${records.length} SSDP datagrams`,
      filters: { 'JSON Lines': ['jsonl'], 'Text': ['txt'] },
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()), 'ssdp-traffic.jsonl'),
    });
    if (!uri) return;
    const text = uri.path.endsWith('.txt') ? trafficText(records) : trafficJsonLines(records);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
    void showInfo(`Exported ${records.length} datagrams to ${vscode.workspace.asRelativePath(uri)}.`);
  }

  protected override onDispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.recording?.dispose();
  }
}

function bufferSize(): number {
  const v = vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('traffic.bufferSize');
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(100_000, Math.max(100, Math.round(v))) : DEFAULT_BUFFER;
}
