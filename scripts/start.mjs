#!/usr/bin/env node
// `npm start`: a VS Code (code-server) with the extension and simulated devices, for trying it.
// Everything that speaks SSDP (the devices, the extension's discovery) runs inside a fresh network
// namespace holding only lo; the browser outside reaches code-server through a small proxy on the
// host's 127.0.0.1 that pipes each connection to code-server's unix socket (the filesystem is shared).
//   PORT=9000 npm start    to choose the port (default 8080, or a free one if that is taken)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePackages } from './lib/prereqs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

ensurePackages(['iproute2', 'util-linux', 'libkrb5-dev'], 'npm start');

/** Runs a setup step quietly: one line with its time, and its output only if it fails. */
function step(title, cmd, args, note = '') {
  const started = Date.now();
  process.stdout.write(`${title}${note ? ` (${note})` : ''}…`);
  // A long first-run download gets a heartbeat instead of minutes of silence.
  const ticker = setInterval(() => process.stdout.write(` ${Math.round((Date.now() - started) / 1000)} s…`), 15_000);
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  clearInterval(ticker);
  if (r.status !== 0) {
    console.log(' failed.');
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    console.error(`npm start: ${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${out}`);
    process.exit(r.status ?? 1);
  }
  console.log(` done (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

step('Building the extension', 'npm', ['run', '--silent', 'build']);
step('Preparing VS Code (code-server)', 'bash', ['scripts/setup-code-server.sh'], 'the first run downloads Node 24 and code-server from npm, about 2 minutes');
console.log('Starting the simulated devices and VS Code in an isolated network namespace…');

const tmp = mkdtempSync(join(tmpdir(), 'upnp-explorer-start-'));
const socketPath = join(tmp, 'code-server.sock');
const workspace = join(root, '.vscode-test', 'demo-workspace');

const inside = spawn('bash', ['scripts/netns.sh', '--', process.execPath, '--import', 'tsx', 'scripts/demo-inside.ts', socketPath, workspace], {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});

let proxy;
let shuttingDown = false;
function shutdown(code) {
  if (shuttingDown) return;
  shuttingDown = true;
  proxy?.close();
  try { process.kill(-inside.pid, 'SIGTERM'); } catch { /* gone */ }
  const timer = setTimeout(() => { try { process.kill(-inside.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
  inside.once('exit', () => {
    clearTimeout(timer);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code);
  });
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
process.on('SIGHUP', () => shutdown(0));
// `npm start` exits on SIGTERM without passing it on, which would leave this script, the devices
// and code-server running: when our parent goes (we are handed to init), stop everything too.
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) shutdown(0); }, 500).unref();
inside.once('exit', (code) => {
  if (!shuttingDown) {
    console.error(`npm start: the demo stopped (exit ${code}).`);
    rmSync(tmp, { recursive: true, force: true });
    process.exit(code || 1);
  }
});

function listen(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      const upstream = net.connect(socketPath);
      client.pipe(upstream).pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); };
      client.on('error', end);
      upstream.on('error', end);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

let buf = '';
inside.stdout.on('data', async (d) => {
  buf += d.toString();
  // Only what a user needs: the devices (one line each); READY is ours.
  for (const line of d.toString().split('\n')) if (line.startsWith('device:')) console.log(`  ${line}`);
  if (!buf.includes('READY') || proxy) return;
  const wanted = Number(process.env.PORT ?? 8080);
  try {
    proxy = await listen(wanted);
  } catch {
    proxy = await listen(0);
    console.log(`(port ${wanted} is taken; using another)`);
  }
  const url = `http://127.0.0.1:${proxy.address().port}/?folder=${encodeURIComponent(workspace)}`;
  console.log(`\nUPnP Explorer is running: open ${url}\n(the UPnP view is in the activity bar; Ctrl+C stops everything)\n`);
});
