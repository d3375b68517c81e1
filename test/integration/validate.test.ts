// Validate Device against live devices, inside the isolated namespace: a device served badly on
// purpose (wrong Content-Type, the Leica capture's Date, an SCPD that doesn't load, icons that
// lie or are missing) gets one finding each; a hosted definition gets none; the real minidlna and
// gupnp-network-light get what they got when these expectations were recorded (a change must be
// deliberate); and the command line (`upnp-explorer validate`) exits, prints and writes SARIF as
// its usage says, for a LOCATION and for a search.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
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
      const r = await validateDevice(minidlna.location, { discovery: { interfaceAddress: '127.0.0.1', mx: 1 } });
      assert.deepEqual(r.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message.replace(/ \(and in \d+ more answers\)$/, '')}`), [
        // (max-age follows the notify_interval of the harness's minidlna.conf.)
        'discovery/cache-control warning: An answer says max-age=130, under 1800.',
        'discovery/server warning: SERVER "Debian DLNADOC/1.50 UPnP/1.0 MiniDLNA/1.3.0" is not "OS/version UPnP/1.x product/version".',
        'description/field-length warning: modelName has 43 characters (UDA: fewer than 32).',
      ]);
      assert.equal(r.documents.size, 4, 'the description and three SCPDs');
    } finally {
      await minidlna.stop();
    }
    const light = await startNetworkLight();
    try {
      const r = await validateDevice(light.location, { discovery: { interfaceAddress: '127.0.0.1', mx: 1 } });
      assert.deepEqual(r.findings.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
        'description/service-id warning: serviceId "urn:upnp-org:serviceId:SwitchPower:1" has a colon in its last part: control points that split it at colons read another id.',
        'description/service-id warning: serviceId "urn:upnp-org:serviceId:Dimming:1" has a colon in its last part: control points that split it at colons read another id.',
        `description/icon-loads error: The icon /pixmaps/network-light-256x256.png does not load: ${new URL('/pixmaps/network-light-256x256.png', light.location).toString()} answered HTTP 404 Not Found.`,
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
    const description = BAD.replace(/<iconList>[\s\S]*<\/iconList>/, '').replace('/gone.xml', '/scpd.xml');
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
        res.end('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:SetLevelResponse xmlns:u="urn:example-com:service:Thing:1"/></s:Body></s:Envelope>');
      });
    });
    await new Promise<void>((r) => sloppy.listen(0, '127.0.0.1', r));
    try {
      const r = await validateDevice(`http://127.0.0.1:${(sloppy.address() as AddressInfo).port}/d.xml`, { control: true });
      assert.deepEqual(r.findings.filter((f) => f.rule.stage === 'control').map((f) => `${f.rule.id}: ${f.message}`), [
        'control/unknown-action: urn:example-com:serviceId:Thing: X_UPnPExplorer_NoSuchAction (an action it does not have) was answered with UPnP error 602 (Optional Action Not Implemented), not 401.',
        'control/missing-arguments: urn:example-com:serviceId:Thing: SetLevel without its in arguments was answered 200 OK, not with UPnP error 402.',
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
    const clean = await run(['validate', hosted.http.location, '--mx', '1', '--control']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /^- Result: 0 errors, 0 warnings, 0 notes$/m);
    assert.match(clean.stdout, /^## Discovery \(SSDP\)\n\nNo findings\.$/m);
    assert.match(clean.stdout, /^## Control \(SOAP\)\n\nNo findings\.$/m);

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
