// Starts Debian's real UPnP MediaRenderers for the Play To integration tests, and a real minidlna
// that serves them something to play (a generated WAV tone and a generated JPEG):
//
//   - gmediarender (package gmediarender, gmrender-resurrect on libupnp 1.8): libupnp will not
//     serve on a loopback interface (`-I lo` retries UpnpInit2 with UPNP_E_INVALID_INTERFACE for a
//     minute), so it runs on the namespace's veth end upnpv1 (10.99.0.2): scripts/netns.sh --veth
//     is required. Its description is http://10.99.0.2:PORT/description.xml, found by M-SEARCH.
//   - rygel with only its Playbin plugin (packages rygel + rygel-playbin, GUPnP 1.6) on lo; its
//     description is http://127.0.0.1:PORT/<uuid>.xml, a new UUID every run, found by M-SEARCH.
//
// Both play through GStreamer into fakesinks that keep real time (`sync=true`): no sound device is
// needed, and a 30 s tone takes 30 s, so PLAYING, PAUSED_PLAYBACK and Seek can be observed. Each
// runs with a fresh HOME and XDG directories in a temporary folder (removed on stop), in its own
// process group (stop() ends the whole group), and is only returned once its description answers.
// They announce themselves over SSDP, so these helpers refuse to run outside the isolated
// namespace of scripts/netns.sh.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assertIsolatedNetwork } from './netns';
import { searchLocations } from './ssdpSearch';
import { fetchText, minidlnaConf, sleep } from './minidlna';
import { ChildPager, ContentDirectoryClient } from '../../src/core/av/contentDirectory';
import type { DidlObject } from '../../src/core/av/didl';
import type { RendererService } from '../../src/core/av/renderer';
import { parseDeviceDescription } from '../../src/core/description/device';
import { parseScpd } from '../../src/core/description/scpd';
import { fetchBytes } from '../../src/core/http/fetch';
import { decodeText } from '../../src/core/xml/xml';
export { searchLocations } from './ssdpSearch';
import { photoJpeg } from '../devices/camera-data/jpeg';

export const MEDIA_RENDERER_DEVICE_TYPE = 'urn:schemas-upnp-org:device:MediaRenderer:1';

/** The veth end scripts/netns.sh --veth makes for devices that refuse loopback. */
export const VETH_DEVICE_INTERFACE = 'upnpv1';
export const VETH_DEVICE_ADDRESS = '10.99.0.2';

export interface RunningRenderer {
  /** Description URL. */
  readonly location: string;
  /** `uuid:…` as the description says it. */
  readonly udn: string;
  readonly friendlyName: string;
  /** The address the renderer serves on (its GENA callbacks come from there). */
  readonly address: string;
  /** The command line it was started with (for reports and failure messages). */
  readonly command: string;
  /** Everything it wrote so far (bounded: the last 256 KiB). */
  output(): string;
  /** Ends its process group (SIGTERM, then SIGKILL) and removes its temporary folder. */
  stop(): Promise<void>;
}

const OUTPUT_LIMIT = 256 * 1024;

/** A private HOME with XDG folders, so no renderer reads or writes the user's configuration. */
function privateEnvironment(tmp: string): NodeJS.ProcessEnv {
  const dirs = { HOME: 'home', XDG_CONFIG_HOME: 'config', XDG_CACHE_HOME: 'cache', XDG_DATA_HOME: 'data', XDG_RUNTIME_DIR: 'runtime' };
  const env: NodeJS.ProcessEnv = {};
  for (const [name, dir] of Object.entries(dirs)) {
    const full = path.join(tmp, dir);
    mkdirSync(full, { recursive: true, mode: 0o700 });
    env[name] = full;
  }
  const keep = ['PATH', 'LANG', 'LC_ALL', 'UPNP_NETNS', 'UPNP_NETNS_VETH'];
  for (const k of keep) if (process.env[k] !== undefined) env[k] = process.env[k];
  // No session bus: rygel (a GApplication) then runs as a plain non-unique process instead of
  // registering on (or replacing!) a user's rygel through a bus socket outside the namespace.
  env['DBUS_SESSION_BUS_ADDRESS'] = `unix:path=${path.join(tmp, 'no-session-bus')}`;
  delete env['DISPLAY'];
  delete env['WAYLAND_DISPLAY'];
  return env;
}

interface Started {
  child: ChildProcess;
  output(): string;
  exited(): string | undefined;
  stop(): Promise<void>;
}

/** Process groups started here and not yet stopped, with their folders: cleared when this process exits. */
const liveGroups = new Map<number, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, tmp] of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone already
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

/** util-linux's setpriv, to have the kernel kill a daemon whose test process died without stop(). */
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/**
 * Spawns `binary` in its own process group with output captured; stop() ends the group. The
 * group is killed when this process exits too, and (through setpriv --pdeathsig) the daemon dies
 * with it even when it is killed outright: nothing is left announcing in the namespace.
 */
function startGroup(binary: string, args: string[], env: NodeJS.ProcessEnv, tmp: string): Started {
  installExitHook();
  const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true, cwd: tmp });
  const pgid = child.pid;
  if (pgid !== undefined) liveGroups.set(pgid, tmp);
  let out = '';
  const collect = (d: Buffer): void => {
    out += d.toString();
    if (out.length > OUTPUT_LIMIT) out = out.slice(out.length - OUTPUT_LIMIT);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  child.once('error', (err) => (out += `\n[spawn] ${err.message}\n`));
  let exitWhy: string | undefined;
  child.once('exit', (code, signal) => (exitWhy = `exited with ${code ?? signal}`));
  let stopped = false;
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is gone already
    }
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (child.pid !== undefined && exitWhy === undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    // Whatever the leader left behind in its group goes too.
    signalGroup('SIGKILL');
    if (pgid !== undefined) liveGroups.delete(pgid);
    rmSync(tmp, { recursive: true, force: true });
  };
  return { child, output: () => out, exited: () => exitWhy, stop };
}

function hasAddress(interfaceName: string, address: string): boolean {
  return (os.networkInterfaces()[interfaceName] ?? []).some((a) => a.address === address);
}

function udnOf(description: string): string | undefined {
  return /<UDN>\s*([^<\s]+)\s*<\/UDN>/.exec(description)?.[1];
}

// ---- gmediarender ----

export interface GmediarenderOptions {
  friendlyName?: string;
  /** UUID without `uuid:`. Default: a fixed one. */
  uuid?: string;
  /** HTTP port (`-p`). Default 49494. */
  port?: number;
  /** `--mime-filter`, e.g. 'audio' to accept only audio/* (the Sink list shrinks accordingly). */
  mimeFilter?: string;
  startTimeoutMs?: number;
  binary?: string;
}

/** Starts gmediarender on the veth end upnpv1 and resolves once its description answers. */
export async function startGmediarender(opts: GmediarenderOptions = {}): Promise<RunningRenderer> {
  assertIsolatedNetwork('startGmediarender');
  const binary = opts.binary ?? '/usr/bin/gmediarender';
  if (!existsSync(binary)) throw new Error(`startGmediarender: ${binary} not found (Debian: apt-get install --no-install-recommends gmediarender gstreamer1.0-plugins-good)`);
  if (!hasAddress(VETH_DEVICE_INTERFACE, VETH_DEVICE_ADDRESS)) {
    throw new Error(`startGmediarender: libupnp refuses loopback, so gmediarender needs the veth pair of scripts/netns.sh --veth (${VETH_DEVICE_INTERFACE} ${VETH_DEVICE_ADDRESS}), which this namespace lacks`);
  }
  const friendlyName = opts.friendlyName ?? 'gmediarender-peer';
  const uuid = opts.uuid ?? '5f4d3c2b-1a09-4e8f-9d7c-6b5a4f3e2d1c';
  const port = opts.port ?? 49494;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-gmediarender-'));
  const args = [
    '-I', VETH_DEVICE_INTERFACE,
    '-p', String(port),
    '-u', uuid,
    '-f', friendlyName,
    '--logfile', 'stdout',
    '--gstout-audiopipe', 'fakesink sync=true',
    '--gstout-videopipe', 'fakesink sync=true',
    ...(opts.mimeFilter ? ['--mime-filter', opts.mimeFilter] : []),
  ];
  const command = [binary, ...args.map((a) => (/[\s=]/.test(a) ? `'${a}'` : a))].join(' ');
  const started = startGroup(binary, args, privateEnvironment(tmp), tmp);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  try {
    for (;;) {
      const why = started.exited();
      if (why) throw new Error(`gmediarender ${why} before answering:\n${started.output()}`);
      const locations = await searchLocations(MEDIA_RENDERER_DEVICE_TYPE, '10.99.0.1', 700);
      for (const location of locations) {
        const res = await fetchText(location, 2000);
        if (res?.status === 200 && udnOf(res.body) === `uuid:${uuid}`) {
          return { location, udn: `uuid:${uuid}`, friendlyName, address: VETH_DEVICE_ADDRESS, command, output: started.output, stop: started.stop };
        }
      }
      if (Date.now() > deadline) throw new Error(`gmediarender did not answer an M-SEARCH in time (${command}):\n${started.output()}`);
    }
  } catch (err) {
    await started.stop();
    throw err;
  }
}

// ---- rygel (Playbin) ----

export interface RygelRendererOptions {
  /** Title of the Playbin renderer (its friendlyName). */
  friendlyName?: string;
  /** HTTP port (`-p`). Default 49495. */
  port?: number;
  startTimeoutMs?: number;
  binary?: string;
}

/** Starts rygel with only its Playbin renderer, on lo, and resolves once its description answers. */
export async function startRygelRenderer(opts: RygelRendererOptions = {}): Promise<RunningRenderer> {
  assertIsolatedNetwork('startRygelRenderer');
  const binary = opts.binary ?? '/usr/bin/rygel';
  if (!existsSync(binary) || !existsSync('/usr/lib/x86_64-linux-gnu/rygel-2.8/plugins/librygel-playbin.so')) {
    throw new Error('startRygelRenderer: rygel or its Playbin plugin is missing (Debian: apt-get install --no-install-recommends rygel rygel-playbin)');
  }
  const friendlyName = opts.friendlyName ?? 'rygel-playbin-peer';
  const port = opts.port ?? 49495;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-rygel-'));
  const env = privateEnvironment(tmp);
  // rygel 0.42.1 ignores -c (it looks the option up as a string, GLib hands it over as a
  // filename), so the configuration goes where it looks by default: $XDG_CONFIG_HOME/rygel.conf,
  // in our private folder. It reads /etc/rygel.conf for whatever this file lacks, so every plugin
  // the system file enables is switched off here.
  const conf = path.join(env['XDG_CONFIG_HOME']!, 'rygel.conf');
  writeFileSync(conf, [
    '[general]',
    'ipv6=false',
    'enable-transcoding=false',
    'interface=lo',
    `port=${port}`,
    'log-level=*:4',
    'allow-upload=false',
    'allow-deletion=false',
    'acl-fallback-policy=true',
    '',
    '[Playbin]',
    'enabled=true',
    `title=${friendlyName}`,
    'audio-sink=fakesink sync=true',
    'video-sink=fakesink sync=true',
    '',
    ...['MediaExport', 'Tracker', 'Tracker3', 'LMS', 'GstLaunch', 'MPRIS', 'External', 'Ruih', 'Test',
      'ExampleServerPluginVala', 'ExampleServerPluginC', 'ExampleRendererPluginVala', 'ExampleRendererPluginC']
      .flatMap((p) => [`[${p}]`, 'enabled=false', '']),
  ].join('\n'));
  const args = ['-n', 'lo', '-p', String(port)];
  const command = [binary, ...args].join(' ');
  const started = startGroup(binary, args, env, tmp);
  const deadline = Date.now() + (opts.startTimeoutMs ?? 20_000);
  try {
    for (;;) {
      const why = started.exited();
      if (why) throw new Error(`rygel ${why} before answering:\n${started.output()}`);
      const locations = await searchLocations(MEDIA_RENDERER_DEVICE_TYPE, '127.0.0.1', 700);
      for (const location of locations) {
        if (Number(new URL(location).port) !== port) continue;
        const res = await fetchText(location, 2000);
        const udn = res?.status === 200 ? udnOf(res.body) : undefined;
        if (udn && res?.body.includes(`<friendlyName>${friendlyName}</friendlyName>`)) {
          return { location, udn, friendlyName, address: '127.0.0.1', command, output: started.output, stop: started.stop };
        }
      }
      if (Date.now() > deadline) throw new Error(`rygel did not answer an M-SEARCH in time (${command}):\n${started.output()}`);
    }
  } catch (err) {
    await started.stop();
    throw err;
  }
}

// ---- minidlna serving audio and pictures ----

/** A mono 16-bit PCM WAV of a 440 Hz sine, `seconds` long. */
export function sineWav(seconds: number, sampleRate = 8000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 8000), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28); // byte rate
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export interface MediaServerOptions {
  friendlyName?: string;
  port?: number;
  uuid?: string;
  /** Length of the tone. Default 30 s. */
  toneSeconds?: number;
  /** More tones to serve beside tone.wav, by title (`tone2` → tone2.wav), e.g. for alternating plays. */
  moreTones?: readonly string[];
  startTimeoutMs?: number;
  binary?: string;
}

export interface RunningMediaServer {
  /** Description URL, e.g. http://127.0.0.1:8201/rootDesc.xml */
  readonly location: string;
  readonly udn?: string;
  readonly friendlyName: string;
  /** File names served: the tone (audio) and the photo (picture). */
  readonly toneFile: string;
  readonly photoFile: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts minidlnad on lo serving one folder of audio (`media_dir=A,`: tone.wav, a generated sine)
 * and one of pictures (`media_dir=P,`: photo.jpg, a generated 320x240 JPEG). Resolves once its
 * description answers and both files are in its database (its Browse is only useful then).
 */
export async function startAudioPictureServer(opts: MediaServerOptions = {}): Promise<RunningMediaServer> {
  assertIsolatedNetwork('startAudioPictureServer');
  const binary = opts.binary ?? '/usr/sbin/minidlnad';
  if (!existsSync(binary)) throw new Error(`startAudioPictureServer: ${binary} not found (Debian: apt-get install --no-install-recommends minidlna)`);
  const friendlyName = opts.friendlyName ?? 'minidlna-play-to';
  const port = opts.port ?? 8201;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'upnp-minidlna-av-'));
  const music = path.join(tmp, 'music');
  const pictures = path.join(tmp, 'pictures');
  const dbDir = path.join(tmp, 'db');
  const logDir = path.join(tmp, 'log');
  for (const d of [music, pictures, dbDir, logDir]) mkdirSync(d, { recursive: true });
  writeFileSync(path.join(music, 'tone.wav'), sineWav(opts.toneSeconds ?? 30));
  for (const name of opts.moreTones ?? []) writeFileSync(path.join(music, `${name}.wav`), sineWav(opts.toneSeconds ?? 30));
  writeFileSync(path.join(pictures, 'photo.jpg'), photoJpeg(320, 240, 7));
  const conf = path.join(tmp, 'minidlna.conf');
  writeFileSync(conf, minidlnaConf({ port, friendlyName, mediaDirs: [['A', music], ['P', pictures]], dbDir, logDir, ...(opts.uuid ? { uuid: opts.uuid } : {}) }));
  // -S: foreground, log to stdout; -P: the pid file stays in our folder.
  const started = startGroup(binary, ['-f', conf, '-S', '-P', path.join(tmp, 'minidlna.pid')], privateEnvironment(path.join(tmp, 'env')), tmp);
  const location = `http://127.0.0.1:${port}/rootDesc.xml`;
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  try {
    for (;;) {
      const why = started.exited();
      if (why) throw new Error(`minidlnad ${why} before answering:\n${started.output()}`);
      const res = await fetchText(location, 1000);
      if (res && res.status === 200 && res.body.includes('<friendlyName>')) {
        return { location, udn: udnOf(res.body), friendlyName, toneFile: 'tone.wav', photoFile: 'photo.jpg', output: started.output, stop: started.stop };
      }
      if (Date.now() > deadline) throw new Error(`minidlnad did not answer ${location} in time:\n${started.output()}`);
      await sleep(150);
    }
  } catch (err) {
    await started.stop();
    throw err;
  }
}

// ---- reading what they serve ----

export interface DescribedDevice {
  readonly udn: string;
  readonly friendlyName: string;
  readonly services: RendererService[];
}

/** A device's description and every SCPD, read the way the explorer reads them. */
export async function describeDevice(location: string): Promise<DescribedDevice> {
  const description = parseDeviceDescription(decodeText((await fetchBytes(location)).body), location);
  const services: RendererService[] = [];
  for (const s of description.device.services) services.push({ service: s, scpd: parseScpd(decodeText((await fetchBytes(s.scpdUrl)).body), s.scpdUrl) });
  return { udn: description.device.udn, friendlyName: description.device.friendlyName, services };
}

/**
 * The items of minidlna with these titles: browsed from "0" (depth first, 4 levels) until all are
 * in its database (it scans its folders after it starts answering).
 */
export async function findMediaItems(server: RunningMediaServer, titles: readonly string[], timeoutMs = 15_000): Promise<Map<string, DidlObject>> {
  const cds = (await describeDevice(server.location)).services.find((s) => /:service:ContentDirectory:\d+$/.test(s.service.serviceType));
  if (!cds) throw new Error(`${server.friendlyName} has no ContentDirectory`);
  const client = new ContentDirectoryClient({ controlUrl: cds.service.controlUrl, serviceType: cds.service.serviceType, ...(cds.scpd ? { scpd: cds.scpd } : {}) });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = new Map<string, DidlObject>();
    const walk = async (id: string, depth: number): Promise<void> => {
      for (const o of await new ChildPager(client, id, 50).loadAll()) {
        if (found.size === titles.length) return;
        if (o.kind === 'container') {
          if (depth < 4) await walk(o.id, depth + 1);
        } else if (titles.includes(o.title) && !found.has(o.title)) {
          found.set(o.title, o);
        }
      }
    };
    await walk('0', 0);
    if (found.size === titles.length) return found;
    if (Date.now() > deadline) throw new Error(`minidlna did not list ${titles.filter((t) => !found.has(t)).join(', ')} in time:\n${server.output()}`);
    await sleep(300);
  }
}
