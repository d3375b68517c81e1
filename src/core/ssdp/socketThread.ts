// The SSDP sockets, on a thread of their own. A crowd answering one search sends its answers in a
// burst (1,000 devices × 5 answers × 3 M-SEARCH copies within MX), and libuv reads at most 32
// datagrams per socket per turn of the event loop: on the extension host's loop, busy describing
// those very devices (and running other extensions), each turn takes milliseconds, the kernel's
// receive buffer fills and answers are dropped. This thread's loop does nothing but read, so it
// keeps up; it hands the datagrams over in batches, and sends M-SEARCH for the main thread.
//
// Runs as a worker (see ./socketHost.ts). Only node: built-ins; nothing here parses device input.
import * as dgram from 'node:dgram';
import { parentPort } from 'node:worker_threads';

/** An interface to open, as the main thread chose it. */
export interface ThreadInterface {
  readonly name: string;
  readonly address: string;
  readonly family: 4 | 6;
}

export type ToThread =
  | { readonly type: 'open'; readonly interfaces: readonly ThreadInterface[]; readonly receiveBufferBytes: number; readonly port: number; readonly group4: string; readonly group6: string }
  | { readonly type: 'send'; readonly id: number; readonly socket: number; readonly data: Uint8Array; readonly port: number; readonly address: string }
  | { readonly type: 'ack'; readonly count: number; readonly bytes: number }
  | { readonly type: 'close' };

/** A datagram: `socket` is the index of the search socket it came to, or -1 for the NOTIFY listeners. */
export interface ThreadDatagram {
  readonly data: Uint8Array;
  readonly address: string;
  readonly port: number;
  readonly socket: number;
}

export type FromThread =
  | { readonly type: 'opened'; readonly sockets: readonly number[]; readonly failures: readonly string[]; readonly listenerProblems: readonly string[]; readonly receiveBufferBytes: number }
  | { readonly type: 'datagrams'; readonly items: readonly ThreadDatagram[]; readonly dropped: number; readonly oversize: number }
  | { readonly type: 'sent'; readonly id: number; readonly error?: string }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'closed' };

/** Datagrams (and their bytes) handed over but not yet acknowledged at most; beyond this the thread drops (and counts). */
const MAX_UNACKED = 50_000;
const MAX_UNACKED_BYTES = 8 * 1024 * 1024;
/**
 * Longer datagrams are dropped here (and counted): an SSDP message is a few hundred bytes, and a
 * flood of 64 KiB datagrams must not fill the queues with megabytes.
 */
export const MAX_DATAGRAM_BYTES = 8192;
/** Datagrams per batch at most. */
const BATCH = 256;

const port = parentPort;
if (port) {
  let searchSockets: dgram.Socket[] = [];
  let listeners: dgram.Socket[] = [];
  let batch: ThreadDatagram[] = [];
  let flushScheduled = false;
  let unacked = 0;
  let unackedBytes = 0;
  let dropped = 0;
  let oversize = 0;

  const post = (message: FromThread): void => port.postMessage(message);

  const flush = (): void => {
    flushScheduled = false;
    if (batch.length === 0 && dropped === 0 && oversize === 0) return;
    const items = batch;
    batch = [];
    post({ type: 'datagrams', items, dropped, oversize });
    dropped = 0;
    oversize = 0;
  };

  const receive = (socket: number) => (data: Buffer, rinfo: dgram.RemoteInfo): void => {
    if (data.length > MAX_DATAGRAM_BYTES) {
      oversize++;
    } else if (unacked >= MAX_UNACKED || unackedBytes + data.length > MAX_UNACKED_BYTES) {
      dropped++;
    } else {
      unacked++;
      unackedBytes += data.length;
      batch.push({ data, address: rinfo.address, port: rinfo.port, socket });
    }
    if (batch.length >= BATCH) flush();
    else if (!flushScheduled) {
      flushScheduled = true;
      // After this turn's reads: a batch per turn of a loop that does nothing else.
      setImmediate(flush);
    }
  };

  const grow = (socket: dgram.Socket, bytes: number): number => {
    try {
      socket.setRecvBufferSize(bytes);
    } catch {
      // The granted size is reported below.
    }
    try {
      return socket.getRecvBufferSize();
    } catch {
      return 0;
    }
  };

  const closeAll = async (): Promise<void> => {
    const all = [...searchSockets, ...listeners];
    searchSockets = [];
    listeners = [];
    await Promise.all(all.map((s) => new Promise<void>((resolve) => {
      try { s.close(() => resolve()); } catch { resolve(); }
    })));
  };

  const openSearchSocket = (iface: ThreadInterface, index: number, bufferBytes: number): Promise<{ socket: dgram.Socket; granted: number }> =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: iface.family === 6 ? 'udp6' : 'udp4' });
      const bindAddress = iface.family === 6 ? `${iface.address}%${iface.name}` : iface.address;
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.on('message', receive(index));
      socket.bind({ address: bindAddress, port: 0, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => post({ type: 'warning', message: `SSDP socket on ${iface.name}: ${err.message}` }));
        const granted = grow(socket, bufferBytes);
        try {
          socket.setMulticastInterface(iface.family === 6 ? `::%${iface.name}` : iface.address);
          socket.setMulticastTTL(2); // UDA 1.1: TTL 2 by default
          socket.setMulticastLoopback(true); // devices on this same host (simulators) must hear us
        } catch (err) {
          socket.close();
          reject(err as Error);
          return;
        }
        resolve({ socket, granted });
      });
    });

  const openListener = (family: 4 | 6, ifaces: readonly ThreadInterface[], ssdpPort: number, group: string, bufferBytes: number): Promise<dgram.Socket> =>
    new Promise((resolve, reject) => {
      const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', reuseAddr: true });
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.on('message', receive(-1));
      socket.bind({ port: ssdpPort, address: family === 6 ? '::' : '0.0.0.0' }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => post({ type: 'warning', message: `SSDP listener: ${err.message}` }));
        grow(socket, bufferBytes);
        let joined = 0;
        for (const i of ifaces) {
          try {
            if (family === 6) socket.addMembership(group, `::%${i.name}`);
            else socket.addMembership(group, i.address);
            joined++;
          } catch (err) {
            post({ type: 'warning', message: `SSDP: cannot join the multicast group on ${i.name} ${i.address}: ${(err as Error).message}` });
          }
        }
        if (joined === 0) {
          socket.close();
          reject(new Error('could not join the SSDP multicast group on any interface'));
          return;
        }
        resolve(socket);
      });
    });

  port.on('message', (message: ToThread) => {
    switch (message.type) {
      case 'open':
        void (async () => {
          await closeAll();
          const opened: number[] = [];
          const failures: string[] = [];
          const listenerProblems: string[] = [];
          let granted = 0;
          const sockets: dgram.Socket[] = [];
          for (const [index, iface] of message.interfaces.entries()) {
            try {
              const { socket, granted: g } = await openSearchSocket(iface, index, message.receiveBufferBytes);
              sockets[index] = socket;
              opened.push(index);
              granted = granted === 0 ? g : Math.min(granted, g);
            } catch (err) {
              failures.push(`${iface.name} ${iface.address}: ${(err as Error).message}`);
            }
          }
          searchSockets = sockets;
          for (const family of [4, 6] as const) {
            const ifs = opened.map((i) => message.interfaces[i]!).filter((i) => i.family === family);
            if (ifs.length === 0) continue;
            try {
              listeners.push(await openListener(family, ifs, message.port, family === 6 ? message.group6 : message.group4, message.receiveBufferBytes));
            } catch (err) {
              listenerProblems.push(`IPv${family} port ${message.port} (${(err as Error).message})`);
            }
          }
          post({ type: 'opened', sockets: opened, failures, listenerProblems, receiveBufferBytes: granted });
        })();
        break;
      case 'send': {
        const socket = searchSockets[message.socket];
        if (!socket) {
          post({ type: 'sent', id: message.id, error: 'the socket is closed' });
          break;
        }
        socket.send(message.data, message.port, message.address, (err) => post({ type: 'sent', id: message.id, ...(err ? { error: err.message } : {}) }));
        break;
      }
      case 'ack':
        unacked = Math.max(0, unacked - message.count);
        unackedBytes = Math.max(0, unackedBytes - message.bytes);
        break;
      case 'close':
        void closeAll().then(() => post({ type: 'closed' }));
        break;
    }
  });
}
