#!/usr/bin/env node
// npm run bench: the benchmarks, inside a fresh network namespace (they put SSDP on the wire).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const r = spawnSync('bash', [join(root, 'scripts/netns.sh'), '--', process.execPath, '--expose-gc', '--import', 'tsx', join(root, 'bench/discovery.bench.ts')], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
