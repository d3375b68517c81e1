// npm run bench -- discovery: a crowd answering one search. 50, 200 and 1,000 simulated root
// devices (two services each, every device its own host on 127.1.x.y, all in a separate process)
// answer our M-SEARCH within MX, as real devices do. Per run: devices seen of N, time until all
// were seen and all described (description and both SCPDs), datagrams the kernel dropped for a
// full receive buffer (RcvbufErrors in /proc/net/snmp, this namespace only) and those our own
// queue dropped, CPU time and peak RSS of this process. Beside it, in the same run and on the same
// devices: GUPnP's gssdp-discover (Debian gupnp-tools), its count and the time it saw the last one,
// and the bare HTTP cost of fetching the same documents with no discovery.
// Target (issue 8): N of N in 5 of 5 runs at 1,000, all described within MX + 1 s.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { UpnpExplorer } from '../src/core/explorer';
import { TrafficRing, matchesTraffic } from '../src/core/ssdp/traffic';
import { isFullyDescribed } from '../src/core/registry/registry';
import { fetchBytes } from '../src/core/http/fetch';
import type { DiscoveredDevice } from '../src/core/registry/types';
import { assertIsolatedNetwork } from '../test/harness/netns';

// tsx turns on source-mapped stack traces, and Node's streams read `err.stack` whenever a socket is
// destroyed with an error (undici does that for every closed keep-alive connection): mapping those
// stacks cost this process about a second per 1,000 devices. The extension runs as a plain bundle
// without them, so the benchmark measures it that way.
process.setSourceMapsEnabled(false);

const MX = 2;
const PLAN: readonly [devices: number, runs: number][] = [[50, 3], [200, 3], [1000, 5]];

interface FleetProcess { child: ChildProcess; locations: string[] }

function startFleetProcess(n: number, prefix: string): Promise<FleetProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fleet-process.ts'), String(n), prefix, String(MX * 1000)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\d+) (.*)\n/.exec(buf);
      if (m) resolve({ child, locations: JSON.parse(m[2]!) as string[] });
    });
    child.on('exit', (code) => reject(new Error(`fleet process exited with ${code}`)));
  });
}

async function stopFleet(f: FleetProcess): Promise<void> {
  const exited = new Promise((r) => f.child.once('exit', r));
  f.child.kill('SIGTERM');
  await exited;
}

/** UDP RcvbufErrors of this network namespace. */
function rcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/);
  return Number(values[names.indexOf('RcvbufErrors')]);
}

const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);
const s1 = (ms: number): string => (ms / 1000).toFixed(2);

async function httpBaseline(fleet: FleetProcess): Promise<number> {
  const docs: string[] = [];
  for (const loc of fleet.locations) docs.push(loc, loc.replace(/\/[^/]*$/, '/SwitchPower/scpd.xml'), loc.replace(/\/[^/]*$/, '/Counter/scpd.xml'));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next < docs.length) await fetchBytes(docs[next++]!);
  }));
  return performance.now() - t0;
}

/**
 * Our discovery; with `traffic`, as with the SSDP Traffic view open: every datagram becomes a
 * record in a ring of 2,000, and four times a second the view's rows are built (filtered, newest
 * first) as its getChildren does.
 */
async function ours(n: number, prefix: string, traffic = false): Promise<Record<string, string>> {
  global.gc?.();
  const dropsBefore = rcvbufErrors();
  const cpuBefore = process.cpuUsage();
  // memoryUsage.rss() only reads the RSS (memoryUsage() also walks the heap: 0.25 ms a call).
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 10);
  const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: MX, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 10_000, maxDevices: 2000 });
  await explorer.start();
  let records = 0;
  let redraws = 0;
  let recording: { dispose(): void } | undefined;
  let redraw: NodeJS.Timeout | undefined;
  if (traffic) {
    const ring = new TrafficRing(2000);
    recording = explorer.onTraffic((r) => { ring.push(r); records++; });
    redraw = setInterval(() => { ring.toArray().filter((r) => matchesTraffic(r, {})).reverse(); redraws++; }, 250);
  }
  // Counted from the explorer's events (O(1) each), so the benchmark adds no scans of its own.
  const isMine = (d: DiscoveredDevice): boolean => d.usns.some((u) => u.includes(prefix));
  const seenKeys = new Set<string>();
  const describedKeys = new Set<string>();
  const start = performance.now();
  let seenAt = 0;
  let describedAt = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => { done = resolve; });
  const check = (): void => {
    const now = performance.now() - start;
    if (!seenAt && seenKeys.size >= n) seenAt = now;
    if (!describedAt && describedKeys.size >= n) {
      describedAt = now;
      done();
    }
  };
  explorer.onDidAddDevice((d) => {
    if (isMine(d)) seenKeys.add(d.key);
    check();
  });
  explorer.onDidChangeDevice((d) => {
    if (!isMine(d)) return;
    seenKeys.add(d.key);
    if (d.status === 'ready' && isFullyDescribed(d)) describedKeys.add(d.key);
    else describedKeys.delete(d.key);
    check();
  });
  explorer.onDidRemoveDevice(({ device }) => {
    seenKeys.delete(device.key);
    describedKeys.delete(device.key);
  });
  const search = explorer.search();
  const giveUp = setTimeout(done, 30_000);
  await finished;
  clearTimeout(giveUp);
  await search;
  // Answers still arriving within the window are counted too.
  const seen = seenKeys.size;
  const described = describedKeys.size;
  clearInterval(sampler);
  if (redraw) clearInterval(redraw);
  recording?.dispose();
  const cpu = process.cpuUsage(cpuBefore);
  const queueDrops = explorer.receiveStats.dropped;
  const buffer = explorer.receiveStats.receiveBufferBytes;
  explorer.dispose();
  return {
    seen: `${seen}/${n}`,
    'all seen (s)': seenAt ? s1(seenAt) : '—',
    'all described (s)': describedAt ? s1(describedAt) : `— (${described} described)`,
    'kernel drops': String(rcvbufErrors() - dropsBefore),
    'queue drops': String(queueDrops),
    'CPU (s)': ((cpu.user + cpu.system) / 1e6).toFixed(2),
    'peak RSS (MiB)': mib(peakRss),
    'rcvbuf (KiB)': String(Math.round(buffer / 1024)),
    ...(traffic ? { 'traffic records': String(records), 'view redraws': String(redraws) } : {}),
  };
}

/** gssdp-discover on the same devices: how many it saw and when it saw the last of them. */
async function gssdp(n: number, prefix: string): Promise<Record<string, string>> {
  if (spawnSync('sh', ['-c', 'command -v gssdp-discover']).status !== 0) return { 'gssdp seen': 'not installed' };
  const seenAt = new Map<string, number>();
  const dropsBefore = rcvbufErrors();
  const start = performance.now();
  // Line-buffered, so each line is timed as it arrives. Its own timeout (-n) ends it; ours is a guard.
  const child = spawn('stdbuf', ['-oL', 'gssdp-discover', '-i', 'lo', '-n', String(MX + 2), '-t', 'ssdp:all'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const guard = setTimeout(() => child.kill('SIGKILL'), (MX + 10) * 1000);
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      const m = new RegExp(`uuid:${prefix}-[0-9a-f-]+`).exec(line);
      if (m && !seenAt.has(m[0])) seenAt.set(m[0], performance.now() - start);
    }
  });
  await new Promise((r) => child.on('exit', r));
  clearTimeout(guard);
  const last = Math.max(0, ...seenAt.values());
  // When it saw the last device it saw at all (all of them, or as many as it got).
  return { 'gssdp seen': `${seenAt.size}/${n}`, 'gssdp last seen (s)': seenAt.size ? s1(last) : '—', 'gssdp kernel drops': String(rcvbufErrors() - dropsBefore) };
}

void (async () => {
  assertIsolatedNetwork('discovery benchmark');
  console.log(`\nDiscovery of a crowd (Node ${process.version}, loopback in a network namespace, MX=${MX}; devices in another process, each its own host; target: N of N every run at 1,000, all described within MX + 1 s = ${MX + 1} s)\n`);
  for (const [index, [n, runs]] of PLAN.entries()) {
    const prefix = `b${index}${'0'.repeat(6)}`.slice(0, 8);
    const fleet = await startFleetProcess(n, prefix);
    try {
      const baseline = await httpBaseline(fleet);
      const rows: Record<string, string>[] = [];
      for (let run = 1; run <= runs; run++) {
        const row = await ours(n, prefix);
        // Let the crowd's answers to our search die down before gssdp-discover asks again.
        await new Promise((r) => setTimeout(r, 500));
        rows.push({ run: String(run), ...row, ...(await gssdp(n, prefix)) });
        await new Promise((r) => setTimeout(r, 500));
        // The same search with the SSDP Traffic view open (issue 10: it must not slow discovery).
        const withView = await ours(n, prefix, true);
        rows.push({ run: `${run} + traffic view`, ...withView });
        await new Promise((r) => setTimeout(r, 500));
      }
      console.log(`${n} devices — HTTP alone (3 documents each, 32 at a time, no SSDP): ${s1(baseline)} s`);
      console.table(rows);
      const plain = rows.filter((r) => !r['run']!.includes('traffic'));
      const viewed = rows.filter((r) => r['run']!.includes('traffic'));
      const med = (xs: Record<string, string>[]): number => { const v = xs.map((r) => Number(r['all described (s)'])).filter(Number.isFinite).sort((a, b) => a - b); return v.length ? v[Math.floor(v.length / 2)]! : NaN; };
      console.log(`${n} devices, all described (median): ${med(plain).toFixed(2)} s without the traffic view, ${med(viewed).toFixed(2)} s with it open — ratio ${(med(viewed) / med(plain)).toFixed(2)}`);
      const perfect = plain.filter((r) => r['seen'] === `${n}/${n}`).length;
      console.log(`${n} devices: all seen in ${perfect} of ${runs} runs (load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores)\n`);
    } finally {
      await stopFleet(fleet);
    }
  }
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
