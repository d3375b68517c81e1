// What a hosted device is known by on SSDP, and which searches it answers: the NOTIFY set counted
// as UDA 1.1 counts it (3 + 2d + k), embedded devices' UDNs derived from the device's identity, and
// the answering policy per search target, including older versions and the Canon "root" policy.
// Also: every template loads without a problem.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseDeviceDescription } from '../../src/core/description/device';
import { loadDeviceDefinition } from '../../src/device/definition';
import { answerSearch, servedUdns, ssdpTargets } from '../../src/device/ssdpTargets';
import { DEVICE_TEMPLATES, writeTemplate } from '../../src/device/templates';

const IGD = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>Gateway</friendlyName><UDN>uuid:aaaaaaaa-0000-0000-0000-000000000001</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><serviceId>urn:upnp-org:serviceId:L3F</serviceId><SCPDURL>/l3f.xml</SCPDURL><controlURL>/c/l3f</controlURL><eventSubURL>/e/l3f</eventSubURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><friendlyName>WAN</friendlyName><UDN>uuid:aaaaaaaa-0000-0000-0000-000000000002</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><serviceId>urn:upnp-org:serviceId:WANCIC</serviceId><SCPDURL>/cic.xml</SCPDURL><controlURL>/c/cic</controlURL><eventSubURL>/e/cic</eventSubURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><friendlyName>WANConn</friendlyName><UDN>uuid:aaaaaaaa-0000-0000-0000-000000000003</UDN>
<serviceList>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><SCPDURL>/ip.xml</SCPDURL><controlURL>/c/ip1</controlURL><eventSubURL>/e/ip1</eventSubURL></service>
<service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:2</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn2</serviceId><SCPDURL>/ip.xml</SCPDURL><controlURL>/c/ip2</controlURL><eventSubURL>/e/ip2</eventSubURL></service>
</serviceList></device></deviceList></device></deviceList></device></root>`;

const ID = 'uuid:12345678-1234-4234-8234-123456789abc';
const root = parseDeviceDescription(IGD, 'http://device.invalid/desc.xml').device;

describe('the SSDP targets of a hosted device', () => {
  it('are 3 + 2d + k: root, then UUID and type per device, and each distinct service type per device', () => {
    const udns = servedUdns(root, ID);
    const targets = ssdpTargets(root, udns);
    // d = 2 embedded devices; k = 3 distinct service types per device summed (L3F, WANCIC, WANIPConnection:2 once).
    assert.equal(targets.length, 3 + 2 * 2 + 3);
    assert.deepEqual(targets[0], { nt: 'upnp:rootdevice', usn: `${ID}::upnp:rootdevice` });
    assert.equal(targets.filter((t) => t.nt === 'urn:schemas-upnp-org:service:WANIPConnection:2').length, 1, 'two services of one type are one NT');
    for (const t of targets) assert.ok(t.usn.startsWith('uuid:') && !t.usn.includes('aaaaaaaa'), `no written UDN is announced: ${t.usn}`);
  });

  it('derives embedded UDNs from the identity: stable, distinct, UUID-shaped', () => {
    const a = servedUdns(root, ID);
    const b = servedUdns(root, ID);
    const c = servedUdns(root, 'uuid:00000000-1111-4222-8333-444444444444');
    assert.deepEqual([...a], [...b]);
    assert.equal(a.get('uuid:aaaaaaaa-0000-0000-0000-000000000001'), ID);
    const wan = a.get('uuid:aaaaaaaa-0000-0000-0000-000000000002')!;
    assert.match(wan, /^uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(wan, c.get('uuid:aaaaaaaa-0000-0000-0000-000000000002'), 'another identity, other embedded UDNs');
    assert.equal(new Set(a.values()).size, 3);
  });
});

describe('answering a search', () => {
  const targets = ssdpTargets(root, servedUdns(root, ID));
  const sts = (st: string) => answerSearch(st, targets, 'all').answers.map((a) => a.nt);

  it('ssdp:all gets every target; a type or UUID gets its own', () => {
    assert.equal(sts('ssdp:all').length, targets.length);
    assert.deepEqual(sts('upnp:rootdevice'), ['upnp:rootdevice']);
    assert.deepEqual(sts(ID), [ID]);
    assert.deepEqual(sts('urn:schemas-upnp-org:device:WANDevice:1'), ['urn:schemas-upnp-org:device:WANDevice:1']);
  });

  it('an older version of a type the device has is answered with the version asked for', () => {
    const d = answerSearch('urn:schemas-upnp-org:service:WANIPConnection:1', targets, 'all');
    assert.equal(d.answers.length, 1);
    assert.equal(d.answers[0]!.nt, 'urn:schemas-upnp-org:service:WANIPConnection:1');
    assert.match(d.answers[0]!.usn, /::urn:schemas-upnp-org:service:WANIPConnection:1$/);
    const newer = answerSearch('urn:schemas-upnp-org:service:WANIPConnection:3', targets, 'all');
    assert.deepEqual(newer.answers, []);
    assert.match(newer.reason!, /older version/);
  });

  it('the "root" policy answers upnp:rootdevice and ssdp:all only, both as upnp:rootdevice', () => {
    assert.deepEqual(answerSearch('ssdp:all', targets, 'root').answers.map((a) => a.nt), ['upnp:rootdevice']);
    assert.deepEqual(answerSearch('upnp:rootdevice', targets, 'root').answers.map((a) => a.nt), ['upnp:rootdevice']);
    const d = answerSearch(ID, targets, 'root');
    assert.deepEqual(d.answers, []);
    assert.match(d.reason!, /"root"/);
  });

  it('what it does not have is not answered, with the reason', () => {
    const d = answerSearch('urn:schemas-upnp-org:device:MediaServer:1', targets, 'all');
    assert.deepEqual(d.answers, []);
    assert.match(d.reason!, /no device or service/);
  });
});

describe('the templates', () => {
  for (const template of DEVICE_TEMPLATES) {
    it(`"${template.label}" loads without an error`, async () => {
      const folder = path.join(mkdtempSync(path.join(tmpdir(), 'upnp-template-')), 'device');
      await writeTemplate(template, folder);
      assert.ok(readdirSync(folder).includes(template.open.split('/')[0]!));
      const loaded = await loadDeviceDefinition(folder);
      // The Canon responder keeps the camera's max-age of 900 s on purpose, and is told UDA wants 1800.
      const expected = template.id === 'canon' ? ['ssdp.maxAgeSeconds'] : [];
      assert.deepEqual(loaded.problems.map((p) => `${p.severity} ${p.path}`), expected.map((p) => `warning ${p}`));
      assert.ok(loaded.definition);
      await assert.rejects(writeTemplate(template, folder), /not empty/, 'never written over what is there');
    });
  }
});
