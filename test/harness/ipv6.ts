// IPv6 on the namespace's veth: routable (unique-local) addresses added to its ends, and waiting for
// the kernel's link-local addresses to be usable (a fresh one is "tentative" while duplicate
// address detection runs).
import { spawnSync } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as os from 'node:os';
import { assertIsolatedNetwork } from './netns';

/** The link-local (fe80::) address of an interface, if it has one yet. */
export function linkLocal(name: string): string | undefined {
  return os.networkInterfaces()[name]?.find((i) => i.family === 'IPv6' && i.address.startsWith('fe80'))?.address;
}

/** Adds (or keeps) `address/64` on interface `name`, without duplicate address detection. */
export function addIpv6Address(name: string, address: string): void {
  assertIsolatedNetwork('addIpv6Address');
  const r = spawnSync('ip', ['-6', 'addr', 'replace', `${address}/64`, 'dev', name, 'nodad']);
  if (r.status !== 0) throw new Error(`ip -6 addr replace ${address} on ${name}: ${r.stderr?.toString()}`);
}

/** Removes an address addIpv6Address added (suites share one namespace: leave it as found). */
export function removeIpv6Address(name: string, address: string): void {
  assertIsolatedNetwork('removeIpv6Address');
  spawnSync('ip', ['-6', 'addr', 'del', `${address}/64`, 'dev', name]);
}

/** Binds `socket` to address:port, retrying while the address is still tentative (up to 8 s). */
export async function bindWhenReady(socket: dgram.Socket, address: string, port: number): Promise<void> {
  const end = Date.now() + 8000;
  for (;;) {
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind({ address, port }, () => { socket.off('error', reject); resolve(); });
      });
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Waits until each interface's link-local address exists and can be bound (up to 8 s). */
export async function linkLocalReady(...names: string[]): Promise<void> {
  for (const name of names) {
    const end = Date.now() + 8000;
    while (!linkLocal(name) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const address = linkLocal(name);
    if (!address) throw new Error(`${name} has no link-local address after 8 s`);
    const probe = dgram.createSocket('udp6');
    await bindWhenReady(probe, `${address}%${name}`, 0);
    probe.close();
  }
}
