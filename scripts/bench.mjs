#!/usr/bin/env node
// npm run bench: the benchmarks, each inside a fresh network namespace (they put SSDP and device
// HTTP on the wire). `npm run bench -- av` or `-- discovery` runs one of them.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BENCHES = { hostile: 'bench/hostile.bench.ts', discovery: 'bench/discovery.bench.ts', av: 'bench/av.bench.ts', thumbnails: 'bench/thumbnails.bench.ts', gena: 'bench/gena.bench.ts', activation: 'bench/activation.bench.ts', tree: 'bench/tree.bench.ts', hosting: 'bench/hosting.bench.ts', diagnostics: 'bench/diagnostics.bench.ts', playto: 'bench/playto.bench.ts' };
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted) {
  if (!(name in BENCHES)) {
    console.error(`npm run bench: no benchmark "${name}" (choose from ${Object.keys(BENCHES).join(', ')}).`);
    process.exit(2);
  }
}
// The thumbnails benchmark runs the built extension in code-server: build it and make sure the
// code-server cache is there first (both are quick when already done).
if (!wanted.length || wanted.includes('thumbnails')) {
  for (const [cmd, args] of [['npm', ['run', '--silent', 'build']], ['bash', ['scripts/setup-code-server.sh']]]) {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
for (const [name, file] of Object.entries(BENCHES)) {
  if (wanted.length && !wanted.includes(name)) continue;
  // Play To measures gmediarender too, which needs the namespace's veth (libupnp refuses lo).
  const r = spawnSync('bash', [join(root, 'scripts/netns.sh'), ...(name === 'playto' ? ['--veth'] : []), '--', process.execPath, '--expose-gc', '--import', 'tsx', join(root, file)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
