// GENA end to end inside the isolated namespace: the simulated Leica Q3 (captured events, SEQ gaps,
// renewal, reboot), the simulated MediaRenderer (LastChange), Debian's real gupnp-network-light
// (SwitchPower events after SetTarget) and a real minidlna (accepts SUBSCRIBE, never sends NOTIFY).
//   scripts/netns.sh --veth node --import tsx --test test/integration/gena.test.ts

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import { fetchBytes } from '../../src/core/http/fetch';
import { parseDeviceDescription } from '../../src/core/description/device';
import { parseScpd } from '../../src/core/description/scpd';
import type { Action, ServiceDescription } from '../../src/core/description/model';
import { decodeText } from '../../src/core/xml/xml';
import { invokeAction } from '../../src/core/soap/invoke';
import { GenaClient, GenaError } from '../../src/core/gena/client';
import type { GenaActivity, GenaClientOptions, GenaEvent } from '../../src/core/gena/client';
import type { LastChangeVariable } from '../../src/core/gena/propertyset';
import { assertIsolatedNetwork } from '../harness/netns';
import { startMinidlna } from '../harness/minidlna';
import type { RunningMinidlna } from '../harness/minidlna';
import { startNetworkLight } from '../harness/networkLight';
import type { RunningNetworkLight } from '../harness/networkLight';
import { CAPTURED_VENDOR_EVENTS, startSimulatedCamera } from '../devices/camera';
import type { SimulatedCamera } from '../devices/camera';
import { CAMERA_SOURCE_PROTOCOL_INFO } from '../devices/camera-data/scpd';
import { startSimulatedRenderer } from '../devices/renderer';
import { SWITCH_POWER_TYPE, startSimulatedLight } from '../devices/light';
import type { SimulatedLight } from '../devices/light';
import type { SimulatedRenderer } from '../devices/renderer';

type Kind = GenaActivity['type'];
type Of<K extends Kind> = Extract<GenaActivity, { type: K }>;

/** A GenaClient whose activities are recorded and can be awaited. */
class Recorder {
  readonly all: GenaActivity[] = [];
  private readonly waiters = new Set<() => void>();
  readonly client: GenaClient;

  constructor(options: GenaClientOptions = {}) {
    this.client = new GenaClient(options);
    this.client.onActivity((a) => {
      this.all.push(a);
      for (const w of [...this.waiters]) w();
    });
  }

  of<K extends Kind>(type: K): Of<K>[] {
    return this.all.filter((a): a is Of<K> => a.type === type);
  }

  events(subscriptionId: string): GenaEvent[] {
    return this.of('event').filter((a) => a.subscription.id === subscriptionId).map((a) => a.event);
  }

  /** Resolves with the first recorded activity of this type matching `pred` (now or later). */
  wait<K extends Kind>(type: K, pred: (a: Of<K>) => boolean = () => true, timeoutMs = 8000): Promise<Of<K>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.of(type).find(pred);
        if (found) { this.waiters.delete(waiter); clearTimeout(timer); resolve(found); }
        return !!found;
      };
      const waiter = (): void => { check(); };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching ${type} within ${timeoutMs} ms; got: ${this.all.map((a) => a.type).join(', ')}`));
      }, timeoutMs);
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Waits until the subscription has `count` events. */
  async eventsOf(subscriptionId: string, count: number, timeoutMs = 8000): Promise<GenaEvent[]> {
    await this.wait('event', () => this.events(subscriptionId).length >= count, timeoutMs);
    return this.events(subscriptionId);
  }
}

interface Described { readonly service: ServiceDescription; action(name: string): Promise<Action> }

async function serviceOf(location: string, serviceType: string): Promise<Described> {
  const desc = parseDeviceDescription(decodeText((await fetchBytes(location)).body), location);
  const service = [desc.device, ...desc.device.devices].flatMap((d) => d.services).find((s) => s.serviceType === serviceType);
  assert.ok(service, `${location} has no ${serviceType}`);
  return {
    service,
    async action(name: string): Promise<Action> {
      const scpd = parseScpd(decodeText((await fetchBytes(service.scpdUrl)).body), service.scpdUrl);
      const found = scpd.actions.find((a) => a.name === name);
      assert.ok(found, `${service.scpdUrl} has no ${name}`);
      return found;
    },
  };
}

async function invokeOk(d: Described, name: string, args: Record<string, string>): Promise<void> {
  const result = await invokeAction({ controlUrl: d.service.controlUrl, serviceType: d.service.serviceType, action: await d.action(name), args, timeoutMs: 5000 });
  assert.equal(result.outcome.kind, 'ok', `${name}: ${JSON.stringify(result.outcome)}`);
}

const pairs = (e: GenaEvent): Array<[string, string]> => e.variables.map((v) => [v.name, v.value]);
const lastChangeVars = (e: GenaEvent): readonly LastChangeVariable[] => e.lastChange?.instances.find((i) => i.instanceId === '0')?.variables ?? [];
const lcValue = (e: GenaEvent, name: string): string | undefined => lastChangeVars(e).find((v) => v.name === name)?.value;

const CMS = 'urn:schemas-upnp-org:service:ConnectionManager:1';
const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';

describe('GENA with the simulated Leica Q3', () => {
  let camera: SimulatedCamera;
  let cms: Described;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (simulated camera)');
    camera = await startSimulatedCamera();
    cms = await serviceOf(camera.location, CMS);
  });
  after(async () => { await camera?.stop(); });

  it('asked 200, granted 300, SID = the UDN; the initial event and the vendor events arrive in order, as captured', async () => {
    const r = new Recorder({ requestedTimeoutSeconds: 200 });
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cms.service.eventSubUrl, deviceUdn: camera.udn, serviceId: cms.service.serviceId });
      assert.equal(sub.sid, camera.udn);
      assert.equal(sub.grantedTimeout, 300);
      assert.equal(camera.cmsEvents.requests[0]?.requestedTimeout, 'Second-200');
      const [initial] = await r.eventsOf(sub.id, 1);
      assert.equal(initial!.seq, 0);
      assert.deepEqual(pairs(initial!), [['SourceProtocolInfo', CAMERA_SOURCE_PROTOCOL_INFO], ['SinkProtocolInfo', ''], ['CurrentConnectionIDs', '0']]);
      // Same bytes as the capture's CONTENT-LENGTH.
      assert.equal(Buffer.byteLength(initial!.body), 1096);
      for (const [name, value] of CAPTURED_VENDOR_EVENTS) await camera.sendVendorEvent(name, value);
      const events = await r.eventsOf(sub.id, 4);
      assert.deepEqual(events.map((e) => [e.seq, ...pairs(e)[0]!]), [
        [0, 'SourceProtocolInfo', CAMERA_SOURCE_PROTOCOL_INFO],
        [1, 'X_Leica_Cam_Sync', 'lens_Update'],
        [2, 'X_Leica_Cam_PRec', 'ok'],
        [3, 'X_Leica_Cam_VRec', 'start'],
      ]);
      assert.equal(Buffer.byteLength(events[1]!.body), 163);
      assert.ok(events.every((e) => e.missed === undefined && !e.duplicate && e.problems.length === 0));
    } finally {
      await r.client.close();
    }
  });

  it('the gaps of the capture (SEQ 1, 8, 10) are reported as missed events', async () => {
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cms.service.eventSubUrl });
      await r.eventsOf(sub.id, 1);
      await camera.sendVendorEvent('X_Leica_Cam_Sync', 'lens_Update');
      camera.skipEventSeq(6);
      await camera.sendVendorEvent('X_Leica_Cam_PRec', 'ok');
      camera.skipEventSeq(1);
      await camera.sendVendorEvent('X_Leica_Cam_VRec', 'start');
      const events = await r.eventsOf(sub.id, 4);
      assert.deepEqual(events.map((e) => [e.seq, e.missed]), [[0, undefined], [1, undefined], [8, 6], [10, 1]]);
      assert.match(events[2]!.problems.join('\n'), /6 events were missed: expected SEQ 2, got 8/);
      assert.match(events[3]!.problems.join('\n'), /1 event was missed: expected SEQ 9, got 10/);
    } finally {
      await r.client.close();
    }
  });

  it('ContentDirectory eventing is not offered: the refusal names the URL and status', async () => {
    const cds = await serviceOf(camera.location, CDS);
    const client = new GenaClient();
    try {
      await assert.rejects(client.subscribe({ eventSubUrl: cds.service.eventSubUrl }), (err: unknown) =>
        err instanceof GenaError && err.status === 405 && err.message.includes(cds.service.eventSubUrl));
    } finally {
      await client.close();
    }
  });
});

describe('GENA renewal and reboot (camera granting Second-3)', () => {
  let camera: SimulatedCamera;
  let cms: Described;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (short-lived camera subscriptions)');
    camera = await startSimulatedCamera({ eventTimeoutSeconds: 3, friendlyName: 'Leica Q3-short' });
    cms = await serviceOf(camera.location, CMS);
  });
  after(async () => { await camera?.stop(); });

  it('renews before the 3 s granted run out, keeping the SID; events keep flowing', async () => {
    const r = new Recorder({ requestedTimeoutSeconds: 200 });
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cms.service.eventSubUrl });
      assert.equal(sub.grantedTimeout, 3);
      await r.wait('renewed', (a) => a.subscription.renewals === 2, 8000);
      const renewals = camera.cmsEvents.requests.filter((q) => q.kind === 'renew');
      assert.ok(renewals.length >= 2);
      assert.ok(renewals.every((q) => q.sid === camera.udn && q.status === 200));
      // Past two grants of 3 s, the camera still has us because the renewals came in time.
      assert.ok(Date.now() - camera.cmsEvents.requests[0]!.at > 3000);
      assert.equal(camera.cmsEvents.subscribers().length, 1);
      await camera.sendVendorEvent('X_Leica_Cam_Sync', 'update');
      const events = await r.eventsOf(sub.id, 2);
      assert.deepEqual(events.map((e) => e.seq), [0, 1]);
      assert.equal(r.of('renewalFailed').length, 0);
    } finally {
      await r.client.close();
    }
  });

  it('after a reboot the renewal gets 412; a fresh subscription follows and is reported', async () => {
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cms.service.eventSubUrl });
      await r.eventsOf(sub.id, 1);
      await camera.sendVendorEvent('X_Leica_Cam_Sync', 'busy');
      await r.eventsOf(sub.id, 2);
      camera.reboot();
      const failed = await r.wait('renewalFailed');
      assert.equal(failed.status, 412);
      const again = await r.wait('resubscribed');
      assert.equal(again.previousSid, camera.udn);
      assert.equal(again.sid, camera.udn);
      assert.equal(again.subscription.id, sub.id);
      // The fresh subscription starts a new series at SEQ 0, which is not a loss.
      const events = await r.eventsOf(sub.id, 3);
      assert.deepEqual(events.map((e) => [e.seq, e.missed]), [[0, undefined], [1, undefined], [0, undefined]]);
      assert.equal(camera.cmsEvents.subscribers().length, 1);
    } finally {
      await r.client.close();
    }
  });
});

describe('GENA with the simulated MediaRenderer', () => {
  let renderer: SimulatedRenderer;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (simulated renderer)');
    renderer = await startSimulatedRenderer();
  });
  after(async () => { await renderer?.stop(); });

  it('AVTransport LastChange: STOPPED with the track metadata after SetAVTransportURI, then PLAYING', async () => {
    const avt = await serviceOf(renderer.location, 'urn:schemas-upnp-org:service:AVTransport:1');
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: avt.service.eventSubUrl, serviceType: avt.service.serviceType });
      const [initial] = await r.eventsOf(sub.id, 1);
      assert.equal(initial!.lastChange?.namespaceUri, 'urn:schemas-upnp-org:metadata-1-0/AVT/');
      assert.equal(lcValue(initial!, 'TransportState'), 'NO_MEDIA_PRESENT');

      const didl = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
        'xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/"><item id="1" parentID="0" restricted="1"><dc:title>Big Buck Bunny</dc:title>' +
        '<upnp:class>object.item.videoItem</upnp:class><res protocolInfo="http-get:*:video/mp4:*">http://127.0.0.1:9/bbb.mp4</res></item></DIDL-Lite>';
      await invokeOk(avt, 'SetAVTransportURI', { InstanceID: '0', CurrentURI: 'http://127.0.0.1:9/bbb.mp4', CurrentURIMetaData: didl });
      const stopped = (await r.eventsOf(sub.id, 2))[1]!;
      assert.equal(stopped.seq, 1);
      assert.equal(lcValue(stopped, 'TransportState'), 'STOPPED');
      assert.equal(lcValue(stopped, 'CurrentTrackURI'), 'http://127.0.0.1:9/bbb.mp4');
      const meta = lastChangeVars(stopped).find((v) => v.name === 'CurrentTrackMetaData');
      assert.equal(meta?.value, didl);
      assert.equal(meta?.didl?.summary, '"Big Buck Bunny" (object.item.videoItem)');
      assert.equal(lastChangeVars(stopped).find((v) => v.name === 'AVTransportURIMetaData')?.didl?.objects[0]?.title, 'Big Buck Bunny');

      await invokeOk(avt, 'Play', { InstanceID: '0', Speed: '1' });
      const playing = (await r.eventsOf(sub.id, 3))[2]!;
      assert.equal(playing.seq, 2);
      assert.equal(lcValue(playing, 'TransportState'), 'PLAYING');
      assert.deepEqual(playing.problems, []);
      assert.equal(renderer.state().transportState, 'PLAYING');
    } finally {
      await r.client.close();
    }
  });

  it('RenderingControl LastChange: Volume on channel Master', async () => {
    const rcs = await serviceOf(renderer.location, 'urn:schemas-upnp-org:service:RenderingControl:1');
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: rcs.service.eventSubUrl });
      await r.eventsOf(sub.id, 1);
      await invokeOk(rcs, 'SetVolume', { InstanceID: '0', Channel: 'Master', DesiredVolume: '42' });
      const change = (await r.eventsOf(sub.id, 2))[1]!;
      assert.equal(change.lastChange?.namespaceUri, 'urn:schemas-upnp-org:metadata-1-0/RCS/');
      assert.deepEqual(lastChangeVars(change).map((v) => [v.name, v.channel, v.value]), [['Volume', 'Master', '42']]);
    } finally {
      await r.client.close();
    }
  });
});

describe('GENA with the simulated light (the demo\'s)', () => {
  let light: SimulatedLight;
  let r: Recorder;
  before(async () => {
    light = await startSimulatedLight({ interfaceAddress: '127.0.0.1', announce: false, answerSearch: false });
    r = new Recorder({});
  });
  after(async () => {
    await r?.client.close();
    await light?.stop();
  });

  it('events like a real light: Status and LoadLevelStatus initially and on every change', async () => {
    const power = await serviceOf(light.location, SWITCH_POWER_TYPE);
    const dimming = await serviceOf(light.location, 'urn:schemas-upnp-org:service:Dimming:1');
    const p = await r.client.subscribe({ eventSubUrl: power.service.eventSubUrl });
    const d = await r.client.subscribe({ eventSubUrl: dimming.service.eventSubUrl });
    assert.deepEqual(pairs((await r.eventsOf(p.id, 1))[0]!), [['Status', '0']]);
    assert.deepEqual(pairs((await r.eventsOf(d.id, 1))[0]!), [['LoadLevelStatus', '0']]);
    await invokeOk(power, 'SetTarget', { newTargetValue: '1' });
    await invokeOk(dimming, 'SetLoadLevelTarget', { newLoadlevelTarget: '42' });
    assert.deepEqual(pairs((await r.eventsOf(p.id, 2))[1]!), [['Status', '1']]);
    assert.deepEqual(pairs((await r.eventsOf(d.id, 2))[1]!), [['LoadLevelStatus', '42']]);
    // No change, no event.
    await invokeOk(power, 'SetTarget', { newTargetValue: '1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(r.events(p.id).length, 2);
  });
});

describe('GENA with a real gupnp-network-light', () => {
  let light: RunningNetworkLight;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (gupnp-network-light)');
    light = await startNetworkLight();
  });
  after(async () => { await light?.stop(); });

  it('subscribes to SwitchPower; SetTarget brings Status change events', async () => {
    const power = await serviceOf(light.location, 'urn:schemas-upnp-org:service:SwitchPower:1');
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: power.service.eventSubUrl, deviceUdn: light.udn });
      assert.match(sub.sid, /^uuid:/);
      assert.equal(sub.grantedTimeout, 300); // gupnp grants 300 s whatever is asked
      const [initial] = await r.eventsOf(sub.id, 1);
      assert.equal(initial!.seq, 0);
      assert.deepEqual(pairs(initial!), [['Status', '0']]);
      await invokeOk(power, 'SetTarget', { newTargetValue: '1' });
      const on = (await r.eventsOf(sub.id, 2))[1]!;
      assert.deepEqual([on.seq, ...pairs(on)], [1, ['Status', '1']]);
      await invokeOk(power, 'SetTarget', { newTargetValue: '0' });
      const off = (await r.eventsOf(sub.id, 3))[2]!;
      assert.deepEqual([off.seq, ...pairs(off)], [2, ['Status', '0']]);
      assert.ok(r.events(sub.id).every((e) => e.problems.length === 0 && e.missed === undefined));
      await r.client.unsubscribe(sub.id);
      assert.deepEqual(r.of('unsubscribed').map((u) => [u.reason, u.status]), [['requested', 200]]);
    } finally {
      await r.client.close();
    }
  });
});

describe('GENA with a real minidlna', () => {
  let minidlna: RunningMinidlna;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (minidlna)');
    minidlna = await startMinidlna({ friendlyName: 'gena-peer', port: 8212 });
  });
  after(async () => { await minidlna?.stop(); });

  it('accepts SUBSCRIBE but sends no initial event: the diagnosis names the callback URL', async () => {
    const cds = await serviceOf(minidlna.location, CDS);
    const r = new Recorder({ initialEventTimeoutMs: 2000 });
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cds.service.eventSubUrl });
      assert.match(sub.sid, /^uuid:/);
      const diag = await r.wait('noInitialEvent', () => true, 6000);
      assert.equal(diag.subscription.id, sub.id);
      assert.ok(diag.message.includes(sub.callbackUrl), diag.message);
      assert.match(diag.message, /within 2 s after SUBSCRIBE was accepted/);
      assert.match(diag.message, /our address 127\.0\.0\.1 on lo/);
      assert.equal(r.of('event').length, 0);
    } finally {
      await r.client.close();
    }
  });
});

describe('GENA on the in-namespace veth, and shutdown', () => {
  let camera: SimulatedCamera;
  let renderer: SimulatedRenderer;
  before(async () => {
    assertIsolatedNetwork('GENA integration test (veth)');
    assert.ok(os.networkInterfaces()['upnpv0'], 'run through scripts/netns.sh --veth: this suite needs the upnpv0/upnpv1 pair');
    camera = await startSimulatedCamera({ interfaceAddress: '10.99.0.1', friendlyName: 'Leica Q3-veth' });
    renderer = await startSimulatedRenderer();
  });
  after(async () => {
    await camera?.stop();
    await renderer?.stop();
  });

  it('the callback listens on the address the device is reached from, not on loopback', async () => {
    const cms = await serviceOf(camera.location, CMS);
    const r = new Recorder();
    try {
      const sub = await r.client.subscribe({ eventSubUrl: cms.service.eventSubUrl });
      assert.equal(sub.localAddress, '10.99.0.1');
      assert.equal(sub.interfaceName, 'upnpv0');
      assert.match(sub.callbackUrl, /^http:\/\/10\.99\.0\.1:\d+\/gena\//);
      assert.equal((await r.eventsOf(sub.id, 1))[0]!.seq, 0);
    } finally {
      await r.client.close();
    }
  });

  it('close() unsubscribes from every device within the 2 s bound', async () => {
    const r = new Recorder();
    const cms = await serviceOf(camera.location, CMS);
    const avt = await serviceOf(renderer.location, 'urn:schemas-upnp-org:service:AVTransport:1');
    const rcs = await serviceOf(renderer.location, 'urn:schemas-upnp-org:service:RenderingControl:1');
    for (const s of [cms, avt, rcs]) await r.client.subscribe({ eventSubUrl: s.service.eventSubUrl });
    await r.wait('event', () => r.of('event').length >= 3);
    const started = Date.now();
    await r.client.close();
    assert.ok(Date.now() - started < 2000, `close took ${Date.now() - started} ms`);
    assert.deepEqual(r.of('unsubscribed').map((u) => [u.reason, u.status]), [['shutdown', 200], ['shutdown', 200], ['shutdown', 200]]);
    assert.equal(camera.cmsEvents.subscribers().length, 0);
    assert.equal(renderer.avTransportEvents.subscribers().length, 0);
    assert.equal(renderer.renderingControlEvents.subscribers().length, 0);
  });
});
