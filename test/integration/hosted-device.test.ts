// A definition hosted whole (HTTP + SSDP), inside the isolated namespace: the device is hosted on
// one end of the veth (upnpv1 10.99.0.2) and met from the other (upnpv0 10.99.0.1) by our own
// discovery (alive, search, byebye) and by raw M-SEARCHes that check each search target, the
// answering policy, the MX delay, unicast searches, refusals with their reasons, and the Canon
// template's exchange exactly as the camera does it.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as dgram from 'node:dgram';
import { request } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceRemoved } from '../../src/core/registry/types';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { parseSsdpMessage } from '../../src/core/ssdp/message';
import { DefinitionError, HostedDevice } from '../../src/device/hostedDevice';
import type { HostedLogEntry } from '../../src/device/hostedDevice';
import { UUID_FILE } from '../../src/device/identity';
import { DEVICE_TEMPLATES, writeTemplate } from '../../src/device/templates';
import { assertIsolatedNetwork } from '../harness/netns';

const BASIC = path.join(__dirname, '..', 'fixtures', 'hosting', 'basic');
const HOST_SIDE = () => selectInterfaces(['upnpv1'], false).selected;

interface Answer { readonly headers: Readonly<Record<string, string>>; readonly at: number; readonly from: string }

/** Sends one M-SEARCH from upnpv0 and collects the answers for `waitMs`. */
async function search(lines: readonly string[], waitMs: number, to = '239.255.255.250'): Promise<Answer[]> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind({ address: '10.99.0.1', port: 0 }, r));
  socket.setMulticastInterface('10.99.0.1');
  const answers: Answer[] = [];
  const sentAt = Date.now();
  socket.on('message', (data, rinfo) => {
    const m = parseSsdpMessage(data);
    if (m.start.kind === 'response') answers.push({ headers: m.headers, at: Date.now() - sentAt, from: `${rinfo.address}:${rinfo.port}` });
  });
  const text = `${lines.join('\r\n')}\r\n\r\n`;
  await new Promise<void>((r, j) => socket.send(text, 1900, to, (err) => (err ? j(err) : r())));
  await new Promise((r) => setTimeout(r, waitMs));
  socket.close();
  return answers;
}

/** An M-SEARCH; `mx` null leaves MX out. */
function mSearch(st: string, mx: number | null = 1): string[] {
  return ['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', ...(mx !== null ? [`MX: ${mx}`] : []), `ST: ${st}`, 'USER-AGENT: test/1 UPnP/1.1 hosted-device-test/1'];
}

function get(url: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    // From the other end of the veth, as a camera on the LAN would.
    request(url, { localAddress: '10.99.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    }).on('error', reject).end();
  });
}

function copyOf(source: string, edit?: (manifest: Record<string, unknown>) => void): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'upnp-hosted-'));
  cpSync(source, folder, { recursive: true });
  if (edit) {
    const file = path.join(folder, 'upnp-device.json');
    const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(v);
    writeFileSync(file, JSON.stringify(v));
  }
  return folder;
}

describe('a hosted device on the network', () => {
  before(() => {
    assertIsolatedNetwork('hosted-device.test.ts');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
  });

  it('is seen by our discovery from its alive NOTIFYs, found by search, and gone on byebye', async () => {
    const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['upnpv0'], ipv6: false, httpTimeoutMs: 3000 });
    await explorer.start();
    const log: HostedLogEntry[] = [];
    const hosted = await HostedDevice.start(copyOf(BASIC), { interfaces: HOST_SIDE(), hostname: 'studio', user: 'ana', log: (e) => log.push(e) });
    try {
      const udn = hosted.identity.udn;
      let found;
      for (const end = Date.now() + 5000; Date.now() < end && !found; await new Promise((r) => setTimeout(r, 50))) {
        found = explorer.devices.find((d) => d.udn === udn && isFullyDescribed(d));
      }
      assert.ok(found, 'the alive NOTIFYs alone made the device appear, without a search');
      assert.equal(found.description!.device.friendlyName, 'Jambon 3000 on studio');
      assert.equal(found.location, hosted.http.locationFor('10.99.0.2'));
      assert.equal(found.server, 'Linux/6 UPnP/1.0 Jambon/3000');
      assert.ok(log.some((e) => e.kind === 'notify' && /ssdp:alive ×4 on upnpv1 10\.99\.0\.2/.test(e.message)), 'root + uuid + device type + one service type = 4 alive NOTIFYs');

      // The explorer's own search is logged with who asked, and answered.
      await explorer.search({ searchTarget: 'urn:example-com:service:Jambon:1' });
      for (const end = Date.now() + 3000; Date.now() < end && !log.some((e) => e.kind === 'answer'); ) await new Promise((r) => setTimeout(r, 50));
      const seen = log.find((e) => e.kind === 'search' && /ST urn:example-com:service:Jambon:1/.test(e.message));
      assert.ok(seen, 'the search is in the log');
      assert.equal(seen.remoteAddress, '10.99.0.1');
      assert.match(seen.message, /answering with 1 on upnpv1/);
      assert.match(seen.message, /USER-AGENT /);

      const removed = new Promise<DeviceRemoved>((resolve) => explorer.onDidRemoveDevice((r) => { if (r.device.udn === udn) resolve(r); }));
      await hosted.stop();
      const r = await Promise.race([removed, new Promise<undefined>((res) => setTimeout(() => res(undefined), 3000))]);
      assert.equal(r?.reason, 'byebye', 'byebye went out before the sockets closed');
    } finally {
      await hosted.stop();
      explorer.dispose();
    }
  });

  it('answers each search target it has, with ST echoed, and not the others', async () => {
    const hosted = await HostedDevice.start(copyOf(BASIC, (m) => { m['ssdp'] = { ...(m['ssdp'] as object), mxDelay: false }; }), { interfaces: HOST_SIDE(), hostname: 'h', user: 'u' });
    try {
      const udn = hosted.identity.udn;
      const all = await search(mSearch('ssdp:all'), 400);
      assert.deepEqual(all.map((a) => a.headers['st']).sort(), ['upnp:rootdevice', udn, 'urn:example-com:service:Jambon:1', 'urn:schemas-upnp-org:device:Basic:1'].sort());
      for (const a of all) {
        assert.equal(a.headers['location'], hosted.http.locationFor('10.99.0.2'));
        assert.equal(a.headers['cache-control'], 'max-age=1800');
        assert.equal(a.headers['ext'], '');
        assert.equal(a.from, '10.99.0.2:1900', 'answered from the interface\'s own address');
        assert.ok(a.headers['usn']!.startsWith(udn));
      }
      const one = async (st: string): Promise<Answer[]> => search(mSearch(st), 300);
      assert.deepEqual((await one('upnp:rootdevice')).map((a) => a.headers['usn']), [`${udn}::upnp:rootdevice`]);
      assert.deepEqual((await one(udn)).map((a) => a.headers['usn']), [udn]);
      assert.deepEqual((await one('urn:schemas-upnp-org:device:Basic:1')).map((a) => a.headers['usn']), [`${udn}::urn:schemas-upnp-org:device:Basic:1`]);
      assert.deepEqual(await one('urn:schemas-upnp-org:device:MediaServer:1'), []);
      assert.deepEqual(await one('urn:example-com:service:Jambon:2'), [], 'a newer version than the device has is not answered');
      assert.deepEqual(await one('uuid:00000000-0000-0000-0000-000000000000'), [], 'the written placeholder UDN is not the device\'s');
    } finally {
      await hosted.stop();
    }
  });

  it('spreads answers within MX, answers unicast searches at once, and says why it ignores the rest', async () => {
    const log: HostedLogEntry[] = [];
    const hosted = await HostedDevice.start(copyOf(BASIC), { interfaces: HOST_SIDE(), hostname: 'h', user: 'u', log: (e) => log.push(e) });
    try {
      const spread = await search(mSearch('ssdp:all', 2), 2600);
      assert.equal(spread.length, 4);
      assert.ok(spread.every((a) => a.at <= 2300), `every answer within MX 2 s: ${spread.map((a) => a.at).join(', ')}`);
      // UDA 1.1: a unicast M-SEARCH has no MX and is answered at once.
      const unicast = await search(mSearch('upnp:rootdevice', null).map((l) => l.replace('239.255.255.250:1900', '10.99.0.2:1900')), 300, '10.99.0.2');
      assert.equal(unicast.length, 1);
      assert.ok(log.some((e) => /unicast, ST upnp:rootdevice\b.*answering with 1 on upnpv1 now/.test(e.message)));
      // A multicast search without MX, with a wrong MAN, without ST, and junk: no answer, a reason each.
      assert.deepEqual(await search(mSearch('upnp:rootdevice', null), 300), []);
      assert.deepEqual(await search(['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: ssdp:explore', 'MX: 1', 'ST: ssdp:all'], 300), []);
      assert.deepEqual(await search(['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 1'], 300), []);
      await search(['\u0000\u00ff garbage'], 100);
      const reasons = log.filter((e) => e.kind === 'search' && /not answered/.test(e.message)).map((e) => e.message.replace(/^.*not answered, /, ''));
      assert.deepEqual(reasons, ['a multicast search needs an MX of 1 or more (UDA 1.1 §1.3.2)', 'MAN is not "ssdp:discover"', 'it has no ST']);
      // Junk and oversized datagrams: no answer, a line each.
      await search(['x'.repeat(9000)], 100);
      const junk = log.filter((e) => /^Datagram from 10\.99\.0\.1:\d+ ignored: /.test(e.message)).map((e) => e.message.replace(/^.*ignored: /, ''));
      assert.equal(junk.length, 2, junk.join('\n'));
      assert.match(junk[0]!, /not an SSDP message \(start line/);
      assert.match(junk[1]!, /^9004 bytes, not an SSDP message \(at most 8192\)$/);
      // Still answering after all that.
      assert.equal((await search(mSearch('upnp:rootdevice'), 1300)).length, 1);
      assert.ok(hosted.ssdp.counters.searches >= 6);
    } finally {
      await hosted.stop();
    }
  });

  it('does not start from a broken definition, and leaves nothing listening', async () => {
    const folder = copyOf(BASIC);
    writeFileSync(path.join(folder, 'description.xml'), '<root><device>');
    await assert.rejects(HostedDevice.start(folder, { interfaces: HOST_SIDE(), hostname: 'h', user: 'u' }), (err: unknown) => {
      assert.ok(err instanceof DefinitionError);
      assert.ok(err.problems.some((p) => p.file === 'description.xml' && p.severity === 'error'));
      return true;
    });
    assert.deepEqual(await search(mSearch('ssdp:all'), 1200), []);
  });
});

describe('the Canon pairing template, met as the camera meets it', () => {
  it('answers the camera\'s search the Windows way, serves its description as the camera needs, and keeps its UUID', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'upnp-canon-'));
    await writeTemplate(DEVICE_TEMPLATES.find((t) => t.id === 'canon')!, folder);
    const log: HostedLogEntry[] = [];
    let hosted = await HostedDevice.start(folder, { interfaces: HOST_SIDE(), hostname: 'studio-pc', user: 'ana', log: (e) => log.push(e) });
    let udn: string;
    try {
      udn = hosted.identity.udn;
      assert.equal(hosted.identity.source, 'created');
      // 1. The camera multicasts M-SEARCH for upnp:rootdevice.
      const answers = await search(['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 3', 'ST: upnp:rootdevice'], 500);
      // 2. One unicast answer, at once (no MX delay), with the facts' headers.
      assert.equal(answers.length, 1);
      const a = answers[0]!;
      assert.ok(a.at < 400, `answered at once, not within MX (${a.at} ms)`);
      assert.equal(a.headers['st'], 'upnp:rootdevice');
      assert.equal(a.headers['usn'], `${udn}::upnp:rootdevice`);
      assert.equal(a.headers['location'], 'http://10.99.0.2:8043/ptpip-canon-desc-helper.xml');
      assert.equal(a.headers['cache-control'], 'max-age=900');
      assert.equal(a.headers['server'], 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0');
      assert.equal(a.headers['ext'], '');
      assert.equal(a.headers['bootid.upnp.org'], undefined, 'a UDA 1.0 device sends no BOOTID');
      // Only upnp:rootdevice and ssdp:all are answered.
      assert.equal((await search(mSearch('ssdp:all'), 300)).map((x) => x.headers['st']).join(), 'upnp:rootdevice');
      assert.deepEqual(await search(mSearch(udn), 300), []);
      assert.deepEqual(await search(mSearch('urn:chdk-fandom-com:device:PTPIPConnectHelper:1'), 300), []);
      // 3. The description GET.
      const d = await get(a.headers['location']!);
      assert.equal(d.status, 200);
      assert.equal(d.headers['content-type'], 'text/xml; charset="utf-8"');
      assert.equal(d.headers['content-length'], String(Buffer.byteLength(d.body)));
      assert.equal(d.headers['connection'], 'close');
      assert.equal(d.headers['server'], 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0');
      // 4. The Windows-form friendlyName and the UDN.
      assert.match(d.body, /<friendlyName>studio-pc: PTPIPResponder:<\/friendlyName>/);
      assert.match(d.body, new RegExp(`<UDN>${udn}</UDN>`));
      // What the user watches for: who searched, and who fetched the description.
      assert.ok(log.some((e) => e.kind === 'search' && e.remoteAddress === '10.99.0.1' && /ST upnp:rootdevice, MX 3\): answering with 1 on upnpv1 now/.test(e.message)));
      assert.ok(log.some((e) => e.kind === 'http' && /GET \/ptpip-canon-desc-helper\.xml from 10\.99\.0\.1.*200/.test(e.message)));
    } finally {
      await hosted.stop();
    }
    // The identity survives a restart: the camera comes back to the same UUID.
    assert.equal(readFileSync(path.join(folder, UUID_FILE), 'utf8').trim(), udn);
    hosted = await HostedDevice.start(folder, { interfaces: HOST_SIDE(), hostname: 'studio-pc', user: 'ana' });
    try {
      assert.equal(hosted.identity.udn, udn);
      assert.equal(hosted.identity.source, 'kept');
      const again = await search(['M-SEARCH * HTTP/1.1', 'HOST: 239.255.255.250:1900', 'MAN: "ssdp:discover"', 'MX: 3', 'ST: upnp:rootdevice'], 400);
      assert.equal(again[0]?.headers['usn'], `${udn}::upnp:rootdevice`);
    } finally {
      await hosted.stop();
    }
  });
});
