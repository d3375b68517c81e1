// Which local interfaces SSDP runs on. node-ssdp only ever takes non-internal IPv4 interfaces; we
// also take loopback (device developers run simulators on it) and IPv6 link-local.
import * as fs from 'node:fs';
import * as os from 'node:os';

export interface SsdpInterface {
  /** OS interface name, e.g. `eth0`, `lo`. */
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
  readonly netmask: string;
  readonly internal: boolean;
  /** IPv6 scope id (interface index) for link-local addresses. */
  readonly scopeId?: number;
}

export interface InterfaceSelection {
  readonly selected: readonly SsdpInterface[];
  /** Requested entries that matched nothing, in words a user can act on. */
  readonly problems: readonly string[];
}

type NetworkInterfaces = NodeJS.Dict<os.NetworkInterfaceInfo[]>;

const IFF_UP = 0x1;
const IFF_MULTICAST = 0x1000;

/**
 * Reads Linux interface flags; undefined where /sys is not there (macOS, Windows). Caveat: /sys
 * shows the network namespace it was mounted in, which inside `unshare -n` is the host's, so a
 * flag read here is a hint, never a reason to drop an interface the user named.
 */
function linuxFlags(name: string): number | undefined {
  try {
    return parseInt(fs.readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
  } catch {
    return undefined;
  }
}

function usable(name: string, internal: boolean, flagsOf: (name: string) => number | undefined): boolean {
  const flags = flagsOf(name);
  if (flags === undefined) return true;
  // Loopback: the MULTICAST flag is off by default yet often set inside namespaces that /sys can't see.
  return (flags & IFF_UP) !== 0 && (internal || (flags & IFF_MULTICAST) !== 0);
}

/**
 * Chooses interfaces from the setting `upnpExplorer.discovery.interfaces`: entries are addresses
 * (`192.168.1.10`, `127.0.0.1`) or interface names (`eth0`). Empty = every up, multicast-capable
 * IPv4 interface, loopback only when there is no other. With `ipv6`, the IPv6 link-local address of
 * each chosen interface is added.
 */
export function selectInterfaces(
  requested: readonly string[],
  ipv6: boolean,
  all: NetworkInterfaces = os.networkInterfaces(),
  flagsOf: (name: string) => number | undefined = linuxFlags,
): InterfaceSelection {
  const flat: SsdpInterface[] = [];
  for (const [name, infos] of Object.entries(all)) {
    for (const info of infos ?? []) {
      const family = info.family === 'IPv4' || (info.family as unknown) === 4 ? 4 : 6;
      flat.push({ name, address: info.address, family, netmask: info.netmask, internal: info.internal, ...(family === 6 ? { scopeId: info.scopeid } : {}) });
    }
  }
  const problems: string[] = [];
  let v4: SsdpInterface[];
  const wanted = requested.map((r) => r.trim()).filter((r) => r.length > 0);
  if (wanted.length === 0) {
    const candidates = flat.filter((i) => i.family === 4 && usable(i.name, i.internal, flagsOf));
    v4 = candidates.filter((i) => !i.internal);
    if (v4.length === 0) v4 = candidates.filter((i) => i.internal);
  } else {
    v4 = [];
    for (const w of wanted) {
      const matches = flat.filter((i) => i.family === 4 && (i.address === w || i.name === w));
      const v6match = flat.some((i) => i.family === 6 && stripZone(i.address) === stripZone(w));
      if (matches.length === 0 && !v6match) {
        problems.push(`"${w}" is neither an IPv4 address of this machine nor an interface name here (known: ${describeKnown(flat)}).`);
      } else if (matches.length > 0 && !matches.some((m) => usable(m.name, m.internal, flagsOf))) {
        problems.push(`Interface ${matches[0]!.name} is down or has multicast disabled; SSDP may not work on it.`);
      }
      for (const m of matches) if (!v4.some((x) => x.address === m.address)) v4.push(m);
    }
  }
  const selected: SsdpInterface[] = [...v4];
  if (ipv6) {
    const names = new Set(v4.map((i) => i.name));
    for (const w of wanted) if (flat.some((i) => i.name === w)) names.add(w);
    for (const i of flat) {
      if (i.family === 6 && names.has(i.name) && /^fe80:/i.test(i.address)) selected.push(i);
    }
    if (!selected.some((i) => i.family === 6)) {
      problems.push('IPv6 discovery is on, but none of the chosen interfaces has an IPv6 link-local (fe80::) address.');
    }
  }
  return { selected, problems };
}

function stripZone(a: string): string {
  return a.replace(/%.*$/, '').toLowerCase();
}

function describeKnown(flat: readonly SsdpInterface[]): string {
  const seen = flat.filter((i) => i.family === 4).map((i) => `${i.name} ${i.address}`);
  return seen.length ? seen.join(', ') : 'none';
}

/**
 * The IPv6 addresses a device hosted on the named interfaces serves and announces on: each one's
 * link-local address (FF02::C) and its unique-local or global ones (FF05::C), so control points
 * that search on either scope find it. Loopback's `::1` counts for `lo`.
 */
export function ipv6AddressesOf(names: ReadonlySet<string>, all: NetworkInterfaces = os.networkInterfaces()): SsdpInterface[] {
  const out: SsdpInterface[] = [];
  for (const [name, infos] of Object.entries(all)) {
    if (!names.has(name)) continue;
    for (const info of infos ?? []) {
      const family = info.family === 'IPv6' || (info.family as unknown) === 6;
      if (!family || /^ff/i.test(info.address)) continue;
      out.push({ name, address: info.address.replace(/%.*$/, ''), family: 6, netmask: info.netmask, internal: info.internal, ...(info.scopeid !== undefined ? { scopeId: info.scopeid } : {}) });
    }
  }
  // Link-local first: it is always there, the others may come and go.
  return out.sort((a, b) => Number(!isLinkLocal6(a.address)) - Number(!isLinkLocal6(b.address)));
}

/** fe80::/10. */
export function isLinkLocal6(address: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(address);
}

/** The address as a socket takes it: a link-local IPv6 address with its interface as zone. */
export function scopedAddress(i: SsdpInterface): string {
  return i.family === 6 && isLinkLocal6(i.address) ? `${i.address}%${i.name}` : i.address;
}

/** Whether `address` is on the same subnet as interface `i` (a link-local one: the same link). */
export function onSubnet(i: SsdpInterface, address: string): boolean {
  if (i.family === 6) return onSubnet6(i, address);
  const a = ipv4ToInt(address);
  const b = ipv4ToInt(i.address);
  const m = ipv4ToInt(i.netmask);
  if (a === undefined || b === undefined || m === undefined) return false;
  return (a & m) === (b & m);
}

function ipv4ToInt(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!Number.isInteger(v) || v < 0 || v > 255) return undefined;
    n = (n << 8) | v;
  }
  return n >>> 0;
}

function onSubnet6(i: SsdpInterface, address: string): boolean {
  const zone = /%(.+)$/.exec(address)?.[1];
  const plain = address.replace(/%.*$/, '');
  if (isLinkLocal6(i.address) || isLinkLocal6(plain)) {
    // Link-local: the same link is the same interface, told by the zone the datagram came with.
    return isLinkLocal6(i.address) && isLinkLocal6(plain) && (zone === undefined || zone === i.name || zone === String(i.scopeId));
  }
  const a = ipv6ToBytes(plain);
  const b = ipv6ToBytes(i.address);
  const m = ipv6ToBytes(i.netmask);
  if (!a || !b || !m) return false;
  for (let k = 0; k < 16; k++) if ((a[k]! & m[k]!) !== (b[k]! & m[k]!)) return false;
  return true;
}

/** 16 bytes of an IPv6 address (no zone), or undefined. */
export function ipv6ToBytes(s: string): number[] | undefined {
  if (!/^[0-9a-f:.]+$/i.test(s) || s.length > 45) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = ipv4ToInt(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (fill < 0 || (halves.length === 1 && fill !== 0)) return undefined;
  const words = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}
