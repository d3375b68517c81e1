// npm run bench: search -> every device fully described (description + all SCPDs), for 50 and 200
// simulated root devices with 2 services each, on loopback inside a network namespace. Printed
// beside two baselines from the same script: the MX window (devices may wait up to MX
// seconds before answering) and the bare HTTP cost of fetching the same documents with no discovery.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { UpnpExplorer } from '../src/core/explorer';
import { isFullyDescribed } from '../src/core/registry/registry';
import { fetchBytes } from '../src/core/http/fetch';
import { assertIsolatedNetwork } from '../test/harness/netns';

const MX = 2;
const SIZES = [50, 200];

interface FleetProcess { child: ChildProcess; locations: string[] }

function startFleetProcess(n: number, prefix: string): Promise<FleetProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fleet-process.ts'), String(n), prefix], { stdio: ['ignore', 'pipe', 'inherit'] });
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

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

async function measure(n: number, prefix: string): Promise<Record<string, string>> {
  const fleet = await startFleetProcess(n, prefix);
  try {
    // Baseline: the same documents fetched directly, 12 at a time (the registry's own limit).
    const t0 = performance.now();
    const docs: string[] = [];
    for (const loc of fleet.locations) docs.push(loc, loc.replace(/\/[^/]*$/, '/SwitchPower/scpd.xml'), loc.replace(/\/[^/]*$/, '/Counter/scpd.xml'));
    let next = 0;
    await Promise.all(Array.from({ length: 12 }, async () => {
      while (next < docs.length) await fetchBytes(docs[next++]!);
    }));
    const httpOnly = performance.now() - t0;

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }, 10);
    const explorer = new UpnpExplorer({ searchTarget: 'ssdp:all', mx: MX, interfaces: ['127.0.0.1'], ipv6: false, httpTimeoutMs: 10_000 });
    await explorer.start();
    const ours = (): number => explorer.devices.filter((d) => d.udn?.includes(prefix) && isFullyDescribed(d)).length;
    const start = performance.now();
    let firstAt = 0;
    const search = explorer.search();
    const done = await new Promise<number>((resolve, reject) => {
      const timer = setInterval(() => {
        const c = ours();
        if (c > 0 && !firstAt) firstAt = performance.now() - start;
        if (c >= n) { clearInterval(timer); resolve(performance.now() - start); }
        if (performance.now() - start > 60_000) { clearInterval(timer); reject(new Error(`only ${c}/${n} described after 60 s`)); }
      }, 5);
    });
    await search;
    clearInterval(sampler);
    const errors = explorer.devices.filter((d) => d.status === 'error').length;
    const scpds = explorer.devices.reduce((a, d) => a + d.services.filter((s) => s.scpdStatus === 'ready').length, 0);
    explorer.dispose();
    return {
      devices: String(n),
      'search→all described (ms)': done.toFixed(0),
      'first described (ms)': firstAt.toFixed(0),
      'MX window (ms)': String(MX * 1000),
      'HTTP only, no SSDP (ms)': httpOnly.toFixed(0),
      'SCPDs ready': `${scpds}/${2 * n}`,
      'errors': String(errors),
      'peak RSS (MiB)': mib(peakRss),
      'RSS growth (MiB)': mib(peakRss - rssBefore),
      'peak heap (MiB)': mib(peakHeap),
    };
  } finally {
    await stopFleet(fleet);
  }
}

void (async () => {
  assertIsolatedNetwork('discovery benchmark');
  const rows: Record<string, string>[] = [];
  for (const [i, n] of SIZES.entries()) rows.push(await measure(n, `b${i}${'0'.repeat(6)}`.slice(0, 8)));
  console.log(`\nDiscovery benchmark (Node ${process.version}, loopback in a network namespace, MX=${MX}, devices in a separate process)\n`);
  console.table(rows);
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
