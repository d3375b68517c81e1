// Hosted-device definitions: the manifest read leniently with problems at their JSON paths, the
// JSON schema the editor uses agreeing with that reader, identity kept across restarts, and whole
// folders loaded and checked through the explorer's own parsers. Plain Node, real files.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SERVER, expandFriendlyName, isSafeRelativePath, readManifest } from '../../src/device/manifest';
import { UUID_FILE, resolveIdentity } from '../../src/device/identity';
import { loadDeviceDefinition } from '../../src/device/definition';

const BASIC = path.join(__dirname, '..', 'fixtures', 'hosting', 'basic');
const SCHEMA = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'media', 'upnp-device.schema.json'), 'utf8')) as {
  properties: Record<string, { properties?: Record<string, { enum?: unknown[]; default?: unknown }> }>;
};

function tempCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'upnp-def-'));
  cpSync(BASIC, dir, { recursive: true });
  return dir;
}

function editJson(file: string, edit: (v: Record<string, unknown>) => void): void {
  const v = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(v);
  writeFileSync(file, JSON.stringify(v));
}

describe('the manifest', () => {
  it('an empty one gives every default', () => {
    const { manifest, problems } = readManifest({});
    assert.deepEqual(problems, []);
    assert.deepEqual(manifest, {
      description: 'description.xml',
      ssdp: { server: DEFAULT_SERVER, maxAgeSeconds: 1800, answer: 'all', mxDelay: true, headers: {} },
      http: { port: 0, descriptionPath: '/description.xml', server: DEFAULT_SERVER, contentType: 'text/xml; charset="utf-8"' },
      identity: {},
      services: {},
    });
  });

  it('the Canon pairing facts fit in it', () => {
    const { manifest, problems } = readManifest({
      ssdp: { server: 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0', maxAgeSeconds: 900, answer: 'root', mxDelay: false },
      http: { port: 8043, descriptionPath: '/ptpip-canon-desc-helper.xml' },
      identity: { friendlyName: '${hostname}: PTPIPResponder:' },
    });
    assert.equal(manifest.http.server, 'Microsoft-Windows/10.0 UPnP/1.0 UPnP-Device-Host/1.0', 'the HTTP Server header follows SERVER');
    assert.equal(manifest.ssdp.answer, 'root');
    assert.equal(manifest.http.port, 8043);
    // max-age 900 is what the helper sends; UDA wants 1800, so it is a warning, kept as given.
    assert.equal(manifest.ssdp.maxAgeSeconds, 900);
    assert.deepEqual(problems.map((p) => [p.path, p.severity]), [['ssdp.maxAgeSeconds', 'warning']]);
    assert.equal(expandFriendlyName(manifest.identity.friendlyName!, { hostname: 'studio', user: 'ana' }), 'studio: PTPIPResponder:');
  });

  it('each unusable value is named by its path and replaced by its default', () => {
    const { manifest, problems } = readManifest({
      ssdp: { server: 'two\r\nlines', maxAgeSeconds: 'long', answer: 'some', headers: { 'X-Ok': 'yes', LOCATION: 'http://evil/', 'bad name': 'x' } },
      http: { port: 70000, descriptionPath: '/../etc/passwd' },
      identity: { uuid: 'not-a-uuid' },
      services: { 'urn:x:serviceId:A': { actions: { Go: { outputs: { N: {} } }, Both: { outputs: {}, fault: { code: 701, description: 'x' } }, Fail: { fault: { code: 7, description: 'x' } } } } },
      colour: 'blue',
    });
    const paths = problems.map((p) => p.path);
    for (const p of ['ssdp.server', 'ssdp.maxAgeSeconds', 'ssdp.answer', 'ssdp.headers.LOCATION', 'ssdp.headers["bad name"]', 'http.port', 'http.descriptionPath', 'identity.uuid', 'colour',
      'services["urn:x:serviceId:A"].actions.Go.outputs.N', 'services["urn:x:serviceId:A"].actions.Both', 'services["urn:x:serviceId:A"].actions.Fail.fault']) {
      assert.ok(paths.includes(p), `${p} not in ${paths.join(', ')}`);
    }
    assert.equal(problems.find((p) => p.path === 'colour')?.severity, 'warning');
    assert.equal(manifest.ssdp.server, DEFAULT_SERVER);
    assert.equal(manifest.ssdp.maxAgeSeconds, 1800);
    assert.deepEqual(manifest.ssdp.headers, { 'X-Ok': 'yes' });
    assert.equal(manifest.http.port, 0);
    assert.equal(manifest.identity.uuid, undefined);
    assert.deepEqual(manifest.services['urn:x:serviceId:A']!.actions, { Go: { kind: 'outputs', outputs: {} } });
    assert.match(problems.find((p) => p.path === 'ssdp.headers.LOCATION')!.message, /written by the host itself/);
  });

  it('is not a JSON object: the defaults, and one error', () => {
    const { manifest, problems } = readManifest([1, 2]);
    assert.equal(manifest.ssdp.maxAgeSeconds, 1800);
    assert.deepEqual(problems.map((p) => p.severity), ['error']);
  });

  it('paths stay inside the folder', () => {
    for (const ok of ['description.xml', 'scpd/a.xml', 'icons/x y.png']) assert.ok(isSafeRelativePath(ok), ok);
    for (const bad of ['', '/etc/passwd', '../x.xml', 'a/../../x', 'a\\b', 'C:x', 'a//b', './a', 'a\u0000b']) assert.ok(!isSafeRelativePath(bad), JSON.stringify(bad));
  });

  it('the editor\'s JSON schema describes the same fields and defaults as the reader', () => {
    const defaults = readManifest({}).manifest;
    assert.deepEqual(Object.keys(SCHEMA.properties).sort(), ['$schema', 'description', 'http', 'identity', 'services', 'ssdp']);
    assert.deepEqual(Object.keys(SCHEMA.properties.ssdp!.properties!).sort(), Object.keys(defaults.ssdp).sort());
    assert.deepEqual(Object.keys(SCHEMA.properties.http!.properties!).sort(), Object.keys(defaults.http).sort());
    assert.deepEqual(Object.keys(SCHEMA.properties.identity!.properties!).sort(), ['friendlyName', 'uuid']);
    assert.deepEqual(SCHEMA.properties.ssdp!.properties!.answer!.enum, ['all', 'root']);
    assert.equal(SCHEMA.properties.ssdp!.properties!.maxAgeSeconds!.default, defaults.ssdp.maxAgeSeconds);
    assert.equal(SCHEMA.properties.ssdp!.properties!.server!.default, defaults.ssdp.server);
    assert.equal(SCHEMA.properties.http!.properties!.contentType!.default, defaults.http.contentType);
  });
});

describe('the identity', () => {
  it('is created on the first start, kept in the folder, and the same after a restart', async () => {
    const dir = tempCopy();
    try {
      const manifest = readManifest({}).manifest;
      const first = await resolveIdentity(dir, manifest);
      assert.equal(first.source, 'created');
      assert.match(first.udn, /^uuid:[0-9a-f-]{36}$/);
      assert.equal(readFileSync(path.join(dir, UUID_FILE), 'utf8').trim(), first.udn);
      const again = await resolveIdentity(dir, manifest);
      assert.deepEqual(again, { udn: first.udn, source: 'kept' });
      // The manifest's own UUID wins.
      const fixed = readManifest({ identity: { uuid: 'uuid:0B5A1E2C-0000-4000-8000-000000000001' } }).manifest;
      assert.deepEqual(await resolveIdentity(dir, fixed), { udn: 'uuid:0b5a1e2c-0000-4000-8000-000000000001', source: 'manifest' });
      // A damaged file is not silently replaced: the camera would not know the new one.
      writeFileSync(path.join(dir, UUID_FILE), 'garbage\n');
      await assert.rejects(resolveIdentity(dir, manifest), /does not hold a device UUID.*delete it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loading a definition folder', () => {
  it("the Python seed's Basic device: its service, SCPD and behaviour, no problems", async () => {
    const { definition, problems } = await loadDeviceDefinition(BASIC);
    assert.deepEqual(problems, []);
    assert.ok(definition);
    assert.equal(definition.description.device.friendlyName, 'Jambon 3000');
    assert.equal(definition.manifest.identity.friendlyName, 'Jambon 3000 on ${hostname}');
    assert.equal(definition.services.length, 1);
    const s = definition.services[0]!;
    assert.equal(s.scpdFile, 'scpd/jambon.xml');
    assert.equal(s.controlPath, '/control/jambon');
    assert.equal(s.eventPath, '/events/jambon');
    assert.deepEqual(s.scpd.actions.map((a) => a.name), ['GetSlice', 'Burn']);
    assert.deepEqual(definition.manifest.services['urn:example-com:serviceId:Jambon']!.actions.GetSlice, { kind: 'outputs', outputs: { Slice: 'thin', Count: '3' } });
  });

  it('says what is wrong, file by file, and does not host a broken definition', async () => {
    const dir = tempCopy();
    try {
      const manifestFile = path.join(dir, 'upnp-device.json');
      editJson(manifestFile, (v) => {
        const svc = (v.services as Record<string, { actions: Record<string, unknown>; variables: Record<string, unknown> }>)['urn:example-com:serviceId:Jambon']!;
        svc.actions.GetSlice = { outputs: { Slice: 'medium', Count: 'many', Crumbs: '1' } };
        svc.actions.Toast = { outputs: {} };
        svc.variables.Temperature = '999';
        (v.services as Record<string, unknown>)['urn:example-com:serviceId:Nope'] = { actions: {} };
      });
      const { definition, problems } = await loadDeviceDefinition(dir);
      assert.equal(definition, undefined);
      const at = (p: string): string => problems.find((x) => x.path === p)?.message ?? `(nothing at ${p}: ${JSON.stringify(problems)})`;
      // Outside the allowed values is allowed (a device under test may do it), with a warning.
      const slice = problems.find((x) => x.path === 'services["urn:example-com:serviceId:Jambon"].actions.GetSlice.outputs.Slice');
      assert.equal(slice?.severity, 'warning', JSON.stringify(problems));
      assert.match(slice.message, /^Slice: .*medium/);
      assert.match(at('services["urn:example-com:serviceId:Jambon"].actions.GetSlice.outputs.Count'), /Count: /);
      assert.match(at('services["urn:example-com:serviceId:Jambon"].actions.GetSlice.outputs.Crumbs'), /has no out-argument Crumbs \(it has Slice, Count\)/);
      assert.match(at('services["urn:example-com:serviceId:Jambon"].actions.Toast'), /has no action Toast/);
      assert.match(at('services["urn:example-com:serviceId:Jambon"].variables.Temperature'), /Temperature: /);
      assert.match(at('services["urn:example-com:serviceId:Nope"]'), /no service with serviceId urn:example-com:serviceId:Nope \(it has urn:example-com:serviceId:Jambon\)/);
      assert.ok(problems.every((p) => p.file === 'upnp-device.json'));
      assert.equal(problems.filter((p) => p.severity === 'error').length, 5);

      // URLs resolve as URLs: `../..` stops at the device's root, so it names a folder file still.
      const desc = path.join(dir, 'description.xml');
      const original = readFileSync(desc, 'utf8');
      writeFileSync(desc, original.replace('<SCPDURL>scpd/jambon.xml</SCPDURL>', '<SCPDURL>../../secret.xml</SCPDURL>'));
      writeFileSync(manifestFile, '{}');
      const climbing = await loadDeviceDefinition(dir);
      assert.deepEqual(climbing.problems.map((p) => [p.file, p.message]), [['secret.xml', 'The SCPD of service urn:example-com:serviceId:Jambon is missing: secret.xml.']]);
      // An SCPD on another host is not the folder's to serve.
      writeFileSync(desc, original.replace('<SCPDURL>scpd/jambon.xml</SCPDURL>', '<SCPDURL>http://192.168.1.9/secret.xml</SCPDURL>'));
      const leaving = await loadDeviceDefinition(dir);
      assert.equal(leaving.definition, undefined);
      assert.match(leaving.problems.map((p) => p.message).join('\n'), /SCPDURL of service urn:example-com:serviceId:Jambon \(http:\/\/192\.168\.1\.9\/secret\.xml\) must be a relative URL of a file in the folder/);
      rmSync(desc);
      const missing = await loadDeviceDefinition(dir);
      assert.deepEqual(missing.problems.map((p) => [p.file, p.severity]), [['description.xml', 'error']]);
      assert.match(missing.problems[0]!.message, /description description\.xml is missing/);

      // A manifest that is not JSON.
      writeFileSync(manifestFile, '{ "ssdp": ');
      const broken = await loadDeviceDefinition(dir);
      assert.deepEqual(broken.problems.map((p) => p.file), ['upnp-device.json']);
      assert.match(broken.problems[0]!.message, /^Not valid JSON: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
