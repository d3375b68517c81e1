// Runs a fleet of simulated devices in its own process, so the benchmark measures the explorer's
// memory and CPU, not the devices'. Every device is its own host (127.1.x.y), and answers an
// M-SEARCH after a random delay within MX, as real devices do.
// Prints "READY <n> <locations as JSON>" and stops (byebye) on SIGTERM.
import { startFleet } from '../test/devices/fleet';

const n = Number(process.argv[2] ?? '50');
const udnPrefix = process.argv[3] ?? 'b0000000';
const maxResponseDelayMs = Number(process.argv[4] ?? '2000');
void (async () => {
  const fleet = await startFleet(n, { interfaceAddress: '127.0.0.1', udnPrefix, namePrefix: `Bench ${n}`, hostPerDevice: true, maxResponseDelayMs, announce: false });
  const urls = fleet.devices.map((d) => d.location);
  process.stdout.write(`READY ${n} ${JSON.stringify(urls)}\n`);
  const stop = async (): Promise<void> => {
    await fleet.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
})();
