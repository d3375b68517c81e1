// The discovery stage of Validate Device, inside the isolated namespace (searches from upnpv0, the
// devices on upnpv1): a device whose SSDP side breaks one rule per answer gets one finding per
// rule; hosted definitions — UDA 1.0 and 1.1, with embedded devices — get none, in their answers
// and in the NOTIFYs heard meanwhile.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import { cpSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseSsdpMessage } from '../../src/core/ssdp/message';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { validateDevice } from '../../src/core/validate/validate';
import { HostedDevice } from '../../src/device/hostedDevice';
import { DEVICE_TEMPLATES, writeTemplate } from '../../src/device/templates';
import { assertIsolatedNetwork } from '../harness/netns';

const UDN = 'uuid:5eeded00-0000-4000-8000-000000000001';
const EMBEDDED = 'uuid:5eeded00-0000-4000-8000-000000000002';
const ROOT_TYPE = 'urn:schemas-upnp-org:device:InternetGatewayDevice:1';
const WAN_TYPE = 'urn:schemas-upnp-org:device:WANDevice:1';
const L3F = 'urn:schemas-upnp-org:service:Layer3Forwarding:1';
const CIC = 'urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1';

const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>${ROOT_TYPE}</deviceType><friendlyName>Seeded</friendlyName><manufacturer>Example</manufacturer><modelName>Seeded</modelName><UDN>${UDN}</UDN>
<serviceList><service><serviceType>${L3F}</serviceType><serviceId>urn:upnp-org:serviceId:L3F</serviceId><SCPDURL>/l3f.xml</SCPDURL><controlURL>/c</controlURL><eventSubURL>/e</eventSubURL></service></serviceList>
<deviceList><device><deviceType>${WAN_TYPE}</deviceType><friendlyName>WAN</friendlyName><manufacturer>Example</manufacturer><modelName>WAN</modelName><UDN>${EMBEDDED}</UDN>
<serviceList><service><serviceType>${CIC}</serviceType><serviceId>urn:upnp-org:serviceId:CIC</serviceId><SCPDURL>/cic.xml</SCPDURL><controlURL>/c2</controlURL><eventSubURL>/e2</eventSubURL></service></serviceList>
</device></deviceList></device></root>`;
const SCPD = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>1</minor></specVersion><actionList/><serviceStateTable><stateVariable sendEvents="no"><name>X</name><dataType>string</dataType></stateVariable></serviceStateTable></scpd>';

/** A device on upnpv1 whose SSDP answers break one rule each. */
async function seededDevice(): Promise<{ location: string; close: () => Promise<void> }> {
  const http = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' });
    res.end(req.url === '/d.xml' ? DESCRIPTION : SCPD);
  });
  await new Promise<void>((r) => http.listen(0, '10.99.0.2', r));
  const location = `http://10.99.0.2:${(http.address() as AddressInfo).port}/d.xml`;
  const listener = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => listener.bind({ address: '239.255.255.250', port: 1900 }, r));
  listener.addMembership('239.255.255.250', '10.99.0.2');
  const sender = dgram.createSocket('udp4');
  await new Promise<void>((r) => sender.bind({ address: '10.99.0.2', port: 0 }, r));
  const answer = (to: dgram.RemoteInfo, st: string, usn: string, at = location): void => {
    // Every answer: max-age under 1800, no EXT, a SERVER of another form, no BOOTID/CONFIGID (1.1).
    const text = ['HTTP/1.1 200 OK', 'CACHE-CONTROL: max-age=100', `LOCATION: ${at}`, 'SERVER: BadServer', `ST: ${st}`, `USN: ${usn}`, '', ''].join('\r\n');
    sender.send(text, to.port, to.address);
  };
  listener.on('message', (data, rinfo) => {
    const st = parseSsdpMessage(data).headers['st'];
    switch (st) {
      case 'ssdp:all': // only three of the seven the description makes
        answer(rinfo, 'upnp:rootdevice', `${UDN}::upnp:rootdevice`);
        answer(rinfo, UDN, UDN);
        answer(rinfo, ROOT_TYPE, `${UDN}::${ROOT_TYPE}`);
        break;
      case 'upnp:rootdevice': answer(rinfo, st, `${UDN}::upnp:rootdevice`); break;
      case UDN: answer(rinfo, st, UDN); break;
      case ROOT_TYPE: answer(rinfo, 'upnp:rootdevice', `${UDN}::${ROOT_TYPE}`); break; // ST not echoed
      case EMBEDDED: answer(rinfo, st, EMBEDDED, location.replace('/d.xml', '/other.xml')); break; // another LOCATION
      case WAN_TYPE: setTimeout(() => answer(rinfo, st, `${EMBEDDED}::${WAN_TYPE}`), 3500); break; // past MX 2
      case L3F: answer(rinfo, st, UDN); break; // USN of the wrong form
      case CIC: break; // never answered
    }
  });
  return { location, close: async () => { listener.close(); sender.close(); await new Promise((r) => http.close(r)); } };
}

describe('Validate Device: the discovery stage', () => {
  before(() => {
    assertIsolatedNetwork('validate-discovery.test.ts');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
  });

  it('finds each rule a device\'s SSDP answers break, once each', async () => {
    const device = await seededDevice();
    try {
      const report = await validateDevice(device.location, { discovery: { interfaceAddress: '10.99.0.1', mx: 2 } });
      assert.equal(report.stages[0], 'discovery');
      const discovery = report.findings.filter((f) => f.rule.stage === 'discovery');
      assert.deepEqual([...new Set(discovery.map((f) => `${f.rule.id} ${f.severity}`))].sort(), [
        'discovery/answered error',
        'discovery/bootid-configid error',
        'discovery/cache-control warning',
        'discovery/ext error',
        'discovery/location warning',
        'discovery/mx warning',
        'discovery/notify-set error',
        'discovery/server warning',
        'discovery/st-echo error',
        'discovery/unicast error',
        'discovery/usn error',
      ]);
      const byRule = (id: string) => discovery.filter((f) => f.rule.id === id).map((f) => f.message);
      assert.deepEqual(byRule('discovery/answered'), [`No answer to M-SEARCH ST ${CIC} within MX 2 s.`]);
      assert.match(byRule('discovery/notify-set')[0]!, /lack .*WANDevice.*\(3 of the 7 the description makes: 3 \+ 2d \+ k\)/);
      assert.deepEqual(byRule('discovery/st-echo'), [`The answer to M-SEARCH ST ${ROOT_TYPE} says ST upnp:rootdevice.`]);
      assert.deepEqual(byRule('discovery/usn'), [`The answer to ST ${L3F} has USN ${UDN}; UDA wants ${UDN}::${L3F}.`]);
      assert.match(byRule('discovery/mx')[0]!, /ST urn:schemas-upnp-org:device:WANDevice:1\) came 3\.\d s after the search, past MX 2 s/);
      assert.match(byRule('discovery/ext')[0]!, /has no EXT header\. \(and in \d+ more answers\)$/);
      // The description itself is clean: the stages are apart.
      assert.deepEqual(report.findings.filter((f) => f.rule.stage !== 'discovery').map((f) => f.message), []);
    } finally {
      await device.close();
    }
  });

  it('finds nothing wrong with hosted devices, UDA 1.0 with embedded devices and UDA 1.1', async () => {
    const interfaces = selectInterfaces(['upnpv1'], false).selected;
    const igd = mkdtempSync(path.join(os.tmpdir(), 'upnp-vd-'));
    cpSync(path.join(__dirname, '..', 'fixtures', 'hosting', 'igd'), igd, { recursive: true });
    const empty = path.join(mkdtempSync(path.join(os.tmpdir(), 'upnp-vd-')), 'empty');
    await writeTemplate(DEVICE_TEMPLATES.find((t) => t.id === 'empty')!, empty);
    for (const folder of [igd, empty]) {
      const hosted = await HostedDevice.start(folder, { interfaces, hostname: 'h', user: 'u' });
      try {
        // Listening on the group as well: the device announces again about a second after it started.
        const report = await validateDevice(hosted.http.location, { discovery: { interfaceAddress: '10.99.0.1' }, notifies: { listenMs: 3000 } });
        assert.deepEqual(report.stages, folder === igd ? ['discovery', 'description', 'scpd'] : ['discovery', 'description']);
        assert.deepEqual(report.findings.map((f) => `${f.rule.id}: ${f.message}`), [], folder);
        // The IGD: 3 + 2·2 + 3 = 10 (its WANConnectionDevice too); the empty root: 3.
        const set = folder === igd ? 10 : 3;
        const heard = Number(/^(\d+) NOTIFYs of the device checked \(heard in 3 s of listening\)\.$/.exec(report.coverage?.discovery ?? '')?.[1]);
        assert.ok(heard >= set && heard % set === 0, `${folder}: ${report.coverage?.discovery}`);
      } finally {
        await hosted.stop();
      }
    }
  });
});
