// Messages between the thumbnails webview and the extension host, declared once and imported by
// both sides. No `vscode`, no DOM: plain data that survives postMessage's structured clone.
//
// The webview never fetches anything itself: it asks for items (a page at a time) and for the
// thumbnails of the tiles it shows; the host fetches the images from the device and hands them
// over as data: URIs. Everything here is untrusted until a guard has checked its shape.

/** One item of the container, as a tile shows it. `key` is the host's handle for it. */
export interface ThumbnailItem {
  readonly key: string;
  /** The DIDL-Lite object id. */
  readonly id: string;
  readonly title: string;
  readonly date?: string;
  readonly upnpClass: string;
  readonly kind: 'container' | 'image' | 'audio' | 'video' | 'other';
  /** Whether the object offers something to show as a thumbnail (otherwise a placeholder). */
  readonly hasThumbnail: boolean;
  /** Whether it has a resource to download or copy the URL of. */
  readonly hasResources: boolean;
  /** Whether the server allows DestroyObject on it (not restricted). */
  readonly deletable: boolean;
}

/** What the preview pane lists beside the larger image. */
export interface PreviewDetails {
  readonly title: string;
  readonly id: string;
  readonly upnpClass: string;
  readonly date?: string;
  readonly creator?: string;
  /** One line per resource (`describeResource`). */
  readonly resources: readonly string[];
}

// ---- host -> webview ----

export interface InitMessage {
  readonly type: 'init';
  /** `101MSDCF — Leica Q3-1234567`. */
  readonly title: string;
  readonly pageSize: number;
  /** The host's handle for this panel: tile context menus name it, so a command finds its grid. */
  readonly panel: string;
}

/** The next page of items, to append after those already shown. */
export interface ItemsMessage {
  readonly type: 'items';
  readonly items: readonly ThumbnailItem[];
  /** No more pages. */
  readonly done: boolean;
  /** TotalMatches as the device reported it; undefined when it is unknown or obviously wrong. */
  readonly total?: number;
}

/** A thumbnail for a tile: the image as a data: URI, or why there is none. */
export interface ThumbnailMessage {
  readonly type: 'thumbnail';
  readonly key: string;
  readonly dataUri?: string;
  readonly error?: string;
}

export interface PreviewMessage {
  readonly type: 'preview';
  readonly key: string;
  readonly details: PreviewDetails;
  readonly dataUri?: string;
  readonly error?: string;
}

/** Paging failed: the grid keeps what it has and says why. */
export interface ErrorMessage {
  readonly type: 'error';
  readonly message: string;
}

/** An item was deleted (DestroyObject, from the tree or the grid): its tile goes. */
export interface RemovedMessage {
  readonly type: 'removed';
  readonly key: string;
}

export type HostMessage = InitMessage | ItemsMessage | ThumbnailMessage | PreviewMessage | ErrorMessage | RemovedMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  readonly type: 'ready';
}

/** The user scrolled near the end: fetch the next page. */
export interface LoadMoreMessage {
  readonly type: 'loadMore';
}

/**
 * The tiles now in (or near) view that still lack their image. Replaces the previous request:
 * thumbnails asked for earlier but not started any more are dropped (the user scrolled past).
 */
export interface WantThumbnailsMessage {
  readonly type: 'thumbnails';
  readonly keys: readonly string[];
}

export interface WantPreviewMessage {
  readonly type: 'preview';
  readonly key: string;
}

/** What a tile (or the preview) offers; the host runs the same command as the tree's context menu. */
export const TILE_ACTIONS = ['download', 'metadata', 'delete', 'copyUrl'] as const;
export type TileAction = typeof TILE_ACTIONS[number];

/** A button in the preview, or a key on a focused tile (Delete), asks for an action on an item. */
export interface TileActionMessage {
  readonly type: 'action';
  readonly key: string;
  readonly action: TileAction;
}

export type WebviewMessage = ReadyMessage | LoadMoreMessage | WantThumbnailsMessage | WantPreviewMessage | TileActionMessage;

/**
 * What a tile's `data-vscode-context` holds: VS Code hands it (with `webview`, the view type) to the
 * command chosen from the tile's context menu.
 */
export interface TileContext {
  readonly webviewSection: 'tile';
  readonly panel: string;
  readonly tileKey: string;
  readonly hasResources: boolean;
  readonly deletable: boolean;
  readonly preventDefaultContextMenuItems: true;
}

// ---- guards ----

/** More keys than this in one request is not a real viewport. */
export const MAX_WANTED_KEYS = 500;

const KINDS = new Set(['container', 'image', 'audio', 'video', 'other']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/** Checks a message from the webview before the host acts on it. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'loadMore':
      return true;
    case 'thumbnails':
      return isStringList(value.keys) && value.keys.length <= MAX_WANTED_KEYS;
    case 'preview':
      return typeof value.key === 'string';
    case 'action':
      return typeof value.key === 'string' && (TILE_ACTIONS as readonly unknown[]).includes(value.action);
    default:
      return false;
  }
}

/** A context-menu command's argument from a tile: which panel and which tile. */
export function isTileContext(value: unknown): value is TileContext {
  return isRecord(value) && value.webviewSection === 'tile' && typeof value.panel === 'string' && typeof value.tileKey === 'string';
}

export function isThumbnailItem(value: unknown): value is ThumbnailItem {
  return isRecord(value)
    && typeof value.key === 'string'
    && typeof value.id === 'string'
    && typeof value.title === 'string'
    && isOptionalString(value.date)
    && typeof value.upnpClass === 'string'
    && typeof value.kind === 'string' && KINDS.has(value.kind)
    && typeof value.hasThumbnail === 'boolean'
    && typeof value.hasResources === 'boolean'
    && typeof value.deletable === 'boolean';
}

function isPreviewDetails(value: unknown): value is PreviewDetails {
  return isRecord(value)
    && typeof value.title === 'string'
    && typeof value.id === 'string'
    && typeof value.upnpClass === 'string'
    && isOptionalString(value.date)
    && isOptionalString(value.creator)
    && isStringList(value.resources);
}

/**
 * Only images may come in as data: URIs (a `data:text/html` src would be a document, not a
 * picture); the CSP allows nothing else for img-src.
 */
export function isImageDataUri(value: unknown): value is string {
  return typeof value === 'string' && /^data:image\/(jpeg|png|gif|webp|bmp);base64,[A-Za-z0-9+/]*={0,2}$/.test(value);
}

function isOptionalImage(value: unknown): boolean {
  return value === undefined || isImageDataUri(value);
}

/** Checks a message from the host (the webview trusts nothing it did not check). */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'init':
      return typeof value.title === 'string' && typeof value.pageSize === 'number' && typeof value.panel === 'string';
    case 'items':
      return Array.isArray(value.items) && value.items.every(isThumbnailItem) && typeof value.done === 'boolean'
        && (value.total === undefined || (typeof value.total === 'number' && Number.isFinite(value.total)));
    case 'thumbnail':
      return typeof value.key === 'string' && isOptionalImage(value.dataUri) && isOptionalString(value.error);
    case 'preview':
      return typeof value.key === 'string' && isPreviewDetails(value.details) && isOptionalImage(value.dataUri) && isOptionalString(value.error);
    case 'error':
      return typeof value.message === 'string';
    case 'removed':
      return typeof value.key === 'string';
    default:
      return false;
  }
}
