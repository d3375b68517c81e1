// Devices whose HTTP side holds the explorer hostage: each announces itself correctly over SSDP,
// but its description URL accepts the connection and never answers ('stall'), or answers one
// byte a second ('crawl'). Every device can be its own host (127.3.x.y) or all can share one
// address with a port each, as one attacking machine would. Used by the hostile-discovery suite.
import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { SsdpResponder } from './ssdp-responder';
import type { CommonDeviceOptions } from './device-handle';
import type { AdvertisedRoot } from './ssdp-responder';

export type HoldKind = 'stall' | 'crawl';

export interface HoldingDevicesOptions extends CommonDeviceOptions {
  readonly count: number;
  readonly kind: HoldKind;
  /** 'one-host': all on 127.3.0.1 (a port each); 'own-host': 127.3.x.y each. */
  readonly hosts: 'one-host' | 'own-host';
  /** 8 hex digits for the UDNs. */
  readonly udnPrefix?: string;
}

export interface HoldingDevices {
  readonly locations: readonly string[];
  readonly udns: readonly string[];
  /** Connections accepted so far (each a request the explorer made). */
  connections(): number;
  /** Sends ssdp:alive for all of them again (a re-announcing attacker). */
  announceAll(): Promise<void>;
  stop(): Promise<void>;
}

export function holdingHost(i: number, hosts: 'one-host' | 'own-host'): string {
  return hosts === 'one-host' ? '127.3.0.1' : `127.3.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export async function startHoldingDevices(opts: HoldingDevicesOptions): Promise<HoldingDevices> {
  const prefix = opts.udnPrefix ?? '5ta11000';
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let accepted = 0;
  const locations: string[] = [];
  const udns: string[] = [];
  const responder = await SsdpResponder.start({ ...opts, interfaceAddress: opts.interfaceAddress ?? '127.0.0.1' });
  const roots: AdvertisedRoot[] = [];
  await Promise.all(Array.from({ length: opts.count }, async (_, i) => {
    const server = net.createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (opts.kind === 'crawl') {
        const body = '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0">';
        const head = `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${body.length + 1000}\r\n\r\n`;
        let at = 0;
        const text = head + body;
        const timer = setInterval(() => {
          if (at >= text.length || socket.destroyed) { clearInterval(timer); return; }
          socket.write(text[at++]!);
        }, 1000);
        socket.on('close', () => clearInterval(timer));
      }
      // 'stall': read the request, never answer.
      socket.resume();
    });
    const host = holdingHost(i, opts.hosts);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => { server.off('error', reject); resolve(); });
    });
    servers[i] = server;
    const udn = `uuid:${prefix}-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`;
    const location = `http://${host}:${(server.address() as AddressInfo).port}/description.xml`;
    locations[i] = location;
    udns[i] = udn;
    roots[i] = await responder.addRoot({
      root: { udn, deviceType: 'urn:schemas-upnp-org:device:Basic:1', serviceTypes: [] },
      location,
      ...(opts.maxAgeSeconds !== undefined ? { maxAgeSeconds: opts.maxAgeSeconds } : {}),
      // They answer searches; announcing at start would only cost time (each root waits 100 ms
      // between its two announcements). announceAll() is how a test makes them re-announce.
      announce: opts.announce ?? false,
    });
  }));
  return {
    locations,
    udns,
    connections: () => accepted,
    announceAll: async () => { await Promise.all(roots.map((r) => r.sendAlive())); },
    stop: async () => {
      await responder.close();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
