// Which of our addresses a device reaches us on. A callback URL must be reachable from the
// device, so it carries the local address our own traffic to that device leaves from: connecting
// a UDP socket asks the kernel's routing table without sending anything.
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import * as os from 'node:os';

/** The local address the route to `host` uses (`host` may be a name; it is resolved). */
export async function localAddressFor(host: string, port: number): Promise<string> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const socket = dgram.createSocket(isIP(bare) === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port || 9, bare, () => { socket.off('error', reject); resolve(); });
    });
    return socket.address().address;
  } finally {
    socket.close();
  }
}

/** The name of the interface holding `address` (`eth0`, `lo`), if it is one of ours. */
export function interfaceNameOf(address: string): string | undefined {
  for (const [name, infos] of Object.entries(os.networkInterfaces())) {
    if (infos?.some((i) => i.address === address)) return name;
  }
  return undefined;
}
