// npm run bench -- activation: what the extension costs VS Code at startup, on the production
// bundle (minified, as shipped): its size, the time to `require` it, and the time `activate()`
// takes before it returns (the part VS Code waits for). Each is measured in a fresh Node process
// (a cold module cache, as in a new extension host), RUNS times; the median is printed.
// Baseline in the same script and processes: requiring a bundle of the same size that does
// nothing (a comment of that many bytes), so the parse cost of the bytes alone is known.
// `vscode` is a do-nothing stand-in (bench/support/fakeVscode.ts): this measures our code, not
// VS Code's. Targets from issue 11: activate + require ≤ 50 ms, bundle ≤ 1 MB.
//
//   npm run bench -- activation
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { assertIsolatedNetwork } from '../test/harness/netns';

const RUNS = 9;
const ROOT = path.join(__dirname, '..');
const TARGET_MS = 50;
const TARGET_BYTES = 1_000_000;

interface Sample { requireMs: number; activateMs: number }

/**
 * The child process, plain JavaScript run by plain Node (no tsx loader: it would transform the
 * bundle on require and be counted): time require() and activate() of the bundle given.
 */
const CHILD = `
const path = require('node:path');
const { installFakeVscode, fakeExtensionContext } = require('./fakeVscode.js');
installFakeVscode();
const [bundle, storage] = process.argv.slice(2);
const t0 = performance.now();
const ext = require(bundle);
const t1 = performance.now();
let activateMs = 0;
(async () => {
  if (ext.activate) {
    const context = fakeExtensionContext(path.dirname(path.dirname(bundle)), storage);
    const a0 = performance.now();
    ext.activate(context);
    activateMs = performance.now() - a0;
    await (ext.deactivate && ext.deactivate());
    for (const d of context.subscriptions) d.dispose();
  }
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs }));
  process.exit(0);
})();
`;

function sample(child: string, bundle: string, storage: string): Sample {
  const r = spawnSync(process.execPath, [child, bundle, storage], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  assertIsolatedNetwork('activation.bench.ts');
  const out = mkdtempSync(path.join(tmpdir(), 'upnp-activation-'));
  try {
    const build = spawnSync(process.execPath, ['esbuild.config.mjs', '--production', `--outdir=${out}/dist`], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`production build failed: ${build.stderr}`);
    const bundle = path.join(out, 'dist', 'extension.js');
    const bytes = statSync(bundle).size;
    const webviews = ['actionForm', 'thumbnails', 'details'].map((n) => statSync(path.join(out, 'dist', 'webviews', `${n}.js`)).size).reduce((a, b) => a + b, 0);
    const thread = statSync(path.join(out, 'dist', 'ssdpThread.js')).size;
    const http = statSync(path.join(out, 'dist', 'undici.js')).size;
    const hosting = statSync(path.join(out, 'dist', 'ondemand.js')).size;
    // Baseline: the same number of bytes that do nothing.
    const inert = path.join(out, 'inert.js');
    writeFileSync(inert, `/*${'x'.repeat(Math.max(0, bytes - 4))}*/`);
    const storage = path.join(out, 'storage');
    const fake = await esbuild.build({ entryPoints: [path.join(__dirname, 'support', 'fakeVscode.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: path.join(out, 'fakeVscode.js'), logLevel: 'silent' });
    if (fake.errors.length > 0) throw new Error('could not build the vscode stand-in');
    const child = path.join(out, 'child.js');
    writeFileSync(child, CHILD);

    const ours: Sample[] = [];
    const baseline: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      baseline.push(sample(child, inert, storage));
      ours.push(sample(child, bundle, storage));
    }
    const req = median(ours.map((s) => s.requireMs));
    const act = median(ours.map((s) => s.activateMs));
    const base = median(baseline.map((s) => s.requireMs));
    const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB (${n.toLocaleString('en-US')} bytes)`;
    console.log(`\nActivation (production bundle, median of ${RUNS} fresh processes, \`vscode\` stubbed)`);
    console.log(`  dist/extension.js          ${kb(bytes)} (loaded at activation)`);
    console.log(`  + dist/undici.js           ${kb(http)} (loaded on the first HTTP request)`);
    console.log(`  + dist/ssdpThread.js       ${kb(thread)} (loaded when discovery starts, in its own thread)`);
    console.log(`  + dist/ondemand.js         ${kb(hosting)} (loaded when a device is hosted, cloned or created, or validated)`);
    const all = bytes + http + thread + hosting;
    console.log(`  host code in all           ${kb(all)}   target ≤ 1 MB: ${all <= TARGET_BYTES ? 'reached' : 'NOT reached'}`);
    console.log(`  + webview bundles          ${kb(webviews)} (loaded by each webview, not the host)`);
    console.log(`  require()                  ${req.toFixed(1)} ms   baseline: inert bundle of the same size ${base.toFixed(1)} ms`);
    console.log(`  activate()                 ${act.toFixed(1)} ms`);
    console.log(`  require + activate         ${(req + act).toFixed(1)} ms   target ≤ ${TARGET_MS} ms: ${req + act <= TARGET_MS ? 'reached' : 'NOT reached'}`);
    console.log(`  (all runs: require ${ours.map((s) => s.requireMs.toFixed(1)).join(', ')}; activate ${ours.map((s) => s.activateMs.toFixed(1)).join(', ')})`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
