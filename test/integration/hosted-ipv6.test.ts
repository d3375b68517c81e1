// A hosted device over IPv6, inside the isolated namespace: hosted on upnpv1 (its link-local
// address and a unique-local one), met from upnpv0 by
// - raw searches: FF02::C from a link-local address, FF05::C and unicast from a unique-local one;
// - the alive and byebye sets on FF02::C and FF05::C;
// - our own discovery with IPv6 on (it searches FF02::C);
// - a GUPnP 1.6 control point (python3-gi) on a unique-local address (GSSDP searches FF0E::C from
//   there) and on a link-local one: description, a canned action, the initial event and an emitted
//   change, all over IPv6.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { cpSync, mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import { ipv6AddressesOf, isLinkLocal6, selectInterfaces } from '../../src/core/ssdp/interfaces';
import { parseSsdpMessage } from '../../src/core/ssdp/message';
import { HostedDevice } from '../../src/device/hostedDevice';
import { runGupnpControlPoint } from '../harness/gupnpControlPoint';
import { addIpv6Address, bindWhenReady, linkLocal, linkLocalReady, removeIpv6Address } from '../harness/ipv6';
import { assertIsolatedNetwork } from '../harness/netns';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hosting');
const HOST_ULA = 'fd00:9a::2';
const PEER_ULA = 'fd00:9a::1';

function basicCopy(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'upnp-v6-basic-'));
  cpSync(path.join(FIXTURES, 'basic'), folder, { recursive: true });
  return folder;
}

/** upnpv1's link-local address and HOST_ULA (not any other address a suite may have left there). */
const hostSide6 = () => ipv6AddressesOf(new Set(['upnpv1'])).filter((i) => isLinkLocal6(i.address) || i.address === HOST_ULA);
const hostSide = () => [...selectInterfaces(['upnpv1'], false).selected, ...hostSide6()];

interface Heard { readonly text: string; readonly from: string }

/** A udp6 socket on upnpv0 that collects what reaches it. */
async function peer(address: string, port = 0): Promise<{ socket: dgram.Socket; heard: Heard[] }> {
  const socket = dgram.createSocket({ type: 'udp6', reuseAddr: true });
  const heard: Heard[] = [];
  socket.on('message', (m, r) => heard.push({ text: m.toString('latin1'), from: r.address }));
  await bindWhenReady(socket, address, port);
  socket.setMulticastInterface('::%upnpv0');
  return { socket, heard };
}

function search(socket: dgram.Socket, to: string, st: string, mx: number | undefined): Promise<void> {
  const host = to.replace(/%.*$/, '');
  const text = `M-SEARCH * HTTP/1.1\r\nHOST: [${host}]:1900\r\nMAN: "ssdp:discover"\r\n${mx !== undefined ? `MX: ${mx}\r\n` : ''}ST: ${st}\r\n\r\n`;
  return new Promise((resolve, reject) => socket.send(text, 1900, to, (err) => (err ? reject(err) : resolve())));
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function header(text: string, name: string): string | undefined {
  const msg = parseSsdpMessage(Buffer.from(text, 'latin1'));
  return msg.headers[name.toLowerCase()];
}

describe('a hosted device over IPv6', () => {
  before(async () => {
    assertIsolatedNetwork('hosted-ipv6.test.ts');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
    addIpv6Address('upnpv1', HOST_ULA);
    addIpv6Address('upnpv0', PEER_ULA);
    await linkLocalReady('upnpv0', 'upnpv1');
  });

  let hosted: HostedDevice | undefined;
  after(async () => {
    await hosted?.stop();
    removeIpv6Address('upnpv1', HOST_ULA);
    removeIpv6Address('upnpv0', PEER_ULA);
  });

  it('announces on FF02::C and FF05::C with a routable LOCATION, answers searches on every scope and unicast, and says byebye', async () => {
    const ll = await peer(`${linkLocal('upnpv0')!}%upnpv0`);
    const ula = await peer(PEER_ULA);
    // Listeners for the announcements, joined on upnpv0 (the far end of the link).
    const notifies: Heard[] = [];
    const groups: dgram.Socket[] = [];
    for (const [group, bind] of [['ff02::c', 'ff02::c%upnpv0'], ['ff05::c', 'ff05::c']] as const) {
      const s = dgram.createSocket({ type: 'udp6', reuseAddr: true });
      s.on('message', (m, r) => { const text = m.toString('latin1'); if (text.startsWith('NOTIFY')) notifies.push({ text, from: r.address }); });
      await bindWhenReady(s, bind, 1900);
      s.addMembership(group, '::%upnpv0');
      groups.push(s);
    }
    try {
      const log: string[] = [];
      hosted = await HostedDevice.start(basicCopy(), { interfaces: hostSide(), hostname: 'v6', user: 'u', log: (e) => log.push(e.message) });
      const location = hosted.http.locationFor(HOST_ULA);
      assert.match(location, /^http:\/\/\[fd00:9a::2\]:\d+\/description\.xml$/);
      assert.equal(hosted.locationFor(linkLocal('upnpv1')!), location, 'the link-local address announces the routable LOCATION');
      assert.match(hosted.locationFor('10.99.0.2'), /^http:\/\/10\.99\.0\.2:\d+\//);
      const udn = hosted.identity.udn;
      const targets = hosted.targets.length;
      assert.deepEqual(hosted.ssdp.interfaces.map((i) => `${i.iface.name} ${i.iface.family}`), ['upnpv1 4', 'upnpv1 6', 'upnpv1 6']);

      // The alive set on both IPv6 scopes, every one naming the routable LOCATION.
      await until('the IPv6 alive sets', () => notifies.filter((n) => header(n.text, 'NTS') === 'ssdp:alive').length >= 2 * targets);
      const alive = notifies.filter((n) => header(n.text, 'NTS') === 'ssdp:alive');
      assert.deepEqual([...new Set(alive.map((n) => header(n.text, 'HOST')))].sort(), ['[FF02::C]:1900', '[FF05::C]:1900']);
      assert.ok(alive.every((n) => header(n.text, 'LOCATION') === location), alive.map((n) => header(n.text, 'LOCATION')).join(' '));
      assert.ok(alive.filter((n) => header(n.text, 'HOST') === '[FF02::C]:1900').every((n) => n.from.startsWith('fe80:')), 'FF02::C announcements come from the link-local address');
      assert.ok(alive.filter((n) => header(n.text, 'HOST') === '[FF05::C]:1900').every((n) => n.from === HOST_ULA));

      // Searches: FF02::C from link-local, FF05::C and FF0E::C from the unique-local, unicast to it.
      await search(ll.socket, 'ff02::c%upnpv0', 'upnp:rootdevice', 1);
      await search(ula.socket, 'ff05::c', udn, 1);
      await search(ula.socket, 'ff0e::c', 'urn:example-com:service:Jambon:1', 1);
      await search(ula.socket, HOST_ULA, 'ssdp:all', undefined);
      await until('four sets of answers', () => ll.heard.length >= 1 && ula.heard.length >= 2 + targets, 4000);
      assert.equal(header(ll.heard[0]!.text, 'ST'), 'upnp:rootdevice');
      assert.ok(ll.heard[0]!.from.startsWith('fe80:'), `a link-local search is answered from the link-local address (${ll.heard[0]!.from})`);
      const sts = ula.heard.map((h) => header(h.text, 'ST'));
      assert.ok(sts.includes(udn) && sts.includes('urn:example-com:service:Jambon:1'), sts.join(' '));
      assert.equal(sts.length, 2 + targets, `ssdp:all unicast gets every target: ${sts.join(' ')}`);
      assert.ok([...ll.heard, ...ula.heard].every((h) => header(h.text, 'LOCATION') === location));
      assert.ok(ula.heard.every((h) => h.from === HOST_ULA));
      assert.ok(log.some((l) => /M-SEARCH from \[?fe80:.*multicast, ST upnp:rootdevice.*answering with 1 on upnpv1/.test(l)), log.join('\n'));

      notifies.length = 0;
      await hosted.stop();
      hosted = undefined;
      await until('the IPv6 byebye sets', () => notifies.filter((n) => header(n.text, 'NTS') === 'ssdp:byebye').length >= 2 * targets);
    } finally {
      for (const s of [ll.socket, ula.socket, ...groups]) s.close();
    }
  });

  it('our own discovery with IPv6 on finds and describes it over IPv6', async () => {
    hosted = await HostedDevice.start(basicCopy(), { interfaces: hostSide6(), hostname: 'v6', user: 'u' });
    const explorer = new UpnpExplorer({ searchTarget: 'upnp:rootdevice', mx: 1, interfaces: ['upnpv0'], ipv6: true, httpTimeoutMs: 3000 });
    try {
      await explorer.start();
      await explorer.search();
      const udn = hosted.identity.udn;
      await until('the device described', () => explorer.devices.some((d) => d.udn === udn && isFullyDescribed(d)), 6000);
      const d = explorer.devices.find((x) => x.udn === udn)!;
      assert.equal(d.location, hosted.http.locationFor(HOST_ULA));
      assert.equal(d.description!.device.friendlyName, 'Jambon 3000 on v6');
      assert.equal(d.services.length, 1);
    } finally {
      explorer.dispose();
      await hosted.stop();
      hosted = undefined;
    }
  });

  it('with only a link-local address, it announces a link-local LOCATION, and our discovery says why it cannot describe it', async () => {
    hosted = await HostedDevice.start(basicCopy(), { interfaces: hostSide6().filter((i) => isLinkLocal6(i.address)), hostname: 'v6', user: 'u' });
    const explorer = new UpnpExplorer({ searchTarget: 'upnp:rootdevice', mx: 1, interfaces: ['upnpv0'], ipv6: true, httpTimeoutMs: 3000 });
    try {
      assert.match(hosted.http.location, /^http:\/\/\[fe80:[0-9a-f:]+\]:\d+\/description\.xml$/);
      await explorer.start();
      await explorer.search();
      const udn = hosted.identity.udn;
      await until('the device given up on', () => explorer.devices.some((d) => d.udn === udn && d.status === 'error'), 8000);
      const d = explorer.devices.find((x) => x.udn === udn)!;
      assert.match(d.error ?? '', /link-local IPv6 address, which is only reachable through a named interface, and a URL can't carry that/);
      assert.match(d.error ?? '', /Give the device a unique-local or global IPv6 address/);
    } finally {
      explorer.dispose();
      await hosted.stop();
      hosted = undefined;
    }
  });

  it('marks an address it cannot announce from (IPv6 on loopback has no multicast route), with one warning per round', async () => {
    const log: string[] = [];
    hosted = await HostedDevice.start(basicCopy(), { interfaces: [...selectInterfaces(['127.0.0.1'], false).selected, ...ipv6AddressesOf(new Set(['lo']))], hostname: 'v6', user: 'u', log: (e) => log.push(e.message) });
    try {
      await until('the first round', () => log.some((l) => l.startsWith('Sent ssdp:alive')));
      const byAddress = new Map(hosted.ssdp.interfaces.map((i) => [i.iface.address, i.sendProblem]));
      assert.equal(byAddress.get('127.0.0.1'), undefined);
      assert.match(byAddress.get('::1') ?? '', /^ff05::c: .*ENETUNREACH/);
      assert.deepEqual(log.filter((l) => l.startsWith('Sent ssdp:alive')), ['Sent ssdp:alive ×4 on lo 127.0.0.1'], 'an address that sent nothing is not said to have sent');
      assert.equal(log.filter((l) => l.startsWith('Could not send ssdp:alive on lo ::1')).length, 1, log.join('\n'));
    } finally {
      await hosted.stop();
      hosted = undefined;
    }
  });

  for (const side of ['unique-local', 'link-local'] as const) {
    it(`a GUPnP control point on a ${side} address discovers it, invokes an action and gets events, over IPv6`, async () => {
      const log: string[] = [];
      hosted = await HostedDevice.start(basicCopy(), { interfaces: hostSide6(), hostname: 'studio', user: 'u', log: (e) => log.push(e.message) });
      const from = side === 'unique-local' ? PEER_ULA : linkLocal('upnpv0')!;
      let run;
      try {
        run = await runGupnpControlPoint(from, hosted);
      } finally {
        await hosted.stop();
        hosted = undefined;
      }
      const { steps, stderr, find } = run;
      const context = `${JSON.stringify(steps, null, 1)}\n${stderr}\n${log.join('\n')}`;
      assert.equal(find('context')?.['host'], from, context);
      assert.match(String(find('device')?.['location']), /^http:\/\/\[fd00:9a::2\]:\d+\/description\.xml$/, context);
      assert.equal(find('device')?.['friendlyName'], 'Jambon 3000 on studio', context);
      assert.deepEqual(find('action'), { step: 'action', ok: true, outputs: { Slice: 'thin', Count: '3' } }, context);
      assert.deepEqual(steps.filter((s) => s['step'] === 'event').map((s) => s['value']), ['20', '25'], context);
      assert.ok(log.some((l) => new RegExp(`M-SEARCH from \\[?${side === 'unique-local' ? 'fd00:9a::1' : 'fe80:'}`).test(l)), context);
    });
  }
});
