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
function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}
function dpkgHas(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

// ---- 1. Debian packages ----
const packages = [
  ['minidlna', () => existsSync('/usr/sbin/minidlnad'), 'a real DLNA media server the integration and e2e suites discover'],
  ['gupnp-tools', () => existsSync('/usr/bin/gupnp-network-light'), 'gupnp-network-light, a real light that sends GENA events'],
  ['xvfb', () => !!which('Xvfb'), 'an X server for gupnp-network-light'],
  ['chromium', () => existsSync('/usr/bin/chromium'), 'the browser Playwright drives for the real VS Code (code-server)'],
  ['libkrb5-dev', () => dpkgHas('libkrb5-dev'), "headers code-server's kerberos module builds against"],
  ['iproute2', () => !!which('ip'), 'ip, to set up the isolated network namespace'],
  ['util-linux', () => !!which('unshare'), 'unshare, to create the isolated network namespace'],
  ['curl', () => !!which('curl'), 'curl, to run the "Copy as curl" commands the SOAP tests generate'],
];
let missing = packages.filter(([, ok]) => !ok());
if (missing.length) {
  const names = missing.map(([n]) => n);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && which('apt-get')) {
    console.log(`npm test: installing Debian packages: ${names.join(' ')}`);
    must('apt-get', ['update', '-q']);
    must('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...names], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    // Installing minidlna must not leave a daemon announcing on the host network.
    spawnSync('sh', ['-c', 'pkill -x minidlnad || true; command -v service >/dev/null && service minidlna stop >/dev/null 2>&1 || true']);
    missing = packages.filter(([, ok]) => !ok());
  }
  if (missing.length) {
    console.error('npm test: these are needed and missing:');
    for (const [n, , why] of missing) console.error(`  - ${n}: ${why}`);
    console.error(`Install them (Debian/Ubuntu: sudo apt-get install --no-install-recommends ${missing.map(([n]) => n).join(' ')}) and run npm test again.`);
    process.exit(1);
  }
}

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
