// npm run bench (part 3): GENA events. A GenaClient subscribed to a simulated device's event URL
// (HttpDeviceServer.publishEvents on 127.0.0.1) receives NOTIFYs with increasing SEQ from a sender
// in a separate process, as fast as it accepts them and at fixed rates; every event is formatted
// with eventLines (the "UPnP Events" channel's text) and written to a file, line by line, as the
// output channel's appendLine would. Printed: events/s, loss (SEQ gaps the client saw, events
// received vs sent), and the time from the callback server's receipt of the NOTIFY (its headers
// parsed, taken from Node's http.server.request.start diagnostics channel) to the last line
// written. Beside it, from the same script: a bare node:http server answering 200 to the same
// sender (the transport ceiling) and the formatting step alone.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import diagnosticsChannel from 'node:diagnostics_channel';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { GenaClient } from '../src/core/gena/client';
import type { GenaEvent, GenaSubscriptionInfo } from '../src/core/gena/client';
import { decodePropertySet } from '../src/core/gena/propertyset';
import { eventLines } from '../src/host/events/format';
import type { EventSource } from '../src/host/events/format';
import { CAPTURED_VENDOR_EVENTS } from '../test/devices/camera';
import { HttpDeviceServer, XML_CONTENT_TYPE, propertySetXml } from '../test/devices/http-device';
import { AVT_EVENT_NS, lastChangeXml } from '../test/devices/renderer';
import { assertIsolatedNetwork } from '../test/harness/netns';

const SUBSCRIPTIONS = 4;
const EVENT_PATH = '/Server0/CMS_event';
const SOURCE: EventSource = { deviceName: 'Leica Q3-1234567', serviceLabel: 'ConnectionManager:1' };

// ---- what goes on the wire ----

type BodyKind = 'camera' | 'renderer';

/** The camera's vendor events as captured (one variable), cycled. */
const CAMERA_BODIES = CAPTURED_VENDOR_EVENTS.map(([name, value]) => Buffer.from(propertySetXml([[name, value]]), 'utf8'));

/** A renderer's AVTransport LastChange with DIDL-Lite track metadata: the heaviest common event. */
const RENDERER_BODY = (() => {
  const didl = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/"><item id="64$1$2" parentID="64$1" restricted="1">' +
    '<dc:title>Big Buck Bunny</dc:title><upnp:class>object.item.videoItem</upnp:class>' +
    '<res protocolInfo="http-get:*:video/mp4:DLNA.ORG_PN=AVC_MP4_MP_HD_720p_AAC;DLNA.ORG_OP=01" size="276134947" duration="0:09:56.000" ' +
    'resolution="1280x720">http://127.0.0.1:8200/MediaItems/22.mp4</res></item></DIDL-Lite>';
  const uri = 'http://127.0.0.1:8200/MediaItems/22.mp4';
  return Buffer.from(propertySetXml([['LastChange', lastChangeXml(AVT_EVENT_NS, [
    ['TransportState', 'PLAYING'], ['CurrentTransportActions', 'Stop,Pause,Seek'], ['AVTransportURI', uri],
    ['AVTransportURIMetaData', didl], ['CurrentTrackURI', uri], ['CurrentTrackMetaData', didl],
  ])]]), 'utf8');
})();

function bodyFor(kind: BodyKind, seq: number): Buffer {
  return kind === 'renderer' ? RENDERER_BODY : CAMERA_BODIES[seq % CAMERA_BODIES.length]!;
}

// ---- the sender (a child process: its own event loop, like a device) ----

interface Target { readonly callback: string; readonly sid: string }

type SenderCommand =
  | {
    readonly type: 'run';
    readonly id: number;
    readonly targets: readonly Target[];
    /** Events to each target. */
    readonly perTarget: number;
    /** Events per second over all targets; 0: each target gets its next event once the last was answered. */
    readonly rate: number;
    /** One keep-alive connection per target, or a fresh connection per NOTIFY (CONNECTION: close, as the Leica camera does). */
    readonly keepAlive: boolean;
    readonly body: BodyKind;
  }
  | { readonly type: 'exit' };

type SenderReply =
  | { readonly type: 'ready'; readonly eventSubUrl: string }
  | { readonly type: 'done'; readonly id: number; readonly sent: number; readonly ok: number; readonly failed: number; readonly firstFailure?: string; readonly elapsedMs: number };

function notify(target: Target, seq: number, body: Buffer, agent: http.Agent | false): Promise<number> {
  const url = new URL(target.callback);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname, port: Number(url.port), path: url.pathname, method: 'NOTIFY', agent,
      headers: {
        HOST: url.host, 'CONTENT-TYPE': XML_CONTENT_TYPE, 'CONTENT-LENGTH': body.length,
        NT: 'upnp:event', NTS: 'upnp:propchange', SID: target.sid, SEQ: String(seq),
        CONNECTION: agent ? 'keep-alive' : 'close',
      },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function runSender(): Promise<void> {
  const device = await HttpDeviceServer.start({ host: '127.0.0.1' });
  // Answers SUBSCRIBE/UNSUBSCRIBE as the simulated devices do; no initial event of its own: the
  // runs below send SEQ 0 first and count on from there.
  device.publishEvents(EVENT_PATH, { grantSeconds: 1800 });
  const nextSeq = new Map<string, number>();
  const send = (reply: SenderReply): void => { process.send!(reply); };

  process.on('message', (command: SenderCommand) => {
    if (command.type === 'exit') {
      void device.close().then(() => process.exit(0));
      return;
    }
    void (async () => {
      let ok = 0;
      let failed = 0;
      let firstFailure: string | undefined;
      const started = performance.now();
      const perTargetRate = command.rate / command.targets.length;
      await Promise.all(command.targets.map(async (target) => {
        // One connection per target, reused; a device sends its subscriber's events one after the other.
        const agent = command.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 1 }) : false;
        try {
          for (let i = 0; i < command.perTarget; i++) {
            if (perTargetRate > 0) {
              const due = started + (i * 1000) / perTargetRate;
              const ahead = due - performance.now();
              if (ahead >= 1) await new Promise((r) => setTimeout(r, ahead));
            }
            const seq = nextSeq.get(target.sid) ?? 0;
            nextSeq.set(target.sid, seq + 1);
            try {
              const status = await notify(target, seq, bodyFor(command.body, seq), agent);
              if (status === 200) ok++;
              else { failed++; firstFailure ??= `HTTP ${status} for SEQ ${seq}`; }
            } catch (err) {
              failed++;
              firstFailure ??= `SEQ ${seq}: ${err instanceof Error ? err.message : String(err)}`;
            }
          }
        } finally {
          if (agent) agent.destroy();
        }
      }));
      send({
        type: 'done', id: command.id, sent: command.perTarget * command.targets.length, ok, failed,
        elapsedMs: performance.now() - started, ...(firstFailure !== undefined ? { firstFailure } : {}),
      });
    })();
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', eventSubUrl: `${device.baseUrl}${EVENT_PATH}` });
}

class Sender {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Extract<SenderReply, { type: 'done' }>) => void>();

  private constructor(private readonly child: ChildProcess, readonly eventSubUrl: string) {
    child.on('message', (reply: SenderReply) => {
      if (reply.type !== 'done') return;
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  static start(): Promise<Sender> {
    const child = fork(__filename, ['--sender'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('message', (reply: SenderReply) => {
        if (reply.type === 'ready') resolve(new Sender(child, reply.eventSubUrl));
      });
      child.once('exit', (code) => reject(new Error(`the sender process exited with ${code}`)));
    });
  }

  run(command: Omit<Extract<SenderCommand, { type: 'run' }>, 'type' | 'id'>): Promise<Extract<SenderReply, { type: 'done' }>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ type: 'run', id, ...command } satisfies SenderCommand);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'exit' } satisfies SenderCommand);
    await exited;
  }
}

// ---- the receiving side ----

/** performance.now() at which each NOTIFY's headers were parsed, by `SID SEQ`. */
const receivedAt = new Map<string, number>();

function onRequestStart(message: unknown): void {
  const req = (message as { request: IncomingMessage }).request;
  // Only the GenaClient's callback server: its paths are /gena/…; the bare server's are not.
  if (req.method !== 'NOTIFY' || !req.url?.startsWith('/gena/')) return;
  receivedAt.set(`${String(req.headers['sid'])} ${String(req.headers['seq'])}`, performance.now());
}

/** The output channel: appendLine per line, here into a file. */
class Sink {
  lines = 0;
  warnings = 0;
  constructor(private readonly stream: WriteStream) {}
  appendLine(line: string): void {
    this.lines++;
    if (line.includes('⚠')) this.warnings++;
    this.stream.write(`${line}\n`);
  }
}

interface RunStats {
  received: number;
  gaps: number;
  repeated: number;
  refused: number;
  /** receipt → last line written, ms */
  total: number[];
  /** 'event' activity → last line written (format + write), ms */
  formatting: number[];
  unmatched: number;
}

function newStats(): RunStats {
  return { received: 0, gaps: 0, repeated: 0, refused: 0, total: [], formatting: [], unmatched: 0 };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function ms(value: number): string {
  return Number.isNaN(value) ? '—' : value.toFixed(3);
}

function perSecond(count: number, elapsedMs: number): string {
  return Math.round((count / elapsedMs) * 1000).toLocaleString('en-US');
}

interface Scenario {
  readonly name: string;
  readonly receiver: 'GenaClient' | 'bare node:http';
  readonly subscriptions: number;
  readonly events: number;
  readonly rate: number;
  readonly keepAlive: boolean;
  readonly body: BodyKind;
}

void (async () => {
  if (process.argv.includes('--sender')) {
    await runSender();
    return;
  }
  assertIsolatedNetwork('GENA events benchmark');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gena-bench-'));
  const stream = createWriteStream(path.join(dir, 'UPnP Events.log'));
  const sink = new Sink(stream);
  const sender = await Sender.start();
  const client = new GenaClient({ requestedTimeoutSeconds: 1800, initialEventTimeoutMs: 60_000 });
  const bare = http.createServer({ keepAliveTimeout: 1000 }, (req, res) => {
    req.resume();
    req.on('end', () => { res.statusCode = 200; res.setHeader('Content-Length', 0); res.end(); });
  });
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/bare`;
  let exitCode = 0;
  try {
    diagnosticsChannel.subscribe('http.server.request.start', onRequestStart);
    const subs: GenaSubscriptionInfo[] = [];
    for (let i = 0; i < SUBSCRIPTIONS; i++) subs.push(await client.subscribe({ eventSubUrl: sender.eventSubUrl, serviceType: 'urn:schemas-upnp-org:service:ConnectionManager:1' }));
    const ours = new Set(subs.map((s) => s.id));

    let stats = newStats();
    let keep: GenaEvent[] | undefined;
    client.onActivity((activity) => {
      if (!activity.subscription || !ours.has(activity.subscription.id)) return;
      if (activity.type === 'rejectedNotify') { stats.refused++; return; }
      if (activity.type !== 'event') return;
      const emitted = performance.now();
      const event = activity.event;
      for (const line of eventLines(event, SOURCE)) sink.appendLine(line);
      const written = performance.now();
      const key = `${event.sid} ${event.seq}`;
      const t0 = receivedAt.get(key);
      receivedAt.delete(key);
      stats.received++;
      if (event.missed) stats.gaps += event.missed;
      if (event.duplicate) stats.repeated++;
      if (t0 === undefined) stats.unmatched++;
      else stats.total.push(written - t0);
      stats.formatting.push(written - emitted);
      keep?.push(event);
    });

    const targetsFor = (receiver: Scenario['receiver'], count: number): Target[] => receiver === 'GenaClient'
      ? subs.slice(0, count).map((sub) => ({ callback: sub.callbackUrl, sid: sub.sid }))
      : Array.from({ length: count }, (_, i) => ({ callback: bareUrl, sid: `uuid:bare-${i}` }));

    // Warm-up (JIT, connections); also brings every subscription its SEQ 0, the initial event.
    for (const keepAlive of [true, false]) {
      for (const receiver of ['GenaClient', 'bare node:http'] as const) {
        await sender.run({ targets: targetsFor(receiver, SUBSCRIPTIONS), perTarget: 250, rate: 0, keepAlive, body: 'camera' });
      }
    }
    if (stats.gaps || stats.repeated || stats.refused) throw new Error(`the warm-up already lost events: ${JSON.stringify({ ...stats, total: undefined, formatting: undefined })}`);

    // Sizes keep the whole benchmark under a minute on 2 cores; the headline is the 20,000-event run.
    const scenarios: Scenario[] = [
      { name: 'max, 1 sender, keep-alive', receiver: 'bare node:http', subscriptions: 1, events: 4_000, rate: 0, keepAlive: true, body: 'camera' },
      { name: 'max, 1 sender, keep-alive', receiver: 'GenaClient', subscriptions: 1, events: 4_000, rate: 0, keepAlive: true, body: 'camera' },
      { name: `max, ${SUBSCRIPTIONS} in flight, keep-alive`, receiver: 'bare node:http', subscriptions: SUBSCRIPTIONS, events: 20_000, rate: 0, keepAlive: true, body: 'camera' },
      { name: `max, ${SUBSCRIPTIONS} in flight, keep-alive`, receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 20_000, rate: 0, keepAlive: true, body: 'camera' },
      { name: `max, ${SUBSCRIPTIONS} in flight, connection per NOTIFY`, receiver: 'bare node:http', subscriptions: SUBSCRIPTIONS, events: 8_000, rate: 0, keepAlive: false, body: 'camera' },
      { name: `max, ${SUBSCRIPTIONS} in flight, connection per NOTIFY`, receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 8_000, rate: 0, keepAlive: false, body: 'camera' },
      { name: `max, ${SUBSCRIPTIONS} in flight, keep-alive, LastChange+DIDL`, receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 4_000, rate: 0, keepAlive: true, body: 'renderer' },
      // Fixed rates below the ceiling: latency without a queue in front of it.
      { name: '200/s, connection per NOTIFY', receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 400, rate: 200, keepAlive: false, body: 'camera' },
      { name: '1,000/s, keep-alive', receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 2_000, rate: 1_000, keepAlive: true, body: 'camera' },
      { name: '2,000/s, keep-alive', receiver: 'GenaClient', subscriptions: SUBSCRIPTIONS, events: 4_000, rate: 2_000, keepAlive: true, body: 'camera' },
    ];
    const rows: Record<string, string>[] = [];
    let kept: GenaEvent[] = [];
    for (const s of scenarios) {
      global.gc?.();
      stats = newStats();
      keep = s.receiver === 'GenaClient' && s.body === 'camera' && s.rate === 0 && s.subscriptions > 1 && s.keepAlive ? [] : undefined;
      const linesBefore = sink.lines;
      const warningsBefore = sink.warnings;
      const done = await sender.run({ targets: targetsFor(s.receiver, s.subscriptions), perTarget: s.events / s.subscriptions, rate: s.rate, keepAlive: s.keepAlive, body: s.body });
      // The client writes an event's lines right after answering it, so they are all in by now.
      if (keep) kept = keep;
      const gena = s.receiver === 'GenaClient';
      const received = gena ? stats.received : done.ok;
      const lost = done.sent - (received - stats.repeated);
      const total = [...stats.total].sort((a, b) => a - b);
      const formatting = [...stats.formatting].sort((a, b) => a - b);
      const problems = done.failed + lost + stats.gaps + stats.repeated + stats.refused + stats.unmatched + (gena ? sink.warnings - warningsBefore : 0);
      if (problems > 0) exitCode = 1;
      rows.push({
        run: s.name,
        receiver: s.receiver,
        sent: done.sent.toLocaleString('en-US'),
        received: received.toLocaleString('en-US'),
        lost: String(lost),
        'SEQ gaps': gena ? String(stats.gaps) : '—',
        'not 200': String(done.failed),
        'events/s': perSecond(done.ok, done.elapsedMs),
        'p50 (ms)': ms(percentile(total, 50)),
        'p99 (ms)': ms(percentile(total, 99)),
        'max (ms)': ms(total[total.length - 1] ?? NaN),
        'format+write p50 (ms)': ms(percentile(formatting, 50)),
        'lines': gena ? (sink.lines - linesBefore).toLocaleString('en-US') : '—',
      });
      if (done.firstFailure) console.error(`${s.name} (${s.receiver}): first failure: ${done.firstFailure}`);
    }
    keep = undefined;

    // The formatting step alone, on the events just received: eventLines + appendLine, and the
    // client's whole per-event work without HTTP (decodePropertySet, then the same).
    const alone = async (what: string, fn: (e: GenaEvent) => void | Promise<void>): Promise<Record<string, string>> => {
      for (const e of kept.slice(0, 2000)) await fn(e);
      global.gc?.();
      const each: number[] = [];
      const started = performance.now();
      for (const e of kept) {
        const t = performance.now();
        await fn(e);
        each.push(performance.now() - t);
      }
      const elapsed = performance.now() - started;
      each.sort((a, b) => a - b);
      return {
        step: what, events: kept.length.toLocaleString('en-US'), 'events/s': perSecond(kept.length, elapsed),
        'p50 (ms)': ms(percentile(each, 50)), 'p99 (ms)': ms(percentile(each, 99)), 'max (ms)': ms(each[each.length - 1] ?? NaN),
      };
    };
    const formatRows = [
      await alone('eventLines + appendLine to the file', (e) => { for (const line of eventLines(e, SOURCE)) sink.appendLine(line); }),
      await alone('decodePropertySet + eventLines + appendLine', async (e) => {
        const set = await decodePropertySet(e.body);
        for (const line of eventLines({ ...e, variables: set.variables }, SOURCE)) sink.appendLine(line);
      }),
    ];

    console.log(`\nGENA events (Node ${process.version}, loopback in a network namespace, sender in a separate process, ${os.cpus().length} CPUs)`);
    console.log('Latency: the callback server\'s receipt of a NOTIFY (headers parsed) → its last eventLines line written to a file; "in flight": subscriptions each sent one NOTIFY at a time; ' +
      'bare node:http: the same sender answered 200 and nothing else (the transport ceiling); lost = sent − distinct SEQs received, SEQ gaps = keys the client reported missing (both must be 0).\n');
    console.table(rows);
    console.log('\nThe formatting step alone, on the events received above (no HTTP): per event, and sustained.\n');
    console.table(formatRows);
    if (exitCode) console.error('\nEvents were lost, refused, repeated or warned about: see the table above.');
  } finally {
    diagnosticsChannel.unsubscribe('http.server.request.start', onRequestStart);
    await client.close();
    await sender.stop();
    await new Promise<void>((resolve) => { bare.closeAllConnections(); bare.close(() => resolve()); });
    await new Promise<void>((resolve) => stream.end(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
})().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
