// Devices whose HTTP side holds the explorer hostage: each answers M-SEARCH correctly over SSDP,
// but its description URL
//   'stall'   accepts the connection and never answers,
//   'crawl'   answers one byte a second from the status line on,
//   'trickle' sends the headers at once, then the body one byte a second.
// Every device can be its own host (127.3.x.y) or all can share one address with a port each, as
// one attacking machine would; its SSDP answers come from its own address (as a real device's do)
// or, with `announcedBy: 'one-machine'`, all from 127.0.0.1 (one machine announcing LOCATIONs on
// a thousand other hosts). `startHoldingDevicesApart` runs them in a child process, so the
// explorer under test does not pay for simulating them (as on a real network). Used by the
// hostile-discovery suite. Only inside an isolated network namespace.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { SsdpResponder } from './ssdp-responder';
import type { CommonDeviceOptions } from './device-handle';
import type { AdvertisedRoot } from './ssdp-responder';

export type HoldKind = 'stall' | 'crawl' | 'trickle';

export interface HoldingDevicesOptions extends Omit<CommonDeviceOptions, 'ssdp'> {
  readonly count: number;
  readonly kind: HoldKind;
  /** 'one-host': all on 127.3.0.1 (a port each); 'own-host': 127.3.x.y each. */
  readonly hosts: 'one-host' | 'own-host';
  /** 8 hex digits for the UDNs. */
  readonly udnPrefix?: string;
  /** Who sends the SSDP answers: each device from its own address (default), or one machine for all. */
  readonly announcedBy?: 'device' | 'one-machine';
}

export interface HoldingDevices {
  readonly locations: readonly string[];
  readonly udns: readonly string[];
  /** Connections accepted so far (each a request the explorer made). */
  connections(): Promise<number>;
  /** Sends ssdp:alive for all of them again (a re-announcing attacker). */
  announceAll(): Promise<void>;
  /** Sends ssdp:alive for all of them with a new BOOTID (an attacker "rebooting" to be described again). */
  rebootAll(): Promise<void>;
  stop(): Promise<void>;
}

export function holdingHost(i: number, hosts: 'one-host' | 'own-host'): string {
  return hosts === 'one-host' ? '127.3.0.1' : `127.3.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

const CRAWL_BODY = '<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>';

/** Writes `text` one byte a second until it is all out or the socket closes. */
function dribble(socket: Socket, text: string): void {
  let at = 0;
  const timer = setInterval(() => {
    if (at >= text.length || socket.destroyed) { clearInterval(timer); return; }
    socket.write(text[at++]!);
  }, 1000);
  socket.on('close', () => clearInterval(timer));
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
  // The body never completes in time: its length is announced a kilobyte longer than sent.
  const head = `HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: ${CRAWL_BODY.length + 1000}\r\n\r\n`;
  await Promise.all(Array.from({ length: opts.count }, async (_, i) => {
    const server = net.createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (opts.kind === 'crawl') dribble(socket, head + CRAWL_BODY);
      else if (opts.kind === 'trickle') {
        socket.write(head);
        dribble(socket, CRAWL_BODY);
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
      ...(opts.announcedBy === 'one-machine' ? {} : { speakFrom: host }),
      ...(opts.maxAgeSeconds !== undefined ? { maxAgeSeconds: opts.maxAgeSeconds } : {}),
      // They answer searches; announcing at start would only cost time (each root waits 100 ms
      // between its two announcements). announceAll() is how a test makes them re-announce.
      announce: opts.announce ?? false,
    });
  }));
  return {
    locations,
    udns,
    connections: () => Promise.resolve(accepted),
    announceAll: async () => { await Promise.all(roots.map((r) => r.sendAlive())); },
    rebootAll: async () => {
      await Promise.all(roots.map((r) => {
        r.bootId++;
        return r.sendAlive();
      }));
    },
    stop: async () => {
      await responder.close();
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

// ---- the same devices in a child process ----

type Ask = 'connections' | 'announce' | 'reboot' | 'stop';
type ToChild = { type: 'start'; opts: HoldingDevicesOptions } | { type: Ask; id: number };
type FromChild =
  | { type: 'ready'; locations: string[]; udns: string[] }
  | { type: 'failed'; message: string }
  | { type: 'done'; id: number; value?: number };

/** Starts the devices in a child process (Node with tsx, over IPC); same handle as in-process. */
export function startHoldingDevicesApart(opts: HoldingDevicesOptions): Promise<HoldingDevices> {
  const child: ChildProcess = fork(__filename, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (value: number | undefined) => void>();
  let nextId = 1;
  const ask = (type: Ask): Promise<number | undefined> => new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    child.send({ type, id } satisfies ToChild);
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`the hostile devices' process exited (${code})`));
      for (const done of waiting.values()) done(undefined);
    });
    child.on('message', (m: FromChild) => {
      if (m.type === 'failed') reject(new Error(m.message));
      else if (m.type === 'done') {
        waiting.get(m.id)?.(m.value);
        waiting.delete(m.id);
      } else {
        resolve({
          locations: m.locations,
          udns: m.udns,
          connections: async () => (await ask('connections')) ?? 0,
          announceAll: async () => { await ask('announce'); },
          rebootAll: async () => { await ask('reboot'); },
          stop: async () => {
            if (child.exitCode !== null) return;
            const exited = new Promise((r) => child.once('exit', r));
            await ask('stop');
            await exited;
          },
        });
      }
    });
    child.send({ type: 'start', opts } satisfies ToChild);
  });
}

if (require.main === module && process.send) {
  let devices: HoldingDevices | undefined;
  const reply = (m: FromChild): void => void process.send!(m);
  process.on('message', (m: ToChild) => {
    void (async () => {
      if (m.type === 'start') {
        try {
          devices = await startHoldingDevices(m.opts);
          reply({ type: 'ready', locations: [...devices.locations], udns: [...devices.udns] });
        } catch (err) {
          reply({ type: 'failed', message: (err as Error).message });
          process.exit(1);
        }
      } else if (m.type === 'connections') {
        reply({ type: 'done', id: m.id, value: await devices!.connections() });
      } else if (m.type === 'announce' || m.type === 'reboot') {
        await (m.type === 'announce' ? devices!.announceAll() : devices!.rebootAll());
        reply({ type: 'done', id: m.id });
      } else {
        await devices?.stop();
        reply({ type: 'done', id: m.id });
        process.disconnect();
        process.exit(0);
      }
    })();
  });
  // The parent went away: nothing left to hold hostage.
  process.on('disconnect', () => process.exit(0));
}
