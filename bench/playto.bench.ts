// npm run bench -- playto: Play To's latency. From "Play on…" (SetAVTransportURI with the item's
// DIDL-Lite, then Play, through RendererClient) to the first LastChange event that shows the new
// URI, as the Now Playing panel sees it (GenaClient subscribed to AVTransport, events decoded) —
// beside the floor: the same two SOAP round trips with nothing waited for, in the same run,
// alternating. Against the simulated renderer on 127.0.0.1; median and p95 of 40 plays each.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDidl } from '../src/core/av/didl';
import { metadataForItem } from '../src/core/av/playTo';
import { RendererClient, rendererServices } from '../src/core/av/renderer';
import type { RendererService } from '../src/core/av/renderer';
import { fetchBytes } from '../src/core/http/fetch';
import { parseDeviceDescription } from '../src/core/description/device';
import { parseScpd } from '../src/core/description/scpd';
import { GenaClient } from '../src/core/gena/client';
import { startSimulatedRenderer } from '../test/devices/renderer';
import { assertIsolatedNetwork } from '../test/harness/netns';

const RUNS = 40;

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function main(): Promise<void> {
  assertIsolatedNetwork('playto.bench.ts');
  const renderer = await startSimulatedRenderer({ interfaceAddress: '127.0.0.1' });
  const gena = new GenaClient({ callbackAddress: '127.0.0.1' });
  try {
    const description = parseDeviceDescription((await fetchBytes(renderer.location)).body.toString('utf8'), renderer.location);
    const services: RendererService[] = [];
    for (const s of description.device.services) services.push({ service: s, scpd: parseScpd((await fetchBytes(s.scpdUrl)).body.toString('utf8'), s.scpdUrl) });
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
    await gena.subscribe({ eventSubUrl: avt.eventSubUrl, deviceUdn: description.device.udn, serviceId: avt.serviceId, serviceType: avt.serviceType });

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
}

void main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
