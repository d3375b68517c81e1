import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescriptionError, parseDeviceDescription } from '../../src/core/description/device';
import type { Problem } from '../../src/core/description/model';

const fixtures = join(__dirname, '..', 'fixtures');
const fixture = (path: string): string => readFileSync(join(fixtures, path), 'utf8');
const messages = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.severity}: ${p.message}`);

function descriptionError(fn: () => unknown): DescriptionError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DescriptionError, `expected DescriptionError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a DescriptionError');
}

describe('parseDeviceDescription: Leica Q3 (absolute URLs, vendor fields)', () => {
  const url = 'http://192.168.54.1:60606/DCxxxxxxxx09/Server0/ddd';
  const root = parseDeviceDescription(fixture('leica/description.xml'), url);
  const device = root.device;

  it('reads the identity fields', () => {
    assert.deepEqual(root.specVersion, { major: 1, minor: 0 });
    assert.equal(root.baseUrl, url);
    assert.equal(root.urlBase, undefined);
    assert.equal(device.friendlyName, 'Leica Q3-1234567');
    assert.equal(device.udn, 'uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09');
    assert.equal(device.deviceType, 'urn:schemas-upnp-org:device:MediaServer:1');
    assert.equal(device.manufacturer, 'Leica Camera AG');
    assert.equal(device.modelName, 'LEICA Q3');
    assert.equal(device.modelNumber, 'Leica Q3');
    assert.equal(device.serialNumber, '1234567');
    // Present but empty in the capture: treated as absent, not as a URL to the description itself.
    assert.equal(device.modelDescription, undefined);
    assert.equal(device.modelUrl, undefined);
    assert.equal(device.manufacturerUrl, undefined);
    assert.deepEqual(device.icons, []);
    assert.deepEqual(device.devices, []);
  });

  it('keeps the two services with their absolute URLs', () => {
    assert.deepEqual(device.services, [
      {
        serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1',
        serviceId: 'urn:upnp-org:serviceId:ContentDirectory',
        scpdUrl: 'http://192.168.54.1:60606/Server0/CDS_SCPD',
        controlUrl: 'http://192.168.54.1:60606/Server0/CDS_control',
        eventSubUrl: 'http://192.168.54.1:60606/Server0/CDS_event',
        problems: [],
      },
      {
        serviceType: 'urn:schemas-upnp-org:service:ConnectionManager:1',
        serviceId: 'urn:upnp-org:serviceId:ConnectionManager',
        scpdUrl: 'http://192.168.54.1:60606/Server0/CMS_SCPD',
        controlUrl: 'http://192.168.54.1:60606/Server0/CMS_control',
        eventSubUrl: 'http://192.168.54.1:60606/Server0/CMS_event',
        problems: [],
      },
    ]);
  });

  it('reports the non-standard elements as vendor fields with their namespace URIs', () => {
    assert.deepEqual(device.vendorFields, [
      { name: 'dlna:X_DLNADOC', namespace: 'urn:schemas-dlna-org:device-1-0', value: 'M-DMS-1.50' },
      { name: 'leica:X_AdditionalFunction', namespace: 'urn:schemas-leica-com:leica', value: 'CPRemoteView' },
      { name: 'leica:X_FirmVersion', namespace: 'urn:schemas-leica-com:leica', value: '2.0.5' },
      { name: 'leica:X_CamCategory', namespace: 'urn:schemas-leica-com:leica', value: 'MirrorlessILC' },
    ]);
  });

  it('finds nothing wrong', () => {
    assert.deepEqual(root.problems, []);
    assert.deepEqual(device.problems, []);
  });
});

describe('parseDeviceDescription: minidlna (relative URLs)', () => {
  const root = parseDeviceDescription(fixture('minidlna/description.xml'), 'http://127.0.0.1:8200/rootDesc.xml');
  const device = root.device;

  it('resolves relative service URLs against the description URL', () => {
    assert.equal(device.friendlyName, 'minidlna-peer');
    assert.equal(device.services.length, 3);
    assert.deepEqual(device.services.map((s) => [s.serviceType, s.scpdUrl, s.controlUrl, s.eventSubUrl]), [
      ['urn:schemas-upnp-org:service:ContentDirectory:1', 'http://127.0.0.1:8200/ContentDir.xml', 'http://127.0.0.1:8200/ctl/ContentDir', 'http://127.0.0.1:8200/evt/ContentDir'],
      ['urn:schemas-upnp-org:service:ConnectionManager:1', 'http://127.0.0.1:8200/ConnectionMgr.xml', 'http://127.0.0.1:8200/ctl/ConnectionMgr', 'http://127.0.0.1:8200/evt/ConnectionMgr'],
      ['urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1', 'http://127.0.0.1:8200/X_MS_MediaReceiverRegistrar.xml', 'http://127.0.0.1:8200/ctl/X_MS_MediaReceiverRegistrar', 'http://127.0.0.1:8200/evt/X_MS_MediaReceiverRegistrar'],
    ]);
  });

  it('reads 4 icons with numeric sizes and resolved URLs', () => {
    assert.deepEqual(device.icons, [
      { mimetype: 'image/png', width: 48, height: 48, depth: 24, url: 'http://127.0.0.1:8200/icons/sm.png' },
      { mimetype: 'image/png', width: 120, height: 120, depth: 24, url: 'http://127.0.0.1:8200/icons/lrg.png' },
      { mimetype: 'image/jpeg', width: 48, height: 48, depth: 24, url: 'http://127.0.0.1:8200/icons/sm.jpg' },
      { mimetype: 'image/jpeg', width: 120, height: 120, depth: 24, url: 'http://127.0.0.1:8200/icons/lrg.jpg' },
    ]);
  });

  it('resolves presentationURL and keeps the other fields', () => {
    assert.equal(device.presentationUrl, 'http://127.0.0.1:8200/');
    assert.equal(device.manufacturerUrl, 'http://www.netgear.com/');
    assert.equal(device.modelDescription, 'MiniDLNA on Linux');
    assert.equal(device.udn, 'uuid:4d696e69-444c-4e41-8000-000000000001');
    assert.deepEqual(device.vendorFields, [{ name: 'dlna:X_DLNADOC', namespace: 'urn:schemas-dlna-org:device-1-0', value: 'DMS-1.50' }]);
    assert.deepEqual(root.problems, []);
    assert.deepEqual(device.problems, []);
  });
});

describe('parseDeviceDescription: gupnp network-light', () => {
  const root = parseDeviceDescription(fixture('network-light/description.xml'), 'http://127.0.0.1:49400/dd456923-f207-48f2-8a72-c1ac8a963324.xml');

  it('reads SwitchPower and Dimming with resolved URLs', () => {
    const device = root.device;
    assert.equal(device.deviceType, 'urn:schemas-upnp-org:device:DimmableLight:1');
    assert.equal(device.friendlyName, 'network-light-peer');
    assert.deepEqual(device.services.map((s) => [s.serviceId, s.scpdUrl, s.controlUrl, s.eventSubUrl]), [
      ['urn:upnp-org:serviceId:SwitchPower:1', 'http://127.0.0.1:49400/xml/SwitchPower-scpd.xml', 'http://127.0.0.1:49400/SwitchPower/Control', 'http://127.0.0.1:49400/SwitchPower/Events'],
      ['urn:upnp-org:serviceId:Dimming:1', 'http://127.0.0.1:49400/xml/Dimming-scpd.xml', 'http://127.0.0.1:49400/Dimming/Control', 'http://127.0.0.1:49400/Dimming/Events'],
    ]);
    assert.deepEqual(device.icons.map((i) => [i.width, i.depth]), [[256, 32], [22, 32]]);
    // <presentationURL/> is empty: no URL and no complaint.
    assert.equal(device.presentationUrl, undefined);
    assert.deepEqual(device.problems, []);
  });
});

describe('parseDeviceDescription: bridge with URLBase and embedded devices', () => {
  const root = parseDeviceDescription(fixture('malformed/bridge-embedded.xml'), 'http://192.168.1.50/desc.xml');

  it('resolves every relative URL against URLBase, not the description URL', () => {
    assert.equal(root.urlBase, 'http://192.168.1.50:49152/bridge/');
    assert.equal(root.baseUrl, 'http://192.168.1.50:49152/bridge/');
    assert.equal(root.device.presentationUrl, 'http://192.168.1.50:49152/bridge/index.html');
    assert.deepEqual(root.device.services, []);
  });

  it('reads the embedded DimmableLight and its services', () => {
    assert.equal(root.device.devices.length, 1);
    const lamp = root.device.devices[0]!;
    assert.equal(lamp.deviceType, 'urn:schemas-upnp-org:device:DimmableLight:1');
    assert.equal(lamp.friendlyName, 'Hall lamp');
    assert.equal(lamp.udn, 'uuid:2f402f80-da50-11e1-9b23-001788000002');
    assert.deepEqual(lamp.services.map((s) => [s.serviceType, s.scpdUrl, s.controlUrl, s.eventSubUrl]), [
      ['urn:schemas-upnp-org:service:SwitchPower:1', 'http://192.168.1.50:49152/bridge/lamp/SwitchPower.xml', 'http://192.168.1.50:49152/control/lamp/SwitchPower', 'http://192.168.1.50:49152/event/lamp/SwitchPower'],
      ['urn:schemas-upnp-org:service:Dimming:1', 'http://192.168.1.50:49152/bridge/lamp/Dimming.xml', 'http://192.168.1.50:49152/control/lamp/Dimming', ''],
    ]);
    // An empty <eventSubURL/> means "no eventing" in UDA, not a fault.
    assert.deepEqual(lamp.services[1]!.problems, []);
  });

  it('goes on recursing, and falls back to the type name when a device has no friendlyName or modelName', () => {
    const sensor = root.device.devices[0]!.devices[0]!;
    assert.equal(sensor.friendlyName, 'Sensor');
    assert.deepEqual(messages(sensor.problems), [
      'warning: No <modelName>.',
      'warning: No <friendlyName>; showing "Sensor" instead.',
    ]);
  });
});

describe('parseDeviceDescription: faults become problems with fallbacks', () => {
  const root = parseDeviceDescription(fixture('malformed/missing-udn.xml'), 'http://10.0.0.2/d.xml');
  const device = root.device;

  it('document-level problems: no namespace, bad specVersion', () => {
    assert.deepEqual(messages(root.problems), [
      'warning: <root> declares no namespace (expected xmlns="urn:schemas-upnp-org:device-1-0"); read it anyway.',
      'warning: <specVersion> is "one.0", not two whole numbers; ignored.',
    ]);
    assert.equal(root.specVersion, undefined);
  });

  it('missing UDN and friendlyName, unsafe presentationURL, bad icon numbers, icon without url', () => {
    assert.equal(device.udn, '');
    assert.equal(device.friendlyName, 'Acme NAS 2000');
    assert.equal(device.manufacturer, 'Acme & Sons');
    assert.equal(device.presentationUrl, undefined);
    assert.deepEqual(device.icons, [{ mimetype: 'image/png', width: 0, height: 48, depth: 0, url: 'http://10.0.0.2/icon.png' }]);
    assert.deepEqual(messages(device.problems), [
      'warning: No <UDN>; this device cannot be told apart reliably from others.',
      'warning: No <friendlyName>; showing "Acme NAS 2000" instead.',
      'warning: <presentationURL> "javascript:alert(document.cookie)" is not a usable http URL; ignored.',
      'warning: Icon 1 has <width> "48px", not a whole number; using 0.',
      'warning: Icon 1 has no <depth>; using 0.',
      'warning: Icon 2 has no <url>; skipped.',
    ]);
  });

  it('service URLs that are missing or not http become empty strings with a problem on the service', () => {
    const [cds, cms] = device.services;
    assert.equal(cds!.scpdUrl, 'http://10.0.0.2/cds.xml');
    assert.equal(cds!.controlUrl, '');
    assert.equal(cds!.eventSubUrl, '');
    assert.deepEqual(messages(cds!.problems), ['error: No <controlURL>; its actions cannot be invoked.']);
    assert.equal(cms!.scpdUrl, '');
    assert.equal(cms!.serviceId, '');
    assert.equal(cms!.controlUrl, 'http://10.0.0.2/cms/control');
    assert.deepEqual(messages(cms!.problems), [
      'warning: Service 2 has no <serviceId>.',
      `error: <SCPDURL> "file:///etc/passwd" is not a usable http URL; the service's actions and state variables cannot be read.`,
      'warning: No <eventSubURL>; it cannot be subscribed to.',
    ]);
  });

  it('keeps a structured vendor element as XML', () => {
    assert.deepEqual(device.vendorFields, [{
      name: 'acme:X_Features',
      namespace: 'urn:acme-com:nas',
      value: '<acme:Feature name="dlna">on</acme:Feature><acme:Feature name="smb">off</acme:Feature>',
    }]);
  });

  it('falls back to the device type, then the UDN, for the name', () => {
    const bare = parseDeviceDescription('<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>' +
      '<device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><UDN>uuid:1</UDN></device></root>', 'http://h/d');
    assert.equal(bare.device.friendlyName, 'Basic');
    assert.deepEqual(bare.specVersion, { major: 1, minor: 1 });
    const nothing = parseDeviceDescription('<root xmlns="urn:schemas-upnp-org:device-1-0"><device><UDN>uuid:2</UDN></device></root>', 'http://h/d');
    assert.equal(nothing.device.friendlyName, 'uuid:2');
    assert.deepEqual(messages(nothing.device.problems), [
      'warning: No <deviceType>; the kind of device is unknown.',
      'warning: No <modelName>.',
      'warning: No <manufacturer>.',
      'warning: No <friendlyName>; showing "uuid:2" instead.',
    ]);
    assert.deepEqual(messages(nothing.problems), ['warning: No <specVersion> (UPnP requires it); assuming UPnP 1.0.']);
  });

  it('reads prefixed standard elements and warns about the wrong namespace', () => {
    const wrong = parseDeviceDescription(fixture('malformed/wrong-namespace.xml'), 'http://10.0.0.3:8080/dev/desc.xml');
    assert.deepEqual(messages(wrong.problems), [
      'warning: <root> is in namespace "urn:schemas-upnp-org:service-1-0", not "urn:schemas-upnp-org:device-1-0"; read it anyway.',
    ]);
    assert.equal(wrong.device.friendlyName, 'Living Room TV');
    assert.equal(wrong.device.udn, 'uuid:0b9b6b62-8a9d-4b6e-9a0f-000000000042');
    assert.equal(wrong.device.services[0]!.controlUrl, 'http://10.0.0.3:8080/dev/RenderingControl/ctrl');
    assert.deepEqual(wrong.device.vendorFields, []);
  });

  it('a UDN without uuid: and an unusable URLBase are reported', () => {
    const r = parseDeviceDescription('<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
      '<URLBase>gopher://h/</URLBase><device><deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType><friendlyName>F</friendlyName>' +
      '<manufacturer>M</manufacturer><modelName>N</modelName><UDN>1234</UDN><serviceList><service><serviceType>t</serviceType><serviceId>i</serviceId>' +
      '<SCPDURL>s.xml</SCPDURL><controlURL>c</controlURL><eventSubURL>e</eventSubURL></service></serviceList></device></root>', 'http://h:5/dir/d.xml');
    assert.equal(r.baseUrl, 'http://h:5/dir/d.xml');
    assert.equal(r.device.services[0]!.scpdUrl, 'http://h:5/dir/s.xml');
    assert.deepEqual(messages(r.problems), ['warning: URLBase "gopher://h/" is not a usable http URL; relative URLs were resolved against http://h:5/dir/d.xml.']);
    assert.deepEqual(messages(r.device.problems), ['warning: <UDN> "1234" does not start with "uuid:".']);
  });

  it('elements where text belongs do not crash anything and are named as such', () => {
    const odd = parseDeviceDescription('<root xmlns="urn:schemas-upnp-org:device-1-0"><device><friendlyName><b>Bold</b></friendlyName>' +
      '<UDN><x>uuid:1</x></UDN><iconList>text<icon><width><a/></width><url>/i.png</url></icon></iconList>' +
      '<serviceList>junk</serviceList><deviceList>junk</deviceList></device></root>', 'http://h/d');
    assert.equal(odd.device.friendlyName, 'Unnamed device');
    assert.equal(odd.device.udn, '');
    assert.deepEqual(odd.device.icons, [{ mimetype: '', width: 0, height: 0, depth: 0, url: 'http://h/i.png' }]);
    assert.deepEqual(odd.device.services, []);
    assert.deepEqual(odd.device.devices, []);
    const text = messages(odd.device.problems);
    assert.ok(text.includes('warning: <UDN> holds elements instead of text; this device cannot be told apart reliably from others.'), text.join('\n'));
    assert.ok(text.includes('warning: <friendlyName> holds elements instead of text; showing "Unnamed device" instead.'), text.join('\n'));
  });

  it('absurdly deep nesting is refused with a reason, not a stack overflow', () => {
    const deep = '<root xmlns="urn:schemas-upnp-org:device-1-0"><device>' + '<deviceList><device>'.repeat(60) +
      '</device></deviceList>'.repeat(60) + '</device></root>';
    assert.equal(descriptionError(() => parseDeviceDescription(deep, 'http://h/d')).message,
      'Description at http://h/d was not read: elements are nested more than 100 deep, more than UPnP Explorer accepts in one document.');
  });

  it('does not expand DOCTYPE entities', () => {
    const bomb = parseDeviceDescription(fixture('malformed/entity-bomb.xml'), 'http://h/d');
    assert.equal(bomb.device.friendlyName, '&lol9;');
  });
});

describe('parseDeviceDescription: unusable documents throw DescriptionError', () => {
  it('truncated body', () => {
    const err = descriptionError(() => parseDeviceDescription(fixture('malformed/truncated-description.xml'), 'http://127.0.0.1:8200/rootDesc.xml'));
    assert.equal(err.message, 'Description at http://127.0.0.1:8200/rootDesc.xml is not well-formed XML (line 2, column 878: ' +
      'the document ends while <root>, <device>, <iconList>, <icon> and <mimetype> are still open; was it cut off?).');
    assert.equal(err.url, 'http://127.0.0.1:8200/rootDesc.xml');
  });

  it('not XML, empty', () => {
    assert.equal(descriptionError(() => parseDeviceDescription(fixture('malformed/not-xml.txt'), 'http://h/d')).message,
      `Description at http://h/d is not XML (it starts with "Service Unavailable: the media server is…", not with '<').`);
    assert.equal(descriptionError(() => parseDeviceDescription('', 'http://h/d')).message, 'Description at http://h/d is empty (the device sent no content).');
  });

  it('well-formed but not a description (router login page)', () => {
    assert.equal(descriptionError(() => parseDeviceDescription(fixture('malformed/html-page.xml'), 'http://192.168.1.1/')).message,
      'Description at http://192.168.1.1/ is not a UPnP device description: its top element is <html>, not <root>. ' +
      'Check that the LOCATION URL the device announced points at its description.');
  });

  it('<root> without <device>', () => {
    assert.equal(descriptionError(() => parseDeviceDescription(fixture('malformed/no-device.xml'), 'http://h/d')).message,
      'Description at http://h/d has no <device> element, so there is no device to show.');
  });
});
