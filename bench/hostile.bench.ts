// npm run bench -- hostile: every reader of device input, fed the worst documents the caps allow
// (test/devices/hostile-xml.ts, crafted to be expensive and kept inside every limit so they are
// read to the end), beside a benign document of the same kind and size, in this one process.
//
// For each: the longest the event loop was held (perf_hooks monitorEventLoopDelay, 1 ms
// resolution, the reader running as the extension host runs it), the heap the document cost at
// its peak (sampled between slices) and the total time. Targets (issue 8): ≤ 100 ms block,
// ≤ 64 MB heap, and the worst crafted document within 3× the time of the benign one.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { readDeviceDescription } from '../src/core/description/device';
import { readScpd } from '../src/core/description/scpd';
import { readSoapResponse } from '../src/core/soap/response';
import { decodePropertySet } from '../src/core/gena/propertyset';
import { parseDidlAsync } from '../src/core/av/didl';
import { MAX_PROTOCOL_INFO_LENGTH, parseProtocolInfo } from '../src/core/av/protocolInfo';
import { parseSsdpMessage, toAdvertisement } from '../src/core/ssdp/message';
import { BROWSE_MAX_BYTES } from '../src/core/av/contentDirectory';
import { DEFAULT_MAX_DOCUMENT_BYTES } from '../src/core/registry/registry';
import { DEFAULT_MAX_NOTIFY_BYTES } from '../src/core/gena/callbackServer';
import {
  benignBrowseResponse, benignDatagram, benignDescription, benignDidl, benignPropertySet, benignProtocolInfo, benignScpd,
  hostileBrowseResponses, hostileDatagrams, hostileDescriptions, hostileDidls, hostilePropertySets, hostileProtocolInfos, hostileScpds,
} from '../test/devices/hostile-xml';
import type { Crafted } from '../test/devices/hostile-xml';

const BLOCK_TARGET_MS = 100;
const HEAP_TARGET_MB = 64;
const RATIO_TARGET = 3;
const DATAGRAM_BYTES = 65_507; // the largest UDP payload

interface Reader {
  readonly kind: string;
  readonly cap: number;
  readonly read: (text: string) => unknown;
  readonly benign: (size: number) => string;
  readonly hostile: (size: number) => Crafted[];
}

const CONTEXT = { actionName: 'Browse', serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1' };
// A Browse answer's Result, unescaped, is about 0.8 of the answer.
const DIDL_CAP = Math.floor(BROWSE_MAX_BYTES * 0.8);

const READERS: Reader[] = [
  { kind: 'SSDP datagram', cap: DATAGRAM_BYTES, read: (t) => toAdvertisement(parseSsdpMessage(t)), benign: benignDatagram, hostile: hostileDatagrams },
  { kind: 'description', cap: DEFAULT_MAX_DOCUMENT_BYTES, read: (t) => readDeviceDescription(t, 'http://192.168.1.2/d.xml').catch(() => undefined), benign: benignDescription, hostile: hostileDescriptions },
  { kind: 'SCPD', cap: DEFAULT_MAX_DOCUMENT_BYTES, read: (t) => readScpd(t, 'http://192.168.1.2/s.xml').catch(() => undefined), benign: benignScpd, hostile: hostileScpds },
  { kind: 'SOAP answer (Browse)', cap: BROWSE_MAX_BYTES, read: (t) => readSoapResponse({ status: 200, headers: {}, body: t }, CONTEXT), benign: benignBrowseResponse, hostile: hostileBrowseResponses },
  { kind: 'DIDL-Lite (Browse Result)', cap: DIDL_CAP, read: (t) => parseDidlAsync(t).catch(() => undefined), benign: (n) => benignDidl(n).xml, hostile: hostileDidls },
  { kind: 'GENA property set + LastChange', cap: DEFAULT_MAX_NOTIFY_BYTES, read: (t) => decodePropertySet(t), benign: benignPropertySet, hostile: hostilePropertySets },
  { kind: 'protocolInfo', cap: MAX_PROTOCOL_INFO_LENGTH, read: (t) => parseProtocolInfo(t), benign: benignProtocolInfo, hostile: hostileProtocolInfos },
];

interface Measure {
  blockMs: number;
  heapMb: number;
  totalMs: number;
  outcome: string;
}

function heapUsed(): number {
  return getHeapStatistics().used_heap_size;
}

async function measure(reader: Reader, text: string): Promise<Measure> {
  // Warm-up on a small copy so the JIT isn't what is measured.
  await reader.read(text.slice(0, 2000));
  global.gc?.();
  await new Promise((r) => setTimeout(r, 20));
  const base = heapUsed();
  let peak = base;
  const sampler = setInterval(() => { peak = Math.max(peak, heapUsed()); }, 1);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  // Run as the host runs it: the call (and its slices) on the event loop, the histogram measuring.
  const result = await new Promise<unknown>((resolve, reject) => setImmediate(() => {
    try {
      Promise.resolve(reader.read(text)).then(resolve, reject);
    } catch (err) {
      reject(err);
    }
  }));
  const totalMs = performance.now() - started;
  peak = Math.max(peak, heapUsed());
  // One more turn so a block at the very end is recorded.
  await new Promise((r) => setTimeout(r, 5));
  delay.disable();
  clearInterval(sampler);
  const outcome = describe(result);
  return { blockMs: delay.max / 1e6, heapMb: (peak - base) / 1024 / 1024, totalMs, outcome };
}

function describe(result: unknown): string {
  if (result === undefined) return 'refused';
  if (typeof result === 'object' && result !== null) {
    const r = result as Record<string, unknown>;
    if (Array.isArray(r['objects'])) return `${(r['objects'] as unknown[]).length} objects`;
    if (Array.isArray(r['variables'])) return `${(r['variables'] as unknown[]).length} variables`;
    if (r['kind'] === 'ok') return `${(r['outputs'] as unknown[]).length} outputs`;
    if (r['kind'] === 'failure') return 'refused (clear error)';
    if (Array.isArray(r['actions'])) return `${(r['actions'] as unknown[]).length} actions`;
    if (r['device']) return 'described';
    if ('error' in r) return 'ignored';
    if ('usn' in r) return 'advertisement';
    if ('contentFormat' in r) return 'decoded';
  }
  return 'read';
}

const f1 = (n: number): string => n.toFixed(1);

async function main(): Promise<void> {
  console.log(`\nHostile documents at the caps (node ${process.version}); targets: block ≤ ${BLOCK_TARGET_MS} ms, heap ≤ ${HEAP_TARGET_MB} MB, worst ≤ ${RATIO_TARGET}× the benign time.\n`);
  const summary: Record<string, string>[] = [];
  for (const reader of READERS) {
    const benignText = reader.benign(reader.cap);
    const benign = await measure(reader, benignText);
    const rows: Record<string, string>[] = [{
      document: `benign (${(benignText.length / 1024).toFixed(0)} KiB)`, 'block (ms)': f1(benign.blockMs), 'heap (MB)': f1(benign.heapMb), 'time (ms)': f1(benign.totalMs), '× benign': '1.0', outcome: benign.outcome,
    }];
    let worst = { blockMs: 0, heapMb: 0, ratio: 0 };
    for (const crafted of reader.hostile(reader.cap)) {
      const m = await measure(reader, crafted.text);
      const ratio = m.totalMs / Math.max(benign.totalMs, 0.05);
      worst = { blockMs: Math.max(worst.blockMs, m.blockMs), heapMb: Math.max(worst.heapMb, m.heapMb), ratio: Math.max(worst.ratio, ratio) };
      rows.push({
        document: `${crafted.name} (${(crafted.text.length / 1024).toFixed(0)} KiB)`, 'block (ms)': f1(m.blockMs), 'heap (MB)': f1(m.heapMb), 'time (ms)': f1(m.totalMs), '× benign': f1(ratio), outcome: m.outcome,
      });
    }
    console.log(`${reader.kind} — cap ${(reader.cap / 1024).toFixed(0)} KiB`);
    console.table(rows);
    const met = worst.blockMs <= BLOCK_TARGET_MS && worst.heapMb <= HEAP_TARGET_MB && worst.ratio <= RATIO_TARGET;
    summary.push({
      reader: reader.kind, 'worst block (ms)': f1(worst.blockMs), 'worst heap (MB)': f1(worst.heapMb), 'worst × benign': f1(worst.ratio),
      'benign time (ms)': f1(benign.totalMs), targets: met ? 'met' : 'NOT met',
    });
  }
  console.log('Summary');
  console.table(summary);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
