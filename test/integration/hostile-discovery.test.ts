// Hostile and crowded networks, inside the isolated namespace: description URLs that accept the
// connection and never answer, crawl, or trickle their body (on one attacking machine, on a
// thousand hosts each announcing itself, or on a thousand hosts announced by one machine; the
// hostile devices run in a child process, as on a real network); devices that re-announce and
// "reboot" to be described again; a flood of announcements of devices that don't exist; one
// device announcing ever new USNs; and a crowd of 300 devices answering one search.
// What must hold: the healthy camera beside the hostile ones is described within about a second
// of the work it really takes; the device cap holds with one warning naming the counts; what one
// device can make us keep stays bounded; every device of the crowd is seen and described.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceLimitReached } from '../../src/core/registry/registry';
import { assertIsolatedNetwork } from '../harness/netns';
import { startHoldingDevicesApart } from '../devices/hostile-http';
import type { HoldingDevices, HoldingDevicesOptions } from '../devices/hostile-http';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedDevice } from '../devices/device-handle';
import { startFleet } from '../devices/fleet';

const MX = 1;
/**
 * Issue 8: a stalling device never delays another's description by more than about 1 s beyond
 * the real work. The bound asserted is that second plus a generous margin for a loaded 2-core
 * machine (the hostile devices' process competes for the same cores); the times seen are logged.
 */
const FAIRNESS_MS = 1000;
const MARGIN_MS = 2000;

assertIsolatedNetwork('hostile discovery test');

function explorerFor(extra: Partial<ConstructorParameters<typeof UpnpExplorer>[0]> = {}): UpnpExplorer {
  return new UpnpExplorer({ searchTarget: 'ssdp:all', mx: MX, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 10_000, ...extra });
}

/**
 * Resolves with the time from the camera's first sighting (its entry's firstSeen) until it was
 * fully described (description and every SCPD), or Infinity after 20 s.
 */
function describedAfterSeen(explorer: UpnpExplorer, camera: SimulatedDevice): Promise<number> {
  const started = performance.now();
  return new Promise<number>((resolve) => {
    const timer = setInterval(() => {
      const d = explorer.devices.find((x) => x.udn === camera.udn);
      if (d && d.status === 'ready' && isFullyDescribed(d)) {
        clearInterval(timer);
        resolve(Date.now() - d.firstSeen);
      } else if (performance.now() - started > 20_000) {
        clearInterval(timer);
        resolve(Infinity);
      }
    }, 5);
  });
}

/** Starts the explorer if needed, searches, and resolves with describedAfterSeen. */
async function searchAndTime(explorer: UpnpExplorer, camera: SimulatedDevice): Promise<number> {
  if (!explorer.isStarted) await explorer.start();
  const took = describedAfterSeen(explorer, camera);
  void explorer.search();
  return took;
}

describe('stalling description URLs', () => {
  let camera: SimulatedDevice | undefined;
  let holding: HoldingDevices | undefined;
  let explorer: UpnpExplorer | undefined;
  /** Sighting -> fully described for the camera alone: the real work. */
  let realWorkMs = 0;

  before(async () => {
    const cam = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    const alone = explorerFor();
    try {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        runs.push(await searchAndTime(alone, cam));
        alone.remove(alone.devices.find((d) => d.udn === cam.udn)!.key);
      }
      realWorkMs = Math.min(...runs);
    } finally {
      alone.dispose();
      await cam.stop();
    }
  });

  afterEach(async () => {
    explorer?.dispose();
    await holding?.stop();
    await camera?.stop();
    explorer = undefined;
    holding = undefined;
    camera = undefined;
  });

  const cases: [string, Omit<HoldingDevicesOptions, 'interfaceAddress' | 'maxResponseDelayMs'>][] = [
    ['1,000 that stall on one machine (a port each)', { count: 1000, kind: 'stall', hosts: 'one-host' }],
    ['1,000 that stall, each its own host announcing itself', { count: 1000, kind: 'stall', hosts: 'own-host' }],
    ['1,000 that stall on as many hosts, all announced by one machine', { count: 1000, kind: 'stall', hosts: 'own-host', announcedBy: 'one-machine' }],
    ['100 that crawl (a byte a second from the status line on), each its own host', { count: 100, kind: 'crawl', hosts: 'own-host' }],
    ['100 that trickle (headers at once, then a byte a second), each its own host', { count: 100, kind: 'trickle', hosts: 'own-host' }],
  ];
  for (const [name, opts] of cases) {
    it(`${name} do not hold up the camera`, async () => {
      holding = await startHoldingDevicesApart({ ...opts, interfaceAddress: '127.0.0.1', maxResponseDelayMs: MX * 1000 });
      camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
      // Room for all of them: this is about fetching, not the device cap.
      explorer = explorerFor({ maxDevices: 2000 });
      const took = await searchAndTime(explorer, camera);
      const bound = realWorkMs + FAIRNESS_MS + MARGIN_MS;
      console.log(`# ${name}: the camera was described ${took.toFixed(0)} ms after it was seen (alone: ${realWorkMs.toFixed(0)} ms)`);
      assert.ok(took < bound, `described ${took.toFixed(0)} ms after it was seen; alone it takes ${realWorkMs.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`);
      // The hostile ones were asked for (not just ignored: the camera may have answered first), and none is described.
      const end = Date.now() + MX * 1000 + 5000;
      while (Date.now() < end && (await holding.connections()) === 0) await new Promise((r) => setTimeout(r, 50));
      assert.ok((await holding.connections()) > 0, 'the hostile URLs were requested');
      const hostile = explorer.devices.filter((d) => holding!.udns.includes(d.udn ?? ''));
      assert.ok(hostile.length > 0 && hostile.every((d) => d.status !== 'ready'));
      if (opts.hosts === 'own-host' && opts.count > 512 && opts.announcedBy !== 'one-machine') {
        // More stalled requests than may be parked: the longest parked are given up, in words.
        const givenUp = /did not answer within [\d.]+ s, while \d+ other requests also waited on devices that don't answer; given up\.$/;
        await waitFor(() => explorer!.devices.some((d) => givenUp.test(d.error ?? '')), 8000);
        assert.ok(explorer.devices.some((d) => givenUp.test(d.error ?? '')), 'some stalled requests were given up');
      }
    });
  }

  it('stallers that re-announce, or "reboot" to be described again, get no more requests while theirs are pending; a newcomer is described at once', async () => {
    holding = await startHoldingDevicesApart({ count: 20, kind: 'stall', hosts: 'own-host', interfaceAddress: '127.0.0.1', maxResponseDelayMs: MX * 1000 });
    explorer = explorerFor();
    await explorer.start();
    await explorer.search();
    const first = await holding.connections();
    assert.equal(first, 20, 'one request per staller');
    for (let i = 0; i < 5; i++) await holding.announceAll();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await holding.connections(), first, 'announcing again opens no more requests');
    // Five reboots each while the first request still hangs: one more description is owed, not five.
    for (let i = 0; i < 5; i++) await holding.rebootAll();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await holding.connections(), first, 'a reboot waits for the pending request');
    // And a healthy device arriving now (it announces itself) is described at once.
    camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    const took = await describedAfterSeen(explorer, camera);
    assert.ok(took < realWorkMs + FAIRNESS_MS + MARGIN_MS, `described ${took.toFixed(0)} ms after it announced itself`);
  });
});

/** A socket to send SSDP datagrams from 127.0.0.1 into the namespace's group. */
async function ssdpSender(): Promise<{ send(text: string): Promise<void>; close(): void }> {
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((r) => sender.bind(0, '127.0.0.1', r));
  sender.setMulticastInterface('127.0.0.1');
  return {
    send: (text) => new Promise<void>((r) => sender.send(text, 1900, '239.255.255.250', () => r())),
    close: () => sender.close(),
  };
}

function alive(usn: string, nt: string, location: string): string {
  return `NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=31536000\r\nLOCATION: ${location}\r\n` +
    `NT: ${nt}\r\nNTS: ssdp:alive\r\nSERVER: Flood/1 UPnP/1.1 x/1\r\nUSN: ${usn}\r\n\r\n`;
}

async function waitFor(probe: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !probe()) await new Promise((r) => setTimeout(r, 50));
}

describe('a flood of announcements', () => {
  let explorer: UpnpExplorer | undefined;
  after(() => explorer?.dispose());

  it('keeps at most maxDevices, warns once naming the counts, and stays bounded', async () => {
    explorer = explorerFor({ maxDevices: 200 });
    const warnings: DeviceLimitReached[] = [];
    explorer.onDidReachLimit((w) => warnings.push(w));
    await explorer.start();
    const sender = await ssdpSender();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    // 5,000 devices that don't exist, each announced with a year-long max-age, twice over.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const udn = `uuid:f100d000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
        await sender.send(alive(`${udn}::upnp:rootdevice`, 'upnp:rootdevice', `http://127.4.0.1:9/d${i}.xml`));
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
      }
    }
    sender.close();
    await waitFor(() => explorer!.receiveStats.received >= 10_000 && warnings.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(explorer.receiveStats.received >= 9_000, `${explorer.receiveStats.received} announcements received`);
    assert.equal(explorer.devices.length, 200);
    assert.equal(warnings.length, 1, 'one warning');
    const [w] = warnings;
    assert.deepEqual({ limit: w!.limit, known: w!.known }, { limit: 200, known: 200 });
    assert.ok(w!.ignored > 1, `the warning counts the burst: ${w!.ignored} ignored`);
    const stats = explorer.limitStats;
    assert.ok(stats.ignored >= 9_000 - 200 && stats.known === 200, JSON.stringify(stats));
    const r = explorer.registryStats;
    assert.ok(r.devices === 200 && r.udns <= 200 && r.locations <= 200 && r.expiring <= 200, JSON.stringify(r));
    global.gc?.();
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'heap stays bounded');
  });

  it('one device announcing 20,000 different USNs (new UUIDs, new types, new LOCATIONs) stays one bounded entry', async () => {
    const one = explorerFor({ maxDevices: 50 });
    try {
      await one.start();
      const sender = await ssdpSender();
      const udn = 'uuid:0ne0de71-0000-4000-8000-000000000001';
      // Its root USN first, then ever new embedded UUIDs and service types at the same LOCATION,
      // and the same UUID at ever new LOCATIONs (a device on "many interfaces").
      await sender.send(alive(`${udn}::upnp:rootdevice`, 'upnp:rootdevice', 'http://127.4.0.2:9/d.xml'));
      for (let i = 0; i < 10_000; i++) {
        const extra = `uuid:0ne0de71-0000-4000-8000-${(i + 2).toString(16).padStart(12, '0')}`;
        await sender.send(alive(`${extra}::urn:x-${i}:service:S:1`, `urn:x-${i}:service:S:1`, 'http://127.4.0.2:9/d.xml'));
        await sender.send(alive(`${udn}::urn:y-${i}:service:S:1`, `urn:y-${i}:service:S:1`, `http://127.4.0.2:9/d.xml?${i}`));
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      sender.close();
      await waitFor(() => one.receiveStats.received >= 20_001, 10_000);
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(one.receiveStats.received >= 18_000, `${one.receiveStats.received} received`);
      // The new LOCATIONs carry the same UUID: one device. The UUIDs at one LOCATION: the same device too.
      assert.equal(one.devices.length, 1);
      const d = one.devices[0]!;
      assert.equal(d.usns.length, 64);
      assert.equal(d.locations.length, 8);
      const r = one.registryStats;
      assert.ok(r.udns <= 64 && r.locations <= 8 && r.expiring === 1, JSON.stringify(r));
      assert.deepEqual(one.limitStats.ignored, 0, 'nothing here is a new device');
    } finally {
      one.dispose();
    }
  });
});

describe('oversized datagrams', () => {
  it('are dropped and counted where they are read, and a device announcing right after is still seen', async () => {
    const explorer = explorerFor();
    try {
      await explorer.start();
      const sender = await ssdpSender();
      // 2,000 NOTIFYs padded to 60 KiB each (120 MB in all), then one ordinary announcement.
      const padding = `X-PAD: ${'x'.repeat(60 * 1024)}\r\n`;
      const big = alive('uuid:b1600000-0000-4000-8000-000000000001::upnp:rootdevice', 'upnp:rootdevice', 'http://127.4.0.3:9/d.xml').replace('\r\n\r\n', `\r\n${padding}\r\n`);
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 2000; i++) {
        await sender.send(big);
        if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await sender.send(alive('uuid:b1600000-0000-4000-8000-000000000002::upnp:rootdevice', 'upnp:rootdevice', 'http://127.4.0.3:9/small.xml'));
      sender.close();
      await waitFor(() => explorer.devices.length > 0, 5000);
      const stats = explorer.receiveStats;
      assert.ok(stats.oversize > 0, JSON.stringify(stats));
      assert.deepEqual(explorer.devices.map((d) => d.location), ['http://127.4.0.3:9/small.xml']);
      global.gc?.();
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024, 'heap stays bounded');
    } finally {
      explorer.dispose();
    }
  });
});

describe('a crowd', () => {
  it('all 300 devices answering one search are seen and described', async () => {
    const fleet = await startFleet(300, { interfaceAddress: '127.0.0.1', udnPrefix: 'c0bd0000', hostPerDevice: true, maxResponseDelayMs: MX * 1000, announce: false });
    const explorer = explorerFor();
    try {
      await explorer.start();
      await explorer.search();
      const mine = (): number => explorer.devices.filter((d) => d.udn?.startsWith('uuid:c0bd0000') && d.status === 'ready' && isFullyDescribed(d)).length;
      await waitFor(() => mine() >= 300, 15_000);
      assert.equal(mine(), 300);
      assert.equal(explorer.receiveStats.dropped, 0);
    } finally {
      explorer.dispose();
      await fleet.stop();
    }
  });
});
