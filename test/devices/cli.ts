// Starts simulated devices from the command line (for `npm start`, the benchmark and harnesses):
//
//   node --import tsx test/devices/cli.ts [--camera] [--light] [--faulty] [--fleet N]
//        [--interface 127.0.0.1] [--max-age SECONDS] [--verbose]
//
// With no device flag it starts the camera and the light. Prints `READY <friendlyName> <LOCATION>`
// per device on stdout; on SIGINT/SIGTERM sends ssdp:byebye and exits 0.
// SSDP is multicast: run this only inside an isolated network namespace (scripts/netns.sh; see Tests in the README).

import { parseArgs } from 'node:util';
import { SsdpResponder } from './ssdp-responder';
import { startSimulatedCamera } from './camera';
import { startSimulatedLight } from './light';
import { startFleet } from './fleet';
import { startFaultyDevices } from './faulty';
import type { SimulatedDevice } from './device-handle';

const USAGE = 'usage: cli.ts [--camera] [--light] [--faulty] [--fleet N] [--interface ADDR] [--max-age S] [--verbose]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      camera: { type: 'boolean', default: false },
      light: { type: 'boolean', default: false },
      faulty: { type: 'boolean', default: false },
      fleet: { type: 'string' },
      interface: { type: 'string', default: '127.0.0.1' },
      'max-age': { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fleetSize = values.fleet === undefined ? 0 : Number(values.fleet);
  if (!Number.isInteger(fleetSize) || fleetSize < 0) throw new Error(`--fleet wants a count, got ${values.fleet}`);
  const maxAgeSeconds = values['max-age'] === undefined ? undefined : Number(values['max-age']);
  if (maxAgeSeconds !== undefined && !(Number.isInteger(maxAgeSeconds) && maxAgeSeconds > 0)) {
    throw new Error(`--max-age wants seconds, got ${values['max-age']}`);
  }
  const none = !values.camera && !values.light && !values.faulty && fleetSize === 0;
  const interfaceAddress = values.interface;
  const log = values.verbose ? (line: string): void => { process.stderr.write(`${line}\n`); } : undefined;

  // One responder for everything: only one socket receives a unicast M-SEARCH to port 1900.
  const ssdp = await SsdpResponder.start({ interfaceAddress, log });
  const common = { interfaceAddress, ssdp, maxAgeSeconds };
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await ssdp.close();
    process.exit(0);
  };
  process.on('SIGINT', () => { void shutdown(); });
  process.on('SIGTERM', () => { void shutdown(); });

  const ready = (devices: SimulatedDevice[]): void => {
    for (const d of devices) process.stdout.write(`READY ${d.friendlyName} ${d.location}\n`);
  };
  if (values.camera || none) {
    const camera = await startSimulatedCamera(common);
    stops.push(() => camera.stop());
    ready([camera]);
  }
  if (values.light || none) {
    const light = await startSimulatedLight(common);
    stops.push(() => light.stop());
    ready([light]);
  }
  if (values.faulty) {
    const faulty = await startFaultyDevices(common);
    stops.push(() => faulty.stop());
    ready(faulty.devices);
  }
  if (fleetSize > 0) {
    const fleet = await startFleet(fleetSize, common);
    stops.push(() => fleet.stop());
    ready(fleet.devices);
  }
  if (stopping) return;
  process.stderr.write(`simulated devices running on ${interfaceAddress}; Ctrl-C to stop\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
  process.exit(2);
});
