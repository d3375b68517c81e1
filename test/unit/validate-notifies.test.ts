// The NOTIFY checks of Validate Device's discovery stage (src/core/validate/notifies.ts), on
// datagrams as a device sends them: a clean alive burst of a UDA 1.1 device with an embedded
// device gets no finding; each seeded fault, one finding; a burst that lacks targets is said to;
// others' NOTIFYs are not judged.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDeviceDescription } from '../../src/core/description/device';
import { checkNotifies, isDevicesNotify } from '../../src/core/validate/notifies';
import type { ObservedNotify } from '../../src/core/validate/notifies';
import { expectedTargets } from '../../src/core/validate/discovery';

const UDN = 'uuid:5eeded00-0000-4000-8000-000000000001';
const EMBEDDED = 'uuid:5eeded00-0000-4000-8000-000000000002';
const LOCATION = 'http://10.0.0.2:80/d.xml';
const DESCRIPTION = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>Seeded</friendlyName><manufacturer>Example</manufacturer><modelName>Seeded</modelName><UDN>${UDN}</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><serviceId>urn:upnp-org:serviceId:L3F</serviceId><SCPDURL>/l3f.xml</SCPDURL><controlURL>/c</controlURL><eventSubURL>/e</eventSubURL></service></serviceList>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><friendlyName>WAN</friendlyName><manufacturer>Example</manufacturer><modelName>WAN</modelName><UDN>${EMBEDDED}</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1</serviceType><serviceId>urn:upnp-org:serviceId:CIC</serviceId><SCPDURL>/cic.xml</SCPDURL><controlURL>/c2</controlURL><eventSubURL>/e2</eventSubURL></service></serviceList>
</device></deviceList></device></root>`;
const description = parseDeviceDescription(DESCRIPTION, LOCATION);
const targets = expectedTargets(description.device);

function notify(nt: string, usn: string, over: Record<string, string | undefined> = {}, nts = 'ssdp:alive'): string {
  const headers: Record<string, string | undefined> = {
    HOST: '239.255.255.250:1900', 'CACHE-CONTROL': 'max-age=1800', LOCATION, NT: nt, NTS: nts,
    SERVER: 'Linux/6.1 UPnP/1.1 Seeded/1.0', USN: usn, 'BOOTID.UPNP.ORG': '1', 'CONFIGID.UPNP.ORG': '1', ...over,
  };
  return ['NOTIFY * HTTP/1.1', ...Object.entries(headers).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
}

/** The whole alive set, 10 ms apart, from t0. */
function burst(t0: number, over: Record<string, string | undefined> = {}, skip: readonly string[] = []): ObservedNotify[] {
  return [...targets].filter(([nt]) => !skip.includes(nt)).map(([nt, usn], i) => ({ raw: notify(nt, usn, over), from: '10.0.0.2', at: t0 + i * 10 }));
}

describe('NOTIFY checks', () => {
  it('finds nothing wrong with a whole alive burst and a byebye, and 3 + 2d + k is 7 here', () => {
    assert.equal(targets.size, 7);
    const byebye = { raw: notify('upnp:rootdevice', `${UDN}::upnp:rootdevice`, { 'CACHE-CONTROL': undefined, LOCATION: undefined, SERVER: undefined }, 'ssdp:byebye'), from: '10.0.0.2', at: 99_000 };
    assert.deepEqual(checkNotifies([...burst(1000), byebye], description, LOCATION), []);
  });

  it('finds each seeded fault once, however many NOTIFYs show it', () => {
    const bad = burst(1000, { 'CACHE-CONTROL': 'max-age=100', SERVER: 'BadServer', 'BOOTID.UPNP.ORG': undefined });
    const one = (nt: string, usn: string, over: Record<string, string | undefined>, nts = 'ssdp:alive'): ObservedNotify => ({ raw: notify(nt, usn, over, nts), from: '10.0.0.2', at: 50_000 });
    const findings = checkNotifies([
      ...bad,
      one(UDN, UDN, { HOST: '10.0.0.9:1900' }),
      one(UDN, UDN, {}, 'ssdp:hello'),
      one('urn:schemas-upnp-org:service:Layer3Forwarding:1', UDN, {}),
      one(UDN, UDN, { LOCATION: 'http://10.0.0.2:80/other.xml' }),
      one('urn:schemas-upnp-org:device:MediaServer:1', `${UDN}::urn:schemas-upnp-org:device:MediaServer:1`, {}),
    ], description, LOCATION);
    assert.deepEqual(findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
      'discovery/cache-control warning: A NOTIFY says max-age=100, under 1800. (and in 6 more NOTIFYs)',
      'discovery/server warning: A NOTIFY\'s SERVER "BadServer" is not "OS/version UPnP/1.x product/version". (and in 6 more NOTIFYs)',
      'discovery/bootid-configid error: A UDA 1.1 device\'s NOTIFY lacks BOOTID.UPNP.ORG. (and in 6 more NOTIFYs)',
      `discovery/notify error: A NOTIFY ssdp:alive (NT ${UDN}) has HOST 10.0.0.9:1900, not 239.255.255.250:1900.`,
      `discovery/notify error: A NOTIFY ssdp:hello (NT ${UDN}): NTS is not ssdp:alive, ssdp:byebye or ssdp:update.`,
      `discovery/usn error: A NOTIFY ssdp:alive (NT urn:schemas-upnp-org:service:Layer3Forwarding:1) has USN ${UDN}; UDA wants ${UDN}::urn:schemas-upnp-org:service:Layer3Forwarding:1.`,
      'discovery/location warning: A NOTIFY\'s LOCATION http://10.0.0.2:80/other.xml is not the description validated (http://10.0.0.2:80/d.xml).',
      'discovery/notify-set warning: A NOTIFY ssdp:alive (NT urn:schemas-upnp-org:device:MediaServer:1) announces urn:schemas-upnp-org:device:MediaServer:1, which the description does not make.',
    ]);
  });

  it('says what the fullest burst lacks', () => {
    const wan = 'urn:schemas-upnp-org:device:WANDevice:1';
    const findings = checkNotifies([...burst(1000, {}, [EMBEDDED, wan]), ...burst(900_000, {}, [wan, 'upnp:rootdevice', UDN])], description, LOCATION);
    assert.deepEqual(findings.map((f) => f.rule.id), ['discovery/notify-set']);
    assert.equal(findings[0]!.message, `The fullest alive burst seen announces 5 of the 7 targets the description makes (3 + 2d + k); it lacks ${EMBEDDED}, ${wan}.`);
  });

  it('judges only the device\'s own NOTIFYs (by UDN or LOCATION)', () => {
    const other = notify('upnp:rootdevice', 'uuid:00000000-0000-4000-8000-00000000000f::upnp:rootdevice', { LOCATION: 'http://10.0.0.3/x.xml', SERVER: 'Bad' });
    assert.equal(isDevicesNotify(other, description, LOCATION), false);
    assert.equal(isDevicesNotify(notify(UDN, UDN), description, LOCATION), true);
    assert.equal(isDevicesNotify('M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n', description, LOCATION), false);
    assert.deepEqual(checkNotifies([{ raw: other, from: '10.0.0.3', at: 1 }], description, LOCATION), []);
  });
});
