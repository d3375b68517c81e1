// "Show Thumbnails": a webview grid of a container's items. The webview asks for pages of items as
// the user scrolls and for the thumbnails of the tiles in view; this side pages with ChildPager,
// fetches images from the device (at most THUMBNAIL_CONCURRENCY at once, cached in memory) and
// hands them over as data: URIs, so the webview's CSP never lets it reach the LAN itself.
import { WebviewConnection } from '../webviewConnection';
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import { showError } from '../text/notify';
import * as vscode from 'vscode';
import { imageDataUri, webviewPage } from '../webviewHtml';
import { ChildPager } from '../../core/av/contentDirectory';
import type { DidlObject } from '../../core/av/didl';
import { mediaKind } from '../../core/av/didl';
import { fetchImage } from '../../core/av/download';
import { describeResource, pickPreview, pickThumbnail } from '../../core/av/resources';
import type { HostMessage, PreviewDetails, ThumbnailItem, TileAction, WebviewMessage } from '../../protocol/thumbnails';
import { isWebviewMessage } from '../../protocol/thumbnails';
import { deviceLabel } from '../text/labels';
import type { ContentNode } from './contentNodes';
import { containerIdOf, objectOf } from './contentNodes';
import type { ContentTree } from './contentTree';
import { canDelete, contentLabel, credibleTotal } from './format';
import { FetchQueue, LruCache } from './thumbnailQueue';

export const THUMBNAILS_VIEW_TYPE = 'upnpExplorer.thumbnails';
/** Cameras answer one image at a time, and slowly; a handful in parallel keeps the grid moving. */
export const THUMBNAIL_CONCURRENCY = 4;
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;
const PREVIEW_MAX_BYTES = 16 * 1024 * 1024;

/** Runs a tile's action: the same command the tree's row offers, on a row built for the tile. */
export type TileActionRunner = (row: ContentNode, action: TileAction) => unknown;

/** Opens one panel per container and shares the image cache between them. */
export class ThumbnailsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ThumbnailsPanel>();
  private nextHandle = 1;
  /** data: URIs by image URL; bounded by count and by size (~64 MB of base64). */
  readonly cache = new LruCache<string>(5000, 64 * 1024 * 1024, (v) => v.length);

  constructor(
    private readonly tree: ContentTree,
    private readonly extensionUri: vscode.Uri,
    readonly httpTimeoutMs: () => number,
    private readonly pageSize: () => number,
    readonly runAction: TileActionRunner,
  ) {}

  /**
   * The row a tile stands for, as the tree would build it (same id), from the panel handle and tile
   * key a tile's context menu hands its command; undefined once the panel or the tile is gone.
   */
  rowFor(panelHandle: string, key: string): ContentNode | undefined {
    for (const panel of this.panels.values()) if (panel.handle === panelHandle) return panel.rowFor(key);
    return undefined;
  }

  /** The grid of `containerRowId`, if open, drops the deleted object's tile. */
  objectRemoved(containerRowId: string, objectId: string): void {
    this.panels.get(containerRowId)?.removeObject(objectId);
  }

  open(node: ContentNode): void {
    const containerId = containerIdOf(node);
    if (containerId === undefined) return;
    const existing = this.panels.get(node.id);
    if (existing) {
      existing.reveal();
      return;
    }
    const client = this.tree.clientFor(node);
    if (typeof client === 'string') {
      void showError(client);
      return;
    }
    const o = objectOf(node);
    const title = `${o ? contentLabel(o) : 'Content'} — ${deviceLabel(node.device)}`;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews');
    const webviewPanel = vscode.window.createWebviewPanel(THUMBNAILS_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    const panel = new ThumbnailsPanel(webviewPanel, node, String(this.nextHandle++), title, new ChildPager(client, containerId, this.pageSize()), this.pageSize(), dist, this);
    this.panels.set(node.id, panel);
    panel.onDidDispose(() => this.panels.delete(node.id));
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.cache.clear();
  }
}

class ThumbnailsPanel extends Feature {
  private readonly objects: DidlObject[] = [];
  /** Keys (indices) of objects deleted since they were listed: their tiles are gone. */
  private readonly removed = new Set<string>();
  private readonly queue: FetchQueue;
  private readonly closing = new AbortController();
  private previewAbort: AbortController | undefined;
  private loading: Promise<void> | undefined;
  private readonly connection: WebviewConnection<HostMessage, WebviewMessage>;
  private readonly disposeListeners: Array<() => void> = [];

  constructor(
    private readonly panel: vscode.WebviewPanel,
    /** The container row the grid shows. */
    private readonly container: ContentNode,
    readonly handle: string,
    private readonly title: string,
    private readonly pager: ChildPager,
    private readonly pageSize: number,
    dist: vscode.Uri,
    private readonly owner: ThumbnailsPanels,
  ) {
    super();
    this.queue = new FetchQueue(THUMBNAIL_CONCURRENCY, (key, signal) => this.fetchThumbnail(key, signal));
    this.connection = new WebviewConnection(panel.webview, isWebviewMessage, {
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
    });
    panel.webview.html = this.html(dist);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      this.connection,
    );
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  protected override onDispose(): void {
    this.closing.abort();
    this.previewAbort?.abort();
    this.queue.dispose();
    this.panel.dispose();
    for (const l of this.disposeListeners.splice(0)) l();
  }

  private post(message: HostMessage): void {
    if (!this.isDisposed) this.connection.post(message);
  }

  /**
   * The grid as far as it is loaded (also after the webview was reloaded, hidden and shown again:
   * it starts from scratch); the first page is asked for when there is none yet.
   */
  private snapshot(): HostMessage[] {
    const init: HostMessage = { type: 'init', title: this.title, pageSize: this.pageSize, panel: this.handle };
    if (this.objects.length > 0 || this.pager.done) return [init, this.itemsMessage(0)];
    queueMicrotask(() => void this.loadMore());
    return [init];
  }

  private onMessage(message: WebviewMessage): void {
    switch (message.type) {
      case 'loadMore':
        void this.loadMore();
        break;
      case 'thumbnails': {
        const wanted: string[] = [];
        for (const key of message.keys) {
          const o = this.objectFor(key);
          const thumb = o ? pickThumbnail(o) : undefined;
          if (!thumb) continue;
          const cached = this.owner.cache.get(thumb.uri);
          if (cached) this.post({ type: 'thumbnail', key, dataUri: cached });
          else wanted.push(key);
        }
        this.queue.want(wanted);
        break;
      }
      case 'preview':
        void this.preview(message.key);
        break;
      case 'action': {
        const row = this.rowFor(message.key);
        if (row) void this.owner.runAction(row, message.action);
        break;
      }
    }
  }

  /** A row for the tile's object under the grid's container, with the id the tree gives it. */
  rowFor(key: string): ContentNode | undefined {
    const object = this.objectFor(key);
    if (!object) return undefined;
    const c = this.container;
    return { kind: 'content', id: `${c.id}/${encodeURIComponent(object.id)}`, parent: c, device: c.device, service: c.service, entry: { type: 'object', object } };
  }

  private async loadMore(): Promise<void> {
    if (this.loading || this.pager.done) {
      if (this.pager.done) this.post({ type: 'items', items: [], done: true, total: this.shownCount() });
      return;
    }
    const from = this.objects.length;
    this.loading = (async (): Promise<void> => {
      try {
        const page = await this.pager.next(this.closing.signal);
        // Only an empty page ends paging; a short one usually means the end, so confirm it now
        // and the grid can say how many there are.
        if (!this.pager.done && page.length < this.pager.pageSize) page.push(...await this.pager.next(this.closing.signal));
        // Sub-containers get a folder tile too (browsed in the tree), so counts match the server's.
        this.objects.push(...page);
      } catch (err) {
        if (!this.isDisposed) this.post({ type: 'error', message: `Browse failed: ${errorMessage(err)}` });
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
    this.postItems(from);
  }

  private postItems(from: number): void {
    this.post(this.itemsMessage(from));
  }

  private itemsMessage(from: number): HostMessage {
    const items: ThumbnailItem[] = [];
    for (let i = from; i < this.objects.length; i++) {
      const key = String(i);
      if (!this.removed.has(key)) items.push(toItem(key, this.objects[i]!));
    }
    return { type: 'items', items, done: this.pager.done, total: credibleTotal(this.shownCount(), this.pager.totalMatches, this.pager.done) };
  }

  private shownCount(): number {
    return this.objects.length - this.removed.size;
  }

  /** Drops a deleted object's tile (every listing of it: a lying server may list one twice). */
  removeObject(objectId: string): void {
    // The server's indexes moved: the next page starts one earlier, or it would skip an object.
    this.pager.forget(objectId);
    for (let i = 0; i < this.objects.length; i++) {
      const key = String(i);
      if (this.objects[i]!.id === objectId && !this.removed.has(key)) {
        this.removed.add(key);
        this.post({ type: 'removed', key });
      }
    }
  }

  private objectFor(key: string): DidlObject | undefined {
    return /^\d+$/.test(key) && !this.removed.has(key) ? this.objects[Number(key)] : undefined;
  }

  private async fetchThumbnail(key: string, signal: AbortSignal): Promise<void> {
    const o = this.objectFor(key);
    const thumb = o ? pickThumbnail(o) : undefined;
    if (!thumb) return;
    const cached = this.owner.cache.get(thumb.uri);
    if (cached) {
      this.post({ type: 'thumbnail', key, dataUri: cached });
      return;
    }
    try {
      const image = await fetchImage(thumb.uri, { signal: AbortSignal.any([signal, this.closing.signal]), maxBytes: THUMBNAIL_MAX_BYTES, timeoutMs: this.owner.httpTimeoutMs() });
      const dataUri = imageDataUri(image.mime, image.data);
      this.owner.cache.set(thumb.uri, dataUri);
      this.post({ type: 'thumbnail', key, dataUri });
    } catch (err) {
      if (signal.aborted || this.isDisposed) return;
      this.post({ type: 'thumbnail', key, error: errorMessage(err) });
    }
  }

  private async preview(key: string): Promise<void> {
    const o = this.objectFor(key);
    if (!o) return;
    this.previewAbort?.abort();
    const controller = new AbortController();
    this.previewAbort = controller;
    const details: PreviewDetails = {
      title: contentLabel(o), id: o.id, upnpClass: o.upnpClass, date: o.date, creator: o.creator,
      resources: o.resources.map(describeResource),
    };
    // The larger picture (JPEG_MED, else JPEG_LRG, …); the thumbnail when there is nothing bigger.
    const uri = pickPreview(o)?.uri ?? pickThumbnail(o)?.uri;
    if (!uri) {
      this.post({ type: 'preview', key, details, error: 'No image to preview.' });
      return;
    }
    const cached = this.owner.cache.get(uri);
    if (cached) {
      this.post({ type: 'preview', key, details, dataUri: cached });
      return;
    }
    // Details right away; the image when it arrives.
    this.post({ type: 'preview', key, details });
    try {
      const image = await fetchImage(uri, { signal: AbortSignal.any([controller.signal, this.closing.signal]), maxBytes: PREVIEW_MAX_BYTES, timeoutMs: this.owner.httpTimeoutMs() });
      const dataUri = imageDataUri(image.mime, image.data);
      this.owner.cache.set(uri, dataUri);
      if (!controller.signal.aborted) this.post({ type: 'preview', key, details, dataUri });
    } catch (err) {
      if (!controller.signal.aborted && !this.isDisposed) this.post({ type: 'preview', key, details, error: errorMessage(err) });
    }
  }

  private html(dist: vscode.Uri): string {
    // Images only from our own bundle or as data: URIs the host made: never http: to the LAN.
    return webviewPage(this.panel.webview, dist, { bundle: 'thumbnails', title: 'Thumbnails', dataImages: true });
  }
}

export function toItem(key: string, o: DidlObject): ThumbnailItem {
  return {
    key, id: o.id, title: contentLabel(o), date: o.date, upnpClass: o.upnpClass, kind: mediaKind(o), hasThumbnail: pickThumbnail(o) !== undefined,
    hasResources: o.resources.length > 0, deletable: canDelete(o),
  };
}
