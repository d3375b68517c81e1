#!/usr/bin/env node
// `npm test`: every suite, for real. On a fresh Debian-like machine as root it first installs what
// the suites need (Debian packages, the code-server cache); elsewhere it names what is missing and
// fails, rather than skipping anything. Then: build, typecheck, lint, and all node:test suites
// (unit, integration, e2e) in ONE run inside a fresh network namespace holding only lo (plus an
// in-namespace veth pair), so no SSDP ever reaches a real network.
//
//   npm test                 everything
//   npm test -- unit         only test/unit (still inside the namespace)
//   npm test -- integration e2e
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGES, ensurePackages } from './lib/prereqs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const suites = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const wanted = suites.length ? suites : ['unit', 'integration', 'e2e'];

function run(cmd, args, opts = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}
function must(cmd, args, opts) {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    console.error(`\nnpm test: "${cmd} ${args.join(' ')}" failed (exit ${status}).`);
    process.exit(status);
  }
}
// ---- 1. Debian packages ----
ensurePackages(Object.keys(PACKAGES), 'npm test');

// ---- 2. npm packages and the code-server cache ----
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) must('npm', ['ci', '--no-audit', '--no-fund']);
if (wanted.includes('e2e')) must('bash', ['scripts/setup-code-server.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });

// ---- 3. build, typecheck, lint ----
must('npm', ['run', '--silent', 'build']);
must('npm', ['run', '--silent', 'typecheck']);
must('npm', ['run', '--silent', 'lint']);

// ---- 4. every suite, one run, inside the namespace ----
const files = [];
for (const suite of wanted) {
  const dir = join('test', suite);
  if (!existsSync(dir)) {
    if (!suites.length) continue;
    console.error(`npm test: no suite "${suite}" (test/${suite} does not exist).`);
    process.exit(1);
  }
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.test.ts')) files.push(join(dir, f));
}
if (files.length === 0) {
  console.error('npm test: no test files found.');
  process.exit(1);
}
const status = run('bash', ['scripts/netns.sh', '--veth', '--', process.execPath, '--import', 'tsx', '--test',
  '--test-concurrency=1', '--test-timeout=600000', '--test-reporter=spec', ...files]);
process.exit(status);
