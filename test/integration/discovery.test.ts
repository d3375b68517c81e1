// The protocol core against simulated devices and a real minidlna, over real sockets, inside the
// isolated network namespace (scripts/netns.sh): M-SEARCH, NOTIFY alive/byebye, expiry, add by URL.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UpnpExplorer } from '../../src/core/explorer';
import type { ExplorerSettings } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceRemoved, DiscoveredDevice } from '../../src/core/registry/types';
import type { Logger } from '../../src/core/util/events';
import { assertIsolatedNetwork } from '../harness/netns';
import { startSimulatedCamera } from '../devices/camera';
import { startSimulatedLight } from '../devices/light';
import type { SimulatedDevice } from '../devices/device-handle';
import { startMinidlna } from '../harness/minidlna';
import type { RunningMinidlna } from '../harness/minidlna';

const LOOPBACK: ExplorerSettings = { searchTarget: 'ssdp:all', mx: 1, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 3000 };

export const logLines: string[] = [];
const logger: Logger = {
  trace: () => {},
  debug: () => {},
  info: (m) => logLines.push(`info ${m}`),
  warn: (m) => logLines.push(`warn ${m}`),
  error: (m) => logLines.push(`error ${m}`),
};

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logLines.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function byName(explorer: UpnpExplorer, name: string): DiscoveredDevice | undefined {
  return explorer.devices.find((d) => d.description?.device.friendlyName === name);
}

function described(explorer: UpnpExplorer, name: string): () => DiscoveredDevice | undefined {
  return () => {
    const d = byName(explorer, name);
    return d && isFullyDescribed(d) ? d : undefined;
  };
}

describe('discovery on loopback (simulated devices)', () => {
  let camera: SimulatedDevice;
  let light: SimulatedDevice;
  let explorer: UpnpExplorer;

  before(async () => {
    assertIsolatedNetwork('discovery integration test');
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    light = await startSimulatedLight({ interfaceAddress: '127.0.0.1' });
    explorer = new UpnpExplorer(LOOPBACK, logger);
    await explorer.start();
  });
  after(async () => {
    explorer?.dispose();
    await camera?.stop();
    await light?.stop();
  });

  it('finds the camera and the light by M-SEARCH, describes them and reads every SCPD', async () => {
    const result = await explorer.search();
    assert.ok(result.responses >= 2, `expected answers, got ${result.responses}`);
    assert.deepEqual(result.interfaces, ['lo']);
    const cam = await waitFor('camera described', described(explorer, 'Leica Q3-1234567'));
    assert.equal(cam.status, 'ready');
    assert.equal(cam.udn, camera.udn);
    assert.equal(cam.location, camera.location);
    assert.equal(cam.source, 'ssdp');
    assert.equal(cam.server, 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0');
    assert.equal(cam.localAddress, '127.0.0.1');
    assert.equal(cam.maxAgeSeconds, 1800);
    const dev = cam.description!.device;
    assert.equal(dev.manufacturer, 'Leica Camera AG');
    assert.deepEqual(dev.vendorFields.map((f) => `${f.name}=${f.value}`).filter((s) => s.includes('X_FirmVersion') || s.includes('X_DLNADOC')),
      ['dlna:X_DLNADOC=M-DMS-1.50', 'leica:X_FirmVersion=2.0.5']);
    // The capture's absolute URLs, pointing at the device's own host:port.
    const origin = new URL(camera.location).origin;
    assert.deepEqual(cam.services.map((s) => s.description.controlUrl), [`${origin}/Server0/CDS_control`, `${origin}/Server0/CMS_control`]);
    assert.ok(cam.services.every((s) => s.scpdStatus === 'ready'));
    const cds = cam.services.find((s) => s.description.serviceType === 'urn:schemas-upnp-org:service:ContentDirectory:1')!;
    const browse = cds.scpd!.actions.find((a) => a.name === 'Browse');
    assert.ok(browse, 'Browse listed');
    assert.deepEqual(browse.arguments.filter((a) => a.direction === 'in').map((a) => a.name), ['ObjectID', 'BrowseFlag', 'Filter', 'StartingIndex', 'RequestedCount', 'SortCriteria']);
    assert.match(cds.scpdXml!, /<scpd/);
    assert.match(cam.descriptionXml!, /Leica Q3-1234567/);
  });

  it('stops a search when it is cancelled, and says so', async () => {
    let cancel: () => void = () => {};
    const listeners = new Set<() => void>();
    const token = {
      isCancellationRequested: false,
      onCancellationRequested(l: () => void) { listeners.add(l); return { dispose: () => listeners.delete(l) }; },
    };
    cancel = () => { token.isCancellationRequested = true; for (const l of listeners) l(); };
    const search = explorer.search({ mx: 5 }, token);
    setTimeout(cancel, 50);
    const result = await search;
    assert.equal(result.cancelled, true);
    assert.equal(listeners.size, 0, 'the cancellation listener is released');
  });

  it('shows the light once, with its embedded device and its services', async () => {
    const l = await waitFor('light described', described(explorer, 'Simulated Light Bridge'));
    assert.equal(explorer.devices.filter((d) => d.udn === light.udn).length, 1, 'one entry per root UDN');
    const embedded = l.description!.device.devices;
    assert.equal(embedded.length, 1);
    assert.equal(embedded[0]!.deviceType, 'urn:schemas-upnp-org:device:DimmableLight:1');
    const types = l.services.map((s) => s.description.serviceType);
    assert.ok(types.includes('urn:schemas-upnp-org:service:SwitchPower:1'));
    assert.ok(types.includes('urn:schemas-upnp-org:service:Dimming:1'));
    const switchPower = l.services.find((s) => s.description.serviceType.endsWith('SwitchPower:1'))!;
    assert.equal(switchPower.deviceUdn, embedded[0]!.udn);
    assert.equal(switchPower.scpdStatus, 'ready');
    assert.deepEqual(switchPower.scpd!.actions.map((a) => a.name).sort(), ['GetStatus', 'GetTarget', 'SetTarget']);
    // Every USN the light answered with is kept on the one entry.
    assert.ok(l.usns.length >= 3, `usns: ${l.usns.join(', ')}`);
  });

  it('hears a device that arrives later by its NOTIFY ssdp:alive, without searching', async () => {
    const late = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', udn: 'uuid:4Dxxxxxx-0100-1000-8000-DC0000000042', friendlyName: 'Late Camera' });
    try {
      const d = await waitFor('late camera from NOTIFY', described(explorer, 'Late Camera'));
      assert.equal(d.udn, 'uuid:4Dxxxxxx-0100-1000-8000-DC0000000042');
    } finally {
      const removed = nextRemoval(explorer, (r) => r.device.udn === 'uuid:4Dxxxxxx-0100-1000-8000-DC0000000042');
      await late.stop();
      const r = await removed;
      assert.equal(r.reason, 'byebye');
    }
    assert.equal(byName(explorer, 'Late Camera'), undefined);
  });

  it('drops a device that goes silent once its max-age runs out', async () => {
    const silent = await startSimulatedCamera({ interfaceAddress: '127.0.0.1', udn: 'uuid:silent-0001', friendlyName: 'Silent Camera', maxAgeSeconds: 2 });
    try {
      const d = await waitFor('silent camera', described(explorer, 'Silent Camera'));
      assert.equal(d.maxAgeSeconds, 2);
      const removed = nextRemoval(explorer, (r) => r.device.udn === 'uuid:silent-0001', 8000);
      silent.goSilent();
      const r = await removed;
      assert.equal(r.reason, 'expired');
      assert.ok(Date.now() >= d.expiresAt! - 50, 'not before max-age');
    } finally {
      await silent.stop();
    }
  });

  it('searches for one service type and gets only the devices that have it', async () => {
    const narrow = new UpnpExplorer(LOOPBACK, logger);
    try {
      await narrow.start();
      await narrow.search({ searchTarget: 'urn:schemas-upnp-org:service:SwitchPower:1' });
      await waitFor('light', described(narrow, 'Simulated Light Bridge'));
      assert.equal(byName(narrow, 'Leica Q3-1234567'), undefined);
      await assert.rejects(narrow.search({ searchTarget: 'MediaServer' }), /not a search target/);
    } finally {
      narrow.dispose();
    }
  });

  it('adds a device by URL, and says what is wrong with a bad one', async () => {
    const manual = new UpnpExplorer(LOOPBACK, logger);
    try {
      const d = await manual.addByUrl(camera.location);
      assert.equal(d.status, 'ready');
      assert.equal(d.source, 'manual');
      assert.equal(d.expiresAt, undefined);
      assert.equal(d.description!.device.friendlyName, 'Leica Q3-1234567');
      await waitFor('camera SCPDs', () => (isFullyDescribed(manual.get(d.key)!) ? true : undefined));
      await assert.rejects(manual.addByUrl('not a url'), /is not a URL/);
      await assert.rejects(manual.addByUrl('ftp://127.0.0.1/x.xml'), /not an http:\/\/ URL/);
      const refused = await manual.addByUrl('http://127.0.0.1:9/description.xml');
      assert.equal(refused.status, 'error');
      assert.match(refused.error!, /connection refused/);
      const missing = await manual.addByUrl(new URL('/no/such/description.xml', camera.location).toString());
      assert.equal(missing.status, 'error');
      assert.match(missing.error!, /HTTP 404/);
    } finally {
      manual.dispose();
    }
  });
});

describe('discovery of a real minidlna', () => {
  let minidlna: RunningMinidlna;
  let explorer: UpnpExplorer;
  before(async () => {
    assertIsolatedNetwork('minidlna discovery test');
    minidlna = await startMinidlna({ friendlyName: 'minidlna-peer' });
    explorer = new UpnpExplorer(LOOPBACK, logger);
    await explorer.start();
  });
  after(async () => {
    explorer?.dispose();
    await minidlna?.stop();
  });

  it('finds it by M-SEARCH and reads its three SCPDs', async () => {
    await explorer.search();
    const d = await waitFor('minidlna described', described(explorer, 'minidlna-peer'), 10_000);
    assert.equal(d.status, 'ready');
    assert.equal(d.location, minidlna.location);
    assert.match(d.server ?? '', /MiniDLNA/);
    assert.ok((d.maxAgeSeconds ?? 0) > 0);
    assert.ok(Math.abs(d.expiresAt! - d.lastSeen - d.maxAgeSeconds! * 1000) < 5, 'expiry follows CACHE-CONTROL max-age');
    assert.deepEqual(d.services.map((s) => s.description.serviceType), [
      'urn:schemas-upnp-org:service:ContentDirectory:1',
      'urn:schemas-upnp-org:service:ConnectionManager:1',
      'urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1',
    ]);
    assert.ok(d.services.every((s) => s.scpdStatus === 'ready'), d.services.map((s) => s.scpdError).join('; '));
    // Relative URLs resolved against the description URL.
    assert.equal(d.services[0]!.description.controlUrl, new URL('/ctl/ContentDir', minidlna.location).toString());
    assert.ok(d.services[0]!.scpd!.actions.some((a) => a.name === 'Browse'));
    assert.equal(d.description!.device.icons.length, 4);
  });

  it('removes it when it says byebye on shutdown', async () => {
    await waitFor('minidlna described', described(explorer, 'minidlna-peer'), 10_000);
    const removed = nextRemoval(explorer, (r) => r.device.description?.device.friendlyName === 'minidlna-peer', 10_000);
    await minidlna.stop();
    assert.equal((await removed).reason, 'byebye');
  });
});

function nextRemoval(explorer: UpnpExplorer, match: (r: DeviceRemoved) => boolean, timeoutMs = 6000): Promise<DeviceRemoved> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no matching removal within ${timeoutMs} ms\n${logLines.slice(-15).join('\n')}`));
    }, timeoutMs);
    const sub = explorer.onDidRemoveDevice((r) => {
      if (!match(r)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(r);
    });
  });
}
