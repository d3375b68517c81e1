// The Content subtree of the Devices view: children of a container come from Browse
// (BrowseDirectChildren) a page at a time through the core's ChildPager, which copes with servers
// that misreport NumberReturned/TotalMatches. Pages are kept per container, so the redraws discovery
// causes all the time never Browse again; only Refresh, Load more and Delete change what is shown.
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import * as vscode from 'vscode';
import { ChildPager, ContentDirectoryClient, isAbortError } from '../../core/av/contentDirectory';
import type { DidlObject } from '../../core/av/didl';
import { didlObjectLines, mediaKind } from '../../core/av/didl';
import { describeResource } from '../../core/av/resources';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { SoapExtraArg } from '../../core/soap/envelope';
import { deviceLabel } from '../text/labels';
import type { TreeNode } from '../tree/nodes';
import type { ContentNode } from './contentNodes';
import { containerIdOf, objectOf } from './contentNodes';
import { contentCodicon, contentContextValue, contentDescription, contentLabel, contentTooltip, credibleTotal, loadMoreLabel } from './format';

export const LOAD_MORE_COMMAND = 'upnpExplorer.content.loadMore';

/** What the Devices tree asks of the content feature (devicesTreeProvider.ts delegates content rows here). */
export interface ContentTreeSource {
  /** A row (or, with undefined, everything) changed. */
  readonly onDidChange: vscode.Event<TreeNode | undefined>;
  children(node: ContentNode): Promise<TreeNode[]>;
  treeItem(node: ContentNode): vscode.TreeItem;
}

export interface ContentTreeOptions {
  readonly httpTimeoutMs: () => number;
  readonly pageSize: () => number;
  /** Vendor arguments to add to every Browse of this device's service (e.g. leica:X_FromCP). */
  readonly extraArgs: (device: DiscoveredDevice, service: ServiceState) => SoapExtraArg[];
}

interface ContainerState {
  readonly pager: ChildPager;
  readonly rows: ContentNode[];
  readonly ids: Map<string, number>;
  error?: string;
  loading?: Promise<void>;
}

export class ContentTree extends Feature implements ContentTreeSource {
  private readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly removedEmitter = new vscode.EventEmitter<{ readonly containerRowId: string; readonly objectId: string }>();
  /** An object was deleted from the container row `containerRowId` (the thumbnails grid follows). */
  readonly onDidRemoveObject = this.removedEmitter.event;
  private readonly states = new Map<string, ContainerState>();
  /**
   * The row objects VS Code last got for each id. A refresh must name the very object the tree
   * holds, and discovery redraws rebuild the Content row from a new device snapshot every time.
   */
  private readonly latest = new Map<string, ContentNode>();
  private readonly closing = new AbortController();

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly results: vscode.OutputChannel,
    private readonly options: ContentTreeOptions,
  ) {
    super();
    this.disposables.push(
      this.changeEmitter,
      vscode.commands.registerCommand(LOAD_MORE_COMMAND, (node?: unknown) => this.loadMoreCommand(node)),
      explorer.onDidRemoveDevice(({ device }) => this.forgetDevice(device.key)),
    );
  }

  protected override onDispose(): void {
    this.closing.abort();
    this.removedEmitter.dispose();
    this.states.clear();
    this.latest.clear();
  }

  /** The device's current service (rows are snapshots), or why it can't be used. */
  resolve(node: ContentNode): { device: DiscoveredDevice; service: ServiceState } | string {
    const device = this.explorer.get(node.device.key);
    if (!device) return 'The device is no longer in the UPnP Devices list.';
    const service = device.services.find((s) => s.key === node.service.key);
    if (!service) return `${deviceLabel(device)} no longer offers this ContentDirectory.`;
    if (!service.description.controlUrl) return `${deviceLabel(device)}'s ContentDirectory has no control URL in its description.`;
    return { device, service };
  }

  /** A client for the node's ContentDirectory with the current timeout and vendor arguments. */
  clientFor(node: ContentNode): ContentDirectoryClient | string {
    const found = this.resolve(node);
    if (typeof found === 'string') return found;
    return new ContentDirectoryClient(
      { controlUrl: found.service.description.controlUrl, serviceType: found.service.description.serviceType, scpd: found.service.scpd },
      { timeoutMs: this.options.httpTimeoutMs(), extraArgs: this.options.extraArgs(found.device, found.service) },
    );
  }

  async children(node: ContentNode): Promise<TreeNode[]> {
    this.latest.set(node.id, node);
    if (containerIdOf(node) === undefined) return [];
    let state = this.states.get(node.id);
    if (!state) {
      const client = this.clientFor(node);
      if (typeof client === 'string') return [this.message(node, 'error', client)];
      state = { pager: new ChildPager(client, containerIdOf(node)!, this.options.pageSize()), rows: [], ids: new Map() };
      this.states.set(node.id, state);
      await this.loadPage(node, state);
    } else if (state.loading) {
      await state.loading;
    }
    return this.rowsOf(node, state);
  }

  treeItem(node: ContentNode): vscode.TreeItem {
    this.latest.set(node.id, node);
    const entry = node.entry;
    const item = new vscode.TreeItem('', vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    switch (entry.type) {
      case 'root':
        item.label = 'Content';
        item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        item.iconPath = new vscode.ThemeIcon('library');
        item.tooltip = 'Browse the media on this server (ContentDirectory object 0)';
        item.contextValue = contentContextValue(undefined);
        break;
      case 'object': {
        const o = entry.object;
        item.label = contentLabel(o);
        item.description = contentDescription(o);
        if (o.kind === 'container') item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
        item.iconPath = new vscode.ThemeIcon(contentCodicon(mediaKind(o)));
        item.tooltip = markdown(contentTooltip(o, describeResource));
        item.contextValue = contentContextValue(o);
        break;
      }
      case 'more': {
        const loading = this.states.get(node.parent?.id ?? '')?.loading !== undefined;
        item.label = loading ? 'Loading…' : loadMoreLabel(entry.shown, entry.total);
        item.iconPath = new vscode.ThemeIcon(loading ? 'loading~spin' : 'fold-down');
        item.tooltip = 'Fetch the next page of this container (upnpExplorer.browse.pageSize)';
        item.contextValue = 'upnpContentMore';
        item.command = { command: LOAD_MORE_COMMAND, title: 'Load More', arguments: [node] };
        break;
      }
      case 'message':
        item.label = entry.message;
        item.tooltip = entry.message;
        item.iconPath = entry.severity === 'error'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'))
          : new vscode.ThemeIcon(entry.severity === 'loading' ? 'loading~spin' : 'info');
        item.contextValue = entry.severity === 'error' ? 'upnpContentError' : 'upnpContentMessage';
        break;
    }
    return item;
  }

  /** Fetches the next page of the container that `moreRow` ends. */
  async loadMore(moreRow: ContentNode): Promise<void> {
    const parent = moreRow.parent;
    if (!parent || parent.kind !== 'content') return;
    const state = this.states.get(parent.id);
    if (!state || state.loading || state.pager.done) return;
    const loading = this.loadPage(parent, state);
    this.fire(parent.id);
    await loading;
    this.fire(parent.id);
  }

  /** Forgets the container's pages (and those of everything below it) and Browses again. */
  refresh(container: ContentNode): void {
    for (const id of [...this.states.keys()]) if (id === container.id || id.startsWith(`${container.id}/`)) this.states.delete(id);
    this.fire(container.id);
  }

  /** After DestroyObject: the row goes; a partly loaded container is reloaded (the server's indexes moved). */
  removed(row: ContentNode): void {
    const parent = row.parent;
    const object = objectOf(row);
    if (parent && parent.kind === 'content' && object) this.removedEmitter.fire({ containerRowId: parent.id, objectId: object.id });
    for (const id of [...this.states.keys()]) if (id === row.id || id.startsWith(`${row.id}/`)) this.states.delete(id);
    if (!parent || parent.kind !== 'content') return;
    const state = this.states.get(parent.id);
    if (!state) return;
    if (!state.pager.done) {
      this.refresh(parent);
      return;
    }
    const at = state.rows.findIndex((r) => r.id === row.id);
    if (at >= 0) state.rows.splice(at, 1);
    this.fire(parent.id);
  }

  private async loadMoreCommand(arg: unknown): Promise<void> {
    if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'content') await this.loadMore(arg as ContentNode);
  }

  private fire(id: string): void {
    const node = this.latest.get(id);
    // Unknown to the tree (collapsed away): nothing to redraw, the next expand asks again.
    if (node) this.changeEmitter.fire(node);
  }

  private loadPage(node: ContentNode, state: ContainerState): Promise<void> {
    const before = state.pager.loaded.length;
    state.loading = (async (): Promise<void> => {
      try {
        const objects = await state.pager.next(this.closing.signal);
        // Only an empty page ends paging (servers lie about counts). A short page usually means
        // the end: ask once more now, so a small folder shows no "Load more" row.
        if (!state.pager.done && objects.length < state.pager.pageSize) objects.push(...await state.pager.next(this.closing.signal));
        state.error = undefined;
        for (const object of objects) state.rows.push(this.objectRow(node, state, object));
        this.logPage(node, objects, before);
      } catch (err) {
        if (isAbortError(err)) return;
        state.error = errorMessage(err);
        this.results.appendLine(`${new Date().toLocaleTimeString()} ${this.where(node)}: ${state.error}`);
      } finally {
        state.loading = undefined;
      }
    })();
    return state.loading;
  }

  private rowsOf(node: ContentNode, state: ContainerState): TreeNode[] {
    const rows: TreeNode[] = [...state.rows];
    if (state.error) rows.push(this.message(node, 'error', state.error));
    if (!state.pager.done) {
      const shown = state.rows.length;
      rows.push({
        kind: 'content', id: `${node.id}/more`, parent: node, device: node.device, service: node.service,
        entry: { type: 'more', shown, total: credibleTotal(shown, state.pager.totalMatches, false) },
      });
    } else if (state.rows.length === 0 && !state.error) {
      rows.push(this.message(node, 'empty', 'No items'));
    }
    return rows;
  }

  private objectRow(parent: ContentNode, state: ContainerState, object: DidlObject): ContentNode {
    // Servers do repeat ids (and a lying pager can overlap pages); VS Code rejects two equal ids.
    const base = `${parent.id}/${encodeURIComponent(object.id)}`;
    const n = state.ids.get(base) ?? 0;
    state.ids.set(base, n + 1);
    return {
      kind: 'content', id: n === 0 ? base : `${base}#${n + 1}`, parent, device: parent.device, service: parent.service,
      entry: { type: 'object', object },
    };
  }

  private message(parent: ContentNode, severity: 'loading' | 'error' | 'empty', text: string): ContentNode {
    return { kind: 'content', id: `${parent.id}/${severity}`, parent, device: parent.device, service: parent.service, entry: { type: 'message', severity, message: text } };
  }

  private where(node: ContentNode): string {
    const o = objectOf(node);
    return `${deviceLabel(node.device)} › ${o ? contentLabel(o) : 'Content'}`;
  }

  /** The decoded page in the results channel: one block per Browse. */
  private logPage(node: ContentNode, objects: readonly DidlObject[], start: number): void {
    const c = this.results;
    c.appendLine(`${new Date().toLocaleTimeString()} Browse ${this.where(node)} (ObjectID ${containerIdOf(node)}, from ${start}): ${objects.length} object${objects.length === 1 ? '' : 's'}`);
    for (const o of objects) {
      for (const line of didlObjectLines(o)) c.appendLine(`  ${line}`);
    }
    c.appendLine('');
  }

  private forgetDevice(key: string): void {
    for (const [id, node] of [...this.latest]) if (node.device.key === key) this.latest.delete(id);
    for (const id of [...this.states.keys()]) if (id.startsWith(`device:${key}/`)) this.states.delete(id);
  }
}


function markdown(text: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(text, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}
