// Devices are untrusted: each broken variant still appears, in a state that says what went wrong,
// and none of them holds up the healthy camera discovered in the same search.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DiscoveredDevice } from '../../src/core/registry/types';
import { assertIsolatedNetwork } from '../harness/netns';
import { FAULTY_VARIANTS, faultyUdn, startFaultyDevices } from '../devices/faulty';
import type { FaultyDevices, FaultyVariant } from '../devices/faulty';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedDevice } from '../devices/device-handle';

const TIMEOUT_MS = 1500;

describe('faulty devices', () => {
  let faulty: FaultyDevices;
  let camera: SimulatedDevice;
  let explorer: UpnpExplorer;
  /** Order in which devices became fully described. */
  const order: string[] = [];

  before(async () => {
    assertIsolatedNetwork('faulty devices test');
    faulty = await startFaultyDevices({ interfaceAddress: '127.0.0.1' });
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: TIMEOUT_MS });
    await explorer.start();
    explorer.onDidChangeDevice((d) => {
      if (d.udn && isFullyDescribed(d) && !order.includes(d.udn)) order.push(d.udn);
    });
    await explorer.search();
    const end = Date.now() + 10_000;
    while (Date.now() < end && !FAULTY_VARIANTS.every((v) => { const d = find(v); return d && isFullyDescribed(d); })) {
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  after(async () => {
    explorer?.dispose();
    await faulty?.stop();
    await camera?.stop();
  });

  function find(v: FaultyVariant): DiscoveredDevice | undefined {
    return explorer.devices.find((d) => d.udn === faultyUdn(v));
  }
  function errorOf(v: FaultyVariant): string {
    const d = find(v);
    assert.ok(d, `${v} is listed`);
    assert.equal(d.status, 'error', `${v} is in error state`);
    assert.ok(d.problems.some((p) => p.severity === 'error' && p.message === d.error));
    return d.error!;
  }

  it('lists every variant exactly once', () => {
    for (const v of FAULTY_VARIANTS) assert.equal(explorer.devices.filter((d) => d.udn === faultyUdn(v)).length, 1, v);
  });

  it('says where malformed and truncated XML breaks', () => {
    assert.match(errorOf('malformed-xml'), /^Description at http:\/\/127\.0\.0\.1:\d+\/faulty\/malformed-xml\/description\.xml is not well-formed XML \(line \d+, column \d+: closing tag 'device' expected/);
    assert.match(errorOf('truncated-xml'), /not well-formed XML .*the document ends while .* still open; was it cut off\?/);
  });

  it('names HTTP errors, the deadline and the size cap', () => {
    assert.match(errorOf('http-404'), /answered HTTP 404 Not Found/);
    assert.match(errorOf('http-500'), /answered HTTP 500 Internal Server Error/);
    assert.match(errorOf('slow'), /did not answer within 1\.5 s \(setting upnpExplorer\.http\.timeoutSeconds\)/);
    assert.match(errorOf('stalled-body'), /did not answer within 1\.5 s/);
    assert.match(errorOf('huge'), /5\.0 MiB, more than the 1\.0 MiB limit/);
  });

  it('reads documents with missing fields or a wrong namespace, with warnings', () => {
    const noUdn = find('missing-udn')!;
    assert.equal(noUdn.status, 'ready');
    assert.ok(noUdn.problems.some((p) => p.severity === 'warning' && /UDN/.test(p.message)));
    const noName = find('missing-friendly-name')!;
    assert.equal(noName.status, 'ready');
    assert.ok(noName.description!.device.friendlyName.length > 0, 'a fallback name');
    assert.ok(noName.problems.some((p) => /friendlyName/.test(p.message)));
    const ns = find('wrong-namespace')!;
    assert.equal(ns.status, 'ready');
    assert.ok(ns.problems.some((p) => p.severity === 'warning' && /namespace/.test(p.message)));
  });

  it('keeps the device when only its SCPDs are broken, with each service saying why', () => {
    const d = find('bad-scpd')!;
    assert.equal(d.status, 'ready');
    const sp = d.services.find((s) => s.description.serviceType.endsWith('SwitchPower:1'))!;
    const dim = d.services.find((s) => s.description.serviceType.endsWith('Dimming:1'))!;
    assert.equal(sp.scpdStatus, 'error');
    assert.match(sp.scpdError!, /^SCPD at .*SwitchPower\/scpd\.xml is not well-formed XML \(line \d+/);
    assert.equal(dim.scpdStatus, 'error');
    assert.match(dim.scpdError!, /Dimming\/scpd\.xml answered HTTP 404/);
  });

  it('describes the healthy camera without waiting for the slow devices', () => {
    const cam = explorer.devices.find((d) => d.udn === camera.udn)!;
    assert.equal(cam.status, 'ready');
    const at = (udn: string): number => order.indexOf(udn);
    assert.ok(at(camera.udn) >= 0, 'camera fully described');
    assert.ok(at(camera.udn) < at(faultyUdn('slow')) && at(camera.udn) < at(faultyUdn('stalled-body')), `order: ${order.join(', ')}`);
  });
});
