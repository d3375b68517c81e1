// Invoking actions over real HTTP: on the simulated Leica Q3 (Browse with the Leica vendor
// argument, DestroyObject, a 701 fault) and on Debian's real minidlna. The devices announce
// themselves over SSDP, so this runs only inside an isolated namespace:
//   scripts/netns.sh node --import tsx --test test/integration/soap.test.ts

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fetchBytes } from '../../src/core/http/fetch';
import { parseDeviceDescription } from '../../src/core/description/device';
import { parseScpd } from '../../src/core/description/scpd';
import type { Action, ServiceDescription, ServiceScpd } from '../../src/core/description/model';
import { decodeText, parseXml } from '../../src/core/xml/xml';
import type { XmlElement } from '../../src/core/xml/xml';
import { invokeAction } from '../../src/core/soap/invoke';
import type { InvokeOutcome, InvokeResult } from '../../src/core/soap/invoke';
import { assertIsolatedNetwork } from '../harness/netns';
import { startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { startMinidlna } from '../harness/minidlna';
import type { RunningMinidlna } from '../harness/minidlna';

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const LEICA_NS = { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' };
const BROWSE_ROOT = { ObjectID: '0', BrowseFlag: 'BrowseDirectChildren', Filter: '*', StartingIndex: '0', RequestedCount: '50', SortCriteria: '' };

interface Service { readonly service: ServiceDescription; readonly scpd: ServiceScpd; action(name: string): Action }

/** Reads a device the way the explorer does: description, then the service's SCPD. */
async function contentDirectory(location: string): Promise<Service> {
  const desc = parseDeviceDescription(decodeText((await fetchBytes(location)).body), location);
  const service = desc.device.services.find((s) => s.serviceType === CDS);
  assert.ok(service, `${location} has no ContentDirectory:1`);
  const scpd = parseScpd(decodeText((await fetchBytes(service.scpdUrl)).body), service.scpdUrl);
  return {
    service,
    scpd,
    action(name: string): Action {
      const found = scpd.actions.find((a) => a.name === name);
      assert.ok(found, `SCPD has no ${name}`);
      return found;
    },
  };
}

function expectKind<K extends InvokeOutcome['kind']>(result: InvokeResult, kind: K): Extract<InvokeOutcome, { kind: K }> {
  assert.equal(result.outcome.kind, kind, `${JSON.stringify(result.outcome)}\n${result.exchange.response?.body ?? '(no answer)'}`);
  return result.outcome as Extract<InvokeOutcome, { kind: K }>;
}

function output(outcome: Extract<InvokeOutcome, { kind: 'ok' }>, name: string): string {
  const found = outcome.outputs.find((o) => o.name === name);
  assert.ok(found, `no output ${name} in ${JSON.stringify(outcome.outputs)}`);
  return found.value;
}

function didlObjects(result: string): readonly XmlElement[] {
  const didl = parseXml(result, 'Result');
  assert.equal(didl.localName, 'DIDL-Lite');
  return didl.children;
}

describe('SOAP against the simulated Leica Q3', () => {
  let camera: SimulatedCamera;
  let cds: Service;
  before(async () => {
    assertIsolatedNetwork('SOAP integration test (simulated camera)');
    camera = await startSimulatedCamera();
    cds = await contentDirectory(camera.location);
  });
  after(async () => { await camera?.stop(); });

  const browse = (objectId = '0'): Promise<InvokeResult> => invokeAction({
    controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('Browse'),
    args: { ...BROWSE_ROOT, ObjectID: objectId },
    extraArgs: [{ name: 'X_FromCP', value: 'Leica Q3', namespace: LEICA_NS }],
    timeoutMs: 5000,
  });

  it('Browse with the vendor argument returns both photos as DIDL-Lite', async () => {
    const result = await browse();
    const ok = expectKind(result, 'ok');
    assert.deepEqual(ok.outputs.map((o) => o.name), ['Result', 'NumberReturned', 'TotalMatches', 'UpdateID']);
    assert.equal(output(ok, 'NumberReturned'), '2');
    assert.equal(output(ok, 'TotalMatches'), '2');
    assert.deepEqual(didlObjects(output(ok, 'Result')).map((i) => i.attributes['id']), ['01010972', '01010976']);
    assert.deepEqual(ok.problems, []);
    assert.match(result.exchange.request.body, /<leica:X_FromCP>Leica Q3<\/leica:X_FromCP>/);
    assert.equal(result.exchange.response?.headers['server'], 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0');
  });

  it('DestroyObject removes one photo; the next Browse shows the other one', async () => {
    const destroyed = await invokeAction({
      controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('DestroyObject'), args: { ObjectID: '01010976' },
    });
    assert.deepEqual(expectKind(destroyed, 'ok').outputs, []);
    assert.deepEqual(camera.objectIds(), ['01010972']);

    const ok = expectKind(await browse(), 'ok');
    assert.equal(output(ok, 'NumberReturned'), '1');
    assert.deepEqual(didlObjects(output(ok, 'Result')).map((i) => i.attributes['id']), ['01010972']);
    assert.equal(output(ok, 'UpdateID'), '2');
  });

  it('an unknown ObjectID is UPnP error 701, "No such object"', async () => {
    const result = await browse('99999999');
    const fault = expectKind(result, 'fault');
    assert.equal(fault.httpStatus, 500);
    assert.deepEqual(fault.upnpError, { code: 701, description: 'No such object', meaning: 'No such object' });
    assert.equal(result.exchange.response?.status, 500);
  });

  it('deleting the same photo twice is a 701 too', async () => {
    const fault = expectKind(await invokeAction({
      controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('DestroyObject'), args: { ObjectID: '01010976' },
    }), 'fault');
    assert.equal(fault.upnpError.code, 701);
  });
});

describe('SOAP against a real minidlna', () => {
  let minidlna: RunningMinidlna;
  let cds: Service;
  before(async () => {
    assertIsolatedNetwork('SOAP integration test (minidlna)');
    // Its own port, so a minidlna left over from another suite cannot answer in its place.
    minidlna = await startMinidlna({ friendlyName: 'soap-peer', port: 8211 });
    cds = await contentDirectory(minidlna.location);
  });
  after(async () => { await minidlna?.stop(); });

  it('GetSearchCapabilities lists what minidlna can search by', async () => {
    const ok = expectKind(await invokeAction({
      controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('GetSearchCapabilities'),
    }), 'ok');
    assert.deepEqual(ok.outputs.map((o) => o.name), ['SearchCaps']);
    const caps = output(ok, 'SearchCaps').split(',');
    for (const cap of ['dc:title', 'upnp:class', '@id']) assert.ok(caps.includes(cap), `SearchCaps ${caps.join(',')} lacks ${cap}`);
    assert.deepEqual(ok.problems, []);
  });

  it('Browse of ObjectID 0 lists the top containers', async () => {
    const result = await invokeAction({
      controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('Browse'), args: BROWSE_ROOT,
    });
    const ok = expectKind(result, 'ok');
    assert.deepEqual(ok.outputs.map((o) => o.name), ['Result', 'NumberReturned', 'TotalMatches', 'UpdateID']);
    const objects = didlObjects(output(ok, 'Result'));
    assert.equal(String(objects.length), output(ok, 'NumberReturned'));
    // The same four containers as in test/fixtures/soap/minidlna-browse-0-response.http.
    assert.deepEqual(objects.map((o) => [o.localName, o.attributes['id']]).sort(),
      [['container', '1'], ['container', '2'], ['container', '3'], ['container', '64']]);
    assert.equal(result.exchange.response?.headers['server']?.includes('MiniDLNA'), true);
  });

  it('an unknown ObjectID: HTTP 500 with UPnP error 701 "No such object error"', async () => {
    // Recorded in test/fixtures/soap/minidlna-fault-unknown-object.http.
    const result = await invokeAction({
      controlUrl: cds.service.controlUrl, serviceType: CDS, action: cds.action('Browse'), args: { ...BROWSE_ROOT, ObjectID: 'does-not-exist' },
    });
    const fault = expectKind(result, 'fault');
    assert.equal(fault.httpStatus, 500);
    assert.deepEqual(fault.upnpError, { code: 701, description: 'No such object error', meaning: 'No such object' });
    assert.deepEqual(fault.problems, []);
    assert.ok(result.exchange.response?.body.startsWith('<s:Envelope'), 'minidlna sends its faults without an XML declaration');
  });
});
