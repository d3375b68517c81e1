import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MAX_AGE_SECONDS, SsdpParseError, clampMx, formatMSearch, parseMaxAge, parseSsdpMessage, toAdvertisement, udnOfUsn, validateSearchTarget } from '../../src/core/ssdp/message';
import type { Advertisement } from '../../src/core/ssdp/message';

const fixtures = join(__dirname, '..', 'fixtures', 'ssdp');

/** Splits a capture file ("### from addr" sections) into the datagrams as sent. */
function datagrams(file: string): string[] {
  return readFileSync(join(fixtures, file), 'utf8')
    .split(/^### .*$/m)
    .map((s) => s.replace(/^\n/, ''))
    .filter((s) => /^(HTTP|NOTIFY)/.test(s));
}

function ads(file: string): Advertisement[] {
  return datagrams(file).map((d) => {
    const ad = toAdvertisement(parseSsdpMessage(d));
    assert.ok(!('error' in ad), `not an advertisement: ${d}`);
    return ad as Advertisement;
  });
}

describe('SSDP messages from real devices', () => {
  it('reads minidlna M-SEARCH answers (6 targets, one UDN, max-age 70)', () => {
    const list = ads('minidlna-msearch-ssdp-all.txt');
    assert.equal(list.length, 6);
    assert.ok(list.every((a) => a.type === 'response'));
    assert.deepEqual(new Set(list.map((a) => a.udn)), new Set(['uuid:4d696e69-444c-4e41-8000-000000000001']));
    assert.ok(list.every((a) => a.location === 'http://127.0.0.1:8200/rootDesc.xml' && a.maxAgeSeconds === 70));
    assert.deepEqual(list.map((a) => a.target).sort(), [
      'upnp:rootdevice',
      'urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1',
      'urn:schemas-upnp-org:device:MediaServer:1',
      'urn:schemas-upnp-org:service:ConnectionManager:1',
      'urn:schemas-upnp-org:service:ContentDirectory:1',
      'uuid:4d696e69-444c-4e41-8000-000000000001',
    ]);
    assert.equal(list[0]!.server, 'Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0');
  });

  it('reads minidlna startup NOTIFYs (no space after the colon): byebye then alive', () => {
    const list = ads('minidlna-notify-at-startup.txt');
    assert.equal(list.length, 24);
    const types = new Set(list.map((a) => a.type));
    assert.deepEqual(types, new Set(['byebye', 'alive']));
    const alive = list.find((a) => a.type === 'alive' && a.target === 'upnp:rootdevice')!;
    assert.equal(alive.usn, 'uuid:4d696e69-444c-4e41-8000-000000000001::upnp:rootdevice');
    assert.equal(alive.location, 'http://127.0.0.1:8200/rootDesc.xml');
    const bye = list.find((a) => a.type === 'byebye')!;
    assert.equal(bye.location, undefined);
    assert.equal(bye.maxAgeSeconds, undefined);
  });

  it('reads GUPnP network-light answers and NOTIFYs (mixed-case headers, max-age 1800)', () => {
    const answers = ads('network-light-msearch-ssdp-all.txt');
    assert.equal(answers.length, 5);
    assert.ok(answers.every((a) => a.location?.startsWith('http://127.0.0.1:49400/')));
    const notes = ads('network-light-notify-at-startup.txt');
    assert.ok(notes.some((a) => a.type === 'alive' && a.target === 'urn:schemas-upnp-org:service:SwitchPower:1' && a.maxAgeSeconds === 1800));
    assert.ok(notes.some((a) => a.type === 'byebye' && a.target === 'upnp:rootdevice'));
  });

  it('reads the Leica camera answer from the capture', () => {
    const leica = 'HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nDATE: Tue, 10 Dec 2024 10:30:20 GMT\r\nEXT:\r\nLOCATION: http://192.168.54.1:60606/DCxxxxxxxx09/Server0/ddd\r\nSERVER: Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0\r\nST: upnp:rootdevice\r\nUSN: uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09::upnp:rootdevice\r\n\r\n';
    const ad = toAdvertisement(parseSsdpMessage(leica)) as Advertisement;
    assert.equal(ad.udn, 'uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09');
    assert.equal(ad.location, 'http://192.168.54.1:60606/DCxxxxxxxx09/Server0/ddd');
    assert.equal(ad.maxAgeSeconds, 1800);
    assert.equal(ad.server, 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0');
  });

  it('reads ssdp:update with BOOTID and NEXTBOOTID', () => {
    const msg = 'NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nLOCATION: http://10.0.0.2:80/d.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:update\r\nUSN: uuid:abc::upnp:rootdevice\r\nBOOTID.UPNP.ORG: 7\r\nNEXTBOOTID.UPNP.ORG: 8\r\nCONFIGID.UPNP.ORG: 3\r\n\r\n';
    const ad = toAdvertisement(parseSsdpMessage(msg)) as Advertisement;
    assert.equal(ad.type, 'update');
    assert.equal(ad.bootId, '7');
    assert.equal(ad.nextBootId, '8');
    assert.equal(ad.configId, '3');
  });
});

describe('SSDP messages that are not usable', () => {
  it('rejects non-SSDP datagrams with a reason', () => {
    assert.throws(() => parseSsdpMessage('GET / HTTP/1.1\r\n\r\n'), SsdpParseError);
    assert.throws(() => parseSsdpMessage(Buffer.from([0xff, 0x00, 0x13])), /not an SSDP message/);
    assert.throws(() => parseSsdpMessage(''), SsdpParseError);
  });

  it('explains why an SSDP message is not an advertisement', () => {
    const cases: [string, RegExp][] = [
      ['M-SEARCH * HTTP/1.1\r\nST: ssdp:all\r\n\r\n', /another control point/],
      ['HTTP/1.1 404 Not Found\r\n\r\n', /status 404/],
      ['NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nNT: upnp:rootdevice\r\nLOCATION: http://x/\r\n\r\n', /without USN/],
      ['NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nUSN: uuid:a::upnp:rootdevice\r\n\r\n', /without LOCATION/],
      ['NOTIFY * HTTP/1.1\r\nNTS: ssdp:whatever\r\nUSN: uuid:a\r\n\r\n', /unknown NTS/],
      ['NOTIFY * HTTP/1.1\r\nNTS: ssdp:alive\r\nUSN: urn:foo\r\nLOCATION: http://x/\r\n\r\n', /does not start with uuid/],
    ];
    for (const [msg, why] of cases) {
      const ad = toAdvertisement(parseSsdpMessage(msg));
      assert.ok('error' in ad, msg);
      assert.match((ad as { error: string }).error, why);
    }
  });

  it('keeps good headers around a broken line', () => {
    const m = parseSsdpMessage('HTTP/1.1 200 OK\r\nEXT\r\nST: upnp:rootdevice\r\nUSN: uuid:z::upnp:rootdevice\r\nLOCATION: http://h/\r\n\r\n');
    assert.equal(m.headers['st'], 'upnp:rootdevice');
    assert.equal(m.headers['location'], 'http://h/');
  });
});

describe('SSDP helpers', () => {
  it('parses CACHE-CONTROL forms and falls back to the default', () => {
    assert.equal(parseMaxAge('max-age=1800'), 1800);
    assert.equal(parseMaxAge('max-age = 70'), 70);
    assert.equal(parseMaxAge('no-cache="Ext", max-age=5000'), 5000);
    assert.equal(parseMaxAge('MAX-AGE="30"'), 30);
    assert.equal(parseMaxAge(undefined), DEFAULT_MAX_AGE_SECONDS);
    assert.equal(parseMaxAge('private'), DEFAULT_MAX_AGE_SECONDS);
    assert.equal(parseMaxAge('max-age=0'), DEFAULT_MAX_AGE_SECONDS);
  });

  it('extracts the UDN from every USN form', () => {
    assert.equal(udnOfUsn('uuid:abc-1::upnp:rootdevice'), 'uuid:abc-1');
    assert.equal(udnOfUsn('uuid:abc-1'), 'uuid:abc-1');
    assert.equal(udnOfUsn('UUID:ABC::urn:schemas-upnp-org:service:X:1'), 'uuid:ABC');
    assert.equal(udnOfUsn('urn:x'), undefined);
  });

  it('formats M-SEARCH with the chosen MX and ST, clamped to 1..5', () => {
    const m = formatMSearch({ searchTarget: 'urn:schemas-upnp-org:device:MediaServer:1', mx: 9, host: '239.255.255.250:1900', userAgent: 'X/1 UPnP/1.1 Y/1' });
    assert.match(m, /^M-SEARCH \* HTTP\/1\.1\r\n/);
    assert.match(m, /\r\nMAN: "ssdp:discover"\r\n/);
    assert.match(m, /\r\nMX: 5\r\n/);
    assert.match(m, /\r\nST: urn:schemas-upnp-org:device:MediaServer:1\r\n/);
    assert.ok(m.endsWith('\r\n\r\n'));
    const parsed = parseSsdpMessage(m);
    assert.equal(parsed.start.kind, 'search');
    assert.equal(clampMx(0), 1);
    assert.equal(clampMx(3), 3);
    assert.equal(clampMx(Number.NaN), 2);
  });

  it('validates search targets with a usable message', () => {
    for (const ok of ['ssdp:all', 'upnp:rootdevice', 'uuid:4d696e69-444c-4e41-8000-000000000001', 'urn:schemas-upnp-org:device:MediaServer:1', 'urn:schemas-upnp-org:service:ContentDirectory:1', 'urn:microsoft.com:service:X_MS_MediaReceiverRegistrar:1']) {
      assert.equal(validateSearchTarget(ok), undefined, ok);
    }
    assert.match(validateSearchTarget('MediaServer') ?? '', /not a search target.*ssdp:all/);
    assert.match(validateSearchTarget('urn:schemas-upnp-org:device:MediaServer') ?? '', /not a search target/);
  });
});
