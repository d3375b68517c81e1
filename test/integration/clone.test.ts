// Clone to Workspace, in plain Node, inside the isolated namespace: the simulated Leica camera (its
// description has absolute URLs and vendor fields, as the real one's) is described by the explorer,
// Browse is invoked on it, and the clone planned from what the explorer kept and that answer is
// written, loaded without a problem and hosted; the explorer describes the clone and Browse on the
// clone gives the camera's answer, from the manifest.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../../src/core/explorer';
import type { DiscoveredDevice } from '../../src/core/registry/types';
import { selectInterfaces } from '../../src/core/ssdp/interfaces';
import { invokeAction } from '../../src/core/soap/invoke';
import { planClone, writeClone } from '../../src/device/clone';
import { loadDeviceDefinition } from '../../src/device/definition';
import { HostedDevice } from '../../src/device/hostedDevice';
import { CONTENT_DIRECTORY_TYPE, startCameraServer } from '../devices/camera';
import { assertIsolatedNetwork } from '../harness/netns';

async function described(explorer: UpnpExplorer, location: string): Promise<DiscoveredDevice> {
  const added = await explorer.addByUrl(location);
  assert.equal(added.status, 'ready', added.error);
  for (const end = Date.now() + 5000; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
    const d = explorer.get(added.key)!;
    if (d.services.every((s) => s.scpdStatus !== 'pending')) return d;
  }
  throw new Error('the SCPDs were not read');
}

const BROWSE_ARGS = { ObjectID: '0', BrowseFlag: 'BrowseDirectChildren', Filter: '*', StartingIndex: '0', RequestedCount: '0', SortCriteria: '' };

describe('Clone to Workspace', () => {
  it('clones the simulated camera into a folder that hosts as it, with its Browse answer canned', async () => {
    assertIsolatedNetwork('clone.test.ts');
    const camera = await startCameraServer({ host: '127.0.0.1' });
    const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: 1, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 5000 });
    let hosted: HostedDevice | undefined;
    try {
      const original = await described(explorer, camera.location);
      const cds = original.services.find((s) => s.description.serviceType === CONTENT_DIRECTORY_TYPE)!;
      const browse = cds.scpd!.actions.find((a) => a.name === 'Browse')!;
      const answer = (await invokeAction({ controlUrl: cds.description.controlUrl, serviceType: CONTENT_DIRECTORY_TYPE, action: browse, args: BROWSE_ARGS })).outcome;
      assert.equal(answer.kind, 'ok');
      const outputs = Object.fromEntries(answer.kind === 'ok' ? answer.outputs.map((o) => [o.name, o.value]) : []);

      const plan = planClone({
        descriptionXml: original.descriptionXml!,
        description: original.description!,
        location: original.location,
        scpds: original.services.map((s) => ({ service: s.description, xml: s.scpdXml, scpd: s.scpd })),
        icons: [],
        ssdp: { server: 'Leica Q3 UPnP/1.0 vendor/1', maxAgeSeconds: 1800 },
        answers: [
          { serviceId: cds.description.serviceId, action: 'Browse', answer: { outputs } },
          // An older answer of the same action loses to the newest.
          { serviceId: cds.description.serviceId, action: 'Browse', answer: { fault: { code: 701, description: 'No such object' } } },
          { serviceId: cds.description.serviceId, action: 'NoSuchAction', answer: { outputs: {} } },
        ],
        keepIdentity: false,
        clonedAt: '2026-11-28T12:00:00Z',
      });
      assert.deepEqual(plan.notes, ['The answer of NoSuchAction (urn:upnp-org:serviceId:ContentDirectory) was not kept: the SCPD has no such action.']);
      const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'upnp-clone-')), 'leica');
      await writeClone(plan, folder);
      await assert.rejects(writeClone(plan, folder), /not empty/);

      // The description points at the clone's own files, nowhere at the camera.
      const description = readFileSync(path.join(folder, 'description.xml'), 'utf8');
      assert.ok(!description.includes(new URL(camera.location).host), description);
      assert.match(description, /<SCPDURL>scpd\/\d-ContentDirectory\.xml<\/SCPDURL>/);
      assert.match(description, /<controlURL>control\/\d<\/controlURL>/);
      const loaded = await loadDeviceDefinition(folder);
      assert.deepEqual(loaded.problems.filter((p) => p.severity === 'error'), []);

      hosted = await HostedDevice.start(folder, { interfaces: selectInterfaces(['127.0.0.1'], false).selected, hostname: 'h', user: 'u' });
      assert.notEqual(hosted.identity.udn, original.udn, 'a new identity');
      assert.equal(hosted.definition.manifest.ssdp.server, 'Leica Q3 UPnP/1.0 vendor/1');
      const clone = await described(explorer, hosted.http.location);
      assert.equal(clone.udn, hosted.identity.udn);
      assert.equal(clone.description?.device.friendlyName, original.description?.device.friendlyName);
      assert.deepEqual(clone.services.map((s) => s.description.serviceType), original.services.map((s) => s.description.serviceType));
      const cloneCds = clone.services.find((s) => s.description.serviceType === CONTENT_DIRECTORY_TYPE)!;
      assert.deepEqual(cloneCds.scpd?.actions.map((a) => a.name), cds.scpd?.actions.map((a) => a.name));
      const again = (await invokeAction({ controlUrl: cloneCds.description.controlUrl, serviceType: CONTENT_DIRECTORY_TYPE, action: browse, args: BROWSE_ARGS })).outcome;
      assert.equal(again.kind, 'ok');
      assert.deepEqual(Object.fromEntries(again.kind === 'ok' ? again.outputs.map((o) => [o.name, o.value]) : []), outputs, 'the clone answers Browse as the camera did');
    } finally {
      await hosted?.stop();
      explorer.dispose();
      await camera.close();
    }
  });
});
