// The Details view's model and its message guards, from real captured devices. Plain Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detailsFor, withCurrentSnapshot } from '../../src/host/details/detailsModel';
import type { DetailsEvents } from '../../src/host/details/detailsModel';
import { childrenOf, rootDeviceNode } from '../../src/host/tree/nodes';
import type { TreeNode } from '../../src/host/tree/nodes';
import type { DetailsModel, FieldsSection, TableSection } from '../../src/protocol/details';
import { MAX_TABLE_ROWS, isDetailsHostMessage } from '../../src/protocol/details';
import { described } from '../harness/described';
import type { DiscoveredDevice } from '../../src/core/registry/types';

const formatTime = (t: number): string => `T${t}`;
const NOW = 1_000_000;

function fields(model: DetailsModel, title: string): Record<string, string[]> {
  const s = model.sections.find((x): x is FieldsSection => x.kind === 'fields' && x.title.startsWith(title));
  assert.ok(s, `no section ${title} in ${model.sections.map((x) => x.title).join(', ')}`);
  const out: Record<string, string[]> = {};
  for (const f of s.fields) (out[f.name] ??= []).push(f.note ? `${f.value} ${f.note}` : f.value);
  return out;
}

function tableOf(model: DetailsModel, title: string): TableSection {
  const s = model.sections.find((x): x is TableSection => x.kind === 'table' && x.title.startsWith(title));
  assert.ok(s, `no table ${title} in ${model.sections.map((x) => x.title).join(', ')}`);
  return s;
}

const leica = (extra: Partial<DiscoveredDevice> = {}): DiscoveredDevice => described('leica/description.xml', 'http://192.168.54.1:60606/Server0/ddd', {}, {
  server: 'Linux/4.4 UPnP/1.0 Leica/1.0', remoteAddress: '192.168.54.1', localAddress: '192.168.54.10',
  maxAgeSeconds: 1800, expiresAt: NOW + 29 * 60_000, firstSeen: NOW - 5_000, lastSeen: NOW - 2_000, bootId: '7', ...extra,
});

test('details of a root device: every description field, the vendor ones, SSDP headers, addresses and expiry', () => {
  const model = detailsFor(rootDeviceNode(leica()), { now: NOW, formatTime })!;
  assert.equal(model.title, 'Leica Q3-1234567');
  assert.match(model.subtitle, /MediaServer:1 · root device/);
  const d = fields(model, 'Description');
  assert.deepEqual(d['Manufacturer'], ['Leica Camera AG']);
  assert.deepEqual(d['Firmware'], ['2.0.5 (leica:X_FirmVersion)']);
  assert.ok(d['UDN']![0]!.startsWith('uuid:'));
  const vendor = fields(model, 'Vendor fields');
  assert.deepEqual(vendor['dlna:X_DLNADOC'], ['M-DMS-1.50 urn:schemas-dlna-org:device-1-0']);
  assert.deepEqual(vendor['leica:X_CamCategory'], ['MirrorlessILC urn:schemas-leica-com:leica']);
  const ssdp = fields(model, 'SSDP');
  assert.deepEqual(ssdp['LOCATION'], ['http://192.168.54.1:60606/Server0/ddd']);
  assert.deepEqual(ssdp['SERVER'], ['Linux/4.4 UPnP/1.0 Leica/1.0']);
  assert.deepEqual(ssdp['BOOTID.UPNP.ORG'], ['7']);
  assert.deepEqual(ssdp['Expires'], [`in 29 min at T${NOW + 29 * 60_000}`]);
  assert.deepEqual(ssdp['Last seen'], [`2 s ago at T${NOW - 2_000}`]);
  assert.deepEqual(fields(model, 'Addresses')['Device address'], ['192.168.54.1']);
  const services = tableOf(model, 'Services (2)');
  assert.deepEqual(services.rows.map((r) => r[0]), ['ContentDirectory:1', 'ConnectionManager:1']);
  assert.equal(services.rows[0]![3], 'loading…');
});

test('details of a service: URLs, the subscription, state variables with their last evented values', () => {
  const light = described('network-light/description.xml', 'http://127.0.0.1:49152/description.xml', {
    'urn:upnp-org:serviceId:SwitchPower:1': 'network-light/scpd-SwitchPower_1.xml',
    'urn:upnp-org:serviceId:Dimming:1': 'network-light/scpd-Dimming_1.xml',
  });
  const root = rootDeviceNode(light);
  const all: TreeNode[] = [];
  const walk = (n: TreeNode): void => { all.push(n); childrenOf(n).forEach(walk); };
  walk(root);
  const switchPower = all.find((n) => n.kind === 'service' && n.service.description.serviceType.includes('SwitchPower'))!;
  assert.ok(switchPower && switchPower.kind === 'service');
  let values: Record<string, string> = {};
  const events: DetailsEvents = {
    statusOf: () => ({ state: 'subscribed', eventCount: Object.keys(values).length }),
    lastValue: (_d, _s, name) => values[name],
  };
  const before = detailsFor(switchPower, { now: NOW, formatTime, events })!;
  assert.equal(fields(before, 'Service')['Control URL']![0], 'http://127.0.0.1:49152/SwitchPower/Control');
  assert.deepEqual(fields(before, 'Events')['Subscription'], ['subscribed · 0 events']);
  const vars = tableOf(before, 'State variables');
  assert.deepEqual(vars.columns, ['Name', 'Type', 'Evented', 'Last value', 'Allowed', 'Default']);
  assert.equal(vars.live, 3);
  const status = (t: TableSection): readonly string[] => t.rows.find((r) => r[0] === 'Status')!;
  assert.deepEqual(status(vars).slice(0, 4), ['Status', 'boolean', 'yes', '—']);
  // Not evented: no value column entry at all.
  assert.equal(vars.rows.find((r) => r[0] === 'Target')![3], '');
  values = { Status: '1' };
  const after = detailsFor(switchPower, { now: NOW, formatTime, events })!;
  assert.equal(status(tableOf(after, 'State variables'))[3], '1');
  assert.deepEqual(fields(after, 'Events')['Subscription'], ['subscribed · 1 event']);
  assert.ok(isDetailsHostMessage({ type: 'show', rowId: switchPower.id, model: after }));

  // An action: its arguments with their variables' types and ranges.
  const setLoad = all.find((n) => n.kind === 'action' && n.action.name === 'SetLoadLevelTarget')!;
  const args = tableOf(detailsFor(setLoad, { now: NOW, formatTime })!, 'Arguments');
  assert.deepEqual(args.rows[0], ['in', 'newLoadlevelTarget', 'LoadLevelTarget', 'ui1', '0..100']);
  // A variable: where it is used.
  const target = all.find((n) => n.kind === 'variable' && n.variable.name === 'LoadLevelTarget')!;
  const v = detailsFor(target, { now: NOW, formatTime })!;
  assert.deepEqual(fields(v, 'State variable')['Maximum'], ['100']);
  assert.deepEqual(tableOf(v, 'Used by').rows.map((r) => r[0]).sort(), ['GetLoadLevelTarget', 'SetLoadLevelTarget']);
});

test('details show device strings honestly and keep tables bounded', () => {
  const device = leica({ server: 'evil\u202Egpj.exe\r\nX-Injected: 1' });
  const ssdp = fields(detailsFor(rootDeviceNode(device), { now: NOW, formatTime })!, 'SSDP');
  assert.deepEqual(ssdp['SERVER'], ['evil\\u202Egpj.exe\\r\\nX-Injected: 1']);
  // A huge value is cut, with its length said.
  const long = fields(detailsFor(rootDeviceNode(leica({ server: 'x'.repeat(100_000) })), { now: NOW, formatTime })!, 'SSDP')['SERVER']![0]!;
  assert.ok(long.length < 2100 && /more characters/.test(long), long.slice(-60));
  // Guards: a table longer than the cap, or a cell that is not a string, is refused by the webview.
  const rows = Array.from({ length: MAX_TABLE_ROWS + 1 }, () => ['a']);
  assert.ok(!isDetailsHostMessage({ type: 'show', rowId: 'r', model: { title: 't', subtitle: '', sections: [{ kind: 'table', title: 'x', columns: ['a'], rows }] } }));
  assert.ok(!isDetailsHostMessage({ type: 'show', rowId: 'r', model: { title: 't', subtitle: '', sections: [{ kind: 'fields', title: 'x', fields: [{ name: 'a', value: 1 }] }] } }));
  assert.ok(isDetailsHostMessage({ type: 'empty', message: 'Select a device' }));
});

test('the Details view follows the device, not the snapshot the row was drawn from', () => {
  const old = leica({ server: 'old' });
  const row = rootDeviceNode(old);
  const current = leica({ server: 'new' });
  const fresh = withCurrentSnapshot(row, { get: (key) => (key === old.key ? current : undefined) });
  assert.ok(fresh && fresh.kind === 'device');
  assert.equal(fresh.device.server, 'new');
  assert.equal(withCurrentSnapshot(row, { get: () => undefined }), undefined);
});
