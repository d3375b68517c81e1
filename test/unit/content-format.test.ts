// The Content tree's and thumbnails grid's pure parts: row labels, descriptions, icons, the
// "Load more" label, download file names, vendor Browse arguments, the thumbnails protocol guards,
// the image cache and the bounded fetch queue. Plain Node: nothing here may load `vscode`.
import { rememberedExtraArgs } from '../../src/host/actions/rememberedForms';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDidl } from '../../src/core/av/didl';
import type { DidlObject } from '../../src/core/av/didl';
import { describeResource } from '../../src/core/av/resources';
import {
  browseExtraArgs, canDelete, contentCodicon, contentContextValue, contentDescription, contentLabel, contentTooltip, credibleTotal,
  defaultFileName, extraArgsFromSetting, formatDidlDate, loadMoreLabel, pageSizeFrom,
} from '../../src/host/content/format';
import { containerIdOf, isContentDirectory, isContentNode } from '../../src/host/content/contentNodes';
import type { ContentNode } from '../../src/host/content/contentNodes';
import { FetchQueue, LruCache } from '../../src/host/content/thumbnailQueue';
import { MAX_WANTED_KEYS, isHostMessage, isImageDataUri, isTileContext, isWebviewMessage } from '../../src/protocol/thumbnails';
import { capturedItems, didl, itemDidl, rootContainerDidl } from '../devices/camera-data/content';

const BASE = 'http://192.168.54.1:60606';

function cameraObjects(): DidlObject[] {
  const doc = parseDidl(didl(capturedItems().map((i) => itemDidl(i, BASE))));
  assert.equal(doc.objects.length, 2);
  return doc.objects;
}

test('item rows: title, date and original size, image icon, context flags', () => {
  const [dng, pair] = cameraObjects();
  assert.equal(contentLabel(dng!), '101-0972');
  // Date as the camera wrote it (its own clock and zone), shortened; size of the original (first) resource.
  assert.equal(contentDescription(dng!), '2024-12-10 15:12 · 72.9 MiB');
  assert.equal(contentDescription(pair!), '2024-12-10 15:14 · 29.1 MiB');
  assert.equal(contentCodicon('image'), 'file-media');
  assert.equal(contentCodicon('container'), 'folder');
  assert.equal(contentCodicon('audio'), 'music');
  assert.equal(contentCodicon('video'), 'device-camera-video');
  assert.equal(contentCodicon('other'), 'file');
  // restricted="0" and WRITABLE: Delete is offered.
  assert.equal(contentContextValue(dng), 'upnpContent item hasResources deletable');
  assert.equal(contentContextValue(undefined), 'upnpContent root');
});

test('container rows and rows of servers that send no title', () => {
  const root = parseDidl(didl([rootContainerDidl(2)])).objects[0]!;
  assert.equal(contentDescription(root), '2 items');
  assert.equal(contentDescription({ ...root, childCount: 1 }), '1 item');
  assert.equal(contentDescription({ ...root, childCount: undefined }), '');
  // restricted="1": no Delete.
  assert.equal(canDelete(root), false);
  assert.equal(contentContextValue(root), 'upnpContent container');
  assert.equal(contentLabel({ ...root, title: '  \n ' }), '(untitled 0)');
  assert.equal(canDelete({ ...root, restricted: false, writeStatus: 'NOT_WRITABLE' }), false);
});

test('dates: ISO shortened, anything else shown as sent', () => {
  assert.equal(formatDidlDate('2024-12-10'), '2024-12-10');
  assert.equal(formatDidlDate('2024-12-10T15:12:19+08:00'), '2024-12-10 15:12');
  assert.equal(formatDidlDate('Tuesday'), 'Tuesday');
  assert.equal(formatDidlDate(undefined), undefined);
});

test('Load more label: a believable total, else "?"', () => {
  assert.equal(loadMoreLabel(100, 2500), 'Load more (100 of 2500)');
  assert.equal(loadMoreLabel(100, undefined), 'Load more (100 of ?)');
  // minidlna reports TotalMatches 0 on its first Browse; others a total already exceeded.
  assert.equal(loadMoreLabel(100, 0), 'Load more (100 of ?)');
  assert.equal(loadMoreLabel(100, 100), 'Load more (100 of ?)');
  assert.equal(credibleTotal(100, 2500, false), 2500);
  assert.equal(credibleTotal(100, 0, false), undefined);
  assert.equal(credibleTotal(120, 0, true), 120);
  assert.equal(credibleTotal(3, undefined, true), 3);
});

test('tooltips escape device strings and list every resource', () => {
  const [dng] = cameraObjects();
  const tip = contentTooltip({ ...dng!, title: '[click](command:evil)' }, describeResource);
  // No link survives: every bracket and parenthesis is backslash-escaped.
  assert.ok(tip.startsWith('**\\[click\\]\\(command\\:evil\\)**'), tip);
  assert.match(tip, /Resources \(4\):/);
  assert.ok(tip.includes('• DNG original · 72\\.9 MiB · application\\/octet\\-stream \\(L1010972\\.DNG\\)'), tip);
});

test('download file names: OriginalFileName, else the URL, else title + extension; never a path', () => {
  const [dng, pair] = cameraObjects();
  assert.equal(defaultFileName(dng!, dng!.resources[0]!), 'L1010972.DNG');
  assert.equal(defaultFileName(pair!, pair!.resources[0]!), 'L1010976.JPG');
  // The thumbnail has no OriginalFileName: the URL's last segment.
  assert.equal(defaultFileName(dng!, dng!.resources[1]!), 'DT01010972.JPG');
  const r = dng!.resources[1]!;
  const bare = { ...r, uri: 'http://h/get?id=5', protocolInfo: { ...r.protocolInfo, params: {} } };
  assert.equal(defaultFileName({ ...dng!, title: 'a/b:c' }, bare), 'a_b_c.jpg');
  const hostile = { ...r, protocolInfo: { ...r.protocolInfo, params: { OriginalFileName: '../../etc/passwd' } } };
  assert.equal(defaultFileName(dng!, hostile), '_.._etc_passwd'); // one name, no separator left
});

test('vendor Browse arguments: saved form values, the setting by UDN or *, merged without duplicates', () => {
  const udn = 'uuid:cam';
  const setting = {
    '*': [{ name: 'X_Any', value: '1' }],
    [udn]: [{ name: 'X_FromCP', namespace: 'urn:schemas-leica-com:leica', prefix: 'leica', value: 'Leica Q3' }, { name: '', value: 'x' }, 'junk'],
  };
  assert.deepEqual(extraArgsFromSetting(setting, udn), [
    { name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } },
  ]);
  assert.deepEqual(extraArgsFromSetting(setting, 'uuid:other'), [{ name: 'X_Any', value: '1', namespace: undefined }]);
  assert.deepEqual(extraArgsFromSetting([], udn), []);
  assert.deepEqual(extraArgsFromSetting(undefined, udn), []);

  // What the action form stores (src/host/actions/rememberedForms.ts).
  const state = {
    [JSON.stringify([udn, 'svc', 'Browse'])]: {
      values: { ObjectID: '0' },
      extras: [{ name: 'X_FromCP', value: 'Leica Q3', prefix: 'leica', namespaceUri: 'urn:schemas-leica-com:leica' }],
      at: 1,
    },
    [JSON.stringify([udn, 'svc', 'GetSystemUpdateID'])]: { values: {}, extras: [{ name: 'X_No', value: '', prefix: '', namespaceUri: '' }], at: 1 },
  };
  const browse = (serviceKey: string): { deviceId: string; serviceKey: string; actionName: string } => ({ deviceId: udn, serviceKey, actionName: 'Browse' });
  const saved = rememberedExtraArgs(state, browse('svc'));
  assert.deepEqual(saved, [{ name: 'X_FromCP', value: 'Leica Q3', namespace: { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' } }]);
  assert.deepEqual(rememberedExtraArgs(state, browse('other-service')), []);
  assert.deepEqual(rememberedExtraArgs(null, browse('svc')), []);
  // The same reader the form uses: a malformed entry is dropped, not guessed at.
  assert.deepEqual(rememberedExtraArgs({ [JSON.stringify([udn, 'svc', 'Browse'])]: { values: {}, extras: [{ name: 3 }] } }, browse('svc')), []);
  // The same argument from both places is sent once (the form's value wins).
  assert.deepEqual(browseExtraArgs(saved, extraArgsFromSetting(setting, udn)), saved);
  assert.equal(browseExtraArgs(saved, [{ name: 'X_Other', value: '2' }]).length, 2);
});

test('page size setting: default 100, clamped', () => {
  assert.equal(pageSizeFrom(undefined), 100);
  assert.equal(pageSizeFrom('50'), 100);
  assert.equal(pageSizeFrom(0), 1);
  assert.equal(pageSizeFrom(25.4), 25);
  assert.equal(pageSizeFrom(1e9), 5000);
});

test('content nodes: container ids and the ContentDirectory check', () => {
  const [dng] = cameraObjects();
  const service = { description: { serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1' } } as ContentNode['service'];
  const root = { kind: 'content', id: 'r', parent: undefined, device: {} as ContentNode['device'], service, entry: { type: 'root' } } as ContentNode;
  assert.equal(containerIdOf(root), '0');
  assert.equal(containerIdOf({ ...root, entry: { type: 'object', object: dng! } }), undefined);
  assert.equal(containerIdOf({ ...root, entry: { type: 'object', object: { ...dng!, kind: 'container', id: 'c7' } } }), 'c7');
  assert.ok(isContentNode(root));
  assert.ok(!isContentNode({ kind: 'service' }));
  assert.ok(isContentDirectory(service));
  assert.ok(!isContentDirectory({ description: { serviceType: 'urn:schemas-upnp-org:service:ConnectionManager:1' } } as ContentNode['service']));
});

test('thumbnails protocol: messages from the webview are checked before use', () => {
  assert.ok(isWebviewMessage({ type: 'ready' }));
  assert.ok(isWebviewMessage({ type: 'loadMore' }));
  assert.ok(isWebviewMessage({ type: 'thumbnails', keys: ['0', '1'] }));
  assert.ok(isWebviewMessage({ type: 'preview', key: '3' }));
  assert.ok(!isWebviewMessage({ type: 'thumbnails', keys: [1] }));
  assert.ok(!isWebviewMessage({ type: 'thumbnails', keys: Array.from({ length: MAX_WANTED_KEYS + 1 }, (_, i) => String(i)) }));
  assert.ok(!isWebviewMessage({ type: 'preview' }));
  assert.ok(isWebviewMessage({ type: 'action', key: '3', action: 'delete' }));
  assert.ok(isWebviewMessage({ type: 'action', key: '3', action: 'copyUrl' }));
  assert.ok(!isWebviewMessage({ type: 'action', key: '3', action: 'format' }));
  assert.ok(!isWebviewMessage({ type: 'action', action: 'download' }));
  // The argument VS Code hands a command chosen from a tile's context menu.
  assert.ok(isTileContext({ webview: 'upnpExplorer.thumbnails', webviewSection: 'tile', panel: '1', tileKey: '4', hasResources: true, deletable: true }));
  assert.ok(!isTileContext({ webview: 'upnpExplorer.thumbnails', webviewSection: 'preview', panel: '1', tileKey: '4' }));
  assert.ok(!isTileContext({ webviewSection: 'tile', panel: 1, tileKey: '4' }));
  assert.ok(!isWebviewMessage({ type: 'fetch', url: 'http://192.168.1.1/' }));
  assert.ok(!isWebviewMessage(null));
});

test('thumbnails protocol: only image data: URIs reach an <img>', () => {
  const item = { key: '0', id: '01010972', title: '101-0972', upnpClass: 'object.item.imageItem', kind: 'image', hasThumbnail: true, hasResources: true, deletable: false };
  assert.ok(isHostMessage({ type: 'items', items: [item], done: false }));
  assert.ok(isHostMessage({ type: 'items', items: [item], done: true, total: 1 }));
  assert.ok(!isHostMessage({ type: 'items', items: [{ ...item, kind: 'script' }], done: false }));
  assert.ok(!isHostMessage({ type: 'items', items: [{ ...item, title: 3 }], done: false }));
  assert.ok(isHostMessage({ type: 'thumbnail', key: '0', dataUri: 'data:image/jpeg;base64,/9j/4AAQ' }));
  assert.ok(isHostMessage({ type: 'thumbnail', key: '0', error: 'HTTP 404' }));
  assert.ok(!isHostMessage({ type: 'thumbnail', key: '0', dataUri: 'http://192.168.54.1:60606/DT01010972.JPG' }));
  assert.ok(!isHostMessage({ type: 'thumbnail', key: '0', dataUri: 'data:text/html;base64,PHNjcmlwdD4=' }));
  assert.ok(!isImageDataUri('data:image/svg+xml;base64,PHN2Zz4='));
  assert.ok(!isImageDataUri('data:image/png;base64,AA"onerror="x'));
  const details = { title: 't', id: '1', upnpClass: 'object.item', resources: ['JPEG thumbnail'] };
  assert.ok(isHostMessage({ type: 'preview', key: '0', details }));
  assert.ok(!isHostMessage({ type: 'preview', key: '0', details: { ...details, resources: 'x' } }));
  assert.ok(isHostMessage({ type: 'init', title: 'Content — Leica', pageSize: 100, panel: '1' }));
  assert.ok(!isHostMessage({ type: 'init', title: 'Content — Leica', pageSize: 100 }));
  assert.ok(!isHostMessage({ type: 'items', items: [{ ...item, deletable: 'yes' }], done: false }));
  assert.ok(isHostMessage({ type: 'error', message: 'Browse failed' }));
  assert.ok(!isHostMessage({ type: 'items', items: [], done: false, total: Number.NaN }));
});

test('image cache: least recently used goes first, bounded by count and by size', () => {
  const cache = new LruCache<string>(3, 10, (v) => v.length);
  cache.set('a', 'aa');
  cache.set('b', 'bb');
  cache.set('c', 'cc');
  assert.equal(cache.get('a'), 'aa'); // a is now the most recent
  cache.set('d', 'dd');
  assert.equal(cache.get('b'), undefined);
  assert.equal(cache.size, 3);
  cache.set('e', 'eeeeee'); // weight 2+2+2+6 > 10: the oldest go until it fits
  assert.ok(cache.weight <= 10);
  assert.equal(cache.get('e'), 'eeeeee');
  assert.equal(cache.get('c'), undefined);
  cache.set('huge', 'x'.repeat(11)); // bigger than the whole cache: not kept
  assert.equal(cache.get('huge'), undefined);
  assert.equal(cache.get('e'), 'eeeeee');
});

test('fetch queue: at most N at once, newest wishes replace waiting ones, running ones finish', async () => {
  const started: string[] = [];
  const release = new Map<string, () => void>();
  let peak = 0;
  let running = 0;
  const queue = new FetchQueue(2, (key) => {
    started.push(key);
    running++;
    peak = Math.max(peak, running);
    return new Promise<void>((resolve) => release.set(key, () => { running--; resolve(); }));
  });
  queue.want(['0', '1', '2', '3']);
  assert.deepEqual(started, ['0', '1']);
  assert.deepEqual(queue.queued, ['2', '3']);
  // The user scrolled on: 2 and 3 are no longer wanted; 1 is still running and not started twice.
  queue.want(['1', '8', '9']);
  assert.deepEqual(queue.queued, ['8', '9']);
  release.get('0')!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['0', '1', '8']);
  // A preview goes in front without dropping the rest.
  queue.push('p');
  release.get('1')!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['0', '1', '8', 'p']);
  assert.deepEqual(queue.queued, ['9']);
  assert.equal(peak, 2);
  queue.dispose();
  release.get('8')!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['0', '1', '8', 'p']);
});

test('fetch queue: a failing fetch frees its slot; dispose aborts running fetches', async () => {
  const signals: AbortSignal[] = [];
  let calls = 0;
  const queue = new FetchQueue(1, (key, signal) => {
    calls++;
    signals.push(signal);
    if (key === 'bad') return Promise.reject(new Error('HTTP 500'));
    return new Promise<void>(() => undefined);
  });
  queue.want(['bad', 'good']);
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
  assert.equal(queue.active, 1);
  queue.dispose();
  assert.ok(signals[1]!.aborted);
  assert.equal(queue.active, 0);
});
