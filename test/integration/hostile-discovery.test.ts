// Hostile and crowded networks, inside the isolated namespace: description URLs that accept the
// connection and never answer (or crawl), on one attacking machine or on a hundred hosts; a flood
// of announcements of devices that don't exist; and a crowd of 300 real-looking devices answering
// one search. The healthy camera beside the hostile ones must be described on time, the device cap
// must hold with one warning, and every device of the crowd must be seen.
import { after, afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceLimitReached } from '../../src/core/registry/registry';
import { assertIsolatedNetwork } from '../harness/netns';
import { startHoldingDevices } from '../devices/hostile-http';
import type { HoldingDevices } from '../devices/hostile-http';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedDevice } from '../devices/device-handle';
import { startFleet } from '../devices/fleet';

const MX = 1;
/** Describing the camera takes milliseconds; "on time" is within the answer window plus this. */
const ON_TIME_MS = MX * 1000 + 1500;

assertIsolatedNetwork('hostile discovery test');

function explorerFor(extra: Partial<ConstructorParameters<typeof UpnpExplorer>[0]> = {}): UpnpExplorer {
  return new UpnpExplorer({ searchTarget: 'ssdp:all', mx: MX, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 10_000, ...extra });
}

/** Resolves with the time (ms from now) until the camera is fully described (Infinity after 20 s). */
function describedWithin(explorer: UpnpExplorer, camera: SimulatedDevice): Promise<number> {
  const started = performance.now();
  return new Promise<number>((resolve) => {
    const done = (): boolean => {
      const d = explorer.devices.find((x) => x.udn === camera.udn);
      return d !== undefined && d.status === 'ready' && isFullyDescribed(d);
    };
    const timer = setInterval(() => {
      if (done()) { clearInterval(timer); resolve(performance.now() - started); }
      if (performance.now() - started > 20_000) { clearInterval(timer); resolve(Infinity); }
    }, 10);
  });
}

/** Searches and resolves with the time (ms from the search) the camera was fully described. */
async function timeToDescribe(explorer: UpnpExplorer, camera: SimulatedDevice): Promise<number> {
  if (!explorer.isStarted) await explorer.start();
  const took = describedWithin(explorer, camera);
  void explorer.search();
  return took;
}

describe('stalling description URLs', () => {
  let camera: SimulatedDevice | undefined;
  let holding: HoldingDevices | undefined;
  let explorer: UpnpExplorer | undefined;
  afterEach(async () => {
    explorer?.dispose();
    await holding?.stop();
    await camera?.stop();
    explorer = undefined;
    holding = undefined;
    camera = undefined;
  });

  for (const [count, hosts, kind] of [[1000, 'one-host', 'stall'], [100, 'own-host', 'stall'], [100, 'own-host', 'crawl']] as const) {
    it(`${count} that ${kind} (${hosts === 'one-host' ? 'one machine' : 'each its own host'}) do not hold up the camera`, async () => {
      holding = await startHoldingDevices({ count, kind, hosts, interfaceAddress: '127.0.0.1', maxResponseDelayMs: MX * 1000 });
      camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
      // Room for all of them: this is about fetching, not the device cap.
      explorer = explorerFor({ maxDevices: 2000 });
      const took = await timeToDescribe(explorer, camera);
      assert.ok(took < ON_TIME_MS, `the camera was described ${took.toFixed(0)} ms after the search (on time: < ${ON_TIME_MS} ms)`);
      // The hostile ones were asked for (they are not just ignored), and none is described.
      assert.ok(holding.connections() > 0, 'the stalling URLs were requested');
      const hostile = explorer.devices.filter((d) => holding!.udns.includes(d.udn ?? ''));
      assert.ok(hostile.length > 0 && hostile.every((d) => d.status !== 'ready'));
    });
  }

  it('a re-announcing staller is not asked again while its request is pending, and waits behind healthy hosts', async () => {
    holding = await startHoldingDevices({ count: 20, kind: 'stall', hosts: 'own-host', interfaceAddress: '127.0.0.1', maxResponseDelayMs: MX * 1000 });
    explorer = explorerFor();
    await explorer.start();
    await explorer.search();
    const first = holding.connections();
    assert.equal(first, 20, 'one request per staller');
    for (let i = 0; i < 5; i++) await holding.announceAll();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(holding.connections(), first, 'announcing again does not open more requests');
    // And a healthy device arriving now (it announces itself) is described at once.
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    const took = await describedWithin(explorer, camera);
    assert.ok(took < 1500, `described ${took.toFixed(0)} ms after it announced itself`);
  });
});

describe('a flood of announcements', () => {
  let explorer: UpnpExplorer | undefined;
  after(() => explorer?.dispose());

  it('keeps at most maxDevices, warns once naming the counts, and stays cheap', async () => {
    explorer = explorerFor({ maxDevices: 200 });
    const warnings: DeviceLimitReached[] = [];
    explorer.onDidReachLimit((w) => warnings.push(w));
    await explorer.start();
    const sender = dgram.createSocket('udp4');
    await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
    sender.setMulticastInterface('127.0.0.1');
    const heapBefore = process.memoryUsage().heapUsed;
    // 5,000 devices that don't exist, each announced with a year-long max-age, twice over.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const usn = `uuid:f100d000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
        const msg = `NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=31536000\r\nLOCATION: http://127.4.0.1:9/d${i}.xml\r\n` +
          `NT: upnp:rootdevice\r\nNTS: ssdp:alive\r\nSERVER: Flood/1 UPnP/1.1 x/1\r\nUSN: ${usn}::upnp:rootdevice\r\n\r\n`;
        await new Promise<void>((r) => sender.send(msg, 1900, '239.255.255.250', () => r()));
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    }
    sender.close();
    const end = Date.now() + 10_000;
    while (Date.now() < end && explorer.receiveStats.received < 10_000) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(explorer.receiveStats.received >= 9_000, `${explorer.receiveStats.received} announcements received`);
    assert.equal(explorer.devices.length, 200);
    assert.equal(warnings.length, 1, 'one warning');
    assert.deepEqual({ limit: warnings[0]!.limit, known: warnings[0]!.known }, { limit: 200, known: 200 });
    const stats = explorer.limitStats;
    assert.ok(stats.ignored >= 9_000 - 200 && stats.known === 200, JSON.stringify(stats));
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'heap stays bounded');
  });
});

describe('a crowd', () => {
  it('all 300 devices answering one search are seen and described', async () => {
    const fleet = await startFleet(300, { interfaceAddress: '127.0.0.1', udnPrefix: 'c0bd0000', hostPerDevice: true, maxResponseDelayMs: MX * 1000, announce: false });
    const explorer = explorerFor();
    try {
      await explorer.start();
      await explorer.search();
      const end = Date.now() + 15_000;
      const mine = (): number => explorer.devices.filter((d) => d.udn?.startsWith('uuid:c0bd0000') && d.status === 'ready' && isFullyDescribed(d)).length;
      while (Date.now() < end && mine() < 300) await new Promise((r) => setTimeout(r, 50));
      assert.equal(mine(), 300);
      assert.equal(explorer.receiveStats.dropped, 0);
    } finally {
      explorer.dispose();
      await fleet.stop();
    }
  });
});
