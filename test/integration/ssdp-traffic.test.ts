// SSDP traffic as the traffic view will show it, inside the isolated namespace: with a listener,
// the explorer on upnpv0 records a hosted device's NOTIFYs (alive, then byebye), our own M-SEARCH
// (looped back) and the device's answers, each with its source, kind and headers; without one,
// nothing is built. The ring keeps the newest and counts what it pushed out; the exports are
// JSON Lines and a text form.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { TrafficRing, matchesTraffic, trafficJsonLines, trafficText } from '../../src/core/ssdp/traffic';
import type { TrafficRecord } from '../../src/core/ssdp/traffic';
import { HostedDevice } from '../../src/device/hostedDevice';
import { assertIsolatedNetwork } from '../harness/netns';

describe('SSDP traffic', () => {
  it('records NOTIFYs, our M-SEARCH and the answers while someone listens, and nothing after', async () => {
    assertIsolatedNetwork('ssdp-traffic.test.ts');
    const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['upnpv0'], ipv6: false, httpTimeoutMs: 3000 });
    await explorer.start();
    const records: TrafficRecord[] = [];
    const recording = explorer.onTraffic((r) => records.push(r));
    const folder = mkdtempSync(path.join(os.tmpdir(), 'upnp-traffic-'));
    cpSync(path.join(__dirname, '..', 'fixtures', 'hosting', 'basic'), folder, { recursive: true });
    const hosted = await HostedDevice.start(folder, { interfaces: selectInterfaces(['upnpv1'], false).selected, hostname: 'h', user: 'u' });
    try {
      await explorer.search({ searchTarget: 'upnp:rootdevice' });
      for (const end = Date.now() + 4000; Date.now() < end && !records.some((r) => r.kind === 'answer'); ) await new Promise((r) => setTimeout(r, 50));
      const udn = hosted.identity.udn;
      const alive = records.find((r) => r.kind === 'alive' && r.usn === `${udn}::upnp:rootdevice`);
      assert.ok(alive, `alive NOTIFY recorded: ${records.map((r) => r.kind).join(' ')}`);
      assert.equal(alive.from, '10.99.0.2');
      assert.equal(alive.fromPort, 1900);
      assert.equal(alive.target, 'upnp:rootdevice');
      assert.equal(alive.location, hosted.http.locationFor('10.99.0.2'));
      assert.equal(alive.server, 'Linux/6 UPnP/1.0 Jambon/3000');
      assert.equal(alive.maxAge, 1800);
      assert.match(alive.raw, /^NOTIFY \* HTTP\/1\.1\r\n/);
      const search = records.find((r) => r.kind === 'search' && r.target === 'upnp:rootdevice');
      assert.ok(search, 'our own M-SEARCH is recorded as anyone\'s would be');
      assert.equal(search.mx, '1');
      assert.match(search.userAgent ?? '', /UPnP-Explorer/);
      const answer = records.find((r) => r.kind === 'answer' && r.usn === `${udn}::upnp:rootdevice`);
      assert.ok(answer, 'the answer to our search');
      assert.equal(answer.via, 'upnpv0 10.99.0.1');
      assert.ok(records.every((r, i) => i === 0 || r.seq > records[i - 1]!.seq), 'in order');

      await hosted.stop();
      for (const end = Date.now() + 3000; Date.now() < end && !records.some((r) => r.kind === 'byebye'); ) await new Promise((r) => setTimeout(r, 50));
      assert.ok(records.some((r) => r.kind === 'byebye' && r.usn === `${udn}::upnp:rootdevice`), 'byebye recorded');

      recording.dispose();
      const count = records.length;
      await explorer.search({ searchTarget: 'upnp:rootdevice' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(records.length, count, 'nothing recorded without a listener');
    } finally {
      await hosted.stop();
      explorer.dispose();
    }
  });

  it('the ring keeps the newest, counts what it pushed out, and exports', () => {
    const ring = new TrafficRing(3);
    const rec = (seq: number): TrafficRecord => ({ seq, at: Date.UTC(2026, 10, 28, 12, 0, seq), kind: 'alive', from: '10.0.0.2', fromPort: 1900, target: 'upnp:rootdevice', raw: `NOTIFY * HTTP/1.1\r\nNT: upnp:rootdevice\r\nSEQ: ${seq}\r\n\r\n` });
    for (let i = 1; i <= 5; i++) ring.push(rec(i));
    assert.deepEqual(ring.toArray().map((r) => r.seq), [3, 4, 5]);
    assert.equal(ring.dropped, 2);
    const jsonl = trafficJsonLines(ring.toArray()).trim().split('\n').map((l) => JSON.parse(l) as { seq: number; at: string; raw: string });
    assert.deepEqual(jsonl.map((j) => [j.seq, j.at]), [[3, '2026-11-28T12:00:03.000Z'], [4, '2026-11-28T12:00:04.000Z'], [5, '2026-11-28T12:00:05.000Z']]);
    assert.match(jsonl[0]!.raw, /^NOTIFY/);
    assert.equal(trafficText([rec(1)]), '2026-11-28T12:00:01.000Z ALIVE from 10.0.0.2:1900 NT upnp:rootdevice\n    NOTIFY * HTTP/1.1\n    NT: upnp:rootdevice\n    SEQ: 1\n');
    // Filters: kinds, a device (by the UDN its USN starts with), text anywhere a person looks.
    const answer: TrafficRecord = { ...rec(9), kind: 'answer', target: 'urn:x:service:Y:1', usn: 'uuid:AbC::urn:x:service:Y:1', server: 'Linux/6 UPnP/1.0 Thing/2' };
    assert.equal(matchesTraffic(answer, { kinds: ['alive'] }), false);
    assert.equal(matchesTraffic(answer, { kinds: ['alive', 'answer'] }), true);
    assert.equal(matchesTraffic(answer, { udn: 'uuid:abc' }), true);
    assert.equal(matchesTraffic(answer, { udn: 'uuid:abd' }), false);
    assert.equal(matchesTraffic(answer, { text: 'thing/2' }), true);
    assert.equal(matchesTraffic(answer, { text: 'nothing' }), false);
    ring.clear();
    assert.equal(ring.size, 0);
    assert.equal(ring.dropped, 0);
  });
});
