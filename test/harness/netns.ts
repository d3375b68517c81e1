// Guards for helpers that put SSDP on the wire (multicast!): they must only ever run inside the
// fresh network namespace made by scripts/netns.sh, never on a machine's real network.
import * as os from 'node:os';

/** Interfaces scripts/netns.sh may create: loopback and its optional in-namespace veth pair. */
export const ISOLATED_INTERFACES: readonly string[] = ['lo', 'upnpv0', 'upnpv1'];

/** Names of interfaces that have an address and are not part of an isolated namespace. */
export function foreignInterfaces(): string[] {
  // os.networkInterfaces() uses getifaddrs(), which reads the current network namespace
  // (unlike /sys/class/net, which shows the namespace sysfs was mounted in).
  return Object.keys(os.networkInterfaces()).filter((name) => !ISOLATED_INTERFACES.includes(name));
}

/** True when this process sees only `lo` (plus the optional upnpv0/upnpv1 veth). */
export function isIsolatedNetwork(): boolean {
  return foreignInterfaces().length === 0 && 'lo' in os.networkInterfaces();
}

/** Throws unless running inside an isolated namespace; `what` names the refusing helper. */
export function assertIsolatedNetwork(what: string): void {
  const foreign = foreignInterfaces();
  if (foreign.length > 0 || !('lo' in os.networkInterfaces())) {
    throw new Error(
      `${what} refuses to run: it speaks SSDP (multicast) and this process is not in an isolated network ` +
        `namespace (interfaces seen: ${Object.keys(os.networkInterfaces()).join(', ') || 'none'}). ` +
        'Run it through scripts/netns.sh.',
    );
  }
}
