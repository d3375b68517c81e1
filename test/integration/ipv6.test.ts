// IPv6 link-local discovery (UDA 1.1: FF02::C): with `ipv6` on, M-SEARCH also goes to ff02::c on
// the chosen interface and a device answering over IPv6 is found and described. The device here is
// a minimal IPv6 SSDP responder on the far end of the in-namespace veth.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as http from 'node:http';
import * as os from 'node:os';
import type { AddressInfo } from 'node:net';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import { parseSsdpMessage } from '../../src/core/ssdp/message';
import { addIpv6Address, bindWhenReady, linkLocal, removeIpv6Address } from '../harness/ipv6';
import { assertIsolatedNetwork } from '../harness/netns';

const UDN = 'uuid:1b6e0000-0000-4000-8000-000000000006';
const DEVICE_ADDRESS = 'fd00:99::2';

describe('IPv6 link-local discovery', () => {
  let device: dgram.Socket;
  let server: http.Server;
  let explorer: UpnpExplorer;
  let location: string;
  const searches: string[] = [];

  before(async () => {
    assertIsolatedNetwork('IPv6 discovery test');
    assert.ok(os.networkInterfaces()['upnpv1'], 'needs the in-namespace veth (scripts/netns.sh --veth)');
    addIpv6Address('upnpv1', DEVICE_ADDRESS);
    server = http.createServer((req, res) => {
      res.writeHead(req.url === '/desc.xml' ? 200 : 404, { 'content-type': 'text/xml' });
      res.end(req.url === '/desc.xml' ? `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>IPv6 Peer</friendlyName><manufacturer>tests</manufacturer><modelName>v6</modelName><UDN>${UDN}</UDN></device></root>` : '');
    });
    await new Promise<void>((r) => server.listen(0, DEVICE_ADDRESS, r));
    location = `http://[${DEVICE_ADDRESS}]:${(server.address() as AddressInfo).port}/desc.xml`;
    device = dgram.createSocket({ type: 'udp6', reuseAddr: true });
    device.on('message', (buf, rinfo) => {
      const msg = parseSsdpMessage(buf);
      if (msg.start.kind !== 'search') return;
      searches.push(`${msg.headers['host']} from ${rinfo.address}`);
      const answer = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nEXT:\r\nLOCATION: ${location}\r\nSERVER: test/1 UPnP/1.1 v6/1\r\nST: upnp:rootdevice\r\nUSN: ${UDN}::upnp:rootdevice\r\n\r\n`;
      device.send(answer, rinfo.port, rinfo.address);
    });
    await bindWhenReady(device, '::', 1900);
    const end = Date.now() + 8000;
    while (!linkLocal('upnpv1') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    device.addMembership('ff02::c', `::%upnpv1`);
  });
  after(async () => {
    explorer?.dispose();
    device?.close();
    await new Promise((r) => server?.close(r));
    removeIpv6Address('upnpv1', DEVICE_ADDRESS);
  });

  it('sends M-SEARCH to [ff02::c]:1900 on the interface and describes the device that answers', async () => {
    explorer = new UpnpExplorer({ searchTarget: 'upnp:rootdevice', mx: 1, interfaces: ['upnpv0'], ipv6: true, httpTimeoutMs: 3000 });
    // The link-local address may still be tentative: retry start for a few seconds.
    const end = Date.now() + 8000;
    for (;;) {
      try {
        await explorer.start();
        if (explorer.activeInterfaces.some((i) => i.family === 6)) break;
      } catch { /* not ready yet */ }
      if (Date.now() > end) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.deepEqual(explorer.activeInterfaces.map((i) => `${i.name} ${i.family}`), ['upnpv0 4', 'upnpv0 6']);
    await explorer.search();
    assert.ok(searches.some((s) => s.startsWith('[ff02::c]:1900 from fe80:')), `searches seen: ${searches.join('; ')}`);
    const deadline = Date.now() + 5000;
    let d = explorer.devices.find((x) => x.udn === UDN);
    while (!(d && isFullyDescribed(d)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      d = explorer.devices.find((x) => x.udn === UDN);
    }
    assert.ok(d, 'IPv6 device found');
    assert.equal(d.status, 'ready', d.error);
    assert.equal(d.description!.device.friendlyName, 'IPv6 Peer');
    assert.equal(d.location, location);
    assert.equal(d.localAddress, linkLocal('upnpv0'));
  });
});
