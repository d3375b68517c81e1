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

/** Whether `address` is on the same subnet as interface `i` (IPv4 only). */
export function onSubnet(i: SsdpInterface, address: string): boolean {
  if (i.family !== 4) return false;
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
