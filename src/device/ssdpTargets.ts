// What a hosted device is known by on SSDP (UDA 1.1 §1.1.2): the NOTIFY set of a root device —
// upnp:rootdevice once, then for the root and every embedded device its UUID and its device type,
// and each distinct service type of each device — and which of them answer a search.
//
// Plain functions of the served description, so the announcer and its tests agree on the set.
import { createHash } from 'node:crypto';
import type { DeviceDescription } from '../core/description/model';
import type { SsdpAnswerPolicy } from './manifest';

/** One NT (= ST when answering) and the USN that goes with it. */
export interface SsdpTarget {
  readonly nt: string;
  readonly usn: string;
}

/**
 * The UDNs as served: the root's is the device's identity; each embedded device's is derived from
 * the identity and its written UDN, so a clone with a new identity shares no UDN with the original
 * and keeps the same ones across restarts.
 */
export function servedUdns(root: DeviceDescription, identityUdn: string): Map<string, string> {
  const map = new Map<string, string>();
  map.set(root.udn, identityUdn);
  const walk = (d: DeviceDescription): void => {
    for (const child of d.devices) {
      if (!map.has(child.udn)) map.set(child.udn, derivedUdn(identityUdn, child.udn));
      walk(child);
    }
  };
  walk(root);
  return map;
}

function derivedUdn(identityUdn: string, written: string): string {
  const h = createHash('sha1').update(`${identityUdn}\n${written}`).digest('hex');
  // The form of a name-based (version 5) UUID.
  return `uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** The full NOTIFY set (3 + 2d + k messages for d embedded devices and k service types per device). */
export function ssdpTargets(root: DeviceDescription, udns: ReadonlyMap<string, string>): SsdpTarget[] {
  const rootUdn = udns.get(root.udn) ?? root.udn;
  const targets: SsdpTarget[] = [{ nt: 'upnp:rootdevice', usn: `${rootUdn}::upnp:rootdevice` }];
  const walk = (d: DeviceDescription): void => {
    const udn = udns.get(d.udn) ?? d.udn;
    targets.push({ nt: udn, usn: udn });
    if (d.deviceType) targets.push({ nt: d.deviceType, usn: `${udn}::${d.deviceType}` });
    const seen = new Set<string>();
    for (const s of d.services) {
      if (!s.serviceType || seen.has(s.serviceType)) continue;
      seen.add(s.serviceType);
      targets.push({ nt: s.serviceType, usn: `${udn}::${s.serviceType}` });
    }
    for (const child of d.devices) walk(child);
  };
  walk(root);
  return targets;
}

export interface SearchDecision {
  /** The answers to send: ST as it goes in the answer, USN. Empty when not answered. */
  readonly answers: readonly SsdpTarget[];
  /** Why nothing is answered, in words for the log. */
  readonly reason?: string;
}

const TYPE_URN = /^(urn:[^:\s]+:(?:device|service):[^:\s]+):(\d+)$/;

/**
 * The answers to a search for `st`. UDA 1.1 §1.3.2: ssdp:all gets one answer per target, with its
 * NT as ST; a device or service type is answered when the device has that type in the same or a
 * higher version, echoing the version asked for. With the policy "root" (what a Canon camera
 * expects of a PC) only upnp:rootdevice and ssdp:all are answered, both as upnp:rootdevice.
 */
export function answerSearch(st: string, targets: readonly SsdpTarget[], policy: SsdpAnswerPolicy): SearchDecision {
  const root = targets.find((t) => t.nt === 'upnp:rootdevice');
  if (policy === 'root') {
    if ((st === 'ssdp:all' || st === 'upnp:rootdevice') && root) return { answers: [root] };
    return { answers: [], reason: 'the manifest answers only upnp:rootdevice and ssdp:all ("ssdp.answer": "root")' };
  }
  if (st === 'ssdp:all') return { answers: targets };
  const exact = targets.filter((t) => t.nt === st);
  if (exact.length > 0) return { answers: exact.map((t) => ({ nt: st, usn: t.usn })) };
  const asked = TYPE_URN.exec(st);
  if (asked) {
    const older = targets.filter((t) => {
      const ours = TYPE_URN.exec(t.nt);
      return ours !== null && ours[1] === asked[1] && Number(ours[2]) >= Number(asked[2]);
    });
    if (older.length > 0) return { answers: older.map((t) => ({ nt: st, usn: t.usn.slice(0, t.usn.length - t.nt.length) + st })) };
    if (targets.some((t) => TYPE_URN.exec(t.nt)?.[1] === asked[1])) return { answers: [], reason: `this device has ${asked[1]} only in an older version` };
  }
  return { answers: [], reason: 'no device or service here has that type or UUID' };
}
