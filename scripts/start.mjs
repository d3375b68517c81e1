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
for (const [cmd, args] of [['npm', ['run', '--silent', 'build']], ['bash', ['scripts/setup-code-server.sh']]]) {
  console.log(`$ ${cmd} ${args.join(' ')}${cmd === 'bash' ? '   (first run: downloads Node 24 and code-server from npm, ~2 min)' : ''}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error(`npm start: ${cmd} ${args.join(' ')} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

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
  process.stdout.write(d);
  buf += d.toString();
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
