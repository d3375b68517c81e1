// What every simulated device hands back, and the SSDP plumbing the device modules share.

import { SsdpResponder } from './ssdp-responder';
import type { AdvertisedRoot, RootAdvertisement, SsdpResponderOptions } from './ssdp-responder';

export interface SimulatedDevice {
  /** `uuid:...` of the root device. */
  readonly udn: string;
  /** URL of the root description (the SSDP LOCATION). */
  readonly location: string;
  readonly friendlyName: string;
  /** Withdraws the device: ssdp:byebye (unless silent), then closes what it owns. */
  stop(): Promise<void>;
  /** Stops announcing and answering searches WITHOUT byebye (the device "lost power"); HTTP stays up. */
  goSilent(): void;
  /** Sends ssdp:update with NEXTBOOTID and switches to the new boot id. */
  sendUpdate(nextBootId?: number): Promise<void>;
  /** Sends one extra round of ssdp:alive now. */
  announce(): Promise<void>;
  /** The SSDP side, for tests that need its boot id or targets. */
  readonly ssdp: AdvertisedRoot;
}

/** Options every device start function accepts. */
export interface CommonDeviceOptions extends Omit<SsdpResponderOptions, 'interfaceAddress'> {
  /** IPv4 interface the device lives on (SSDP and, unless `host` says otherwise, HTTP). Default 127.0.0.1. */
  interfaceAddress?: string;
  /** HTTP bind address; defaults to interfaceAddress. */
  host?: string;
  /** HTTP port; default 0 (any free one). */
  port?: number;
  /**
   * A responder to share (several devices in one process should share one, since only one
   * socket gets a unicast M-SEARCH). It is not closed by the device's stop().
   */
  ssdp?: SsdpResponder;
}

/** Advertises a root via the shared responder or a private one that the returned closer shuts. */
export async function advertise(
  opts: CommonDeviceOptions,
  advert: RootAdvertisement,
): Promise<{ root: AdvertisedRoot; responder: SsdpResponder; close: () => Promise<void> }> {
  const own = !opts.ssdp;
  const responder = opts.ssdp ?? await SsdpResponder.start({ ...opts, interfaceAddress: opts.interfaceAddress ?? '127.0.0.1' });
  // The device's own choices (e.g. the camera's SERVER header) win over the generic options.
  const root = await responder.addRoot({
    maxAgeSeconds: opts.maxAgeSeconds,
    server: opts.server,
    answerSearch: opts.answerSearch,
    announce: opts.announce,
    notifyIntervalMs: opts.notifyIntervalMs,
    ...stripUndefined(advert),
    root: advert.root,
    location: advert.location,
  });
  return {
    root,
    responder,
    close: async (): Promise<void> => {
      await root.remove();
      if (own) await responder.close();
    },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Builds the handle from the pieces; `closeHttp` runs after the SSDP side is withdrawn. */
export function makeHandle(
  info: { udn: string; location: string; friendlyName: string },
  ssdp: { root: AdvertisedRoot; close: () => Promise<void> },
  closeHttp: () => Promise<void>,
): SimulatedDevice {
  let stopped: Promise<void> | undefined;
  return {
    ...info,
    ssdp: ssdp.root,
    stop: (): Promise<void> => (stopped ??= (async () => { await ssdp.close(); await closeHttp(); })()),
    goSilent: (): void => ssdp.root.goSilent(),
    sendUpdate: (next?: number): Promise<void> => ssdp.root.sendUpdate(next),
    announce: (): Promise<void> => ssdp.root.sendAlive(),
  };
}
