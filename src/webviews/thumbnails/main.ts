// The thumbnails grid (browser bundle, IIFE). Tiles are appended a page at a time as the user
// scrolls; an IntersectionObserver tells the host which tiles are in (or near) view so it fetches
// just those thumbnails. Images arrive as data: URIs; every device string goes in with textContent.
//
// Keyboard: one tile is in the tab order at a time (roving tabindex); arrow keys, Home and End
// move between tiles, Enter or Space previews, Delete asks to delete. With the preview open the
// preview follows the focused tile, so the arrows page through the pictures. A tile's context menu
// (VS Code's, from `data-vscode-context`) and the preview's buttons run the tree's commands.
import { el } from '../dom';
import type { HostMessage, PreviewDetails, ThumbnailItem, TileAction, TileContext, WebviewMessage } from '../../protocol/thumbnails';
import { isHostMessage } from '../../protocol/thumbnails';
import './thumbnails.css';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

interface Tile {
  readonly item: ThumbnailItem;
  readonly element: HTMLElement;
  readonly frame: HTMLElement;
  state: 'waiting' | 'loaded' | 'failed' | 'none';
}

const tiles = new Map<string, Tile>();
const inView = new Set<string>();
let grid: HTMLElement;
let status: HTMLElement;
let sentinel: HTMLElement;
let previewPane: HTMLElement;
let previewKey: string | undefined;
/** The tile in the tab order (roving tabindex). */
let focusKey: string | undefined;
let panelHandle = '';
let done = false;
let loadingMore = false;
let total: number | undefined;
let lastError: string | undefined;
let wantTimer: ReturnType<typeof setTimeout> | undefined;
let tileObserver: IntersectionObserver;
let endObserver: IntersectionObserver;

function send(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function init(title: string, panel: string): void {
  document.title = title;
  panelHandle = panel;
  app.replaceChildren();
  tiles.clear();
  inView.clear();
  focusKey = undefined;
  previewKey = undefined;
  done = false;
  loadingMore = true; // the host loads the first page on 'ready'
  total = undefined;
  lastError = undefined;

  const header = el('header', 'header');
  header.append(el('h1', undefined, title));
  status = el('p', 'status', 'Loading…');
  status.setAttribute('role', 'status');
  header.append(status);
  app.append(header);

  grid = el('div', 'grid');
  grid.setAttribute('role', 'list');
  grid.setAttribute('aria-label', 'Items (arrow keys move, Enter previews, Delete deletes)');
  grid.addEventListener('keydown', onGridKey);
  app.append(grid);
  sentinel = el('div', 'sentinel');
  app.append(sentinel);

  previewPane = el('aside', 'preview');
  previewPane.hidden = true;
  previewPane.setAttribute('aria-label', 'Preview');
  app.append(previewPane);

  // A margin of a few rows: thumbnails are asked for just before they scroll into view.
  tileObserver?.disconnect();
  tileObserver = new IntersectionObserver(onTilesIntersect, { rootMargin: '300px 0px' });
  endObserver?.disconnect();
  endObserver = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) requestMore();
  }, { rootMargin: '600px 0px' });
  endObserver.observe(sentinel);
}

function requestMore(): void {
  if (done || loadingMore) return;
  loadingMore = true;
  updateStatus();
  send({ type: 'loadMore' });
}

function onTilesIntersect(entries: IntersectionObserverEntry[]): void {
  for (const e of entries) {
    const key = (e.target as HTMLElement).dataset.key;
    if (key === undefined) continue;
    if (e.isIntersecting) inView.add(key);
    else inView.delete(key);
  }
  scheduleWant();
}

/** Tells the host which visible tiles still lack their image (debounced: scrolling fires often). */
function scheduleWant(): void {
  if (wantTimer) return;
  wantTimer = setTimeout(() => {
    wantTimer = undefined;
    const keys = [...inView].filter((k) => tiles.get(k)?.state === 'waiting').slice(0, 500);
    send({ type: 'thumbnails', keys });
  }, 60);
}

function addItems(items: readonly ThumbnailItem[]): void {
  const fragment = document.createDocumentFragment();
  for (const item of items) {
    if (tiles.has(item.key)) continue;
    const element = el('figure', `tile kind-${item.kind}`);
    element.dataset.key = item.key;
    element.dataset.id = item.id;
    const context: TileContext = {
      webviewSection: 'tile', panel: panelHandle, tileKey: item.key,
      hasResources: item.hasResources, deletable: item.deletable, preventDefaultContextMenuItems: true,
    };
    element.dataset.vscodeContext = JSON.stringify(context);
    element.tabIndex = focusKey === undefined ? 0 : -1;
    if (focusKey === undefined) focusKey = item.key;
    element.setAttribute('role', 'listitem');
    element.title = item.date ? `${item.title} · ${item.date}` : item.title;
    const frame = el('div', 'frame');
    const tile: Tile = { item, element, frame, state: item.hasThumbnail ? 'waiting' : 'none' };
    if (!item.hasThumbnail) frame.append(placeholder(item));
    else frame.append(el('span', 'spinner', ''));
    element.append(frame, el('figcaption', undefined, item.title));
    element.addEventListener('click', () => {
      setFocus(item.key, false);
      openPreview(item.key);
    });
    // A right-click moves the focus too, so the menu's command and the highlight agree.
    element.addEventListener('contextmenu', () => setFocus(item.key, false));
    tiles.set(item.key, tile);
    fragment.append(element);
  }
  grid.append(fragment);
  for (const item of items) {
    const tile = tiles.get(item.key);
    if (tile) tileObserver.observe(tile.element);
  }
}

// ---- keyboard ----

/** Puts `key`'s tile in the tab order, and focuses it (scrolling it into view) when asked. */
function setFocus(key: string, focus: boolean): void {
  const tile = tiles.get(key);
  if (!tile) return;
  if (focusKey !== key) {
    const old = focusKey === undefined ? undefined : tiles.get(focusKey);
    if (old) old.element.tabIndex = -1;
    tile.element.tabIndex = 0;
    focusKey = key;
  }
  if (focus) {
    tile.element.focus();
    tile.element.scrollIntoView({ block: 'nearest' });
  }
}

/** Tiles per row, from where they sit (the grid reflows with the panel's width). */
function columns(): number {
  const first = grid.firstElementChild as HTMLElement | null;
  if (!first) return 1;
  let n = 0;
  for (let e: Element | null = first; e && (e as HTMLElement).offsetTop === first.offsetTop; e = e.nextElementSibling) n++;
  return Math.max(1, n);
}

/** The tile `steps` tiles after (or, negative, before) `from`, stopping at either end. */
function step(from: HTMLElement, steps: number): HTMLElement {
  let at = from;
  for (let i = 0; i < Math.abs(steps); i++) {
    const next = (steps > 0 ? at.nextElementSibling : at.previousElementSibling) as HTMLElement | null;
    if (!next) break;
    at = next;
  }
  return at;
}

function onGridKey(ev: KeyboardEvent): void {
  const current = (ev.target as HTMLElement).closest<HTMLElement>('.tile');
  const key = current?.dataset.key;
  if (!current || key === undefined) return;
  let target: HTMLElement | undefined;
  switch (ev.key) {
    case 'ArrowRight': target = step(current, 1); break;
    case 'ArrowLeft': target = step(current, -1); break;
    case 'ArrowDown': target = step(current, columns()); break;
    case 'ArrowUp': target = step(current, -columns()); break;
    case 'Home': target = grid.firstElementChild as HTMLElement | null ?? undefined; break;
    case 'End': target = grid.lastElementChild as HTMLElement | null ?? undefined; break;
    case 'Enter':
    case ' ':
      ev.preventDefault();
      openPreview(key);
      return;
    case 'Delete':
      ev.preventDefault();
      if (tiles.get(key)?.item.deletable) act(key, 'delete');
      return;
    default:
      return;
  }
  ev.preventDefault();
  const next = target?.dataset.key;
  if (next === undefined) return;
  setFocus(next, true);
  // The preview pages along with the focus.
  if (previewKey !== undefined && next !== previewKey) openPreview(next);
  // Walking down past the last row loads the next page, as scrolling does.
  if (target === grid.lastElementChild) requestMore();
}

function act(key: string, action: TileAction): void {
  send({ type: 'action', key, action });
}

function placeholder(item: ThumbnailItem): HTMLElement {
  const label = { container: 'Folder', image: 'No thumbnail', audio: 'Audio', video: 'Video', other: 'No preview' }[item.kind];
  const p = el('span', 'placeholder', label);
  p.setAttribute('aria-label', label);
  return p;
}

function setThumbnail(key: string, dataUri: string | undefined, error: string | undefined): void {
  const tile = tiles.get(key);
  if (!tile || tile.state === 'loaded') return;
  if (!dataUri) {
    tile.state = 'failed';
    const p = el('span', 'placeholder failed', 'Not available');
    if (error) p.title = error;
    tile.frame.replaceChildren(p);
    return;
  }
  const img = el('img');
  img.alt = tile.item.title;
  img.decoding = 'async';
  img.src = dataUri;
  tile.state = 'loaded';
  tile.frame.replaceChildren(img);
  tile.element.classList.add('loaded');
}

function updateStatus(): void {
  const shown = tiles.size;
  let text: string;
  if (done) text = shown === 0 ? 'This folder is empty.' : `${shown} item${shown === 1 ? '' : 's'}`;
  else text = `${shown} of ${total ?? '?'} items${loadingMore ? ' · loading…' : ''}`;
  if (lastError) text += ` · ${lastError}`;
  status.textContent = text;
  status.classList.toggle('error', lastError !== undefined);
}

function sentinelNearView(): boolean {
  return sentinel.getBoundingClientRect().top < window.innerHeight + 600;
}

// ---- preview ----

function openPreview(key: string): void {
  previewKey = key;
  const tile = tiles.get(key);
  previewPane.hidden = false;
  previewPane.replaceChildren(el('p', 'muted', tile ? tile.item.title : 'Loading…'));
  send({ type: 'preview', key });
}

function closePreview(): void {
  previewKey = undefined;
  previewPane.hidden = true;
  previewPane.replaceChildren();
  tiles.forEach((t) => t.element.classList.remove('selected'));
}

function showPreview(key: string, details: PreviewDetails, dataUri: string | undefined, error: string | undefined): void {
  if (key !== previewKey) return;
  tiles.forEach((t) => t.element.classList.toggle('selected', t.item.key === key));
  const head = el('div', 'preview-head');
  head.append(el('h2', undefined, details.title));
  const close = el('button', 'close', '×');
  close.type = 'button';
  close.title = 'Close (Escape)';
  close.setAttribute('aria-label', 'Close preview');
  close.addEventListener('click', closePreview);
  head.append(close);

  const picture = el('div', 'preview-image');
  if (dataUri) {
    const img = el('img');
    img.alt = details.title;
    img.src = dataUri;
    picture.append(img);
  } else if (error) {
    picture.append(el('p', 'muted', error));
  } else {
    picture.append(el('p', 'muted', 'Loading the preview…'));
  }

  const dl = el('dl', 'details');
  const row = (name: string, value: string | undefined): void => {
    if (value === undefined || value === '') return;
    dl.append(el('dt', undefined, name), el('dd', undefined, value));
  };
  row('ID', details.id);
  row('Class', details.upnpClass);
  row('Date', details.date);
  row('Creator', details.creator);
  const resources = el('ul', 'resources');
  for (const r of details.resources) resources.append(el('li', undefined, r));
  if (details.resources.length > 0) {
    const dd = el('dd');
    dd.append(resources);
    dl.append(el('dt', undefined, 'Resources'), dd);
  }

  const actions = el('div', 'actions');
  const tile = tiles.get(key);
  const button = (label: string, action: TileAction, hint: string): void => {
    const b = el('button', `action-${action}`, label);
    b.type = 'button';
    b.title = hint;
    b.addEventListener('click', () => act(key, action));
    actions.append(b);
  };
  if (tile?.item.hasResources) button('Download…', 'download', 'Save one of its resources to a file');
  button('Show Metadata', 'metadata', 'BrowseMetadata: the DIDL-Lite in an editor');
  if (tile?.item.hasResources) button('Copy URL', 'copyUrl', "Copy a resource's URL");
  if (tile?.item.deletable) button('Delete…', 'delete', 'DestroyObject on the device (asks first)');

  previewPane.replaceChildren(head, actions, picture, dl);
}

/** A deleted item's tile goes; the count follows. */
function removeTile(key: string): void {
  const tile = tiles.get(key);
  if (!tile) return;
  tileObserver.unobserve(tile.element);
  // The focus moves on to the neighbour, as in a list after a delete.
  if (focusKey === key) {
    const neighbour = (tile.element.nextElementSibling ?? tile.element.previousElementSibling) as HTMLElement | null;
    const hadFocus = document.activeElement === tile.element;
    focusKey = undefined;
    if (neighbour?.dataset.key !== undefined) setFocus(neighbour.dataset.key, hadFocus);
  }
  tile.element.remove();
  tiles.delete(key);
  inView.delete(key);
  if (total !== undefined && total > 0) total--;
  if (previewKey === key) closePreview();
  updateStatus();
}

// ---- messages ----

function onMessage(message: HostMessage): void {
  switch (message.type) {
    case 'init':
      init(message.title, message.panel);
      break;
    case 'items':
      loadingMore = false;
      lastError = undefined;
      done = message.done;
      total = message.total;
      addItems(message.items);
      updateStatus();
      // Still at the bottom (a short page, a tall window): keep going. Observing the sentinel
      // afresh delivers its current state at once: the observer only reports changes, and a page
      // that arrives while the sentinel stays in range would otherwise leave the grid stuck.
      if (!done && sentinelNearView()) requestMore();
      else if (!done) {
        endObserver.unobserve(sentinel);
        endObserver.observe(sentinel);
      }
      break;
    case 'thumbnail':
      setThumbnail(message.key, message.dataUri, message.error);
      break;
    case 'preview':
      showPreview(message.key, message.details, message.dataUri, message.error);
      break;
    case 'error':
      loadingMore = false;
      lastError = message.message;
      updateStatus();
      break;
    case 'removed':
      removeTile(message.key);
      break;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isHostMessage(event.data)) onMessage(event.data);
});
window.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape' && previewKey !== undefined) closePreview();
});

send({ type: 'ready' });
