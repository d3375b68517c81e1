// The GENA callback server never listens on every interface: event URLs no device can have
// (broadcast, multicast, unspecified) are refused in words, and the server refuses a wildcard host.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { localAddressFor, unusableEventHost } from '../../src/core/gena/localAddress';
import { CallbackServer } from '../../src/core/gena/callbackServer';
import { GenaClient, GenaError } from '../../src/core/gena/client';

const LAN: NodeJS.Dict<NetworkInterfaceInfo[]> = {
  eth0: [{ address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: false, cidr: '192.168.1.20/24' }],
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
};

describe('event URLs no device can have', () => {
  it('broadcast (limited and of a local subnet), multicast, unspecified and "this network" are refused', () => {
    for (const host of ['255.255.255.255', '192.168.1.255', '239.255.255.250', '224.0.0.1', '0.0.0.0', '0.1.2.3', '::', 'ff02::c']) {
      assert.match(unusableEventHost(host, LAN) ?? '', /is (the|a) .* address, not a device's; the event URL is wrong, and no callback server is started for it$/, host);
    }
    assert.match(unusableEventHost('192.168.1.255', LAN)!, /the broadcast \(of 192\.168\.1\.20\/255\.255\.255\.0\)/);
  });

  it('ordinary device addresses and names pass', () => {
    for (const host of ['192.168.1.30', '10.0.0.255', '127.0.0.1', 'fe80::1', 'camera.local']) assert.equal(unusableEventHost(host, LAN), undefined, host);
  });

  it('the local-address lookup never answers with a wildcard', async () => {
    await assert.rejects(localAddressFor('255.255.255.255', 80), /the broadcast address/);
    assert.equal(await localAddressFor('127.0.0.1', 80), '127.0.0.1');
  });

  it('the callback server refuses to listen on every interface', async () => {
    for (const host of ['0.0.0.0', '::', '']) {
      await assert.rejects(CallbackServer.start({ host }, () => undefined), /must listen on one interface's address/);
    }
  });

  it('subscribing to a broadcast event URL is refused before anything listens or is sent', async () => {
    const client = new GenaClient({});
    try {
      await assert.rejects(client.subscribe({ eventSubUrl: 'http://255.255.255.255:49152/events' }), (err: unknown) =>
        err instanceof GenaError && err.kind === 'invalid-url' && /^Not subscribing to http:\/\/255\.255\.255\.255:49152\/events: 255\.255\.255\.255 is the broadcast address/.test(err.message));
      assert.equal(client.subscriptions.length, 0);
    } finally {
      await client.close();
    }
  });
});
