// Play To's renderer client against the simulated renderer, inside the isolated namespace: the
// Sink list read from its ConnectionManager picks the camera photo's JPEG; SetAVTransportURI and
// Play reach it with the DIDL-Lite intact, and its LastChange events (through our GENA client)
// bring the Now Playing state to PLAYING with the title; Pause, Stop and volume round-trip; faults
// carry their AV meaning; what its SCPD lacks is refused before anything is sent; every call is
// handed to the history with its arguments; Play Next queues on a renderer that has
// SetNextAVTransportURI, and the event names what is next.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDidl } from '../../src/core/av/didl';
import { chooseResource, metadataForItem } from '../../src/core/av/playTo';
import { RendererClient, RendererError, applyLastChange, rendererServices } from '../../src/core/av/renderer';
import type { NowPlaying, RendererService } from '../../src/core/av/renderer';
import { GenaClient } from '../../src/core/gena/client';
import { startSimulatedRenderer } from '../devices/renderer';
import type { SimulatedRenderer } from '../devices/renderer';
import { assertIsolatedNetwork } from '../harness/netns';
import { describeDevice } from '../harness/renderers';

const photo = parseDidl(readFileSync(path.join(__dirname, '..', 'fixtures', 'didl', 'leica-browse-result.didl.xml'), 'utf8')).objects[0]!;

describe('Play To against the simulated renderer', () => {
  let renderer: SimulatedRenderer;
  let services: RendererService[];
  let udn: string;

  before(async () => {
    assertIsolatedNetwork('play-to.test.ts');
    renderer = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1' });
    ({ udn, services } = await describeDevice(renderer.location));
  });

  after(async () => {
    await renderer?.stop();
  });

  it('plays the photo\'s JPEG, and its events bring PLAYING with the title; Pause, Stop and volume follow', async () => {
    const calls: string[] = [];
    const client = new RendererClient(rendererServices(services)!, { onExchange: (_s, action, args, result) => calls.push(`${action}(${Object.keys(args).join(',')}) ${result.outcome.kind}`) });
    const choice = chooseResource(photo, await client.sinkProtocols());
    assert.ok(choice.ok);
    assert.equal(choice.resource.uri, 'http://192.168.54.1:50001/DL01010972.JPG');

    const gena = new GenaClient({ callbackAddress: '127.0.0.1' });
    let state: NowPlaying = {};
    const states: string[] = [];
    let chain = Promise.resolve();
    gena.onActivity((a) => {
      if (a.type !== 'event' || !a.event.lastChange) return;
      const change = a.event.lastChange;
      chain = chain.then(async () => { state = await applyLastChange(state, change); if (state.transportState && states.at(-1) !== state.transportState) states.push(state.transportState); });
    });
    const wait = async (test: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await chain;
      assert.ok(test(), `${what}; state ${JSON.stringify(state)}`);
    };
    try {
      for (const s of services.filter((x) => /AVTransport|RenderingControl/.test(x.service.serviceType))) {
        await gena.subscribe({ eventSubUrl: s.service.eventSubUrl, deviceUdn: udn, serviceId: s.service.serviceId, serviceType: s.service.serviceType });
      }
      await wait(() => state.transportState === 'NO_MEDIA_PRESENT' && state.volume === 30, 'the initial events');

      const metadata = metadataForItem(photo, choice.resource);
      await client.setUri(choice.resource.uri, metadata);
      await client.play();
      await wait(() => state.transportState === 'PLAYING', 'PLAYING through LastChange');
      assert.equal(state.title, '101-0972');
      assert.equal(state.uri, choice.resource.uri);
      assert.equal(renderer.state().metadata, metadata, 'the DIDL-Lite reached the renderer as sent');
      assert.deepEqual(state.actions, ['Stop', 'Pause', 'Seek']);

      await client.pause();
      await wait(() => state.transportState === 'PAUSED_PLAYBACK', 'paused');
      await client.stop();
      await wait(() => state.transportState === 'STOPPED', 'stopped');
      assert.deepEqual(states, ['NO_MEDIA_PRESENT', 'STOPPED', 'PLAYING', 'PAUSED_PLAYBACK', 'STOPPED']);

      await client.setVolume(57);
      assert.equal(await client.volume(), 57);
      await wait(() => state.volume === 57, 'the volume event');
      await client.setMute(true);
      assert.equal(await client.mute(), true);
      await wait(() => state.mute === true, 'the mute event');
    } finally {
      await gena.close();
    }
    assert.deepEqual(calls.slice(0, 4), ['GetProtocolInfo() ok', 'SetAVTransportURI(InstanceID,CurrentURI,CurrentURIMetaData) ok', 'Play(InstanceID,Speed) ok', 'Pause(InstanceID) ok']);
  });

  it('names the fault\'s meaning, and refuses what the SCPD lacks before sending', async () => {
    const calls: string[] = [];
    const client = new RendererClient(rendererServices(services)!, { onExchange: (_s, action, _a, result) => calls.push(`${action} ${result.outcome.kind}`) });
    await assert.rejects(client.next(), (err: unknown) => err instanceof RendererError && err.code === 711 && err.message === 'Next failed: UPnP error 711 Illegal seek target.');
    await client.stop().catch(() => undefined);
    await assert.rejects(client.pause(), /Pause failed: UPnP error 701 Transition not available\./);
    assert.equal(client.has('SetNextAVTransportURI'), false);
    await assert.rejects(client.setNextUri('http://h/x.jpg', ''), /The renderer's AVTransport does not offer SetNextAVTransportURI\./);
    assert.deepEqual(calls.filter((c) => c.startsWith('SetNext')), [], 'nothing was sent for it');
    assert.ok(calls.includes('Next fault'), 'faults are handed to the history too');
  });

  it('queues the next item where the renderer has SetNextAVTransportURI, and its event names it', async () => {
    const queueing = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1', queue: true, udn: 'uuid:0b7a3c2e-9d41-4f6a-8c55-2f1e0d9c8b72' });
    const gena = new GenaClient({ callbackAddress: '127.0.0.1' });
    try {
      const description = await describeDevice(queueing.location);
      const list = description.services;
      const client = new RendererClient(rendererServices(list)!);
      assert.equal(client.has('SetNextAVTransportURI'), true);
      let state: NowPlaying = {};
      let chain = Promise.resolve();
      gena.onActivity((a) => {
        if (a.type === 'event' && a.event.lastChange) { const c = a.event.lastChange; chain = chain.then(async () => { state = await applyLastChange(state, c); }); }
      });
      const avt = list.find((s) => /AVTransport/.test(s.service.serviceType))!.service;
      await gena.subscribe({ eventSubUrl: avt.eventSubUrl, deviceUdn: description.udn, serviceId: avt.serviceId, serviceType: avt.serviceType });
      const second = parseDidl(readFileSync(path.join(__dirname, '..', 'fixtures', 'didl', 'leica-browse-result.didl.xml'), 'utf8')).objects[1]!;
      const choice = chooseResource(second, await client.sinkProtocols());
      assert.ok(choice.ok);
      await client.setNextUri(choice.resource.uri, metadataForItem(second, choice.resource));
      const deadline = Date.now() + 5000;
      while (state.nextTitle === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await chain;
      assert.deepEqual([state.nextUri, state.nextTitle], [choice.resource.uri, '101-0976']);
      assert.equal(queueing.state().nextUri, choice.resource.uri);
    } finally {
      await gena.close();
      await queueing.stop();
    }
  });

  it('drives a renderer whose SCPDs could not be read with the standard arguments', async () => {
    const bare = new RendererClient(rendererServices(services.map((s) => ({ service: s.service })))!);
    assert.equal(bare.has('Play'), true);
    assert.equal(bare.has('Pause'), false, 'optional actions need an SCPD to be offered');
    await bare.setUri('http://127.0.0.1:9/a.jpg', '');
    await bare.play();
    assert.equal((await bare.transportInfo()).state, 'PLAYING');
    await bare.stop();
  });
});
