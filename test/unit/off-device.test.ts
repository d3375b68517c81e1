// URLs that leave the device: the description's own host is home; SCPD, control, event and icon
// URLs elsewhere are listed (and bounded), relative ones never are.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeviceDescription } from '../../src/core/description/device';
import { offDeviceUrls } from '../../src/core/description/offDevice';

const leica = readFileSync(join(__dirname, '..', 'fixtures', 'leica', 'description.xml'), 'utf8');

describe('offDeviceUrls', () => {
  it('a device whose URLs are all its own lists nothing', () => {
    const at = 'http://192.168.54.1:60606/Server0/ddd';
    assert.deepEqual(offDeviceUrls(parseDeviceDescription(leica, at), at), []);
  });

  it('lists SCPD, control, event and icon URLs on another host or port', () => {
    const xml = `<root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:x:device:X:1</deviceType><friendlyName>Box</friendlyName><UDN>uuid:1</UDN>
      <iconList><icon><mimetype>image/png</mimetype><width>48</width><height>48</height><depth>24</depth><url>http://cdn.example.com/i.png</url></icon></iconList>
      <serviceList><service><serviceType>urn:x:service:S:1</serviceType><serviceId>urn:x:serviceId:S</serviceId>
      <SCPDURL>/scpd.xml</SCPDURL><controlURL>http://10.0.0.9:80/c</controlURL><eventSubURL>http://10.0.0.5:8080/e</eventSubURL></service></serviceList></device></root>`;
    const away = offDeviceUrls(parseDeviceDescription(xml, 'http://10.0.0.5:80/d.xml'), 'http://10.0.0.5:80/d.xml');
    assert.deepEqual(away.map((u) => [u.what, u.host]), [
      ['icon 1 of Box', 'cdn.example.com'],
      ['control URL of urn:x:serviceId:S', '10.0.0.9'],
      ['event URL of urn:x:serviceId:S', '10.0.0.5:8080'],
    ]);
  });
});
