// Starts Debian's real minidlna (a DLNA MediaServer:1) as a third-party peer for tests.
// It announces itself over SSDP, so it refuses to start outside the isolated namespace of
// scripts/netns.sh. Quirks of this server are described in test/fixtures (captures of minidlna).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertIsolatedNetwork } from './netns';

export interface MinidlnaOptions {
  friendlyName?: string;
  /** Folder served as pictures (media_dir=P,...). A folder with a few small JPEGs is made if absent. */
  mediaDir?: string;
  port?: number;
  /** Fixed UDN uuid (without `uuid:`); minidlna falls back to a generic one on lo otherwise. */
  uuid?: string;
  /** How long to wait for rootDesc.xml to answer. */
  startTimeoutMs?: number;
  binary?: string;
}

export interface RunningMinidlna {
  /** Description URL, e.g. http://127.0.0.1:8200/rootDesc.xml */
  location: string;
  udn?: string;
  friendlyName: string;
  /** Everything minidlna wrote to stdout/stderr so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A 16x16 baseline JPEG (blue square with a yellow centre), drawn by Chromium's canvas and stripped
 * of its ICC profile. ImageMagick is not guaranteed on test machines, so the bytes live here.
 */
export const TINY_JPEG_BASE64 =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAQABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAH/xAAcEAABAwUAAAAAAAAAAAAAAAARAAQSExQjQtH/xAAUAQEAAAAAAAAAAAAAAAAAAAAE/8QAHhEAAAUFAQAAAAAAAAAAAAAAADFRgZETFCMkYmP/2gAMAwEAAhEDEQA/AIwY3tTJCA1JJ4j9jZU8k5nUADqMH1lUxzmNgAeo/fXtPHCB2JI4n7d35skmCYaPTrBD/9k=';

/** Writes `count` small JPEGs named L1000001.JPG... into `dir` (made if needed). */
export function writeSampleJpegs(dir: string, count = 3): string[] {
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(TINY_JPEG_BASE64, 'base64');
  const files: string[] = [];
  for (let i = 1; i <= count; i++) {
    const file = path.join(dir, `L${String(1000000 + i)}.JPG`);
    writeFileSync(file, bytes);
    files.push(file);
  }
  return files;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** GET a URL's text; undefined when it does not answer in time (the device is still starting). */
export async function fetchText(url: string, timeoutMs: number): Promise<{ status: number; body: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch {
    return undefined;
  }
}

/** Stops a child: SIGTERM, then SIGKILL if it is still alive after `graceMs`. */
export async function killChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * A minidlna.conf for a test: on lo, its media folders typed (`A` audio, `P` pictures, `V` video),
 * its database and log in the test's folder, no inotify, and announcements every minute.
 */
export function minidlnaConf(o: { port: number; friendlyName: string; mediaDirs: ReadonlyArray<readonly ['A' | 'P' | 'V', string]>; dbDir: string; logDir: string; uuid?: string }): string {
  const lines = [
    'network_interface=lo',
    `port=${o.port}`,
    `friendly_name=${o.friendlyName}`,
    ...o.mediaDirs.map(([type, dir]) => `media_dir=${type},${dir}`),
    `db_dir=${o.dbDir}`,
    `log_dir=${o.logDir}`,
    'inotify=no',
    'notify_interval=60',
  ];
  if (o.uuid) lines.push(`uuid=${o.uuid}`);
  return lines.join('\n') + '\n';
}

/** Starts minidlnad in the foreground on lo and resolves once its description answers. */
export async function startMinidlna(opts: MinidlnaOptions = {}): Promise<RunningMinidlna> {
  assertIsolatedNetwork('startMinidlna');
  const friendlyName = opts.friendlyName ?? 'minidlna-peer';
  const port = opts.port ?? 8200;
  const binary = opts.binary ?? '/usr/sbin/minidlnad';
  if (!existsSync(binary)) {
    throw new Error(`startMinidlna: ${binary} not found (Debian: apt-get install --no-install-recommends minidlna)`);
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-minidlna-'));
  const mediaDir = opts.mediaDir ?? path.join(tmp, 'media');
  if (!opts.mediaDir) writeSampleJpegs(mediaDir);
  const dbDir = path.join(tmp, 'db');
  const logDir = path.join(tmp, 'log');
  mkdirSync(dbDir);
  mkdirSync(logDir);
  const conf = path.join(tmp, 'minidlna.conf');
  writeFileSync(conf, minidlnaConf({ port, friendlyName, mediaDirs: [['P', mediaDir]], dbDir, logDir, ...(opts.uuid ? { uuid: opts.uuid } : {}) }));

  // -S: stay in the foreground, log to stdout; -P: keep the pid file out of /run.
  const child = spawn(binary, ['-f', conf, '-S', '-P', path.join(tmp, 'minidlna.pid')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exitInfo = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`exited with ${code ?? signal}`)),
  );
  let exitedEarly: string | undefined;
  void exitInfo.then((why) => (exitedEarly = why));

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await killChild(child);
    rmSync(tmp, { recursive: true, force: true });
  };

  const location = `http://127.0.0.1:${port}/rootDesc.xml`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15000);
  try {
    for (;;) {
      if (exitedEarly) throw new Error(`minidlnad ${exitedEarly} before answering:\n${out}`);
      const res = await fetchText(location, 1000);
      if (res && res.status === 200 && res.body.includes('<friendlyName>')) {
        const udn = /<UDN>([^<]+)<\/UDN>/.exec(res.body)?.[1];
        return { location, udn, friendlyName, output: () => out, stop };
      }
      if (Date.now() > deadline) throw new Error(`minidlnad did not answer ${location} in time:\n${out}`);
      await sleep(150);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}
