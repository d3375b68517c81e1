// npm run bench -- hosting: a hosted device under load, beside bare node:dgram and node:http
// servers doing the least the same job needs, in the same script.
// - M-SEARCH: a client in another process sends unicast M-SEARCHes to 127.0.0.1:1900 as fast as
//   it can (a search flood) and counts the answers. The hosted device (the Basic template: 4
//   search targets) parses each, decides, logs it (into a counter, as the channel's writer would
//   be called) and answers; the baseline answers every datagram with one fixed datagram.
//   Printed: searches/s answered, answers/s, searches lost, and the event loop's worst delay.
// - Description GETs: 16 concurrent clients in another process fetch the description for 3 s;
//   baseline: a node:http server sending the same bytes. Printed: requests/s, event-loop delay.
import { fork } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { selectInterfaces } from '../src/core/ssdp/interfaces';
import { HostedDevice } from '../src/device/hostedDevice';
import { DEVICE_TEMPLATES, writeTemplate } from '../src/device/templates';
import { assertIsolatedNetwork } from '../test/harness/netns';

const SEARCHES = 20_000;
const GET_SECONDS = 3;
const GET_CONCURRENCY = 16;

// ---- the client (a child process) ----

interface SearchReport { sent: number; answers: number; elapsedMs: number }
interface GetReport { requests: number; failures: number; elapsedMs: number }

async function searchClient(st: string): Promise<SearchReport> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind({ address: '127.0.0.1', port: 0 }, r));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  let answers = 0;
  let last = Date.now();
  socket.on('message', () => {
    answers++;
    last = Date.now();
  });
  const start = Date.now();
  for (let i = 0; i < SEARCHES; i++) {
    // A sequence number in a header the device ignores: each search is a different datagram.
    const text = `M-SEARCH * HTTP/1.1\r\nHOST: 127.0.0.1:1900\r\nMAN: "ssdp:discover"\r\nST: ${st}\r\nUSER-AGENT: bench/1 UPnP/1.1 flood/${i}\r\n\r\n`;
    await new Promise<void>((r) => socket.send(text, 1900, '127.0.0.1', () => r()));
    if (i % 200 === 199) await new Promise((r) => setImmediate(r));
  }
  while (Date.now() - last < 500) await new Promise((r) => setTimeout(r, 50));
  socket.close();
  return { sent: SEARCHES, answers, elapsedMs: last - start };
}

async function getClient(url: string): Promise<GetReport> {
  let requests = 0;
  let failures = 0;
  const start = Date.now();
  const end = start + GET_SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      await new Promise<void>((resolve) => {
        request(url, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => { if (res.statusCode === 200) requests++; else failures++; resolve(); });
        }).on('error', () => { failures++; resolve(); }).end();
      });
    }
  };
  await Promise.all(Array.from({ length: GET_CONCURRENCY }, worker));
  return { requests, failures, elapsedMs: Date.now() - start };
}

if (process.argv[2] === 'search-client') {
  void searchClient(process.argv[3]!).then((r) => { process.send!(r); process.exit(0); });
} else if (process.argv[2] === 'get-client') {
  void getClient(process.argv[3]!).then((r) => { process.send!(r); process.exit(0); });
} else {
  void main();
}

function inChild<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, args, { execArgv: ['--import', 'tsx'] });
    child.once('message', (m) => resolve(m as T));
    child.once('error', reject);
  });
}

async function measured<T>(run: () => Promise<T>): Promise<{ result: T; maxDelayMs: number; p99DelayMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const result = await run();
  h.disable();
  return { result, maxDelayMs: h.max / 1e6, p99DelayMs: h.percentile(99) / 1e6 };
}

// ---- baselines ----

async function bareResponder(answer: Buffer): Promise<{ close: () => void }> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((r) => socket.bind({ address: '127.0.0.1', port: 1900 }, r));
  socket.setRecvBufferSize(8 * 1024 * 1024);
  socket.on('message', (_d, rinfo) => socket.send(answer, rinfo.port, rinfo.address));
  return { close: () => socket.close() };
}

async function main(): Promise<void> {
  assertIsolatedNetwork('hosting.bench.ts');
  const lo = selectInterfaces(['127.0.0.1'], false).selected;
  const root = mkdtempSync(path.join(os.tmpdir(), 'upnp-hosting-bench-'));
  const folder = path.join(root, 'basic');
  await writeTemplate(DEVICE_TEMPLATES.find((t) => t.id === 'basic')!, folder);
  console.log('\n# Hosting: a hosted device under load (Basic template on 127.0.0.1), beside bare servers');
  console.log(`M-SEARCH flood: ${SEARCHES} unicast searches from another process, as fast as it sends.`);

  const row = (label: string, r: SearchReport, perSearch: number, delay: { maxDelayMs: number; p99DelayMs: number }, ignored?: number): void => {
    const secs = r.elapsedMs / 1000;
    const answeredSearches = Math.round(r.answers / perSearch);
    console.log(`  ${label.padEnd(44)} ${String(Math.round(answeredSearches / secs)).padStart(7)} searches/s answered  ${String(Math.round(r.answers / secs)).padStart(7)} answers/s  lost ${(100 * (1 - answeredSearches / r.sent)).toFixed(1).padStart(5)}%  loop max ${delay.maxDelayMs.toFixed(1)} ms, p99 ${delay.p99DelayMs.toFixed(1)} ms${ignored !== undefined ? `  (refused as a flood: ${ignored})` : ''}`);
  };

  // Baseline: one fixed answer per datagram.
  const fixed = Buffer.from('HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: http://127.0.0.1:1/description.xml\r\nSERVER: Linux/6 UPnP/1.0 Jambon/3000\r\nST: upnp:rootdevice\r\nUSN: uuid:00000000-0000-0000-0000-000000000000::upnp:rootdevice\r\n\r\n');
  const bare = await bareResponder(fixed);
  const b = await measured(() => inChild<SearchReport>(['search-client', 'upnp:rootdevice']));
  bare.close();
  row('bare node:dgram, 1 fixed answer', b.result, 1, b);

  for (const [st, perSearch] of [['upnp:rootdevice', 1], ['ssdp:all', 4]] as const) {
    const hosted = await HostedDevice.start(folder, { interfaces: lo, hostname: 'bench', user: 'u', log: () => undefined });
    const before = hosted.ssdp.counters.ignored;
    const r = await measured(() => inChild<SearchReport>(['search-client', st]));
    row(`hosted device, ST ${st} (${perSearch} answer${perSearch > 1 ? 's' : ''})`, r.result, perSearch, r, hosted.ssdp.counters.ignored - before);
    await hosted.stop();
  }

  console.log(`\nDescription GETs: ${GET_CONCURRENCY} concurrent clients in another process for ${GET_SECONDS} s, a new connection each (Connection: close).`);
  const body = readFileSync(path.join(folder, 'description.xml'));
  const plain = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"', 'content-length': String(body.length), connection: 'close' });
    res.end(body);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const getRow = (label: string, r: { result: GetReport; maxDelayMs: number; p99DelayMs: number }): void => {
    console.log(`  ${label.padEnd(44)} ${String(Math.round(r.result.requests / (r.result.elapsedMs / 1000))).padStart(7)} requests/s  failures ${r.result.failures}  loop max ${r.maxDelayMs.toFixed(1)} ms, p99 ${r.p99DelayMs.toFixed(1)} ms`);
  };
  getRow('bare node:http, the same bytes', await measured(() => inChild<GetReport>(['get-client', `http://127.0.0.1:${(plain.address() as AddressInfo).port}/description.xml`])));
  plain.close();
  const hosted = await HostedDevice.start(folder, { interfaces: lo, hostname: 'bench', user: 'u', log: () => undefined });
  getRow('hosted device, GET /description.xml', await measured(() => inChild<GetReport>(['get-client', hosted.http.location])));
  getRow('hosted device, GET /scpd/jambon.xml (a file)', await measured(() => inChild<GetReport>(['get-client', hosted.http.location.replace('/description.xml', '/scpd/jambon.xml')])));
  await hosted.stop();
  rmSync(root, { recursive: true, force: true });
}
