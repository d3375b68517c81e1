// Runs test/devices/gupnp-control-point.py (GUPnP 1.6 through python3-gi) against a hosted Basic
// device of the fixture: it finds the device, invokes GetSlice, subscribes to the Jambon service;
// once the initial event (Temperature 20) is in, the device emits Temperature 25, as Emit Event…
// does. Gives every step the control point reported, and what it wrote to stderr.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { HostedDevice } from '../../src/device/hostedDevice';

const GUPNP_CP = path.join(__dirname, '..', 'devices', 'gupnp-control-point.py');

export interface ControlPointRun {
  readonly steps: ReadonlyArray<Record<string, unknown>>;
  readonly stderr: string;
  /** The first step of that name. */
  find(name: string): Record<string, unknown> | undefined;
}

/** `from`: an interface name (IPv4) or an IPv6 address of this machine to work from. */
export async function runGupnpControlPoint(from: string, hosted: HostedDevice, timeoutMs = 30_000): Promise<ControlPointRun> {
  const child = spawn('/usr/bin/python3', [GUPNP_CP, from, 'urn:schemas-upnp-org:device:Basic:1', 'urn:example-com:service:Jambon:1', 'GetSlice', 'Thickness=thin', '--', 'Slice', 'Count', '--', 'Temperature'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const steps: Array<Record<string, unknown>> = [];
  try {
    for await (const line of createInterface({ input: child.stdout })) {
      const step = JSON.parse(line) as Record<string, unknown>;
      steps.push(step);
      if (step['step'] === 'event' && step['value'] === '20') await hosted.http.emit('urn:example-com:serviceId:Jambon', 'Temperature', '25');
    }
  } finally {
    clearTimeout(killer);
  }
  return { steps, stderr, find: (name) => steps.find((s) => s['step'] === name) };
}
