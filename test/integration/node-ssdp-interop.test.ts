// Interoperability with node-ssdp: a node-ssdp Server on the in-namespace veth (10.99.0.2, as a
// "device on the LAN") is found by our discovery searching on the other end (10.99.0.1), and it
// hears its NOTIFY ssdp:alive/byebye too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Server as SsdpServer } from 'node-ssdp';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import type { DeviceRemoved } from '../../src/core/registry/types';
import { assertIsolatedNetwork } from '../harness/netns';

const UDN = 'uuid:6e6f6465-7373-6470-0000-000000000001';
const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>node-ssdp peer</friendlyName>
<manufacturer>node-ssdp</manufacturer><modelName>SsdpServer</modelName><UDN>${UDN}</UDN><serviceList/></device></root>`;

describe('node-ssdp server on a veth interface', () => {
  let httpServer: http.Server;
  let ssdp: SsdpServer;
  let explorer: UpnpExplorer;
  let location: string;

  before(async function () {
    assertIsolatedNetwork('node-ssdp interop test');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
    httpServer = http.createServer((req, res) => {
      if (req.url === '/desc.xml') {
        res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' });
        res.end(DESCRIPTION);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => httpServer.listen(0, '10.99.0.2', r));
    location = `http://10.99.0.2:${(httpServer.address() as AddressInfo).port}/desc.xml`;
    explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['upnpv0'], ipv6: false, httpTimeoutMs: 3000 });
    await explorer.start();
  });
  after(async () => {
    explorer?.dispose();
    try { ssdp?.stop(); } catch { /* already stopped */ }
    await new Promise((r) => httpServer?.close(r));
  });

  it('is found by M-SEARCH from the other end of the veth, and removed on byebye', async () => {
    assert.deepEqual(explorer.activeInterfaces.map((i) => `${i.name} ${i.address}`), ['upnpv0 10.99.0.1']);
    ssdp = new SsdpServer({ location, udn: UDN, interfaces: ['upnpv1'], ssdpTtl: 2, adInterval: 60_000, ssdpSig: 'node-ssdp-interop/1.0 UPnP/1.1 test/1' });
    ssdp.addUSN('upnp:rootdevice');
    ssdp.addUSN('urn:schemas-upnp-org:device:Basic:1');
    await ssdp.start();
    await explorer.search({ searchTarget: 'upnp:rootdevice' });
    const end = Date.now() + 8000;
    let found = explorer.devices.find((d) => d.udn === UDN && isFullyDescribed(d));
    while (!found && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      found = explorer.devices.find((d) => d.udn === UDN && isFullyDescribed(d));
    }
    assert.ok(found, `node-ssdp device not found; devices: ${explorer.devices.map((d) => d.location).join(', ')}`);
    assert.equal(found.status, 'ready');
    assert.equal(found.description!.device.friendlyName, 'node-ssdp peer');
    // (Both veth ends live in one namespace, so the kernel may pick 10.99.0.1 as the answer's source
    // address; the LOCATION is what tells where the device is.)
    assert.equal(found.location, location);
    assert.equal(found.localAddress, '10.99.0.1');
    const removed = new Promise<DeviceRemoved>((resolve) => explorer.onDidRemoveDevice(resolve));
    // node-ssdp's stop() closes its sockets right after queueing byebye, which loses it; say it first.
    ssdp.advertise(false);
    const r = await Promise.race([removed, new Promise<undefined>((res) => setTimeout(() => res(undefined), 5000))]);
    assert.equal(r?.reason, 'byebye');
  });
});
