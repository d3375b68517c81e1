// Play To against real renderers from Debian, fed by a real minidlna, inside the isolated
// namespace (gmediarender needs the veth pair: libupnp will not serve on loopback):
//   scripts/netns.sh --veth -- node --import tsx --test test/integration/play-to-renderers.test.ts
//
// For gmediarender (libupnp 1.8, AVTransport:1) and rygel's Playbin renderer (GUPnP, AVTransport:2),
// each playing into GStreamer fakesinks that keep real time: the description and SCPDs are read,
// rendererServices() finds the services, the Sink list of GetProtocolInfo is read, minidlna is
// browsed to a generated 30 s WAV and a generated JPEG, chooseResource() picks what to send and
// SetAVTransportURI + Play send it with metadataForItem()'s DIDL-Lite. The state is followed only
// through the renderers' LastChange events (our GENA client, applyLastChange): PLAYING with the
// title, PAUSED_PLAYBACK, STOPPED. The position comes from GetPositionInfo (RelativeTimePosition
// is not evented): it advances while playing, holds while paused and lands where Seek REL_TIME
// sent it. Volume and mute round-trip and are evented. What each renderer does with a still image
// is asserted as observed (and as its source says): gmediarender plays it to its end of stream
// at once, so PLAYING → STOPPED and it forgets the URI; rygel shows it as PLAYING until Stop and
// refuses Pause (701) and Seek (710). Last, gmediarender limited to audio (--mime-filter audio)
// is offered the JPEG and chooseResource() says why nothing can play.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DidlObject } from '../../src/core/av/didl';
import { chooseResource, metadataForItem } from '../../src/core/av/playTo';
import type { ProtocolInfo } from '../../src/core/av/protocolInfo';
import { RendererClient, RendererError, applyLastChange, parseDuration, rendererServices } from '../../src/core/av/renderer';
import type { NowPlaying } from '../../src/core/av/renderer';
import { GenaClient } from '../../src/core/gena/client';
import { controlStates } from '../../src/host/playTo/controls';
import { assertIsolatedNetwork } from '../harness/netns';
import { describeDevice, findMediaItems, startAudioPictureServer, startGmediarender, startRygelRenderer } from '../harness/renderers';
import type { DescribedDevice, RunningMediaServer, RunningRenderer } from '../harness/renderers';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The Now Playing state of one renderer, followed from its LastChange events only (AVTransport
 * and RenderingControl), applied one after another as the panel does.
 */
class Follower {
  state: NowPlaying = {};
  /** TransportState values in the order the events brought them (repeats folded). */
  readonly states: string[] = [];
  /** Every event's variable names, per service, for failure messages. */
  readonly log: string[] = [];
  private readonly gena = new GenaClient({ initialEventTimeoutMs: 5000 });
  private chain: Promise<void> = Promise.resolve();

  constructor() {
    this.gena.onActivity((a) => {
      if (a.type === 'noInitialEvent' || a.type === 'error' || a.type === 'rejectedNotify') this.log.push(`${a.type}: ${'message' in a ? a.message : a.reason}`);
      if (a.type !== 'event') return;
      const change = a.event.lastChange;
      const service = a.subscription.serviceType?.replace(/^.*:service:/, '') ?? '?';
      if (!change) {
        this.log.push(`${service} #${a.event.seq ?? '?'}: ${a.event.variables.map((v) => v.name).join(', ')} (no LastChange)`);
        return;
      }
      this.log.push(`${service} #${a.event.seq ?? '?'}: ${change.instances.flatMap((i) => i.variables.map((v) => `${v.name}=${v.value.slice(0, 60)}`)).join(' | ')}`);
      this.chain = this.chain.then(async () => {
        this.state = await applyLastChange(this.state, change);
        const t = this.state.transportState;
        if (t !== undefined && this.states.at(-1) !== t) this.states.push(t);
      });
    });
  }

  async subscribe(device: DescribedDevice): Promise<void> {
    for (const s of device.services.filter((x) => /:service:(AVTransport|RenderingControl):\d+$/.test(x.service.serviceType))) {
      await this.gena.subscribe({ eventSubUrl: s.service.eventSubUrl, deviceUdn: device.udn, serviceId: s.service.serviceId, serviceType: s.service.serviceType });
    }
  }

  /** Resolves once `test` holds for the state the events made; fails with the events seen. */
  async waitFor(test: (s: NowPlaying) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.chain;
      if (test(this.state)) return;
      if (Date.now() > deadline) assert.fail(`${what}: not seen in the events within ${timeoutMs} ms; state ${JSON.stringify(this.state)}\nevents:\n${this.log.join('\n')}`);
      await sleep(25);
    }
  }

  /** The states seen since `from` (an index into `states`), TRANSITIONING left out and repeats folded. */
  since(from: number): string[] {
    return this.states.slice(from).filter((s) => s !== 'TRANSITIONING').filter((s, i, all) => i === 0 || s !== all[i - 1]);
  }

  close(): Promise<void> {
    return this.gena.close();
  }
}

/** RelTime of GetPositionInfo in seconds (polled: it is not evented). */
async function position(client: RendererClient): Promise<number> {
  const info = await client.positionInfo();
  const seconds = parseDuration(info.relTime);
  assert.ok(seconds !== undefined, `GetPositionInfo RelTime "${info.relTime}" is not a time`);
  return seconds;
}

/** Polls the position until `test` holds (or fails with the last one). */
async function waitForPosition(client: RendererClient, test: (seconds: number) => boolean, what: string, timeoutMs = 8000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = await position(client);
  while (!test(last)) {
    if (Date.now() > deadline) assert.fail(`${what}: RelTime is ${last} s`);
    await sleep(200);
    last = await position(client);
  }
  return last;
}

const formats = (sinks: readonly ProtocolInfo[]): string[] => [...new Set(sinks.map((s) => s.contentFormat.toLowerCase()))];

interface RendererCase {
  name: string;
  start(): Promise<RunningRenderer>;
  /** The AVTransport/RenderingControl versions its description declares. */
  version: number;
  /** TransportState before anything was sent. */
  initialState: string;
  /** The DLNA profile of the sink the JPEG_SM matches (rygel lists JPEG_SM; gmediarender plain image/jpeg). */
  jpegSinkProfile?: string;
  /**
   * Volume after mute and unmute. rygel forgets it: muting sets its playbin volume to 0, and its
   * RenderingControl copies the player's volume back into its own (notify_volume_cb), so it
   * events Volume 0 with Mute 1, and unmuting restores that 0.
   */
  forgetsVolumeWhenMuted: boolean;
}

const CASES: RendererCase[] = [
  { name: 'gmediarender', start: () => startGmediarender(), version: 1, initialState: 'STOPPED', forgetsVolumeWhenMuted: false },
  { name: 'rygel (Playbin)', start: () => startRygelRenderer(), version: 2, initialState: 'NO_MEDIA_PRESENT', jpegSinkProfile: 'JPEG_SM', forgetsVolumeWhenMuted: true },
];

describe('Play To on real renderers (gmediarender, rygel) fed by a real minidlna', () => {
  let server: RunningMediaServer;
  let tone: DidlObject;
  let photo: DidlObject;
  let tone2: DidlObject;

  before(async () => {
    assertIsolatedNetwork('play-to-renderers.test.ts');
    server = await startAudioPictureServer({ moreTones: ['tone2'] });
    const items = await findMediaItems(server, ['tone', 'photo', 'tone2']);
    tone = items.get('tone')!;
    photo = items.get('photo')!;
    tone2 = items.get('tone2')!;
  });

  after(async () => {
    await server?.stop();
  });

  it('finds the generated WAV and JPEG on minidlna with the resources Play To chooses from', () => {
    assert.equal(tone.upnpClass, 'object.item.audioItem.musicTrack');
    assert.deepEqual(tone.resources.map((r) => r.protocolInfo.contentFormat), ['audio/x-wav']);
    assert.equal(tone.resources[0]!.duration, '0:00:30.000');
    assert.equal(photo.upnpClass, 'object.item.imageItem.photo');
    // The original (JPEG_SM for 320x240) and minidlna's resized thumbnail (JPEG_TN).
    assert.deepEqual(photo.resources.map((r) => [r.protocolInfo.contentFormat, r.protocolInfo.dlna?.profile]), [['image/jpeg', 'JPEG_SM'], ['image/jpeg', 'JPEG_TN']]);
  });

  for (const c of CASES) {
    describe(c.name, () => {
      let renderer: RunningRenderer;
      let device: DescribedDevice;
      let client: RendererClient;
      let sinks: ProtocolInfo[];
      let follower: Follower;
      const calls: string[] = [];

      before(async () => {
        renderer = await c.start();
        device = await describeDevice(renderer.location);
        const found = rendererServices(device.services);
        assert.ok(found, `${c.name} has an AVTransport`);
        client = new RendererClient(found, { onExchange: (_s, action, _args, result) => calls.push(`${action} ${result.outcome.kind}`) });
        follower = new Follower();
        await follower.subscribe(device);
      });

      after(async () => {
        await follower?.close();
        await renderer?.stop();
      });

      /** Fails with the renderer's own log attached. */
      const withOutput = async (body: () => Promise<void>): Promise<void> => {
        try {
          await body();
        } catch (err) {
          if (err instanceof Error) err.message += `\n--- calls: ${calls.join(', ')}\n--- ${c.name} output (last 4000 chars):\n${renderer.output().slice(-4000)}`;
          throw err;
        }
      };

      it('has the three renderer services with SCPDs, sends the initial events and says what it plays', () => withOutput(async () => {
        const found = rendererServices(device.services)!;
        assert.equal(found.avTransport.service.serviceType, `urn:schemas-upnp-org:service:AVTransport:${c.version}`);
        assert.equal(found.renderingControl?.service.serviceType, `urn:schemas-upnp-org:service:RenderingControl:${c.version}`);
        assert.equal(found.connectionManager?.service.serviceType, `urn:schemas-upnp-org:service:ConnectionManager:${c.version}`);
        for (const action of ['SetAVTransportURI', 'Play', 'Pause', 'Stop', 'Seek', 'GetPositionInfo']) assert.ok(client.has(action), `AVTransport offers ${action}`);
        for (const action of ['GetVolume', 'SetVolume', 'GetMute', 'SetMute']) assert.ok(client.has(action, 'renderingControl'), `RenderingControl offers ${action}`);

        await follower.waitFor((s) => s.transportState === c.initialState && s.volume !== undefined && s.mute !== undefined, 'the initial events of AVTransport and RenderingControl');
        assert.equal((await client.transportInfo()).state, c.initialState);

        sinks = await client.sinkProtocols();
        const mime = formats(sinks);
        for (const m of ['audio/x-wav', 'audio/mpeg', 'image/jpeg', 'image/png']) assert.ok(mime.includes(m), `${c.name}'s Sink list has ${m}: ${mime.join(' ')}`);
        assert.ok(sinks.every((s) => s.protocol === 'http-get' || s.protocol === 'rtsp' || s.protocol === 'rtsp-rtp-udp' || s.protocol === '*'), `protocols: ${[...new Set(sinks.map((s) => s.protocol))].join(' ')}`);
      }));

      it('plays the WAV: PLAYING with its title through LastChange, pause holds the position, Seek REL_TIME lands, Stop', () => withOutput(async () => {
        assert.ok(sinks, 'the Sink list was read');
        const choice = chooseResource(tone, sinks);
        assert.ok(choice.ok, choice.ok ? '' : choice.reason);
        assert.equal(choice.resource, tone.resources[0]);
        assert.equal(choice.sink.contentFormat.toLowerCase(), 'audio/x-wav', 'the exact MIME type wins over audio/*');
        assert.equal(choice.score, 2);

        const mark = follower.states.length;
        const metadata = metadataForItem(tone, choice.resource);
        await client.setUri(choice.resource.uri, metadata);
        // Both echo the DIDL-Lite as AVTransportURIMetaData: the title comes back from the renderer.
        await follower.waitFor((s) => s.uri === choice.resource.uri && s.title === 'tone', 'the URI and title of SetAVTransportURI');
        assert.equal(follower.state.upnpClass, 'object.item.audioItem.musicTrack');
        const media = await client.mediaInfo();
        assert.equal(media.uri, choice.resource.uri);
        assert.equal(media.metadata, metadata, 'the DIDL-Lite comes back as sent');

        await client.play();
        await follower.waitFor((s) => s.transportState === 'PLAYING', 'PLAYING');
        await follower.waitFor((s) => s.duration === 30, 'the track duration (30 s)');
        assert.equal(follower.state.title, 'tone');
        assert.ok(follower.state.actions?.some((a) => a.toLowerCase() === 'pause'), `CurrentTransportActions offers Pause: ${JSON.stringify(follower.state.actions)}`);
        const controls = controlStates(follower.state, (action, where) => client.has(action, where));
        assert.deepEqual([controls.pause.enabled, controls.stop.enabled, controls.seek.enabled], [true, true, true], 'the panel enables Pause, Stop and Seek');
        assert.equal((await client.transportInfo()).state, 'PLAYING');
        // Real time: the fakesink keeps the clock, so the tone is really being played.
        const playing = await waitForPosition(client, (p) => p >= 1, 'the position advances while PLAYING');
        assert.ok(playing < 10, `position ${playing} s after a few seconds of a real-time play`);

        await client.pause();
        await follower.waitFor((s) => s.transportState === 'PAUSED_PLAYBACK', 'PAUSED_PLAYBACK');
        const paused = await position(client);
        await sleep(1500);
        assert.ok(Math.abs((await position(client)) - paused) < 0.5, 'the position holds while paused');

        await client.seek(12);
        const sought = await waitForPosition(client, (p) => p >= 11.5 && p < 13.5, 'Seek REL_TIME 0:00:12 while paused');
        assert.equal(follower.state.transportState, 'PAUSED_PLAYBACK', 'seeking while paused stays paused');

        await client.play();
        await follower.waitFor((s) => s.transportState === 'PLAYING', 'PLAYING again');
        await waitForPosition(client, (p) => p >= sought + 1, 'playing on from the sought position');

        await client.stop();
        await follower.waitFor((s) => s.transportState === 'STOPPED', 'STOPPED');
        assert.equal((await client.transportInfo()).state, 'STOPPED');
        // rygel goes from NO_MEDIA_PRESENT to STOPPED on SetAVTransportURI; gmediarender was STOPPED.
        const loaded = c.initialState === 'STOPPED' ? [] : ['STOPPED'];
        assert.deepEqual(follower.since(mark), [...loaded, 'PLAYING', 'PAUSED_PLAYBACK', 'PLAYING', 'STOPPED'], `states: ${follower.states.join(' → ')}`);
      }));

      it('queues the second tone (Play Next): NextAVTransportURI is evented, and the renderer plays on into it', () => withOutput(async () => {
        assert.ok(client.has('SetNextAVTransportURI'), `${c.name} declares SetNextAVTransportURI`);
        const first = chooseResource(tone, sinks);
        const second = chooseResource(tone2, sinks);
        assert.ok(first.ok && second.ok);
        await client.setUri(first.resource.uri, metadataForItem(tone, first.resource));
        await client.play();
        await follower.waitFor((s) => s.transportState === 'PLAYING' && s.uri === first.resource.uri, 'PLAYING the first tone');
        await client.setNextUri(second.resource.uri, metadataForItem(tone2, second.resource));
        await follower.waitFor((s) => s.nextUri === second.resource.uri, 'NextAVTransportURI in an event');
        assert.equal((await client.mediaInfo()).nextUri, second.resource.uri);
        // Near the end of the first tone, then on into the second, announced by LastChange.
        await client.seek(27);
        await follower.waitFor((s) => s.uri === second.resource.uri && s.transportState === 'PLAYING', 'the second tone playing after the first ended', 15_000);
        assert.equal(follower.state.title, 'tone2', 'the queued item\'s DIDL-Lite became the current one');
        await client.stop();
        await follower.waitFor((s) => s.transportState === 'STOPPED', 'STOPPED');
      }));

      it('shows the JPEG as the renderer does with a still image', () => withOutput(async () => {
        const choice = chooseResource(photo, sinks);
        assert.ok(choice.ok, choice.ok ? '' : choice.reason);
        assert.equal(choice.resource.protocolInfo.dlna?.profile, 'JPEG_SM', 'the original, not the thumbnail');
        assert.equal(choice.sink.contentFormat, 'image/jpeg');
        assert.equal(choice.sink.dlna?.profile, c.jpegSinkProfile);
        assert.equal(choice.score, c.jpegSinkProfile ? 3 : 2, 'a matching DLNA profile scores 3, the MIME type alone 2');

        await client.setUri(choice.resource.uri, metadataForItem(photo, choice.resource));
        await follower.waitFor((s) => s.uri === choice.resource.uri && s.title === 'photo' && s.upnpClass === 'object.item.imageItem.photo', 'the photo\'s URI and title');
        const mark = follower.states.length;
        await client.play();
        await follower.waitFor((s) => s.transportState === 'PLAYING' || follower.states.slice(mark).includes('PLAYING'), 'PLAYING');

        if (c.name === 'gmediarender') {
          // gmediarender plays the single frame to its end of stream at once: STOPPED follows,
          // and with no next URI it clears AVTransportURI (its metadata too) in the same event.
          await follower.waitFor((s) => s.transportState === 'STOPPED' && s.uri === '', 'STOPPED at the image\'s end of stream, URI cleared');
          assert.deepEqual(follower.since(mark), ['PLAYING', 'STOPPED']);
          assert.equal((await client.mediaInfo()).uri, '');
          assert.deepEqual(follower.state.actions, ['PLAY']);
          // It refuses Pause now, with UPnP 501 (its own 701 is only logged) and the reason in words.
          await assert.rejects(client.pause(), (err: unknown) => err instanceof RendererError && err.code === 501 && /Transition to PAUSE not allowed; allowed=PLAY/.test(err.message));
        } else {
          // rygel shows an image until told otherwise: PLAYING, with Stop the only action (Pause
          // is for images in playlists only, and there is no Seek in a still).
          await sleep(2000);
          assert.equal((await client.transportInfo()).state, 'PLAYING', 'still PLAYING 2 s later');
          assert.deepEqual(follower.state.actions, ['Stop']);
          const controls = controlStates(follower.state, (action, where) => client.has(action, where));
          assert.deepEqual([controls.pause.enabled, controls.stop.enabled, controls.seek.enabled], [false, true, false]);
          await assert.rejects(client.pause(), (err: unknown) => err instanceof RendererError && err.code === 701 && err.message === 'Pause failed: UPnP error 701 Transition not available.');
          await assert.rejects(client.seek(5), (err: unknown) => err instanceof RendererError && err.code === 710 && err.message === 'Seek failed: UPnP error 710 Seek mode not supported.');
          await client.stop();
          await follower.waitFor((s) => s.transportState === 'STOPPED', 'STOPPED after Stop');
          assert.deepEqual(follower.since(mark), ['PLAYING', 'STOPPED']);
          assert.equal(follower.state.title, 'photo');
        }
      }));

      it('round-trips volume and mute, and events both', () => withOutput(async () => {
        const before = await client.volume();
        const target = before === 37 ? 38 : 37;
        await client.setVolume(target);
        assert.equal(await client.volume(), target);
        await follower.waitFor((s) => s.volume === target, `the Volume ${target} event`);

        await client.setMute(true);
        assert.equal(await client.mute(), true);
        await follower.waitFor((s) => s.mute === true, 'the Mute event');
        await client.setMute(false);
        assert.equal(await client.mute(), false);
        await follower.waitFor((s) => s.mute === false, 'the unmute event');
        const kept = c.forgetsVolumeWhenMuted ? 0 : target;
        await follower.waitFor((s) => s.volume === kept, `Volume ${kept} after unmuting`);
        assert.equal(await client.volume(), kept, 'GetVolume agrees with the event');
        if (c.forgetsVolumeWhenMuted) {
          await client.setVolume(target);
          await follower.waitFor((s) => s.volume === target, `the Volume ${target} event once set again`);
        }
      }));
    });
  }

  describe('gmediarender limited to audio (--mime-filter audio)', () => {
    let renderer: RunningRenderer;
    let client: RendererClient;

    before(async () => {
      renderer = await startGmediarender({ mimeFilter: 'audio', uuid: '0c9e8d7f-6a5b-4c3d-9e2f-1a0b9c8d7e6f', port: 49496, friendlyName: 'gmediarender-audio-only' });
      client = new RendererClient(rendererServices((await describeDevice(renderer.location)).services)!);
    });

    after(async () => {
      await renderer?.stop();
    });

    it('lists only audio sinks, so chooseResource says why the JPEG cannot play and still picks the WAV', async () => {
      const sinks = await client.sinkProtocols();
      const mime = formats(sinks);
      assert.ok(mime.length > 10, `${mime.length} audio formats`);
      assert.deepEqual(mime.filter((m) => !m.startsWith('audio/')), [], 'nothing but audio/*');

      const refused = chooseResource(photo, sinks);
      assert.equal(refused.ok, false);
      const reason = refused.ok ? '' : refused.reason;
      const m = /^The renderer accepts (.+); "photo" offers only image\/jpeg \(JPEG_SM\), image\/jpeg \(JPEG_TN\)\.$/.exec(reason);
      assert.ok(m, `reason: ${reason}`);
      assert.match(m[1]!, /^audio\/[^,]+(, audio\/[^,]+){7} and \d+ more$/, 'the first eight accepted formats, all audio');

      const played = chooseResource(tone, sinks);
      assert.ok(played.ok);
      assert.equal(played.resource.uri, tone.resources[0]!.uri);
    });
  });
});
