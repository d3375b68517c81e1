// Validate Device against live devices, inside the isolated namespace: a device served badly on
// purpose (wrong Content-Type, the Leica capture's Date, an SCPD that doesn't load, icons that
// lie or are missing) gets one finding each; a hosted definition gets none; the control, content
// and eventing stages against devices that get them right and sloppy ones; the real minidlna and
// gupnp-network-light, every stage, get what they got when these expectations were recorded (a
// change must be deliberate); and the command line (`upnp-explorer validate`) exits, prints and writes SARIF as
// its usage says, for a LOCATION and for a search.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { validateDevice } from '../../src/core/validate/validate';
import { HostedDevice } from '../../src/device/hostedDevice';
import { assertIsolatedNetwork } from '../harness/netns';
import { startMinidlna } from '../harness/minidlna';
import { startNetworkLight } from '../harness/networkLight';
import { startHttpDeviceServer } from '../devices/http-device';
import { startSimulatedCamera } from '../devices/camera';

const ROOT = path.join(__dirname, '..', '..');

function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  b.writeUInt32BE(0x89504e47, 0);
  b.writeUInt32BE(0x0d0a1a0a, 4);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

const BAD = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:Basic:1</deviceType>
    <friendlyName>Badly served</friendlyName>
    <manufacturer>Example</manufacturer>
    <modelName>Bad</modelName>
    <UDN>uuid:0badbad0-0000-4000-8000-000000000001</UDN>
    <iconList>
      <icon><mimetype>image/png</mimetype><width>48</width><height>48</height><depth>24</depth><url>/small.png</url></icon>
      <icon><mimetype>image/jpeg</mimetype><width>16</width><height>16</height><depth>24</depth><url>/really-png.jpg</url></icon>
      <icon><mimetype>image/png</mimetype><width>16</width><height>16</height><depth>24</depth><url>/missing.png</url></icon>
    </iconList>
    <serviceList>
      <service>
        <serviceType>urn:example-com:service:Thing:1</serviceType>
        <serviceId>urn:example-com:serviceId:Thing</serviceId>
        <SCPDURL>/gone.xml</SCPDURL>
        <controlURL>/ctl</controlURL>
        <eventSubURL>/evt</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`;

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('Validate Device against live devices', () => {
  let bad: Server;
  let badLocation: string;
  let hosted: HostedDevice;

  before(async () => {
    assertIsolatedNetwork('validate.test.ts');
    bad = createServer((req, res) => {
      const send = (status: number, type: string, body: Buffer | string): void => {
        res.writeHead(status, { 'content-type': type, date: 'Fri, 31 Mar 19324 11:47:28 GMT', connection: 'close' });
        res.end(body);
      };
      if (req.url === '/d.xml') send(200, 'application/octet-stream', BAD);
      else if (req.url === '/small.png') send(200, 'image/png', png(16, 16));
      else if (req.url === '/really-png.jpg') send(200, 'image/png', png(16, 16));
      else send(404, 'text/plain', 'no');
    });
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    badLocation = `http://127.0.0.1:${(bad.address() as AddressInfo).port}/d.xml`;
    const folder = mkdtempSync(path.join(os.tmpdir(), 'upnp-validate-'));
    cpSync(path.join(__dirname, '..', 'fixtures', 'hosting', 'basic'), folder, { recursive: true });
    hosted = await HostedDevice.start(folder, { interfaces: selectInterfaces(['127.0.0.1'], false).selected, hostname: 'h', user: 'u' });
  });

  after(async () => {
    await hosted?.stop();
    await new Promise((r) => bad?.close(r));
  });

  it('finds what a badly served device does wrong, one finding each, with the evidence', async () => {
    const report = await validateDevice(badLocation, { timeoutMs: 3000 });
    assert.deepEqual(report.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
      'description/content-type warning: The description is served as "application/octet-stream".',
      'description/http-date warning: Date "Fri, 31 Mar 19324 11:47:28 GMT" says the year 19324.',
      `description/scpd-loads error: The SCPD of urn:example-com:serviceId:Thing could not be read: ${badLocation.replace('/d.xml', '/gone.xml')} answered HTTP 404 Not Found.`,
      'description/icon-loads warning: The icon /small.png is 16×16, declared 48×48.',
      'description/icon-loads warning: The icon /really-png.jpg is served as image/png, declared image/jpeg.',
      `description/icon-loads error: The icon /missing.png does not load: ${badLocation.replace('/d.xml', '/missing.png')} answered HTTP 404 Not Found.`,
    ]);
    const date = report.findings.find((f) => f.rule.id === 'description/http-date')!;
    assert.equal(date.evidence, `GET ${badLocation} → Date: Fri, 31 Mar 19324 11:47:28 GMT`);
    const icon = report.findings.find((f) => f.message.includes('/small.png'))!;
    assert.deepEqual([icon.at?.url, icon.at?.line], [badLocation, 11]);
    assert.deepEqual(report.stages, ['description', 'scpd']);
    assert.equal(report.friendlyName, 'Badly served');
  });

  it('finds nothing wrong with a hosted definition (no false positives)', async () => {
    const report = await validateDevice(hosted.http.location);
    assert.deepEqual(report.findings.map((f) => f.message), []);
    assert.equal(report.documents.size, 2, 'the description and its SCPD were read');
  });

  it('says the same as when recorded of the real minidlna and gupnp-network-light', async () => {
    const minidlna = await startMinidlna({ friendlyName: 'validate-peer', port: 8216, uuid: '4d696e69-444c-164e-9d41-b827ebaaaa01' });
    try {
      const r = await validateDevice(minidlna.location, { discovery: { interfaceAddress: '127.0.0.1', mx: 1 }, control: true, content: true, eventing: { interfaceAddress: '127.0.0.1' } });
      assert.deepEqual(r.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message.replace(/ \(and in \d+ more answers\)$/, '').replace(/:\d+\/validate/, ':PORT/validate')}`), [
        // (max-age follows the notify_interval of the harness's minidlna.conf.)
        'discovery/cache-control warning: An answer says max-age=130, under 1800.',
        'discovery/server warning: SERVER "Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0" is not "OS/version UPnP/1.x product/version".',
        'description/field-length warning: modelName has 43 characters (UDA: fewer than 32).',
        // The first Browse of "0" after minidlna starts says TotalMatches 0 (see the content suite).
        'content/browse warning: urn:upnp-org:serviceId:ContentDirectory: TotalMatches is 0, fewer than the 4 objects seen so far; not trusted.',
        // minidlna accepts subscriptions and never sends NOTIFY (see the GENA suite).
        'eventing/initial-event error: urn:upnp-org:serviceId:ContentDirectory: no initial event within 5 s of the subscription (callback http://127.0.0.1:PORT/validate/0).',
        'eventing/initial-event error: urn:upnp-org:serviceId:ConnectionManager: no initial event within 5 s of the subscription (callback http://127.0.0.1:PORT/validate/1).',
        'eventing/initial-event error: urn:microsoft.com:serviceId:X_MS_MediaReceiverRegistrar: no initial event within 5 s of the subscription (callback http://127.0.0.1:PORT/validate/2).',
      ]);
      assert.deepEqual(r.stages, ['discovery', 'description', 'scpd', 'control', 'content', 'eventing']);
      // Its JPEGs were reached (Pictures, All Pictures) and served as declared.
      assert.match(r.coverage?.content ?? '', /^\d Browse requests, 3 items with resources, [3-8] resources fetched/);
      assert.equal(r.documents.size, 4, 'the description and three SCPDs');
    } finally {
      await minidlna.stop();
    }
    const light = await startNetworkLight();
    try {
      const r = await validateDevice(light.location, { discovery: { interfaceAddress: '127.0.0.1', mx: 1 }, control: true, eventing: { interfaceAddress: '127.0.0.1' } });
      assert.deepEqual(r.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
        'description/service-id warning: serviceId "urn:upnp-org:serviceId:SwitchPower:1" has a colon in its last part: control points that split it at colons read another id.',
        'description/service-id warning: serviceId "urn:upnp-org:serviceId:Dimming:1" has a colon in its last part: control points that split it at colons read another id.',
        `description/icon-loads error: The icon /pixmaps/network-light-256x256.png does not load: ${new URL('/pixmaps/network-light-256x256.png', light.location).toString()} answered HTTP 404 Not Found.`,
        // GUPnP hands the call to the light, which doesn't look at its arguments.
        'control/missing-arguments error: urn:upnp-org:serviceId:SwitchPower:1: SetTarget without its in arguments was answered 200 OK, not with UPnP error 402.',
        'control/missing-arguments error: urn:upnp-org:serviceId:Dimming:1: SetLoadLevelTarget without its in arguments was answered 200 OK, not with UPnP error 402.',
      ]);
    } finally {
      await light.stop();
    }
  });

  it('the control stage: a device that gets 401 and 402 right has no finding; one that does not, one each', async () => {
    assert.deepEqual((await validateDevice(hosted.http.location, { control: true })).findings.map((f) => f.message), [], 'the hosted definition answers 401 and 402');
    const report = await validateDevice(hosted.http.location, { control: true });
    assert.deepEqual(report.stages, ['description', 'scpd', 'control']);

    // A device that answers an unknown action with 602 and a call without arguments with 200 OK.
    const scpd = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><actionList><action><name>SetLevel</name><argumentList><argument><name>Level</name><direction>in</direction><relatedStateVariable>Level</relatedStateVariable></argument></argumentList></action></actionList><serviceStateTable><stateVariable sendEvents="no"><name>Level</name><dataType>ui1</dataType></stateVariable></serviceStateTable></scpd>';
    const description = BAD.replace(/<iconList>[\s\S]*<\/iconList>/, '').replace('/gone.xml', '/scpd.xml')
      .replace('</serviceList>', '<service><serviceType>urn:example-com:service:Other:1</serviceType><serviceId>urn:example-com:serviceId:Other</serviceId><SCPDURL>/scpd.xml</SCPDURL><controlURL>/ctl2</controlURL><eventSubURL>/evt2</eventSubURL></service></serviceList>');
    const sloppy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        res.setHeader('content-type', 'text/xml; charset="utf-8"');
        if (req.url === '/d.xml') return res.end(description);
        if (req.url === '/scpd.xml') return res.end(scpd);
        if (/NoSuchAction/.test(body)) {
          res.statusCode = 500;
          return res.end('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>602</errorCode><errorDescription>Optional Action Not Implemented</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>');
        }
        if (req.url === '/ctl2') {
          // The second service: a fault that is no SOAP at all.
          res.statusCode = 500;
          res.setHeader('content-type', 'text/plain');
          return res.end('oops');
        }
        res.end('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:SetLevelResponse xmlns:u="urn:example-com:service:Thing:1"/></s:Body></s:Envelope>');
      });
    });
    await new Promise<void>((r) => sloppy.listen(0, '127.0.0.1', r));
    try {
      const r = await validateDevice(`http://127.0.0.1:${(sloppy.address() as AddressInfo).port}/d.xml`, { control: true });
      assert.deepEqual(r.findings.filter((f) => f.rule.stage === 'control').map((f) => `${f.rule.id}: ${f.message.replace(/got no UPnP fault: .*$/, 'got no UPnP fault: FAILURE')}`), [
        'control/unknown-action: urn:example-com:serviceId:Thing: X_UPnPExplorer_NoSuchAction (an action it does not have) was answered with UPnP error 602 (Optional Action Not Implemented), not 401.',
        'control/missing-arguments: urn:example-com:serviceId:Thing: SetLevel without its in arguments was answered 200 OK, not with UPnP error 402.',
        'control/unknown-action: urn:example-com:serviceId:Other: X_UPnPExplorer_NoSuchAction (an action it does not have) was answered with UPnP error 602 (Optional Action Not Implemented), not 401.',
        'control/fault-shape: urn:example-com:serviceId:Other: SetLevel without its in arguments got no UPnP fault: FAILURE',
      ]);
    } finally {
      await new Promise((r) => sloppy.close(r));
    }
  });

  it('the content stage: seeded faults of a ContentDirectory\'s resources, one finding each at its serviceType; the simulated camera, the capture\'s Date', async () => {
    // Seeded: the root says NumberReturned 2 and holds one container; in it, two items whose four
    // resources break one rule each (MIME type, 404, size, byte ranges).
    const didl = (inner: string): string => `<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/">${inner}</DIDL-Lite>`;
    const cdScpd = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><actionList><action><name>Browse</name><argumentList>'
      + [['ObjectID', 'in', 'A_ARG_TYPE_ObjectID'], ['BrowseFlag', 'in', 'A_ARG_TYPE_BrowseFlag'], ['Filter', 'in', 'A_ARG_TYPE_Filter'], ['StartingIndex', 'in', 'A_ARG_TYPE_Index'], ['RequestedCount', 'in', 'A_ARG_TYPE_Count'], ['SortCriteria', 'in', 'A_ARG_TYPE_SortCriteria'], ['Result', 'out', 'A_ARG_TYPE_Result'], ['NumberReturned', 'out', 'A_ARG_TYPE_Count'], ['TotalMatches', 'out', 'A_ARG_TYPE_Count'], ['UpdateID', 'out', 'A_ARG_TYPE_UpdateID']]
        .map(([n, d, v]) => `<argument><name>${n}</name><direction>${d}</direction><relatedStateVariable>${v}</relatedStateVariable></argument>`).join('')
      + '</argumentList></action></actionList><serviceStateTable>'
      + [['A_ARG_TYPE_ObjectID', 'string'], ['A_ARG_TYPE_BrowseFlag', 'string'], ['A_ARG_TYPE_Filter', 'string'], ['A_ARG_TYPE_Index', 'ui4'], ['A_ARG_TYPE_Count', 'ui4'], ['A_ARG_TYPE_SortCriteria', 'string'], ['A_ARG_TYPE_Result', 'string'], ['A_ARG_TYPE_UpdateID', 'ui4']]
        .map(([n, t]) => `<stateVariable sendEvents="no"><name>${n}</name><dataType>${t}</dataType></stateVariable>`).join('')
      + '</serviceStateTable></scpd>';
    const description = BAD.replace(/<iconList>[\s\S]*<\/iconList>/, '').replace(/<serviceList>[\s\S]*<\/serviceList>/, '<serviceList><service><serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType><serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId><SCPDURL>/cd.xml</SCPDURL><controlURL>/cd</controlURL><eventSubURL></eventSubURL></service></serviceList>');
    const server = await startHttpDeviceServer();
    const base = server.baseUrl;
    server.serveDocument('/d.xml', description);
    server.serveDocument('/cd.xml', cdScpd);
    const jpeg = Buffer.from('ffd8ffe000104a46494600', 'hex');
    server.serveDocument('/a.mp3', jpeg, 'image/jpeg');
    server.serveDocument('/b.jpg', jpeg, 'image/jpeg');
    server.serveDocument('/d.jpg', jpeg, 'image/jpeg');
    const res = (uri: string, info: string, extra = ''): string => `<res protocolInfo="${info}"${extra}>${base}${uri}</res>`;
    server.serveControl('/cd', 'urn:schemas-upnp-org:service:ContentDirectory:1', {
      Browse: (args) => {
        if (args['ObjectID'] === '0') return { Result: didl('<container id="1" parentID="0" restricted="1" childCount="2"><dc:title>Photos</dc:title><upnp:class>object.container</upnp:class></container>'), NumberReturned: '2', TotalMatches: '1', UpdateID: '1' };
        return {
          Result: didl(`<item id="a" parentID="1" restricted="1"><dc:title>Song</dc:title><upnp:class>object.item.audioItem</upnp:class>${res('/a.mp3', 'http-get:*:audio/mpeg:*')}${res('/gone.jpg', 'http-get:*:image/jpeg:*')}</item>`
            + `<item id="b" parentID="1" restricted="1"><dc:title>Photo</dc:title><upnp:class>object.item.imageItem</upnp:class>${res('/b.jpg', 'http-get:*:image/jpeg:*', ' size="999"')}${res('/d.jpg', 'http-get:*:image/jpeg:DLNA.ORG_OP=01')}</item>`),
          NumberReturned: '2', TotalMatches: '2', UpdateID: '1',
        };
      },
    });
    try {
      const r = await validateDevice(`${base}/d.xml`, { content: true });
      assert.deepEqual(r.stages, ['description', 'scpd', 'content']);
      assert.deepEqual(r.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
        'content/browse warning: urn:upnp-org:serviceId:ContentDirectory: NumberReturned is 2, but the Result holds 1 object.',
        'content/resource-type warning: urn:upnp-org:serviceId:ContentDirectory: the resource of "Song" (audio/mpeg) is served as image/jpeg, declared audio/mpeg.',
        `content/resource-loads error: urn:upnp-org:serviceId:ContentDirectory: the resource of "Song" (image/jpeg) answered HTTP 404.`,
        'content/resource-size warning: urn:upnp-org:serviceId:ContentDirectory: the resource of "Photo" (image/jpeg) declares size 999, but is served with Content-Length 11.',
        'content/byte-range warning: urn:upnp-org:serviceId:ContentDirectory: the resource of "Photo" (image/jpeg) declares byte ranges (DLNA.ORG_OP=01), but "Range: bytes=0-0" got HTTP 200.',
      ]);
      // Shown at the ContentDirectory's serviceType in the description.
      const line = description.split('\n')[10]!;
      const column = line.indexOf('<serviceType>urn:schemas-upnp-org:service:ContentDirectory:1') + 1;
      assert.ok(column > 0 && r.findings.every((f) => f.at?.url === `${base}/d.xml` && f.at.line === 11 && f.at.column === column), JSON.stringify(r.findings.map((f) => f.at)));
      assert.equal(r.coverage?.content, '2 Browse requests, 2 items with resources, 4 resources fetched (headers only).');
    } finally {
      await server.close();
    }

    // The simulated camera: its photos come with the capture's Date (year 19324), on all of them.
    const camera = await startSimulatedCamera({ interfaceAddress: '127.0.0.1' });
    try {
      const r = await validateDevice(camera.location, { content: true });
      const date = r.findings.find((f) => f.rule.id === 'content/http-date');
      assert.match(date?.message ?? '', /: Date "Fri, 31 Mar 19324 11:47:28 GMT" says the year 19324\. The same on 7 more of the 8 resources fetched\.$/);
      assert.match(date?.evidence ?? '', /^GET http:\/\/127\.0\.0\.1:\d+\/D\w+\.(JPG|DNG) → HTTP 200, Date: Fri, 31 Mar 19324 11:47:28 GMT$/);
      assert.deepEqual(r.findings.filter((f) => f.rule.stage === 'content').map((f) => f.rule.id), ['content/http-date', 'content/byte-range']);
    } finally {
      await camera.stop();
    }
  });

  it('the eventing stage: a device that subscribes right has no finding; a sloppy one, one per rule', async () => {
    const good = await validateDevice(hosted.http.location, { eventing: { interfaceAddress: '127.0.0.1' } });
    assert.deepEqual(good.stages, ['description', 'scpd', 'eventing']);
    assert.deepEqual(good.findings.map((f) => f.message), []);
    assert.equal(hosted.http.subscriberCount('urn:example-com:serviceId:Jambon'), 0, 'the stage unsubscribed');

    // SUBSCRIBE answered without TIMEOUT; the initial event with SEQ 1 and one of two variables;
    // renewals answered with a new SID; and an UNSUBSCRIBEd SID still renewable.
    const scpd = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><actionList/><serviceStateTable><stateVariable sendEvents="yes"><name>Level</name><dataType>ui1</dataType></stateVariable><stateVariable sendEvents="yes"><name>Mode</name><dataType>string</dataType></stateVariable></serviceStateTable></scpd>';
    const description = BAD.replace(/<iconList>[\s\S]*<\/iconList>/, '').replace('/gone.xml', '/scpd.xml');
    let n = 0;
    const sloppy = createServer((req, res) => {
      if (req.url === '/d.xml') return res.end(description);
      if (req.url === '/scpd.xml') return res.end(scpd);
      if (req.method === 'SUBSCRIBE' && req.headers['callback']) {
        res.writeHead(200, { sid: 'uuid:sloppy-1' }).end();
        const callback = /<([^>]+)>/.exec(String(req.headers['callback']))![1]!;
        setTimeout(() => {
          const body = '<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><Level>3</Level></e:property></e:propertyset>';
          const r = request(callback, { method: 'NOTIFY', headers: { 'content-type': 'text/xml', nt: 'upnp:event', nts: 'upnp:propchange', sid: 'uuid:sloppy-1', seq: '1' } });
          r.on('error', () => undefined);
          r.end(body);
        }, 50);
        return;
      }
      if (req.method === 'SUBSCRIBE') return res.writeHead(200, { sid: `uuid:sloppy-${++n + 1}`, timeout: 'Second-300' }).end();
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => sloppy.listen(0, '127.0.0.1', r));
    try {
      const r = await validateDevice(`http://127.0.0.1:${(sloppy.address() as AddressInfo).port}/d.xml`, { eventing: { interfaceAddress: '127.0.0.1' } });
      assert.deepEqual(r.findings.filter((f) => f.rule.stage === 'eventing').map((f) => `${f.rule.id}: ${f.message}`), [
        'eventing/subscribe: urn:example-com:serviceId:Thing: the answer to SUBSCRIBE has no TIMEOUT.',
        'eventing/initial-event: urn:example-com:serviceId:Thing: the initial event has SEQ 1, not 0.',
        'eventing/initial-event: urn:example-com:serviceId:Thing: the initial event lacks Mode.',
        'eventing/renew: urn:example-com:serviceId:Thing: the renewal was answered HTTP 200 with another SID (uuid:sloppy-2).',
        'eventing/unsubscribe: urn:example-com:serviceId:Thing: renewing after UNSUBSCRIBE was answered HTTP 200, not 412.',
      ]);
    } finally {
      await new Promise((r) => sloppy.close(r));
    }
  });

  it('the command line: exit 1 with findings and SARIF written, 0 for a clean device, 0 for a search that finds it, 2 for bad usage', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'upnp-cli-'));
    const sarifFile = path.join(dir, 'out.sarif');
    const failing = await run(['validate', badLocation, '--sarif', sarifFile, '--timeout', '3', '--skip-discovery']);
    assert.equal(failing.code, 1, failing.stderr);
    assert.match(failing.stdout, /^# UPnP validation: `Badly served`$/m);
    assert.match(failing.stdout, /^- Result: 2 errors, 4 warnings, 0 notes$/m);
    const sarif = JSON.parse(readFileSync(sarifFile, 'utf8')) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0]!.results.length, 6);

    const warningsFail = await run(['validate', badLocation, '--fail-on', 'warning', '--json', '--timeout', '3', '--skip-discovery']);
    assert.equal(warningsFail.code, 1);
    assert.equal((JSON.parse(warningsFail.stdout) as Array<{ findings: unknown[] }>)[0]!.findings.length, 6);

    // With the discovery stage (the default): its M-SEARCHes go out from the route to the device.
    const clean = await run(['validate', hosted.http.location, '--mx', '1', '--control', '--eventing']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /^- Result: 0 errors, 0 warnings, 0 notes$/m);
    assert.match(clean.stdout, /^## Discovery \(SSDP\)\n\nNo findings\.$/m);
    assert.match(clean.stdout, /^## Control \(SOAP\)\n\nNo findings\.$/m);
    assert.match(clean.stdout, /^## Eventing \(GENA\)\n\nNo findings\.$/m);

    // --listen and --content: the stages run and say what they looked at (the device announced
    // when it started, long before; its next NOTIFYs are minutes away).
    const listened = await run(['validate', hosted.http.location, '--skip-discovery', '--listen', '1', '--content', '--json']);
    assert.equal(listened.code, 0, listened.stderr);
    const [one] = JSON.parse(listened.stdout) as Array<{ stages: string[]; coverage: Record<string, string> }>;
    assert.deepEqual(one!.stages, ['discovery', 'description', 'scpd']);
    assert.equal(one!.coverage['discovery'], 'No NOTIFY of the device to check (heard in 1 s of listening); devices announce every max-age/2 or so.');
    assert.equal((await run(['validate', hosted.http.location, '--listen', 'soon'])).code, 2);

    const searched = await run(['validate', '--search', 'urn:example-com:service:Jambon:1', '--interface', '127.0.0.1', '--mx', '1', '--json', '--skip-discovery']);
    assert.equal(searched.code, 0, searched.stderr);
    assert.deepEqual((JSON.parse(searched.stdout) as Array<{ location: string; findings: unknown[] }>).map((r) => [r.location, r.findings.length]), [[hosted.http.location, 0]]);

    const usage = await run(['validate']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Give a LOCATION, or --search with a search target\./);
    assert.equal((await run(['validate', 'ftp://x/d.xml'])).code, 2);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage:/);
  });
});
