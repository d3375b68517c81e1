// NOTIFYs a device sent, checked as UDA 1.1 §1.2 says: each alive with HOST, NT/NTS, the USN for
// its NT, CACHE-CONTROL of at least 1800 s, this LOCATION, SERVER's form, BOOTID/CONFIGID for
// 1.1; byebyes with NT/NTS/USN; and, once an alive burst has been seen whole, the set of 3 + 2d + k.
// A device announces only every max-age/2 or so, so the NOTIFYs are ones observed already: the
// extension's SSDP Traffic view records them, the command line listens for a while
// (listenForNotifies). Nothing here sends anything.
import * as dgram from 'node:dgram';
import type { RootDescription } from '../description/model';
import { SSDP_IPV4_GROUP, SSDP_PORT, parseSsdpMessage } from '../ssdp/message';
import { expectedTargets } from './discovery';
import { RULES_DISCOVERY, SERVER_FORM, dedupeFindings, firstLines } from './discoveryRules';
import { finding } from './model';
import type { Finding } from './model';

export interface ObservedNotify {
  /** The datagram as received (latin1). */
  readonly raw: string;
  /** Source address. */
  readonly from: string;
  /** When it came (ms since the epoch). */
  readonly at: number;
}

const MAX_DATAGRAM = 8192;
/** NOTIFYs of one announcement come within this of each other. */
const BURST_GAP_MS = 1500;

/** Whether a NOTIFY is this device's: its USN names one of the device's UDNs, or its LOCATION is this one. */
export function isDevicesNotify(raw: string, description: RootDescription, location: string): boolean {
  const udns = udnsOf(description);
  try {
    const m = parseSsdpMessage(raw);
    if (m.start.kind !== 'notify') return false;
    const usn = (m.headers['usn'] ?? '').toLowerCase();
    return udns.some((u) => usn.startsWith(u)) || m.headers['location'] === location;
  } catch {
    return false;
  }
}

/** The device's UDNs, lower case, worked out once per description (thousands of NOTIFYs are judged). */
const UDNS = new WeakMap<RootDescription, readonly string[]>();
function udnsOf(description: RootDescription): readonly string[] {
  let udns = UDNS.get(description);
  if (!udns) {
    udns = [...expectedTargets(description.device).values()].filter((u) => !u.includes('::')).map((u) => u.toLowerCase());
    UDNS.set(description, udns);
  }
  return udns;
}

export function checkNotifies(observed: readonly ObservedNotify[], description: RootDescription, location: string): Finding[] {
  const out: Finding[] = [];
  const expected = expectedTargets(description.device);
  const uda11 = description.specVersion !== undefined && description.specVersion.major === 1 && description.specVersion.minor >= 1;
  const alives: Array<{ nt: string; at: number }> = [];
  for (const n of observed) {
    if (n.raw.length > MAX_DATAGRAM || !isDevicesNotify(n.raw, description, location)) continue;
    const h = parseSsdpMessage(n.raw).headers;
    const evidence = firstLines(n.raw);
    const nt = h['nt'] ?? '';
    const nts = h['nts'] ?? '';
    const label = `A NOTIFY ${nts || '(no NTS)'} (NT ${nt || '?'})`;
    if (h['host'] !== `${SSDP_IPV4_GROUP}:${SSDP_PORT}`) out.push(finding(RULES_DISCOVERY.notifyForm, `${label} has HOST ${h['host'] ?? '(none)'}, not ${SSDP_IPV4_GROUP}:${SSDP_PORT}.`, { evidence }));
    if (!['ssdp:alive', 'ssdp:byebye', 'ssdp:update'].includes(nts)) out.push(finding(RULES_DISCOVERY.notifyForm, `${label}: NTS is not ssdp:alive, ssdp:byebye or ssdp:update.`, { evidence }));
    const usn = expected.get(nt);
    if (!nt) out.push(finding(RULES_DISCOVERY.notifyForm, `${label} has no NT.`, { evidence }));
    else if (usn === undefined) out.push(finding(RULES_DISCOVERY.notifySet, `${label} announces ${nt}, which the description does not make.`, { evidence, severity: 'warning' }));
    else if ((h['usn'] ?? '').toLowerCase() !== usn.toLowerCase()) out.push(finding(RULES_DISCOVERY.usnForm, `${label} has USN ${h['usn'] ?? '(none)'}; UDA wants ${usn}.`, { evidence }));
    if (nts !== 'ssdp:alive') continue;
    alives.push({ nt, at: n.at });
    const age = /max-age\s*=\s*(\d+)/i.exec(h['cache-control'] ?? '');
    if (!age) out.push(finding(RULES_DISCOVERY.cacheControl, `${label} has ${h['cache-control'] ? `CACHE-CONTROL "${h['cache-control']}"` : 'no CACHE-CONTROL'}.`, { evidence }));
    else if (Number(age[1]) < 1800) out.push(finding(RULES_DISCOVERY.cacheControl, `A NOTIFY says max-age=${age[1]}, under 1800.`, { evidence, severity: 'warning' }));
    if (!h['location']) out.push(finding(RULES_DISCOVERY.location, `${label} has no LOCATION.`, { evidence }));
    else if (h['location'] !== location) out.push(finding(RULES_DISCOVERY.location, `A NOTIFY's LOCATION ${h['location']} is not the description validated (${location}).`, { evidence, severity: 'warning' }));
    if (!h['server'] || !SERVER_FORM.test(h['server'])) out.push(finding(RULES_DISCOVERY.serverForm, `A NOTIFY's SERVER "${h['server'] ?? ''}" is not "OS/version UPnP/1.x product/version".`, { evidence }));
    if (uda11 && (h['bootid.upnp.org'] === undefined || h['configid.upnp.org'] === undefined)) out.push(finding(RULES_DISCOVERY.uda11Headers, `A UDA 1.1 device's NOTIFY lacks ${[h['bootid.upnp.org'] === undefined ? 'BOOTID.UPNP.ORG' : '', h['configid.upnp.org'] === undefined ? 'CONFIGID.UPNP.ORG' : ''].filter(Boolean).join(' and ')}.`, { evidence }));
  }
  // The alive set, judged on a burst seen from its start: the NOTIFYs of one announcement come
  // together; a burst is complete when the recording began before it (a quiet gap ahead of it).
  const bursts: Array<Set<string>> = [];
  let last = -Infinity;
  for (const a of [...alives].sort((x, y) => x.at - y.at)) {
    if (a.at - last > BURST_GAP_MS) bursts.push(new Set());
    bursts[bursts.length - 1]!.add(a.nt);
    last = a.at;
  }
  if (bursts.length > 0) {
    const best = bursts.reduce((a, b) => (b.size > a.size ? b : a));
    const missing = [...expected.keys()].filter((t) => !best.has(t));
    if (missing.length > 0) {
      out.push(finding(RULES_DISCOVERY.notifySet, `The fullest alive burst seen announces ${best.size} of the ${expected.size} targets the description makes (3 + 2d + k); it lacks ${missing.join(', ')}.`, { evidence: [...best].map((t) => `NT: ${t}`).join('; ').slice(0, 400) }));
    }
  }
  return dedupeFindings(out, 'NOTIFY', /\(NT [^)]*\)/);
}

/**
 * Listens on the SSDP group, on one interface, for `ms` and gives what NOTIFYs came (the command
 * line's --listen). Bound to the group address, not a wildcard; joins only that interface.
 */
export async function listenForNotifies(interfaceAddress: string, ms: number, port = SSDP_PORT): Promise<ObservedNotify[]> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  const seen: ObservedNotify[] = [];
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address: SSDP_IPV4_GROUP, port }, () => { socket.off('error', reject); resolve(); });
  });
  socket.on('error', () => undefined);
  try {
    socket.addMembership(SSDP_IPV4_GROUP, interfaceAddress);
    socket.on('message', (data, rinfo) => {
      if (data.length > MAX_DATAGRAM || seen.length >= 10_000) return;
      if (data.subarray(0, 7).toString('latin1') !== 'NOTIFY ') return;
      seen.push({ raw: data.toString('latin1'), from: rinfo.address, at: Date.now() });
    });
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    socket.close();
  }
  return seen;
}
