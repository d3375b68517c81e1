// The tree's pure logic (labels, signatures, tooltips, node building, settings, URL checks, icon
// choice) against models parsed from real captured devices. Plain Node: nothing here may load `vscode`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScpd } from '../../src/core/description/scpd';
import type { DeviceIcon, StateVariable } from '../../src/core/description/model';
import { described, readFixture } from '../harness/described';
import type { DiscoveredDevice, ServiceState } from '../../src/core/registry/types';
import {
  actionTooltip, deviceRowDescription, deviceTooltip, deviceTypeCodicon, formatActionSignature, formatStateVariableDescription,
  serviceRowDescription, stateVariableTooltip,
} from '../../src/host/tree/format';
import { deviceLabel, escapeMarkdown, findFirmwareField, formatRelative, serviceLabel, sortDevices } from '../../src/host/text/labels';
import { childrenOf, rootDeviceNode } from '../../src/host/tree/nodes';
import type { TreeNode } from '../../src/host/tree/nodes';
import { readHostSettings } from '../../src/host/settings';
import { isOpenableWebUrl, validateDescriptionUrl } from '../../src/host/urls';
import { pickDeviceIcon, sniffImage } from '../../src/host/iconChoice';

const read = readFixture;

function bare(key: string, location: string, extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice {
  return { key, location, locations: [location], usns: [], source: 'manual', status: 'describing', services: [], problems: [], firstSeen: 0, lastSeen: 0, ...extra };
}

/** Markdown back to the text a reader sees (undo the backslash escapes). */
const unescape = (md: string): string => md.replace(/\\([!-/:-@[-`{-~])/g, '$1');

const labels = (nodes: readonly TreeNode[]): string[] => nodes.map((n) => {
  switch (n.kind) {
    case 'device': return n.description?.friendlyName ?? '?';
    case 'service': return serviceLabel(n.service);
    case 'action': return n.action.name;
    case 'variables': return 'State Variables';
    case 'variable': return n.variable.name;
    case 'message': return `${n.severity}: ${n.message}`;
    case 'content': return n.entry.type === 'root' ? 'Content' : `content ${n.entry.type}`;
  }
});

const minidlnaServices = {
  'urn:upnp-org:serviceId:ContentDirectory': 'minidlna/scpd-ContentDirectory_1.xml',
  'urn:upnp-org:serviceId:ConnectionManager': 'minidlna/scpd-ConnectionManager_1.xml',
  'urn:microsoft.com:serviceId:X_MS_MediaReceiverRegistrar': 'minidlna/scpd-X_MS_MediaReceiverRegistrar_1.xml',
};

test('Browse signature from the real minidlna SCPD lists in and out arguments in order', () => {
  const scpd = parseScpd(read('minidlna/scpd-ContentDirectory_1.xml'), 'http://127.0.0.1:8200/cd.xml');
  const browse = scpd.actions.find((a) => a.name === 'Browse');
  assert.ok(browse);
  assert.equal(formatActionSignature(browse),
    '(ObjectID, BrowseFlag, Filter, StartingIndex, RequestedCount, SortCriteria) → (Result, NumberReturned, TotalMatches, UpdateID)');
  const noIn = scpd.actions.find((a) => a.arguments.every((x) => x.direction === 'out'));
  assert.ok(noIn, 'the capture has an action without in-arguments');
  assert.match(formatActionSignature(noIn), /^\(\) → \(\w/);
  const tip = actionTooltip(browse, scpd.stateVariables);
  assert.match(tip, /ObjectID: string \(A\\_ARG\\_TYPE\\_ObjectID\)/);
  assert.match(tip, /RequestedCount: ui4/);
});

test('state variables: type, allowed values or range, evented', () => {
  const dimming = parseScpd(read('network-light/scpd-Dimming_1.xml'), 'http://127.0.0.1/d.xml');
  const load = dimming.stateVariables.find((v) => v.name === 'LoadLevelStatus');
  assert.ok(load);
  assert.equal(formatStateVariableDescription(load), 'ui1 · 0..100 · evented');
  const flag: StateVariable = { name: 'A_ARG_TYPE_BrowseFlag', dataType: 'string', sendEvents: false, multicast: false, allowedValues: ['BrowseMetadata', 'BrowseDirectChildren'] };
  assert.equal(formatStateVariableDescription(flag), 'string · {BrowseMetadata, BrowseDirectChildren}');
  const many: StateVariable = { ...flag, allowedValues: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] };
  assert.equal(formatStateVariableDescription(many), 'string · {a, b, c, d, e, f, … +2}');
  const stepped: StateVariable = { name: 'Volume', dataType: 'ui2', sendEvents: false, multicast: false, allowedValueRange: { minimum: '0', maximum: '100', step: '5' }, defaultValue: '20' };
  assert.equal(formatStateVariableDescription(stepped), 'ui2 · 0..100 step 5');
  const tip = stateVariableTooltip(stepped);
  assert.match(tip, /Range: 0 to 100, step 5/);
  assert.match(tip, /Default: 20/);
  assert.match(tip, /Evented: no/);
  assert.match(stateVariableTooltip(load), /Evented: yes/);
});

test('minidlna tree: device → services by short type → actions and a State Variables group', () => {
  const device = described('minidlna/description.xml', 'http://127.0.0.1:8200/rootDesc.xml', minidlnaServices);
  const root = rootDeviceNode(device);
  assert.equal(deviceLabel(device), device.description!.device.friendlyName);
  const services = childrenOf(root);
  assert.deepEqual(labels(services), ['ContentDirectory:1', 'ConnectionManager:1', 'X_MS_MediaReceiverRegistrar:1']);
  const cd = services[0]!;
  const cdChildren = childrenOf(cd);
  assert.ok(labels(cdChildren).includes('Browse'));
  // Browsing comes first under a ContentDirectory (src/host/content fetches its children).
  assert.equal(labels(cdChildren)[0], 'Content');
  assert.equal(cdChildren.at(-1)!.kind, 'variables');
  const vars = childrenOf(cdChildren.at(-1)!);
  assert.ok(labels(vars).includes('SystemUpdateID'));
  // ids are unique across the whole tree and stable across rebuilds from a new snapshot
  const ids: string[] = [];
  const walk = (n: TreeNode): void => { ids.push(n.id); childrenOf(n).forEach(walk); };
  walk(root);
  assert.equal(new Set(ids).size, ids.length);
  const again: string[] = [];
  const walk2 = (n: TreeNode): void => { again.push(n.id); childrenOf(n).forEach(walk2); };
  walk2(rootDeviceNode({ ...device, lastSeen: 99 }));
  assert.deepEqual(again, ids);
  // parents chain back to the root (reveal relies on it)
  assert.equal(vars[0]!.parent!.parent!.parent, root);
  assert.equal(deviceTypeCodicon(device.description!.device.deviceType), 'server');
  assert.equal(deviceRowDescription(device), 'MediaServer:1 · 127.0.0.1:8200');
});

test('services show Loading… while the SCPD is pending and the reason when it failed', () => {
  const device = described('leica/description.xml', 'http://192.168.54.1:60606/Server0/ddd', {
    'urn:upnp-org:serviceId:ConnectionManager': new Error('http://192.168.54.1:60606/Server0/CMS_SCPD answered HTTP 404 Not Found.'),
  });
  const [cds, cms] = childrenOf(rootDeviceNode(device));
  assert.deepEqual(labels(childrenOf(cds!)), ['loading: Loading…']);
  assert.equal(serviceRowDescription((cds as { service: ServiceState }).service), 'loading…');
  assert.deepEqual(labels(childrenOf(cms!)), ['error: http://192.168.54.1:60606/Server0/CMS_SCPD answered HTTP 404 Not Found.']);
});

test('embedded devices come before services and carry their own services', () => {
  const device = described('malformed/bridge-embedded.xml', 'http://192.168.1.50:49152/bridge/desc.xml', {
    'urn:upnp-org:serviceId:SwitchPower:1': 'network-light/scpd-SwitchPower_1.xml',
  });
  const top = childrenOf(rootDeviceNode(device));
  assert.deepEqual(labels(top), ['Hall lamp']);
  const lamp = childrenOf(top[0]!);
  assert.equal(lamp[0]!.kind, 'device');
  assert.deepEqual(labels(lamp.slice(1)), ['SwitchPower:1', 'Dimming:1']);
  // `serviceId:SwitchPower:1` merely repeats the type, so no description beyond the SCPD state
  assert.equal(serviceRowDescription((lamp[1] as { service: ServiceState }).service), '');
  assert.equal(deviceTypeCodicon('urn:schemas-upnp-org:device:DimmableLight:1'), 'lightbulb');
});

test('devices still describing or failed show a message child; failed ones show the reason as description', () => {
  const pending = bare('location:http://10.0.0.9/d.xml', 'http://10.0.0.9/d.xml');
  assert.deepEqual(labels(childrenOf(rootDeviceNode(pending))), ['loading: Fetching the description…']);
  assert.equal(deviceLabel(pending), '10.0.0.9/d.xml');
  assert.equal(deviceRowDescription(pending), 'describing…');
  const failed = { ...pending, status: 'error' as const, error: 'http://10.0.0.9/d.xml answered HTTP 404 Not Found.' };
  assert.deepEqual(labels(childrenOf(rootDeviceNode(failed))), ['error: http://10.0.0.9/d.xml answered HTTP 404 Not Found.']);
  assert.equal(deviceRowDescription(failed), failed.error);
  assert.ok(unescape(deviceTooltip(failed, { now: 0 })).includes(`Error: ${failed.error}`));
});

test('duplicate action names in a buggy SCPD still give unique ids', () => {
  const device = described('minidlna/description.xml', 'http://127.0.0.1:8200/rootDesc.xml', minidlnaServices);
  const cd = device.services[0]!;
  const browse = cd.scpd!.actions.find((a) => a.name === 'Browse')!;
  const dup = { ...device, services: [{ ...cd, scpd: { ...cd.scpd!, actions: [browse, browse] } }, ...device.services.slice(1)] };
  const actions = childrenOf(childrenOf(rootDeviceNode(dup))[0]!).filter((n) => n.kind === 'action');
  assert.equal(actions.length, 2);
  assert.notEqual(actions[0]!.id, actions[1]!.id);
});

test('sorted by friendly name, case-insensitively and numerically', () => {
  const mk = (name: string, key: string): DiscoveredDevice => {
    const d = described('leica/description.xml', 'http://192.168.54.1:60606/Server0/ddd');
    return { ...d, key, description: { ...d.description!, device: { ...d.description!.device, friendlyName: name } } };
  };
  const sorted = sortDevices([
    mk('living room 10', 'a'), bare('y', 'http://10.0.0.2:80/'), mk('Kitchen', 'b'), mk('Living Room 9', 'c'), bare('z', 'http://10.0.0.1:5000/x.xml'),
  ]);
  // unnamed (undescribed or failed) devices after the named ones
  assert.deepEqual(sorted.map(deviceLabel), ['Kitchen', 'Living Room 9', 'living room 10', '10.0.0.1:5000/x.xml', '10.0.0.2']);
});

test('device tooltip: vendor firmware, model, serial, addresses, USNs, expiry, problems — escaped', () => {
  const device = described('leica/description.xml', 'http://192.168.54.1:60606/Server0/ddd', {}, {
    usns: ['uuid:4D::upnp:rootdevice', 'uuid:4D::urn:schemas-upnp-org:device:MediaServer:1'],
    remoteAddress: '192.168.54.1', localAddress: '192.168.54.10', server: 'Linux/4.1 UPnP/1.0 Leica/1.0',
    maxAgeSeconds: 1800, expiresAt: 1_000_000 + 1_500_000, lastSeen: 1_000_000 - 5_000,
    problems: [{ severity: 'warning', message: 'modelURL is empty' }],
  });
  const d = device.description!.device;
  assert.deepEqual(findFirmwareField(d.vendorFields), { ...d.vendorFields.find((f) => f.name === 'leica:X_FirmVersion')! });
  const md = deviceTooltip(device, { now: 1_000_000, formatTime: () => 'T' });
  assert.match(md, /^\*\*Leica Q3\\-1234567\*\*/, 'name in bold, its text escaped');
  assert.match(md, /Firmware: 2\\\.0\\\.5 \(leica\\:X\\_FirmVersion\)/);
  const tip = unescape(md);
  for (const line of [
    'Manufacturer: Leica Camera AG', 'Model: LEICA Q3 Leica Q3', 'Firmware: 2.0.5 (leica:X_FirmVersion)', 'Serial number: 1234567',
    'UDN: uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09', 'leica:X_CamCategory: MirrorlessILC', 'dlna:X_DLNADOC: M-DMS-1.50',
    'LOCATION: http://192.168.54.1:60606/Server0/ddd', 'USNs (2):', '• uuid:4D::urn:schemas-upnp-org:device:MediaServer:1',
    'Remote address: 192.168.54.1', 'Local interface: 192.168.54.10', 'Server: Linux/4.1 UPnP/1.0 Leica/1.0',
    'max-age 1800 s, expires in 25 min (T)', 'Last seen: 5 s ago', 'Warning: modelURL is empty',
  ]) assert.ok(tip.includes(line), `tooltip lacks "${line}":\n${tip}`);
  // the firmware field is not listed twice
  assert.equal(tip.split('X_FirmVersion').length, 2);
});

test('markdown from devices cannot make links, commands, HTML, headings or icons', () => {
  const evil = '# [click](command:workbench.action.terminal.new) <img src=x onerror=alert(1)> $(alert) **b** &lt;\nhttp://evil.example/';
  const out = escapeMarkdown(evil);
  // every ASCII punctuation is escaped, nothing unescaped remains
  assert.doesNotMatch(out.replace(/\\[!-/:-@[-`{-~]/g, ''), /[!-/:-@[-`{-~]/);
  assert.ok(!out.includes('\n'));
  const device = bare('k', 'http://10.0.0.1/x', { status: 'error', error: evil });
  assert.ok(!deviceTooltip(device, { now: 0 }).includes('](command:'));
});

test('relative times', () => {
  assert.equal(formatRelative(10_000, 0), 'in 10 s');
  assert.equal(formatRelative(0, 30 * 60_000), '30 min ago');
  assert.equal(formatRelative(3 * 3600_000, 0), 'in 3.0 h');
});

test('settings: defaults, clamping and cleanup', () => {
  const from = (values: Record<string, unknown>): ReturnType<typeof readHostSettings> =>
    readHostSettings({ get: <T>(key: string): T | undefined => values[key] as T | undefined });
  assert.deepEqual(from({}), {
    explorer: { searchTarget: 'ssdp:all', mx: 2, interfaces: [], ipv6: false, httpTimeoutMs: 10_000, maxDevices: 500 },
    searchOnStartup: true,
    searchIntervalSeconds: 300,
  });
  assert.deepEqual(from({
    'discovery.searchTarget': '  urn:schemas-upnp-org:device:MediaServer:1 ', 'discovery.mx': 9,
    'discovery.interfaces': [' eth0 ', '', 'eth0', 42, '192.168.1.10'], 'discovery.ipv6': true,
    'http.timeoutSeconds': 2.5, 'discovery.searchOnStartup': false, 'discovery.maxDevices': 2000, 'discovery.searchIntervalSeconds': 0,
  }), {
    explorer: { searchTarget: 'urn:schemas-upnp-org:device:MediaServer:1', mx: 5, interfaces: ['eth0', '192.168.1.10'], ipv6: true, httpTimeoutMs: 2500, maxDevices: 2000 },
    searchOnStartup: false,
    searchIntervalSeconds: 0,
  });
  assert.equal(from({ 'discovery.mx': 0 }).explorer.mx, 1);
  assert.equal(from({ 'http.timeoutSeconds': 0 }).explorer.httpTimeoutMs, 1000);
  assert.equal(from({ 'discovery.searchTarget': '   ' }).explorer.searchTarget, 'ssdp:all');
  assert.equal(from({ 'discovery.mx': 'three' }).explorer.mx, 2);
  assert.equal(from({ 'discovery.maxDevices': 1 }).explorer.maxDevices, 10);
  assert.equal(from({ 'discovery.maxDevices': 1e9 }).explorer.maxDevices, 10_000);
  assert.equal(from({ 'discovery.maxDevices': 'many' }).explorer.maxDevices, 500);
  assert.equal(from({ 'discovery.searchIntervalSeconds': 3 }).searchIntervalSeconds, 10);
  assert.equal(from({ 'discovery.searchIntervalSeconds': -5 }).searchIntervalSeconds, 0);
});

test('Add Device by URL validation and presentation URLs', () => {
  assert.equal(validateDescriptionUrl('http://192.168.1.20:49152/description.xml'), undefined);
  assert.equal(validateDescriptionUrl(' https://[fe80::1]:8080/d.xml '), undefined);
  assert.match(validateDescriptionUrl('')!, /Enter the URL/);
  assert.match(validateDescriptionUrl('192.168.1.20/description.xml')!, /Not a URL/);
  assert.match(validateDescriptionUrl('ftp://192.168.1.20/d.xml')!, /ftp:\/\/ URLs are not supported/);
  assert.equal(isOpenableWebUrl('http://192.168.1.20/index.html'), true);
  assert.equal(isOpenableWebUrl('command:workbench.action.terminal.new'), false);
  assert.equal(isOpenableWebUrl('file:///etc/passwd'), false);
  assert.equal(isOpenableWebUrl(undefined), false);
});

test('icon choice prefers a ~32-64 px PNG; sniffing rejects non-images', () => {
  const icon = (mimetype: string, size: number, url = `http://10.0.0.1/${size}.${mimetype.split('/')[1]}`): DeviceIcon => ({ mimetype, width: size, height: size, depth: 24, url });
  assert.equal(pickDeviceIcon([icon('image/jpeg', 48), icon('image/png', 120), icon('image/png', 48), icon('image/png', 16)])!.url, 'http://10.0.0.1/48.png');
  assert.equal(pickDeviceIcon([icon('image/jpeg', 120), icon('image/png', 16)])!.url, 'http://10.0.0.1/120.jpeg');
  assert.equal(pickDeviceIcon([icon('image/svg+xml', 48), icon('image/png', 48, 'file:///etc/x.png')]), undefined);
  assert.equal(pickDeviceIcon([]), undefined);
  assert.equal(sniffImage(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')), 'png');
  assert.equal(sniffImage(Buffer.from('ffd8ffe000104a464946', 'hex')), 'jpg');
  assert.equal(sniffImage(Buffer.from('GIF89a\x01\x00', 'latin1')), 'gif');
  assert.equal(sniffImage(Buffer.from('<html><body>404</body></html>')), undefined);
  assert.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
});
