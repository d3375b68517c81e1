// A test's own M-SEARCH, to find a third-party device's LOCATION (renderers, the network light)
// without the product's discovery: one datagram to the SSDP group from one local address.
import dgram from 'node:dgram';
import { formatMSearch, parseSsdpMessage, SSDP_IPV4_GROUP, SSDP_PORT } from '../../src/core/ssdp/message';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One multicast M-SEARCH sent from `fromAddress`; resolves with the LOCATIONs that answered within `waitMs`. */
export async function searchLocations(searchTarget: string, fromAddress: string, waitMs: number): Promise<string[]> {
  const socket = dgram.createSocket({ type: 'udp4' });
  const found: string[] = [];
  socket.on('message', (msg) => {
    try {
      const parsed = parseSsdpMessage(msg);
      const location = parsed.headers['location'];
      if (parsed.start.kind === 'response' && location && !found.includes(location)) found.push(location);
    } catch {
      // not SSDP; ignore
    }
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, fromAddress, () => { socket.off('error', reject); resolve(); });
    });
    socket.setMulticastInterface(fromAddress);
    const message = formatMSearch({ searchTarget, mx: 1, host: `${SSDP_IPV4_GROUP}:${SSDP_PORT}`, userAgent: 'Linux/6 UPnP/1.1 upnp-explorer-tests/1.0' });
    await new Promise<void>((resolve) => socket.send(message, SSDP_PORT, SSDP_IPV4_GROUP, () => resolve()));
    await sleep(waitMs);
    return found;
  } finally {
    socket.close();
  }
}
