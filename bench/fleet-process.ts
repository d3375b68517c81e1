// Runs a fleet of simulated devices in its own process, so the benchmark measures the explorer's
// memory, not the devices'. Prints "READY <n> <baseUrl>" and stops (byebye) on SIGTERM.
import { startFleet } from '../test/devices/fleet';

const n = Number(process.argv[2] ?? '50');
const udnPrefix = process.argv[3] ?? 'b0000000';
void (async () => {
  const fleet = await startFleet(n, { interfaceAddress: '127.0.0.1', udnPrefix, namePrefix: `Bench ${n}` });
  const urls = fleet.devices.map((d) => d.location);
  process.stdout.write(`READY ${n} ${JSON.stringify(urls)}\n`);
  const stop = async (): Promise<void> => {
    await fleet.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
})();
