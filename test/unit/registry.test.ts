// The device registry fed with SSDP sightings directly (no multicast needed), describing devices
// from a real HTTP server on 127.0.0.1 that serves the network-light capture.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { DeviceRegistry, isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceRemoved, DiscoveredDevice } from '../../src/core/registry/types';
import type { Advertisement } from '../../src/core/ssdp/message';
import type { Sighting } from '../../src/core/ssdp/discovery';

const fixtures = join(__dirname, '..', 'fixtures', 'network-light');
const LIGHT_UDN = 'uuid:dd456923-f207-48f2-8a72-c1ac8a963324';
const description = readFileSync(join(fixtures, 'description.xml'), 'utf8');

/** A device with six services whose SCPDs are each padded to 600 KB. */
const BIG_DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:BinaryLight:1</deviceType><friendlyName>Big</friendlyName>
<manufacturer>t</manufacturer><modelName>t</modelName><UDN>uuid:b1600000-0000-4000-8000-00000000b16d</UDN><serviceList>
${Array.from({ length: 6 }, (_, i) => `<service><serviceType>urn:schemas-upnp-org:service:SwitchPower:1</serviceType><serviceId>urn:upnp-org:serviceId:S${i}</serviceId>
<SCPDURL>/big/scpd-${i}.xml</SCPDURL><controlURL>/big/c${i}</controlURL><eventSubURL>/big/e${i}</eventSubURL></service>`).join('\n')}
</serviceList></device></root>`;

let server: http.Server;
let base: string;
const hits = new Map<string, number>();

before(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '';
    hits.set(url, (hits.get(url) ?? 0) + 1);
    const file = url.endsWith('.xml') && url.includes('SwitchPower') ? 'scpd-SwitchPower_1.xml' : url.includes('Dimming') ? 'scpd-Dimming_1.xml' : undefined;
    if (url === '/desc.xml' || url === '/moved/desc.xml') {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(description);
    } else if (url === '/big/desc.xml') {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(BIG_DESCRIPTION);
    } else if (url.startsWith('/big/scpd-')) {
      // Each SCPD is a real one padded with a 600 KB comment: six of them pass the 2 MiB kept per device.
      const padded = readFileSync(join(fixtures, 'scpd-SwitchPower_1.xml'), 'utf8').replace('<scpd', `<!-- ${'p'.repeat(600 * 1024)} -->\n<scpd`);
      res.writeHead(200, { 'content-type': 'text/xml' }).end(padded);
    } else if (url === '/slow/desc.xml') {
      // A device that takes a while to answer: announcements arrive while it is being described.
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/xml' }).end(description), 150);
    } else if (file) {
      res.writeHead(200, { 'content-type': 'text/xml' }).end(readFileSync(join(fixtures, file)));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function sighting(ad: Partial<Advertisement> & Pick<Advertisement, 'type'>): Sighting {
  const usn = ad.usn ?? `${LIGHT_UDN}::upnp:rootdevice`;
  return {
    advertisement: { usn, udn: usn.split('::')[0]!, target: 'upnp:rootdevice', ...(ad.type !== 'byebye' ? { location: `${base}/desc.xml`, maxAgeSeconds: 1800 } : {}), ...ad },
    via: 'notify',
    remoteAddress: '127.0.0.1',
    remotePort: 1900,
  };
}

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  const end = Date.now() + 5000;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function described(reg: DeviceRegistry): () => DiscoveredDevice | undefined {
  return () => reg.devices.find((d) => isFullyDescribed(d) && d.status === 'ready');
}

describe('device registry', () => {
  it('describes a device once however many USNs announce it, and keeps every USN', async () => {
    const reg = new DeviceRegistry();
    try {
      for (const nt of ['upnp:rootdevice', LIGHT_UDN, 'urn:schemas-upnp-org:device:DimmableLight:1', 'urn:schemas-upnp-org:service:SwitchPower:1']) {
        reg.handleSighting(sighting({ type: 'alive', usn: nt === LIGHT_UDN ? LIGHT_UDN : `${LIGHT_UDN}::${nt}`, target: nt }));
      }
      const d = await until(described(reg), 'described');
      assert.equal(reg.devices.length, 1);
      assert.equal(d.udn, LIGHT_UDN);
      assert.equal(d.usns.length, 4);
      assert.deepEqual(d.services.map((s) => s.scpd?.actions.length), [3, 3]);
      assert.equal(hits.get('/desc.xml'), 1, 'described once');
    } finally {
      reg.dispose();
    }
  });

  it('merges the same device seen at two LOCATIONs (two interfaces) into one entry', async () => {
    const reg = new DeviceRegistry();
    const removed: DeviceRemoved[] = [];
    reg.onDidRemoveDevice((r) => removed.push(r));
    try {
      // The first sighting of each carries only an embedded-service USN, so the root UDN is unknown until described.
      reg.handleSighting(sighting({ type: 'alive', usn: `${LIGHT_UDN}::urn:schemas-upnp-org:service:Dimming:1`, target: 'urn:schemas-upnp-org:service:Dimming:1' }));
      const first = await until(described(reg), 'first described');
      reg.handleSighting({ ...sighting({ type: 'alive', usn: 'uuid:other-interface-alias', location: `${base}/moved/desc.xml` }) });
      await until(() => (removed.length > 0 ? true : undefined), 'merge');
      assert.equal(reg.devices.length, 1);
      assert.equal(removed[0]!.reason, 'merged');
      assert.deepEqual(reg.get(first.key)!.locations, [`${base}/desc.xml`, `${base}/moved/desc.xml`]);
    } finally {
      reg.dispose();
    }
  });

  it('describes again on ssdp:update with a new LOCATION and on a BOOTID change', async () => {
    const reg = new DeviceRegistry();
    try {
      reg.handleSighting(sighting({ type: 'alive', bootId: '1' }));
      const d = await until(described(reg), 'described');
      const before = hits.get('/moved/desc.xml') ?? 0;
      reg.handleSighting(sighting({ type: 'update', location: `${base}/moved/desc.xml`, bootId: '1', nextBootId: '2' }));
      await until(() => ((hits.get('/moved/desc.xml') ?? 0) > before && reg.get(d.key)?.status === 'ready' ? true : undefined), 're-described at the new location');
      assert.equal(reg.get(d.key)!.location, `${base}/moved/desc.xml`);
      assert.equal(reg.get(d.key)!.bootId, '2');
      const count = hits.get('/moved/desc.xml')!;
      reg.handleSighting(sighting({ type: 'alive', location: `${base}/moved/desc.xml`, bootId: '2' }));
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(hits.get('/moved/desc.xml'), count, 'same BOOTID: no new description');
      reg.handleSighting(sighting({ type: 'alive', location: `${base}/moved/desc.xml`, bootId: '3' }));
      await until(() => (hits.get('/moved/desc.xml')! > count ? true : undefined), 'rebooted device described again');
    } finally {
      reg.dispose();
    }
  });

  it('expires a device after max-age unless re-announced, and never a manual one', async () => {
    let now = 1_000_000;
    const reg = new DeviceRegistry({ now: () => now, sweepIntervalMs: 60_000 });
    const removed: DeviceRemoved[] = [];
    reg.onDidRemoveDevice((r) => removed.push(r));
    try {
      reg.handleSighting(sighting({ type: 'alive', maxAgeSeconds: 10 }));
      await until(described(reg), 'described');
      const manual = await reg.addByUrl(`${base}/moved/desc.xml`);
      assert.equal(reg.devices.length, 1, 'same UDN: merged with the SSDP one');
      assert.equal(manual.source, 'ssdp');
      now += 8000;
      reg.handleSighting(sighting({ type: 'alive', maxAgeSeconds: 10 }));
      now += 8000;
      reg.sweep();
      assert.equal(reg.devices.length, 1, 're-announced 8 s ago with max-age 10: still there');
      now += 2001;
      reg.sweep();
      assert.equal(reg.devices.length, 0);
      assert.deepEqual(removed.map((r) => r.reason), ['merged', 'expired']);
      const m = await reg.addByUrl(`${base}/desc.xml`);
      assert.equal(m.source, 'manual');
      now += 10 * 24 * 3600 * 1000;
      reg.sweep();
      assert.equal(reg.devices.length, 1, 'manual devices do not expire');
    } finally {
      reg.dispose();
    }
  });

  it("removes a device on its root's byebye only", async () => {
    const reg = new DeviceRegistry();
    try {
      reg.handleSighting(sighting({ type: 'alive' }));
      await until(described(reg), 'described');
      reg.handleSighting(sighting({ type: 'byebye', usn: 'uuid:someone-else::upnp:rootdevice' }));
      assert.equal(reg.devices.length, 1);
      reg.handleSighting(sighting({ type: 'byebye', usn: `${LIGHT_UDN}::urn:schemas-upnp-org:service:Dimming:1` }));
      assert.equal(reg.devices.length, 0);
    } finally {
      reg.dispose();
    }
  });

  it('retries a device in error when it re-announces, but not more often than asked', async () => {
    let now = 5_000_000;
    const reg = new DeviceRegistry({ now: () => now, retryAfterErrorMs: 30_000 });
    try {
      const bad = sighting({ type: 'alive', usn: 'uuid:broken::upnp:rootdevice', location: `${base}/missing.xml` });
      reg.handleSighting(bad);
      await until(() => reg.devices.find((d) => d.status === 'error'), 'error');
      assert.match(reg.devices[0]!.error!, /HTTP 404/);
      const tries = hits.get('/missing.xml')!;
      reg.handleSighting(bad);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(hits.get('/missing.xml'), tries);
      now += 30_001;
      reg.handleSighting(bad);
      await until(() => (hits.get('/missing.xml')! > tries ? true : undefined), 'retried');
    } finally {
      reg.dispose();
    }
  });

  it('caps the devices it keeps, warns once with the counts, and admits again when one leaves', async () => {
    const logged: string[] = [];
    const logger = { trace: (): void => undefined, debug: (): void => undefined, info: (): void => undefined, warn: (m: string): void => void logged.push(m), error: (m: string): void => void logged.push(m) };
    const reg = new DeviceRegistry({ maxDevices: 3, limitWarningDelayMs: 30, logger });
    const warnings: { known: number; ignored: number; limit: number }[] = [];
    reg.onDidReachLimit((w) => warnings.push(w));
    try {
      const flood = (i: number): Sighting => sighting({ type: 'alive', usn: `uuid:flood-${i}::upnp:rootdevice`, location: `${base}/missing-${i}.xml` });
      for (let i = 0; i < 50; i++) reg.handleSighting(flood(i));
      assert.equal(reg.devices.length, 3);
      assert.deepEqual(warnings, [], 'the warning waits for the burst');
      await until(() => (warnings.length > 0 ? true : undefined), 'warned');
      assert.deepEqual(warnings, [{ limit: 3, known: 3, ignored: 47 }]);
      const limitLines = logged.filter((l) => l.includes('maxDevices'));
      assert.equal(limitLines.length, 1);
      assert.match(limitLines[0]!, /^The device limit bit: 3 devices are known, the most UPnP Explorer keeps \(upnpExplorer\.discovery\.maxDevices = 3\), and 47 announcements of further devices were ignored so far \(the first from http:\/\/127\.0\.0\.1:\d+\/missing-3\.xml\)\./);
      assert.deepEqual(reg.limitStats, { limit: 3, known: 3, ignored: 47 });
      // Known devices are still updated (found by index, not refused as new).
      reg.handleSighting(flood(1));
      assert.equal(reg.devices.length, 3);
      await assert.rejects(reg.addByUrl(`${base}/desc.xml`), /3 devices are known, the most UPnP Explorer keeps; remove some, or raise upnpExplorer\.discovery\.maxDevices/);
      reg.handleSighting(sighting({ type: 'byebye', usn: 'uuid:flood-0::upnp:rootdevice' }));
      reg.handleSighting(flood(10));
      assert.deepEqual(reg.devices.map((d) => d.udn ?? d.usns[0]), ['uuid:flood-1', 'uuid:flood-2', 'uuid:flood-10']);
      // Full again: more are ignored, but the warning is not repeated.
      for (let i = 11; i < 20; i++) reg.handleSighting(flood(i));
      await new Promise((r) => setTimeout(r, 60));
      assert.equal(warnings.length, 1, 'one warning per registry');
      assert.equal(reg.limitStats.ignored, 56);
    } finally {
      reg.dispose();
    }
  });

  it('keeps a bounded list of what one device sends: USNs and LOCATIONs', async () => {
    const reg = new DeviceRegistry();
    try {
      for (let i = 0; i < 500; i++) {
        reg.handleSighting(sighting({ type: 'alive', usn: `${LIGHT_UDN}::urn:x-${i}:service:S:1`, target: `urn:x-${i}:service:S:1`, location: `${base}/desc.xml?${i % 50}` }));
      }
      assert.equal(reg.devices.length, 1);
      assert.equal(reg.devices[0]!.usns.length, 64);
      assert.equal(reg.devices[0]!.locations.length, 8);
    } finally {
      reg.dispose();
    }
  });

  it('a device re-announcing with a new BOOTID each time has one description running and at most one waiting', async () => {
    const reg = new DeviceRegistry();
    try {
      const before = hits.get('/slow/desc.xml') ?? 0;
      const at = (bootId: number): Sighting => sighting({ type: 'alive', location: `${base}/slow/desc.xml`, bootId: String(bootId) });
      reg.handleSighting(at(1));
      for (let i = 2; i <= 50; i++) reg.handleSighting(at(i));
      await until(() => (reg.devices[0]?.status === 'ready' && (hits.get('/slow/desc.xml') ?? 0) - before === 2 ? true : undefined), 'described twice');
      await until(described(reg), 'described');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal((hits.get('/slow/desc.xml') ?? 0) - before, 2, '50 reboots while describing: the running description and one more');
      assert.equal(reg.devices[0]!.bootId, '50');
    } finally {
      reg.dispose();
    }
  });

  it('retries a failing device ever less often: 30 s, then 60 s, then 120 s', async () => {
    let now = 7_000_000;
    const reg = new DeviceRegistry({ now: () => now, retryAfterErrorMs: 30_000 });
    try {
      const bad = sighting({ type: 'alive', usn: 'uuid:backoff::upnp:rootdevice', location: `${base}/missing-backoff.xml` });
      const tries = (): number => hits.get('/missing-backoff.xml') ?? 0;
      reg.handleSighting(bad);
      await until(() => (reg.devices[0]?.status === 'error' ? true : undefined), 'error');
      for (const wait of [30_000, 60_000, 120_000]) {
        const before = tries();
        now += wait - 1000;
        reg.handleSighting(bad);
        await new Promise((r) => setTimeout(r, 50));
        assert.equal(tries(), before, `not retried ${wait / 1000 - 1} s after the last failure`);
        now += 1001;
        reg.handleSighting(bad);
        await until(() => (tries() > before && reg.devices[0]?.status === 'error' ? true : undefined), `retried after ${wait / 1000} s`);
      }
    } finally {
      reg.dispose();
    }
  });

  it('a device announcing ever new UUIDs at one LOCATION grows neither its entry nor the indexes', () => {
    const reg = new DeviceRegistry({ scheduler: { maxActive: 1 } });
    try {
      for (let i = 0; i < 10_000; i++) {
        reg.handleSighting(sighting({ type: 'alive', usn: `uuid:junk-${i}::urn:x:service:S:1`, target: 'urn:x:service:S:1', location: 'http://127.0.0.1:9/same.xml' }));
      }
      assert.equal(reg.devices.length, 1);
      assert.equal(reg.devices[0]!.usns.length, 64);
      assert.deepEqual(reg.indexStats, { devices: 1, udns: 64, locations: 1, expiring: 1 });
    } finally {
      reg.dispose();
    }
  });

  it('expiry visits only the devices that are due, and forgets the ones that left', () => {
    let now = 9_000_000;
    const reg = new DeviceRegistry({ now: () => now, sweepIntervalMs: 3_600_000, scheduler: { maxActive: 1 } });
    const removed: DeviceRemoved[] = [];
    reg.onDidRemoveDevice((r) => removed.push(r));
    try {
      const at = (i: number, maxAgeSeconds: number): Sighting => sighting({ type: 'alive', usn: `uuid:exp-${i}::upnp:rootdevice`, location: `http://127.0.0.1:9/exp-${i}.xml`, maxAgeSeconds });
      for (let i = 0; i < 300; i++) reg.handleSighting(at(i, i < 100 ? 10 : 100));
      // 50 of the short-lived ones are re-announced; 20 others say byebye.
      now += 5000;
      for (let i = 0; i < 50; i++) reg.handleSighting(at(i, 10));
      for (let i = 200; i < 220; i++) reg.handleSighting(sighting({ type: 'byebye', usn: `uuid:exp-${i}::upnp:rootdevice` }));
      assert.equal(reg.indexStats.expiring, 280, 'devices that left are not kept for expiry');
      now += 5001;
      reg.sweep();
      assert.equal(removed.filter((r) => r.reason === 'expired').length, 50, 'the 50 not re-announced expired');
      now += 5000;
      reg.sweep();
      assert.equal(removed.filter((r) => r.reason === 'expired').length, 100);
      now += 90_000;
      reg.sweep();
      assert.equal(reg.devices.length, 0);
      assert.deepEqual(reg.indexStats, { devices: 0, udns: 0, locations: 0, expiring: 0 });
    } finally {
      reg.dispose();
    }
  });

  it('keeps at most 2 MiB of one device\'s document text; the rest is read but not kept, and the device is told', async () => {
    const reg = new DeviceRegistry();
    try {
      reg.handleSighting(sighting({ type: 'alive', usn: 'uuid:b1600000-0000-4000-8000-00000000b16d::upnp:rootdevice', location: `${base}/big/desc.xml` }));
      const d = await until(described(reg), 'described');
      assert.equal(d.services.length, 6);
      assert.ok(d.services.every((s) => s.scpdStatus === 'ready' && s.scpd!.actions.length === 3), 'every SCPD is read');
      const kept = d.services.filter((s) => s.scpdXml !== undefined);
      assert.equal(kept.length, 3, 'three 600 KB texts fit in 2 MiB (with the description), the fourth does not');
      assert.ok(d.descriptionXml !== undefined);
      const told = d.problems.filter((p) => /not kept for "open as XML": this device's documents pass the 2 MiB of text kept per device/.test(p.message));
      assert.equal(told.length, 1, d.problems.map((p) => p.message).join('\n'));
    } finally {
      reg.dispose();
    }
  });

  it('20,000 announcements of 2,000 devices: one entry each, found again by UDN or LOCATION', () => {
    const reg = new DeviceRegistry({ maxDevices: 2000, scheduler: { maxActive: 1 } });
    try {
      // Loopback addresses on a closed port: the descriptions fail fast, and nothing leaves the machine.
      for (let round = 0; round < 10; round++) {
        for (let i = 0; i < 2000; i++) {
          const usn = round % 2 === 0 ? `uuid:crowd-${i}::upnp:rootdevice` : `uuid:crowd-${i}::urn:schemas-upnp-org:device:Basic:1`;
          reg.handleSighting(sighting({ type: 'alive', usn, location: `http://127.0.${i >> 8}.${(i & 255) || 1}:9/d${i}.xml` }));
        }
      }
      assert.equal(reg.devices.length, 2000);
      assert.ok(reg.devices.every((d) => d.usns.length === 2 && d.locations.length === 1));
    } finally {
      reg.dispose();
    }
  });
});

