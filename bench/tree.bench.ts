// npm run bench -- tree: the Devices tree under a stream of GENA events. 200 described light
// bridges (the captured gupnp-network-light description and SCPDs), every device, service and
// State Variables row expanded, and 100 events per second spread over the devices for 10 s.
// A stand-in renderer does what VS Code's tree does on onDidChangeTreeData: for each element
// named (or the root, for `undefined`) it asks getTreeItem again, and getChildren + getTreeItem
// for every expanded row below it. Counted: rows redrawn per second, onDidChangeTreeData fires,
// and the extension host's CPU time (process.cpuUsage) during the stream.
// Baseline in the same run: the same provider when every event says "several services changed"
// (`undefined`), which is what every event did before issue 11 — a redraw of the whole tree.
// `vscode` is a do-nothing stand-in (bench/support/fakeVscode.ts): the numbers are our code's.
//
//   npm run bench -- tree
import { monitorEventLoopDelay } from 'node:perf_hooks';
// First: every later import that loads `vscode` gets the stand-in.
import './support/withFakeVscode';
import { EventEmitter } from './support/fakeVscode';
import { DevicesTreeProvider } from '../src/host/tree/devicesTreeProvider';
import { described } from '../test/harness/described';
import type { DiscoveredDevice } from '../src/core/registry/types';

const DEVICES = 200;
const EVENTS_PER_SECOND = 100;
const SECONDS = 10;

interface Provider {
  getChildren(e?: unknown): unknown;
  getTreeItem(e: unknown): unknown;
  onDidChangeTreeData(listener: (e: unknown) => void): unknown;
  dispose(): void;
}

interface RunResult { rowsPerSecond: number; firesPerSecond: number; cpuMs: number; p99DelayMs: number; maxDelayMs: number }

function makeDevices(): DiscoveredDevice[] {
  const template = described('network-light/description.xml', 'http://127.0.0.1:49152/description.xml', {
    'urn:upnp-org:serviceId:SwitchPower:1': 'network-light/scpd-SwitchPower_1.xml',
    'urn:upnp-org:serviceId:Dimming:1': 'network-light/scpd-Dimming_1.xml',
  });
  const out: DiscoveredDevice[] = [];
  for (let i = 0; i < DEVICES; i++) {
    const host = `10.0.${i >> 8}.${i & 255}`;
    const name = `Light ${String(i).padStart(3, '0')}`;
    const description = { ...template.description!, device: { ...template.description!.device, friendlyName: name } };
    out.push({ ...template, key: `d${i}`, location: `http://${host}:49152/description.xml`, locations: [`http://${host}:49152/description.xml`], remoteAddress: host, description });
  }
  return out;
}

async function run(mode: 'per-service' | 'whole-tree'): Promise<RunResult> {
  const devices = makeDevices();
  const byKey = new Map(devices.map((d) => [d.key, d]));
  const added = new EventEmitter<DiscoveredDevice>();
  const changed = new EventEmitter<DiscoveredDevice>();
  const removed = new EventEmitter<unknown>();
  const explorer = { devices, get: (k: string) => byKey.get(k), onDidAddDevice: added.event, onDidChangeDevice: changed.event, onDidRemoveDevice: removed.event };
  const iconChanges = new EventEmitter<void>();
  const icons = { onDidChange: iconChanges.event, iconFor: () => undefined };
  const eventChanges = new EventEmitter<{ deviceKey: string; serviceKey: string } | undefined>();
  const counts = new Map<string, number>();
  const events = {
    onDidChange: eventChanges.event,
    statusOf: (d: string, s: string) => ({ state: 'subscribed' as const, eventCount: counts.get(`${d}|${s}`) ?? 0 }),
    lastValue: (d: string, s: string, v: string) => (v === 'Status' || v === 'LoadLevelStatus' ? String((counts.get(`${d}|${s}`) ?? 0) % 2) : undefined),
  };
  const provider = new DevicesTreeProvider(explorer as never, icons as never, events as never) as unknown as Provider;

  // The renderer: what is expanded, and redraws counted.
  const expanded = (node: { kind: string }): boolean => node.kind === 'device' || node.kind === 'service' || node.kind === 'variables';
  let rows = 0;
  let fires = 0;
  const render = async (node: unknown): Promise<void> => {
    provider.getTreeItem(node);
    rows++;
    if (node && !expanded(node as { kind: string })) return;
    for (const child of await provider.getChildren(node) as unknown[]) await render(child);
  };
  const renderRoot = async (): Promise<void> => {
    for (const child of await provider.getChildren(undefined) as unknown[]) await render(child);
  };
  let queue: Promise<void> = renderRoot();
  await queue;
  provider.onDidChangeTreeData((e) => {
    fires++;
    const nodes = e === undefined ? undefined : Array.isArray(e) ? e : [e];
    queue = queue.then(async () => {
      if (!nodes) await renderRoot();
      else for (const n of nodes) await render(n);
    });
  });

  const services = devices.flatMap((d) => d.services.filter((s) => s.description.eventSubUrl).map((s) => ({ deviceKey: d.key, serviceKey: s.key })));
  const total = EVENTS_PER_SECOND * SECONDS;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  rows = 0;
  fires = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  delay.enable();
  for (let i = 0; i < total; i++) {
    // Spread over the devices: consecutive events go to different devices.
    const target = services[(i * 7919) % services.length]!;
    const key = `${target.deviceKey}|${target.serviceKey}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    eventChanges.fire(mode === 'per-service' ? target : undefined);
    const due = t0 + ((i + 1) * 1000) / EVENTS_PER_SECOND;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await new Promise((r) => setTimeout(r, 250)); // the last debounced redraw
  await queue;
  delay.disable();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  provider.dispose();
  return { rowsPerSecond: rows / seconds, firesPerSecond: fires / seconds, cpuMs: (cpu.user + cpu.system) / 1000, p99DelayMs: delay.percentile(99) / 1e6, maxDelayMs: delay.max / 1e6 };
}

async function main(): Promise<void> {
  const after = await run('per-service');
  const before = await run('whole-tree');
  const line = (label: string, r: RunResult): string =>
    `  ${label.padEnd(34)} ${r.rowsPerSecond.toFixed(0).padStart(7)} rows/s  ${r.firesPerSecond.toFixed(1).padStart(5)} redraws/s  CPU ${(r.cpuMs / 1000).toFixed(2)} s of ${SECONDS} s (${(r.cpuMs / SECONDS / 10).toFixed(1)}%)  loop delay p99 ${r.p99DelayMs.toFixed(1)} ms, max ${r.maxDelayMs.toFixed(1)} ms`;
  console.log(`\nDevices tree, ${DEVICES} devices fully expanded, ${EVENTS_PER_SECOND} events/s for ${SECONDS} s (\`vscode\` stubbed)`);
  console.log(line('per-service refresh (now)', after));
  console.log(line('baseline: whole tree per event', before));
  console.log(`  rows redrawn: ${(before.rowsPerSecond / Math.max(1, after.rowsPerSecond)).toFixed(0)}x fewer; CPU: ${(before.cpuMs / Math.max(1, after.cpuMs)).toFixed(1)}x less`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
