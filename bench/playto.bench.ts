// npm run bench -- playto: Play To's latency. From "Play on…" (SetAVTransportURI with the item's
// DIDL-Lite, then Play, through RendererClient) to the first LastChange event that shows the new
// URI, as the Now Playing panel sees it (GenaClient subscribed to AVTransport, events decoded) —
// beside the floor: the same two SOAP round trips with nothing waited for, in the same run,
// alternating. Against the simulated renderer on 127.0.0.1 (median and p95 of 40 plays each), then
// against the real renderers from Debian when they are installed — gmediarender on the veth and
// rygel's Playbin on lo, playing WAV tones served by a real minidlna into real-time GStreamer
// fakesinks (10 plays each, two tones alternating so each play brings a new URI).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDidl } from '../src/core/av/didl';
import { chooseResource, metadataForItem } from '../src/core/av/playTo';
import { RendererClient, rendererServices } from '../src/core/av/renderer';
import { GenaClient } from '../src/core/gena/client';
import { existsSync } from 'node:fs';
import type { DidlObject } from '../src/core/av/didl';
import { startSimulatedRenderer } from '../test/devices/renderer';
import { assertIsolatedNetwork } from '../test/harness/netns';
import { describeDevice, findMediaItems, startAudioPictureServer, startGmediarender, startRygelRenderer } from '../test/harness/renderers';
import type { RunningRenderer } from '../test/harness/renderers';

const RUNS = 40;
const REAL_RUNS = 10;

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function main(): Promise<void> {
  assertIsolatedNetwork('playto.bench.ts');
  const renderer = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1' });
  const gena = new GenaClient({ callbackAddress: '127.0.0.1' });
  try {
    const description = await describeDevice(renderer.location);
    const services = description.services;
    const client = new RendererClient(rendererServices(services)!);
    const avt = services.find((s) => /AVTransport/.test(s.service.serviceType))!.service;
    const item = parseDidl(readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'didl', 'leica-browse-result.didl.xml'), 'utf8')).objects[0]!;
    const resource = item.resources[2]!;

    // The panel's view of the renderer: URIs announced by LastChange, with when they came.
    const seen = new Map<string, number>();
    let playingAt: number | undefined;
    let current = '';
    gena.onActivity((a) => {
      if (a.type !== 'event') return;
      for (const i of a.event.lastChange?.instances ?? []) {
        for (const v of i.variables) {
          if (v.name === 'AVTransportURI' && !seen.has(v.value)) seen.set(v.value, performance.now());
          // PLAYING counts once the event of this play's URI came (not a late one of the last play).
          if (v.name === 'TransportState' && v.value === 'PLAYING' && seen.has(current)) playingAt ??= performance.now();
        }
      }
    });
    await gena.subscribe({ eventSubUrl: avt.eventSubUrl, deviceUdn: description.udn, serviceId: avt.serviceId, serviceType: avt.serviceType });

    const toEvent: number[] = [];
    const toPlaying: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      const uri = `${resource.uri}?play=${i}`;
      const metadata = metadataForItem(item, { ...resource, uri });
      // Each play starts from STOPPED, with the last one's events delivered.
      if (i > 0) await client.stop();
      await new Promise((r) => setTimeout(r, 50));
      playingAt = undefined;
      current = uri;
      const t0 = performance.now();
      await client.setUri(uri, metadata);
      await client.play();
      if (i % 2 === 1) {
        floor.push(performance.now() - t0);
        continue;
      }
      const deadline = t0 + 5000;
      while (!seen.has(uri) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const at = seen.get(uri);
      if (at === undefined) throw new Error(`no LastChange showed ${uri} within 5 s`);
      toEvent.push(at - t0);
      while (playingAt === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      if (playingAt === undefined) throw new Error('no LastChange said PLAYING within 5 s');
      toPlaying.push(playingAt - t0);
    }
    const line = (label: string, xs: number[], note: string): void =>
      console.log(`  ${label.padEnd(52)} median ${quantile(xs, 0.5).toFixed(1).padStart(6)} ms   p95 ${quantile(xs, 0.95).toFixed(1).padStart(6)} ms   ${note}`);
    console.log(`\n# Play To on the simulated renderer (127.0.0.1), ${RUNS} plays each, alternating`);
    line('Play on… → first LastChange with the new URI', toEvent, '(it follows SetAVTransportURI, before Play is answered)');
    line('Play on… → LastChange saying PLAYING', toPlaying, '(what the panel shows as Playing)');
    line('baseline: SetAVTransportURI + Play round trips', floor, '(nothing waited for)');
    console.log(`  ratio of medians to the floor: new URI ${(quantile(toEvent, 0.5) / quantile(floor, 0.5)).toFixed(2)}, PLAYING ${(quantile(toPlaying, 0.5) / quantile(floor, 0.5)).toFixed(2)}`);
  } finally {
    await gena.close();
    await renderer.stop();
  }
  await realRenderers();
}

/** The same measure against gmediarender and rygel, fed by minidlna. */
async function realRenderers(): Promise<void> {
  const missing = ['/usr/bin/gmediarender', '/usr/bin/rygel', '/usr/sbin/minidlnad'].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    console.log(`\n# Real renderers: not measured, ${missing.join(', ')} missing (npm test installs them as root)`);
    return;
  }
  const server = await startAudioPictureServer({ moreTones: ['tone2'] });
  try {
    const items = await findMediaItems(server, ['tone', 'tone2']);
    const tones = [items.get('tone')!, items.get('tone2')!];
    for (const [name, start] of [['gmediarender (libupnp, veth)', () => startGmediarender()], ['rygel Playbin (GUPnP, lo)', () => startRygelRenderer()]] as const) {
      const renderer = await start();
      try {
        await measureReal(name, renderer, tones);
      } finally {
        await renderer.stop();
      }
    }
  } finally {
    await server.stop();
  }
}

async function measureReal(name: string, renderer: RunningRenderer, tones: readonly DidlObject[]): Promise<void> {
  const device = await describeDevice(renderer.location);
  const services = rendererServices(device.services)!;
  const client = new RendererClient(services);
  const sinks = await client.sinkProtocols();
  const plays = tones.map((item) => {
    const choice = chooseResource(item, sinks);
    if (!choice.ok) throw new Error(`${name}: ${choice.reason}`);
    return { uri: choice.resource.uri, metadata: metadataForItem(item, choice.resource) };
  });
  const gena = new GenaClient({});
  const seen = new Map<string, number>();
  let playingAt: number | undefined;
  let current = '';
  gena.onActivity((a) => {
    if (a.type !== 'event') return;
    // One event may carry the URI after the state (rygel): look at the URIs first.
    const vars = (a.event.lastChange?.instances ?? []).flatMap((i) => i.variables);
    if (vars.some((v) => (v.name === 'AVTransportURI' || v.name === 'CurrentTrackURI') && v.value === current) && !seen.has(current)) seen.set(current, performance.now());
    if (vars.some((v) => v.name === 'TransportState' && v.value === 'PLAYING') && seen.has(current)) playingAt ??= performance.now();
    if (process.env['PLAYTO_BENCH_DEBUG']) console.log(name, vars.map((v) => `${v.name}=${v.value.slice(0, 80)}`).join(' | '));
  });
  const avt = services.avTransport.service;
  await gena.subscribe({ eventSubUrl: avt.eventSubUrl, deviceUdn: device.udn, serviceId: avt.serviceId, serviceType: avt.serviceType });
  const toEvent: number[] = [];
  const toPlaying: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < REAL_RUNS * 2; i++) {
      const play = plays[i % 2]!;
      if (i > 0) await client.stop();
      await new Promise((r) => setTimeout(r, 300));
      seen.clear();
      playingAt = undefined;
      current = play.uri;
      const t0 = performance.now();
      await client.setUri(play.uri, play.metadata);
      await client.play();
      // Odd plays of each pair are the floor: the round trips alone.
      if (Math.floor(i / 2) % 2 === 1) {
        floor.push(performance.now() - t0);
        continue;
      }
      const deadline = t0 + 10_000;
      while ((!seen.has(play.uri) || playingAt === undefined) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      const at = seen.get(play.uri);
      if (at === undefined || playingAt === undefined) throw new Error(`${name}: no LastChange with the new URI and PLAYING within 10 s`);
      toEvent.push(at - t0);
      toPlaying.push(playingAt - t0);
    }
  } finally {
    await client.stop().catch(() => undefined);
    await gena.close();
  }
  const line = (label: string, xs: number[]): void =>
    console.log(`  ${label.padEnd(52)} median ${quantile(xs, 0.5).toFixed(1).padStart(6)} ms   p95 ${quantile(xs, 0.95).toFixed(1).padStart(6)} ms   (${xs.length})`);
  console.log(`\n# Play To on ${name}, a WAV from minidlna, ${toEvent.length} plays measured beside ${floor.length} floor plays`);
  line('Play on… → first LastChange with the new URI', toEvent);
  line('Play on… → LastChange saying PLAYING', toPlaying);
  line('baseline: SetAVTransportURI + Play round trips', floor);
  console.log(`  ratio of medians to the floor: new URI ${(quantile(toEvent, 0.5) / quantile(floor, 0.5)).toFixed(2)}, PLAYING ${(quantile(toPlaying, 0.5) / quantile(floor, 0.5)).toFixed(2)}`);
}

void main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
