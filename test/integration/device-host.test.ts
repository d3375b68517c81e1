// Hosting a device definition, met by the explorer's own client code over real sockets, inside
// the isolated namespace: the description with the device's kept UUID and friendlyName, the
// canned SOAP answers and faults, argument checks, GENA with the initial event and an emitted
// change, and the refusals a hostile network gets (paths out of the folder, a callback at a
// third host).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import { GenaClient } from '../../src/core/gena/client';
import type { GenaActivity } from '../../src/core/gena/client';
import { invokeAction } from '../../src/core/soap/invoke';
import { loadDeviceDefinition } from '../../src/device/definition';
import { DeviceHost } from '../../src/device/host';
import type { HostLogEntry } from '../../src/device/host';
import { resolveIdentity } from '../../src/device/identity';
import { assertIsolatedNetwork } from '../harness/netns';

const BASIC = path.join(__dirname, '..', 'fixtures', 'hosting', 'basic');
const JAMBON = 'urn:example-com:serviceId:Jambon';
const JAMBON_TYPE = 'urn:example-com:service:Jambon:1';

/** A raw request, for what no well-behaved client sends. */
function raw(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a hosted device definition', () => {
  let folder: string;
  let host: DeviceHost;
  let explorer: UpnpExplorer;
  const log: HostLogEntry[] = [];

  before(async () => {
    assertIsolatedNetwork('device-host.test.ts');
    folder = mkdtempSync(path.join(tmpdir(), 'upnp-host-'));
    cpSync(BASIC, folder, { recursive: true });
    const { definition, problems } = await loadDeviceDefinition(folder);
    assert.deepEqual(problems, []);
    const identity = await resolveIdentity(folder, definition!.manifest);
    host = await DeviceHost.start(definition!, identity, { addresses: ['127.0.0.1'], hostname: 'studio', user: 'ana', log: (e) => log.push(e) });
    explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 5000 });
  });

  after(async () => {
    explorer?.dispose();
    await host?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('is described by the explorer with its kept UUID and its friendlyName template filled in', async () => {
    const device = await explorer.addByUrl(host.location);
    assert.equal(device.status, 'ready', device.error);
    assert.equal(device.description?.device.friendlyName, 'Jambon 3000 on studio');
    assert.equal(device.udn, host.identity.udn);
    assert.notEqual(host.identity.udn, 'uuid:00000000-0000-0000-0000-000000000000');
    const deadline = Date.now() + 5000;
    while (explorer.get(device.key)?.services[0]?.scpdStatus !== 'ready' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const service = explorer.get(device.key)!.services[0]!;
    assert.equal(service.scpdStatus, 'ready', service.scpdError);
    assert.deepEqual(service.scpd?.actions.map((a) => a.name), ['GetSlice', 'Burn']);
    assert.ok(log.some((e) => e.kind === 'http' && /GET \/description\.xml from 127\.0\.0\.1.*: 200 the description/.test(e.message)), log.map((e) => e.message).join('\n'));
  });

  it('answers SOAP from the manifest: canned outputs, a canned fault, and checked arguments', async () => {
    const device = explorer.devices[0]!;
    const service = device.services[0]!;
    const target = { controlUrl: service.description.controlUrl, serviceType: JAMBON_TYPE };
    const action = (name: string) => service.scpd!.actions.find((a) => a.name === name)!;

    const ok = (await invokeAction({ ...target, action: action('GetSlice'), args: { Thickness: 'thick' } })).outcome;
    assert.equal(ok.kind, 'ok');
    assert.deepEqual(ok.kind === 'ok' && ok.outputs.map((o) => [o.name, o.value]), [['Slice', 'thin'], ['Count', '3']]);

    const burn = (await invokeAction({ ...target, action: action('Burn'), args: {} })).outcome;
    assert.equal(burn.kind, 'fault');
    assert.deepEqual(burn.kind === 'fault' && [burn.upnpError.code, burn.upnpError.description], [701, 'The toaster is busy']);

    // Arguments are checked against the SCPD: a missing one, and a value the type refuses.
    const missing = (await invokeAction({ ...target, action: { name: 'GetSlice', arguments: [] }, args: {} })).outcome;
    assert.equal(missing.kind === 'fault' && missing.upnpError.code, 402);
    const noSuch = (await invokeAction({ ...target, action: { name: 'Toast', arguments: [] }, args: {} })).outcome;
    assert.equal(noSuch.kind === 'fault' && noSuch.upnpError.code, 401);
    assert.ok(log.some((e) => e.kind === 'soap' && e.message.startsWith('SOAP GetSlice(Thickness=thick) from 127.0.0.1: Slice=thin, Count=3')), log.map((e) => e.message).join('\n'));
    assert.equal(host.counters.soapCalls, 4);
  });

  it('events: the initial event with every evented variable, then an emitted change with the next SEQ', async () => {
    const service = explorer.devices[0]!.services[0]!;
    const client = new GenaClient({ requestedTimeoutSeconds: 300 });
    const events: GenaActivity[] = [];
    client.onActivity((a) => events.push(a));
    try {
      const info = await client.subscribe({ eventSubUrl: service.description.eventSubUrl, deviceUdn: host.identity.udn, serviceId: JAMBON });
      assert.equal(info.grantedTimeout, 300);
      const eventsOf = (): Array<GenaActivity & { type: 'event' }> => events.filter((a): a is GenaActivity & { type: 'event' } => a.type === 'event');
      const waitFor = async (n: number): Promise<void> => {
        const deadline = Date.now() + 5000;
        while (eventsOf().length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      };
      await waitFor(1);
      assert.deepEqual(eventsOf().map((e) => [e.event.seq, e.event.variables.map((v) => [v.name, v.value])]), [[0, [['Temperature', '20']]]]);
      assert.equal(host.subscriberCount(JAMBON), 1);

      assert.equal(await host.emit(JAMBON, 'Temperature', '180'), 1);
      await waitFor(2);
      assert.deepEqual(eventsOf()[1]!.event.seq, 1);
      assert.deepEqual(eventsOf()[1]!.event.variables.map((v) => [v.name, v.value]), [['Temperature', '180']]);
      assert.equal(host.value(JAMBON, 'Temperature'), '180');
      // A value the variable's range refuses is not sent.
      await assert.rejects(host.emit(JAMBON, 'Temperature', '999'), /Temperature: /);
      await client.unsubscribe(info.id);
      assert.equal(host.subscriberCount(JAMBON), 0);
    } finally {
      await client.close();
    }
  });

  it('refuses what is not its own: paths out of the folder, hidden files, the manifest, a callback at a third host', async () => {
    const base = new URL(host.location).origin;
    assert.equal((await raw(`${base}/scpd/jambon.xml`, 'GET')).status, 200);
    for (const p of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/upnp-device.json', '/.upnp-device-uuid', '/scpd/../../x', '/nothing.xml']) {
      assert.equal((await raw(`${base}${p}`, 'GET')).status, 404, p);
    }
    const service = explorer.devices[0]!.services[0]!;
    const third = await raw(service.description.eventSubUrl, 'SUBSCRIBE', { callback: '<http://10.9.9.9:4004/evil>', nt: 'upnp:event', timeout: 'Second-300' });
    assert.equal(third.status, 412);
    assert.ok(log.some((e) => e.kind === 'refused' && /points at another host than the subscriber 127\.0\.0\.1/.test(e.message)));
    assert.equal((await raw(service.description.eventSubUrl, 'SUBSCRIBE', { sid: 'uuid:nope' })).status, 412);
    assert.equal((await raw(service.description.controlUrl, 'DELETE')).status, 405);
    assert.equal(host.subscriberCount(JAMBON), 0);
    // It serves on the one address chosen, never on every interface.
    for (const address of ['0.0.0.0', '::', 'localhost']) {
      await assert.rejects(DeviceHost.start(host.definition, host.identity, { addresses: [address], hostname: 'h', user: 'u' }), /serves on interface addresses/);
    }
  });
});
