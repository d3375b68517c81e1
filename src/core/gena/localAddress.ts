// Which of our addresses a device reaches us on. A callback URL must be reachable from the
// device, so it carries the local address our own traffic to that device leaves from: connecting
// a UDP socket asks the kernel's routing table without sending anything.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import * as os from 'node:os';

/**
 * The local address the route to `host` uses (`host` may be a name; it is resolved). It is always
 * a concrete address of one of our interfaces: the callback server listens there and nowhere else.
 * @throws Error, in words a user can act on, for an event URL no device can have (broadcast,
 *         multicast, unspecified) or one with no route from here.
 */
export async function localAddressFor(host: string, port: number): Promise<string> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const refusal = unusableEventHost(bare);
  if (refusal) throw new Error(refusal);
  const socket = dgram.createSocket(isIP(bare) === 6 ? 'udp6' : 'udp4');
  let local: string;
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port || 9, bare, () => { socket.off('error', reject); resolve(); });
    });
    local = socket.address().address;
  } finally {
    socket.close();
  }
  // A name may resolve to a broadcast or unspecified address; the kernel then answers 0.0.0.0.
  if (isUnspecified(local) || !isOwnAddress(local)) {
    throw new Error(`there is no route from this machine to ${host} (the local address would be ${local}); events can't be received from it`);
  }
  return local;
}

/** Why an event URL's host can't be a device's, or undefined when it can. */
export function unusableEventHost(host: string, interfaces: NodeJS.Dict<os.NetworkInterfaceInfo[]> = os.networkInterfaces()): string | undefined {
  const family = isIP(host);
  if (family === 0) return undefined; // a name: judged by where it leads
  const what = (kind: string): string => `${host} is ${kind} address, not a device's; the event URL is wrong, and no callback server is started for it`;
  if (isUnspecified(host)) return what('the unspecified');
  if (family === 4) {
    const n = ipv4ToNumber(host);
    if (n === undefined) return undefined;
    if (n === 0xffffffff) return what('the broadcast');
    if ((n >>> 28) === 0xe) return what('a multicast');
    if ((n >>> 24) === 0) return what('a "this network"');
    for (const infos of Object.values(interfaces)) {
      for (const i of infos ?? []) {
        if (i.family !== 'IPv4') continue;
        const address = ipv4ToNumber(i.address);
        const mask = ipv4ToNumber(i.netmask);
        if (address === undefined || mask === undefined || mask === 0xffffffff) continue;
        if (((n & mask) >>> 0) === ((address & mask) >>> 0) && ((n | mask) >>> 0) === 0xffffffff) return what(`the broadcast (of ${i.address}/${i.netmask})`);
      }
    }
    return undefined;
  }
  if (/^ff/i.test(host)) return what('a multicast');
  return undefined;
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '::0' || /^0+(:0+){7}$/.test(address) || address === '';
}

function isOwnAddress(address: string): boolean {
  const plain = address.replace(/%.*$/, '');
  return Object.values(os.networkInterfaces()).some((infos) => infos?.some((i) => i.address === plain || i.address === address));
}

function ipv4ToNumber(address: string): number | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n >>> 0;
}

/** The name of the interface holding `address` (`eth0`, `lo`), if it is one of ours. */
export function interfaceNameOf(address: string): string | undefined {
  for (const [name, infos] of Object.entries(os.networkInterfaces())) {
    if (infos?.some((i) => i.address === address)) return name;
  }
  return undefined;
}
