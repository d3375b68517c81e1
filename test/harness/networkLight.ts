// Starts Debian's real gupnp-network-light (gupnp-tools): a DimmableLight:1 whose SwitchPower:1
// and Dimming:1 really send GENA events. It is a GTK program, so it runs under its own Xvfb. It
// announces itself over SSDP, so this refuses to start outside the isolated namespace of
// scripts/netns.sh. Its UUID changes on every run: the LOCATION is found with an M-SEARCH (its
// HTTP root answers 404, so there is nothing to read there).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { assertIsolatedNetwork } from './netns';
import { killChild } from './minidlna';
import { searchLocations } from './ssdpSearch';

export const DIMMABLE_LIGHT_DEVICE_TYPE = 'urn:schemas-upnp-org:device:DimmableLight:1';

export interface NetworkLightOptions {
  /** HTTP port of the light (`-p`). Default 49400. */
  port?: number;
  /** X display number for Xvfb; default 87, or the next free one when 87 is taken. */
  display?: number;
  /** How long to wait for the light to answer an M-SEARCH and serve its description. Default 15 s. */
  startTimeoutMs?: number;
  binary?: string;
  xvfb?: string;
}

export interface RunningNetworkLight {
  /** Description URL, e.g. http://127.0.0.1:49400/<uuid>.xml */
  readonly location: string;
  /** `uuid:…`, different on every run. */
  readonly udn: string;
  readonly port: number;
  /** The DISPLAY it runs on, e.g. `:87`. */
  readonly display: string;
  /** Everything the light and Xvfb wrote so far (for failure messages). */
  output(): string;
  /** Stops the light, then Xvfb. */
  stop(): Promise<void>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freeDisplay(preferred: number): number {
  for (let n = preferred; n < preferred + 20; n++) {
    if (!existsSync(`/tmp/.X${n}-lock`) && !existsSync(`/tmp/.X11-unix/X${n}`)) return n;
  }
  throw new Error(`startNetworkLight: no free X display from :${preferred} to :${preferred + 19}`);
}

/** Starts Xvfb and gupnp-network-light; resolves once its description answers. */
export async function startNetworkLight(opts: NetworkLightOptions = {}): Promise<RunningNetworkLight> {
  assertIsolatedNetwork('startNetworkLight');
  const binary = opts.binary ?? '/usr/bin/gupnp-network-light';
  const xvfbBinary = opts.xvfb ?? 'Xvfb';
  if (!existsSync(binary)) throw new Error(`startNetworkLight: ${binary} not found (Debian: apt-get install --no-install-recommends gupnp-tools)`);
  const port = opts.port ?? 49400;
  const displayNumber = freeDisplay(opts.display ?? 87);
  const display = `:${displayNumber}`;
  let out = '';
  const collect = (child: ChildProcess, name: string): void => {
    child.stdout?.on('data', (d: Buffer) => (out += `[${name}] ${d.toString()}`));
    child.stderr?.on('data', (d: Buffer) => (out += `[${name}] ${d.toString()}`));
  };

  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // The light first (it says byebye while X is still there), then its X server.
    for (const child of [...children].reverse()) await killChild(child);
  };

  const exited = (child: ChildProcess): string | undefined =>
    child.exitCode !== null || child.signalCode !== null ? `exited with ${child.exitCode ?? child.signalCode}` : undefined;
  try {
    const xvfb = spawn(xvfbBinary, [display, '-nolisten', 'tcp', '-screen', '0', '640x480x24'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(xvfb);
    collect(xvfb, 'Xvfb');
    xvfb.once('error', (err) => (out += `[Xvfb] ${err.message}\n`));
    const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
    while (!existsSync(`/tmp/.X11-unix/X${displayNumber}`)) {
      if (exited(xvfb)) throw new Error(`Xvfb ${display} ${exited(xvfb)}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`Xvfb ${display} did not start in time:\n${out}`);
      await sleep(50);
    }

    const light = spawn(binary, ['-i', 'lo', '-p', String(port), '--no-v6'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DISPLAY: display },
    });
    children.push(light);
    collect(light, 'network-light');
    for (;;) {
      if (exited(light)) throw new Error(`gupnp-network-light ${exited(light)} before answering:\n${out}`);
      const locations = await searchLocations(DIMMABLE_LIGHT_DEVICE_TYPE, '127.0.0.1', 700);
      const location = locations.find((l) => { try { return Number(new URL(l).port) === port; } catch { return false; } });
      if (location) {
        const res = await fetch(location, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
        const body = res && res.status === 200 ? await res.text() : '';
        const udn = /<UDN>([^<]+)<\/UDN>/.exec(body)?.[1];
        if (udn) return { location, udn, port, display, output: () => out, stop };
      }
      if (Date.now() > deadline) throw new Error(`gupnp-network-light did not answer an M-SEARCH in time:\n${out}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
