// Hosted devices met by real control points from Debian, inside the isolated namespace: the device
// is hosted on upnpv1 and each control point works from upnpv0.
// - GUPnP's gssdp-discover (gupnp-tools) finds the device by every search target it has, and not by
//   the ones it hasn't;
// - a GUPnP 1.6 control point (python3-gi, gir1.2-gupnp-1.6) discovers it, reads its description,
//   invokes a canned action, subscribes, and receives the initial event and an emitted change;
// - miniupnpc's upnpc lists a hosted clone of an Internet Gateway Device;
// - our own discovery finds a device hosted from each template.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import { isFullyDescribed } from '../../src/core/registry/registry';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { HostedDevice } from '../../src/device/hostedDevice';
import { DEVICE_TEMPLATES, writeTemplate } from '../../src/device/templates';
import { runGupnpControlPoint } from '../harness/gupnpControlPoint';
import { assertIsolatedNetwork } from '../harness/netns';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'hosting');
const hostSide = () => selectInterfaces(['upnpv1'], false).selected;

function copyOf(name: string, edit?: (m: Record<string, unknown>) => void): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `upnp-3p-${name}-`));
  cpSync(path.join(FIXTURES, name), folder, { recursive: true });
  if (edit) {
    const file = path.join(folder, 'upnp-device.json');
    const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    edit(v);
    writeFileSync(file, JSON.stringify(v));
  }
  return folder;
}

/** Runs a program to its end (or `timeoutMs`) and gives its output. */
function run(cmd: string, args: readonly string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });
}

describe('real control points from Debian meet a hosted device', () => {
  before(() => {
    assertIsolatedNetwork('third-party-control-points.test.ts');
    assert.ok(os.networkInterfaces()['upnpv1'], 'this suite needs the in-namespace veth: run it through scripts/netns.sh --veth');
  });

  it('gssdp-discover finds it by every search target it has, and not by others', async () => {
    const hosted = await HostedDevice.start(copyOf('basic', (m) => { m['ssdp'] = { ...(m['ssdp'] as object), mxDelay: false }; }), { interfaces: hostSide(), hostname: 'h', user: 'u' });
    try {
      const udn = hosted.identity.udn;
      const location = hosted.http.locationFor('10.99.0.2');
      const discover = async (st: string): Promise<string> => (await run('gssdp-discover', ['-i', 'upnpv0', '-n', '2', '-t', st])).out;
      const wanted = ['upnp:rootdevice', udn, 'urn:schemas-upnp-org:device:Basic:1', 'urn:example-com:service:Jambon:1'];
      const others = ['urn:schemas-upnp-org:device:MediaServer:1', 'urn:example-com:service:Jambon:2', 'uuid:00000000-0000-0000-0000-000000000000'];
      const outs = await Promise.all([...wanted, ...others].map(discover));
      for (const [i, st] of wanted.entries()) {
        const out = outs[i]!;
        assert.match(out, /resource available/, `${st}:\n${out}`);
        assert.ok(out.includes(`Location: ${location}`), `${st}:\n${out}`);
        assert.ok(out.includes(`USN:      ${st === udn ? udn : `${udn}::${st}`}`), `${st}:\n${out}`);
      }
      for (const [i, st] of others.entries()) assert.doesNotMatch(outs[wanted.length + i]!, /resource available/, `${st} is not this device's`);
    } finally {
      await hosted.stop();
    }
  });

  it('a GUPnP control point discovers it, reads its description, invokes an action, and gets the initial event and an emitted change', async () => {
    const log: string[] = [];
    const hosted = await HostedDevice.start(copyOf('basic'), { interfaces: hostSide(), hostname: 'studio', user: 'u', log: (e) => log.push(e.message) });
    const location = hosted.http.locationFor('10.99.0.2');
    let run;
    try {
      run = await runGupnpControlPoint('upnpv0', hosted);
    } finally {
      await hosted.stop();
    }
    const { steps, stderr, find } = run;
    const context = `${JSON.stringify(steps, null, 1)}\n${stderr}\n${log.join('\n')}`;
    assert.deepEqual(find('device'), { step: 'device', udn: hosted.identity.udn, location, friendlyName: 'Jambon 3000 on studio', deviceType: 'urn:schemas-upnp-org:device:Basic:1' }, context);
    assert.deepEqual(find('action'), { step: 'action', ok: true, outputs: { Slice: 'thin', Count: '3' } }, context);
    assert.deepEqual(steps.filter((s) => s['step'] === 'event').map((s) => s['value']), ['20', '25'], context);
    assert.equal(find('subscription-lost'), undefined, context);
    assert.equal(hosted.http.counters.notifies, 2);
  });

  it('upnpc (miniupnpc) lists a hosted clone of an Internet Gateway Device', async () => {
    const hosted = await HostedDevice.start(copyOf('igd'), { interfaces: hostSide(), hostname: 'h', user: 'u' });
    try {
      const { code, out } = await run('upnpc', ['-m', 'upnpv0', '-l'], 30_000);
      assert.equal(code, 0, out);
      assert.ok(out.includes(`desc: ${hosted.http.locationFor('10.99.0.2')}`), out);
      assert.match(out, /Found valid IGD : http:\/\/10\.99\.0\.2:\d+\/ctl\/wanip/);
      assert.match(out, /Connection Type : IP_Routed/);
      assert.match(out, /Status : Connected, uptime=86400s, LastConnectionError : ERROR_NONE/);
      assert.match(out, /MaxBitRateDown : 100000000 bps \(100\.0 Mbps\) {3}MaxBitRateUp 20000000 bps \(20\.0 Mbps\)/);
      assert.match(out, /ExternalIPAddress = 93\.184\.216\.34/);
      assert.match(out, /GetGenericPortMappingEntry\(\) returned 713 \(SpecifiedArrayIndexInvalid\)/);
    } finally {
      await hosted.stop();
    }
  });

  it('our own discovery finds a device hosted from each template', async () => {
    const devices: HostedDevice[] = [];
    const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['upnpv0'], ipv6: false, httpTimeoutMs: 3000 });
    try {
      for (const template of DEVICE_TEMPLATES) {
        const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'upnp-3p-template-')), template.id);
        await writeTemplate(template, folder);
        devices.push(await HostedDevice.start(folder, { interfaces: hostSide(), hostname: 'studio', user: 'u' }));
      }
      await explorer.start();
      await explorer.search({ searchTarget: 'upnp:rootdevice' });
      const described = () => devices.filter((d) => explorer.devices.some((x) => x.udn === d.identity.udn && isFullyDescribed(x)));
      for (const end = Date.now() + 8000; Date.now() < end && described().length < devices.length; ) await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(described().map((d) => d.friendlyName), ['studio: PTPIPResponder:', 'Jambon 3000 on studio', 'New device on studio']);
    } finally {
      explorer.dispose();
      await Promise.all(devices.map((d) => d.stop()));
    }
  });
});
