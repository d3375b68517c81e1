import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { ipv6AddressesOf, ipv6ToBytes, onSubnet, scopedAddress, selectInterfaces } from '../../src/core/ssdp/interfaces';

function v4(address: string, internal = false, netmask = '255.255.255.0'): NetworkInterfaceInfo {
  return { address, netmask, family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` };
}
function v6(address: string, scopeid: number): NetworkInterfaceInfo {
  return { address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '00:00:00:00:00:00', internal: false, cidr: `${address}/64`, scopeid };
}

const UP_MCAST = 0x1 | 0x1000;
const machine = { lo: [v4('127.0.0.1', true, '255.0.0.0')], eth0: [v4('192.168.1.10'), v6('fe80::1', 2)], wlan0: [v4('10.0.0.5')], docker0: [v4('172.17.0.1')] };
const flags: Record<string, number> = { lo: 0x1 | 0x8 | 0x1000, eth0: UP_MCAST, wlan0: UP_MCAST, docker0: 0x1000 /* down */ };

describe('interface selection', () => {
  it('defaults to every up, multicast-capable IPv4 interface, without loopback', () => {
    const { selected, problems } = selectInterfaces([], false, machine, (n) => flags[n]);
    assert.deepEqual(selected.map((i) => i.address), ['192.168.1.10', '10.0.0.5']);
    assert.deepEqual(problems, []);
  });

  it('falls back to loopback when there is no other interface (an isolated namespace)', () => {
    const { selected } = selectInterfaces([], false, { lo: machine.lo }, () => undefined);
    assert.deepEqual(selected.map((i) => `${i.name} ${i.address}`), ['lo 127.0.0.1']);
  });

  it('takes addresses and interface names, and says what matched nothing', () => {
    const { selected, problems } = selectInterfaces(['127.0.0.1', 'wlan0', 'eth9', '192.168.9.9'], false, machine, (n) => flags[n]);
    assert.deepEqual(selected.map((i) => i.address), ['127.0.0.1', '10.0.0.5']);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /"eth9" is neither an IPv4 address of this machine nor an interface name here \(known: lo 127\.0\.0\.1, eth0/);
  });

  it('warns about a chosen interface that is down', () => {
    const { problems } = selectInterfaces(['docker0'], false, machine, (n) => flags[n]);
    assert.match(problems[0]!, /docker0 is down or has multicast disabled/);
  });

  it('adds the IPv6 link-local address of chosen interfaces when IPv6 is on', () => {
    const { selected, problems } = selectInterfaces(['eth0'], true, machine, (n) => flags[n]);
    assert.deepEqual(selected.map((i) => `${i.family} ${i.address}`), ['4 192.168.1.10', '6 fe80::1']);
    assert.equal(selected[1]!.scopeId, 2);
    assert.deepEqual(problems, []);
    const none = selectInterfaces(['wlan0'], true, machine, (n) => flags[n]);
    assert.match(none.problems[0]!, /none of the chosen interfaces has an IPv6 link-local/);
  });

  it('tells whether an address is on an interface subnet', () => {
    const eth0 = selectInterfaces(['eth0'], false, machine, (n) => flags[n]).selected[0]!;
    assert.equal(onSubnet(eth0, '192.168.1.77'), true);
    assert.equal(onSubnet(eth0, '192.168.2.77'), false);
    assert.equal(onSubnet(eth0, 'garbage'), false);
  });

  it('gives a hosted device every IPv6 address of the chosen interfaces, link-local first, with its zone where it needs one', () => {
    const host = { ...machine, eth0: [v4('192.168.1.10'), v6('2001:db8:5::10', 2), v6('fe80::1', 2), v6('fd00:1::10', 2)], lo: [v4('127.0.0.1', true, '255.0.0.0'), { ...v6('::1', 0), internal: true, netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' }] };
    const got = ipv6AddressesOf(new Set(['eth0']), host);
    assert.deepEqual(got.map((i) => `${i.name} ${i.address}`), ['eth0 fe80::1', 'eth0 2001:db8:5::10', 'eth0 fd00:1::10']);
    assert.deepEqual(got.map(scopedAddress), ['fe80::1%eth0', '2001:db8:5::10', 'fd00:1::10']);
    assert.deepEqual(ipv6AddressesOf(new Set(['lo']), host).map((i) => i.address), ['::1']);
    assert.deepEqual(ipv6AddressesOf(new Set(['wlan0']), host), []);
  });

  it('tells whether an IPv6 address is on an interface: the prefix, or for link-local the same link by its zone', () => {
    const [ll, ula] = ipv6AddressesOf(new Set(['eth0']), { eth0: [v6('fe80::1', 2), v6('fd00:1::10', 2)] });
    assert.equal(onSubnet(ula!, 'fd00:1::99'), true);
    assert.equal(onSubnet(ula!, 'fd00:1:0:1::99'), false);
    assert.equal(onSubnet(ula!, 'fe80::9%eth0'), false, 'a link-local source is not on a routable prefix');
    assert.equal(onSubnet(ll!, 'fe80::9%eth0'), true);
    assert.equal(onSubnet(ll!, 'fe80::9%2'), true, 'the zone may be the index');
    assert.equal(onSubnet(ll!, 'fe80::9%wlan0'), false, 'another link');
    assert.equal(onSubnet(ll!, 'fd00:1::99'), false);
    assert.equal(onSubnet(ll!, 'nonsense'), false);
  });

  it('reads IPv6 addresses into 16 bytes, refusing what is not one', () => {
    assert.deepEqual(ipv6ToBytes('::1'), [...new Array<number>(15).fill(0), 1]);
    assert.deepEqual(ipv6ToBytes('fd00:1::10')?.slice(0, 4), [0xfd, 0, 0, 1]);
    assert.deepEqual(ipv6ToBytes('::ffff:10.0.0.1')?.slice(10), [0xff, 0xff, 10, 0, 0, 1]);
    assert.deepEqual(ipv6ToBytes('1:2:3:4:5:6:7:8')?.slice(14), [0, 8]);
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', 'fe80::g', '1:2:3:4:5:6:7:8:9', '12345::', '']) assert.equal(ipv6ToBytes(bad), undefined, bad);
  });
});
