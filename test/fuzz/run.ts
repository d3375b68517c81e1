// npm run fuzz [-- "<reader name>" …]: long fuzzing runs of the readers of device input.
//   FUZZ_SECONDS   per reader (default 60)
//   FUZZ_SEED      replay a seed fast-check printed
import { fuzz, targets } from './properties';

async function main(): Promise<void> {
  const seconds = Number(process.env['FUZZ_SECONDS'] ?? 60);
  const seed = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : undefined;
  const wanted = process.argv.slice(2);
  const chosen = targets().filter((t) => wanted.length === 0 || wanted.includes(t.name));
  if (chosen.length === 0) {
    console.error(`npm run fuzz: no reader named ${wanted.join(', ')}; choose from: ${targets().map((t) => `"${t.name}"`).join(', ')}.`);
    process.exit(2);
  }
  let failed = false;
  for (const target of chosen) {
    const started = performance.now();
    try {
      const runs = await fuzz(target, { seconds, ...(seed !== undefined ? { seed } : {}) });
      console.log(`${target.name}: ${runs.toLocaleString('en-US')} inputs in ${((performance.now() - started) / 1000).toFixed(0)} s, no failure`);
    } catch (err) {
      failed = true;
      console.error(`${target.name}: FAILED\n${err instanceof Error ? err.message : String(err)}`);
    }
  }
  process.exit(failed ? 1 : 0);
}

void main();
