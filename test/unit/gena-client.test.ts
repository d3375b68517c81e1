// GenaClient against real sockets on 127.0.0.1: a simulated publisher (test/devices/http-device's
// EventPublisher, no SSDP) and raw HTTP requests to the callback server.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { GenaClient, GenaError } from '../../src/core/gena/client';
import type { GenaActivity, GenaClientOptions } from '../../src/core/gena/client';
import { HttpDeviceServer, propertySetXml, sendNotify } from '../devices/http-device';
import type { EventPublisher, EventPublisherOptions } from '../devices/http-device';

const CAMERA_UDN = 'uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09';
const EVENT_PATH = '/Server0/CMS_event';

type Kind = GenaActivity['type'];
type Of<K extends Kind> = Extract<GenaActivity, { type: K }>;

/** A client whose activities are recorded and can be awaited. */
class Recorder {
  readonly all: GenaActivity[] = [];
  private waiters: Array<{ pred: (a: GenaActivity) => boolean; resolve: (a: GenaActivity) => void }> = [];
  readonly client: GenaClient;

  constructor(options: GenaClientOptions = {}) {
    this.client = new GenaClient(options);
    this.client.onActivity((a) => {
      this.all.push(a);
      for (const w of [...this.waiters]) if (w.pred(a)) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(a); }
    });
  }

  of<K extends Kind>(type: K): Of<K>[] {
    return this.all.filter((a): a is Of<K> => a.type === type);
  }

  /** The next (or an already recorded, not yet awaited) activity of this type matching `pred`. */
  wait<K extends Kind>(type: K, pred: (a: Of<K>) => boolean = () => true, timeoutMs = 5000, from = 0): Promise<Of<K>> {
    const seen = this.all.slice(from).find((a): a is Of<K> => a.type === type && pred(a as Of<K>));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} activity within ${timeoutMs} ms; got: ${this.all.map((a) => a.type).join(', ')}`)), timeoutMs);
      this.waiters.push({
        pred: (a) => a.type === type && pred(a as Of<K>),
        resolve: (a) => { clearTimeout(timer); resolve(a as Of<K>); },
      });
    });
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
after(() => { /* keep node:test from waiting on unref'd timers */ });

async function device(options: EventPublisherOptions = {}): Promise<{ server: HttpDeviceServer; events: EventPublisher; url: string }> {
  const server = await HttpDeviceServer.start({ host: '127.0.0.1', server: 'Leica/1.0 UPnP/1.0 Leica-UPnP-MW/1.0' });
  cleanups.push(() => server.close());
  const events = server.publishEvents(EVENT_PATH, options);
  return { server, events, url: server.baseUrl + EVENT_PATH };
}

function cameraLike(grantSeconds = 300): EventPublisherOptions {
  return {
    sidFor: () => CAMERA_UDN,
    grantSeconds,
    initialEvent: () => [['SourceProtocolInfo', 'http-get:*:image/jpeg:*'], ['SinkProtocolInfo', ''], ['CurrentConnectionIDs', '0']],
  };
}

function recorder(options: GenaClientOptions = {}): Recorder {
  const r = new Recorder(options);
  cleanups.push(() => r.client.close());
  return r;
}

interface RawAnswer { status: number; headers: http.IncomingHttpHeaders }

function raw(url: string, method: string, headers: Record<string, string | number>, body = ''): Promise<RawAnswer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method, headers: { 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const notifyHeaders = (sid: string, seq = 5): Record<string, string> => ({ NT: 'upnp:event', NTS: 'upnp:propchange', SID: sid, SEQ: String(seq), 'content-type': 'text/xml; charset="utf-8"' });

describe('subscribing like the Leica camera expects', () => {
  test('asked 200, granted 300: the granted value is used; SID is the UDN; initial event SEQ 0, then vendor events', async () => {
    const { events, url } = await device(cameraLike());
    const r = recorder({ requestedTimeoutSeconds: 200 });
    // The caller's own record rides along: every snapshot and activity hands it back.
    const tag = { row: 'camera|cms' };
    const info = await r.client.subscribe({ eventSubUrl: url, deviceUdn: CAMERA_UDN, serviceId: 'urn:upnp-org:serviceId:ConnectionManager', tag });
    assert.equal(info.tag, tag);
    assert.equal(r.client.get(info.id)?.tag, tag);
    assert.equal(info.sid, CAMERA_UDN);
    assert.equal(info.grantedTimeout, 300);
    assert.equal(info.requestedTimeoutSeconds, 200);
    assert.equal(info.localAddress, '127.0.0.1');
    assert.match(info.callbackUrl, /^http:\/\/127\.0\.0\.1:\d+\/gena\/g1-[0-9a-f]{16}$/);
    // Renewal is planned from the 300 s granted: a minute before expiry.
    assert.ok(info.expiresAt !== undefined && info.renewsAt !== undefined);
    assert.equal(info.expiresAt - info.acceptedAt, 300_000);
    assert.ok(Math.abs(info.renewsAt - (info.acceptedAt + 240_000)) < 1000);

    const subscribed = r.of('subscribed')[0]!;
    assert.equal(subscribed.subscription.tag, tag);
    assert.equal(subscribed.grantedTimeout, 300);
    assert.equal(subscribed.callbackUrl, info.callbackUrl);
    assert.deepEqual(events.requests.map((q) => [q.method, q.kind, q.requestedTimeout, q.status]), [['SUBSCRIBE', 'new', 'Second-200', 200]]);
    assert.deepEqual(events.subscribers().map((s) => s.callbacks), [[info.callbackUrl]]);

    const initialActivity = await r.wait('event');
    assert.equal(initialActivity.subscription.tag, tag);
    const initial = initialActivity.event;
    assert.equal(initial.seq, 0);
    assert.equal(initial.initial, true);
    assert.equal(initial.sid, CAMERA_UDN);
    assert.deepEqual(initial.variables.map((v) => v.name), ['SourceProtocolInfo', 'SinkProtocolInfo', 'CurrentConnectionIDs']);
    assert.deepEqual(initial.problems, []);
    assert.equal(initial.remoteAddress, '127.0.0.1');

    await events.notify([['X_Leica_Cam_Sync', 'lens_Update']]);
    const sync = (await r.wait('event', (a) => a.event.seq === 1)).event;
    assert.deepEqual(sync.variables.map((v) => [v.name, v.value]), [['X_Leica_Cam_Sync', 'lens_Update']]);
    assert.equal(sync.missed, undefined);
    assert.equal(sync.initial, false);
    assert.equal(r.client.get(info.id)?.eventCount, 2);
    assert.equal(r.client.get(info.id)?.lastSeq, 1);
    // The subscribed activity came before the first event.
    assert.deepEqual(r.all.map((a) => a.type), ['subscribed', 'event', 'event']);
  });

  test('skipped SEQ numbers are reported as missed events', async () => {
    const { events, url } = await device(cameraLike());
    const r = recorder();
    await r.client.subscribe({ eventSubUrl: url });
    await r.wait('event');
    events.skipSeq(6);
    await events.notify([['X_Leica_Cam_PRec', 'ok']]);
    const ev = (await r.wait('event', (a) => a.event.seq === 7)).event;
    assert.equal(ev.missed, 6);
    assert.match(ev.problems.join('\n'), /6 events were missed: expected SEQ 1, got 7/);
  });

  test('renews before the granted time runs out, with the same SID', async () => {
    const { events, url } = await device(cameraLike(2));
    const r = recorder({ requestedTimeoutSeconds: 200 });
    const info = await r.client.subscribe({ eventSubUrl: url });
    const renewed = await r.wait('renewed', () => true, 4000);
    assert.equal(renewed.subscription.sid, info.sid);
    assert.equal(renewed.grantedTimeout, 2);
    assert.equal(renewed.subscription.renewals, 1);
    const renew = events.requests.find((q) => q.kind === 'renew');
    assert.ok(renew);
    assert.equal(renew.sid, CAMERA_UDN);
    assert.equal(renew.status, 200);
    assert.equal(renew.requestedTimeout, 'Second-200');
    // Renewed at half of the 2 s granted, before the device would drop us.
    assert.ok(renew.at - events.requests[0]!.at < 2000, `renewed after ${renew.at - events.requests[0]!.at} ms`);
    assert.equal(events.subscribers().length, 1);
  });

  test('a device that rebooted answers the renewal 412: one fresh subscription, reported', async () => {
    const { events, url } = await device(cameraLike(2));
    const r = recorder();
    await r.client.subscribe({ eventSubUrl: url });
    await r.wait('event');
    await events.notify([['X_Leica_Cam_Sync', 'busy']]);
    await r.wait('event', (a) => a.event.seq === 1);
    events.forgetAll();
    const failed = await r.wait('renewalFailed', () => true, 4000);
    assert.equal(failed.status, 412);
    assert.match(failed.message, /412 Precondition Failed/);
    const again = await r.wait('resubscribed');
    assert.equal(again.previousSid, CAMERA_UDN);
    assert.equal(again.sid, CAMERA_UDN); // the camera hands out its UDN every time
    // A new series: SEQ 0 again, not taken as a restart or a loss.
    const initial = (await r.wait('event', (a) => a.event.seq === 0, 3000, r.all.indexOf(again))).event;
    assert.equal(initial.missed, undefined);
    assert.deepEqual(initial.problems, []);
    assert.deepEqual(events.requests.map((q) => [q.kind, q.status]), [['new', 200], ['renew', 412], ['new', 200]]);
  });

  test('a refused SUBSCRIBE rejects with the status and URL; nothing is kept', async () => {
    const server = await HttpDeviceServer.start({ host: '127.0.0.1' });
    cleanups.push(() => server.close());
    server.route('/evt', 'SUBSCRIBE', (_req, res) => { res.statusCode = 503; res.end(); });
    const r = recorder();
    const url = `${server.baseUrl}/evt`;
    await assert.rejects(r.client.subscribe({ eventSubUrl: url }), (err: unknown) =>
      err instanceof GenaError && err.kind === 'refused' && err.status === 503 && err.message.includes(url) && /503 Service Unavailable/.test(err.message));
    assert.deepEqual(r.client.subscriptions, []);
    assert.deepEqual(r.all, []);
  });

  test('a 200 without SID is refused', async () => {
    const server = await HttpDeviceServer.start({ host: '127.0.0.1' });
    cleanups.push(() => server.close());
    server.route('/evt', 'SUBSCRIBE', (_req, res) => { res.setHeader('TIMEOUT', 'Second-300'); res.end(); });
    const r = recorder();
    await assert.rejects(r.client.subscribe({ eventSubUrl: `${server.baseUrl}/evt` }), (err: unknown) => err instanceof GenaError && err.kind === 'no-sid');
  });

  test('a missing TIMEOUT in the answer: the asked one is assumed, and said', async () => {
    const server = await HttpDeviceServer.start({ host: '127.0.0.1' });
    cleanups.push(() => server.close());
    server.route('/evt', 'SUBSCRIBE', (_req, res) => { res.setHeader('SID', 'uuid:x'); res.end(); });
    const r = recorder({ requestedTimeoutSeconds: 600, initialEventTimeoutMs: 60_000 });
    const info = await r.client.subscribe({ eventSubUrl: `${server.baseUrl}/evt` });
    assert.equal(info.grantedTimeout, 600);
    assert.match(r.of('subscribed')[0]!.problems[0]!, /without a TIMEOUT header; assuming the 600 s asked for/);
  });

  test('an initial event sent before the SUBSCRIBE answer still counts', async () => {
    const server = await HttpDeviceServer.start({ host: '127.0.0.1' });
    cleanups.push(() => server.close());
    let early: Promise<number> | undefined;
    server.route('/evt', 'SUBSCRIBE', async (req, res) => {
      const callback = /<([^>]+)>/.exec(String(req.headers['callback']))![1]!;
      early = sendNotify(callback, 'uuid:early', 0, propertySetXml([['Status', '1']]));
      await new Promise((r) => setTimeout(r, 200));
      res.setHeader('SID', 'uuid:early');
      res.setHeader('TIMEOUT', 'Second-300');
      res.end();
    });
    const r = recorder();
    await r.client.subscribe({ eventSubUrl: `${server.baseUrl}/evt` });
    assert.equal(await early, 200);
    const ev = (await r.wait('event')).event;
    assert.deepEqual(ev.variables.map((v) => [v.name, v.value]), [['Status', '1']]);
    assert.deepEqual(r.all.map((a) => a.type), ['subscribed', 'event']);
  });
});

describe('the callback server', () => {
  async function subscribed(options: GenaClientOptions = {}): Promise<{ r: Recorder; callbackUrl: string; sid: string }> {
    const { url } = await device({ ...cameraLike(), initialEvent: () => [['CurrentConnectionIDs', '0']] });
    const r = recorder(options);
    const info = await r.client.subscribe({ eventSubUrl: url });
    await r.wait('event');
    return { r, callbackUrl: info.callbackUrl, sid: info.sid };
  }
  const body = propertySetXml([['Status', '1']]);

  test('a valid NOTIFY gets 200; other methods 405, other paths 404', async () => {
    const { r, callbackUrl, sid } = await subscribed();
    assert.equal((await raw(callbackUrl, 'NOTIFY', notifyHeaders(sid, 1), body)).status, 200);
    assert.deepEqual((await r.wait('event', (a) => a.event.seq === 1)).event.variables.map((v) => v.value), ['1']);
    const get = await raw(callbackUrl, 'GET', {});
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'NOTIFY');
    assert.equal((await raw(callbackUrl, 'POST', notifyHeaders(sid), body)).status, 405);
    assert.equal((await raw(new URL('/gena/g99-0000000000000000', callbackUrl).href, 'NOTIFY', notifyHeaders(sid), body)).status, 404);
    assert.equal((await raw(new URL('/', callbackUrl).href, 'GET', {})).status, 404);
  });

  test('UDA 1.1 §4.3.2: missing NT or NTS is 400; a wrong one, or a missing or unknown SID, is 412', async () => {
    const { r, callbackUrl, sid } = await subscribed();
    const without = (name: string): Record<string, string> => {
      const h = notifyHeaders(sid);
      delete h[name];
      return h;
    };
    assert.equal((await raw(callbackUrl, 'NOTIFY', without('NT'), body)).status, 400);
    assert.equal((await raw(callbackUrl, 'NOTIFY', without('NTS'), body)).status, 400);
    assert.equal((await raw(callbackUrl, 'NOTIFY', { ...notifyHeaders(sid), NT: 'upnp:rootdevice' }, body)).status, 412);
    assert.equal((await raw(callbackUrl, 'NOTIFY', { ...notifyHeaders(sid), NTS: 'ssdp:alive' }, body)).status, 412);
    assert.equal((await raw(callbackUrl, 'NOTIFY', without('SID'), body)).status, 412);
    assert.equal((await raw(callbackUrl, 'NOTIFY', notifyHeaders('uuid:spoofed'), body)).status, 412);
    const rejected = r.of('rejectedNotify');
    assert.deepEqual(rejected.map((x) => x.status), [400, 400, 412, 412, 412, 412]);
    assert.match(rejected[5]!.reason, /SID uuid:spoofed is not this subscription's/);
    assert.equal(rejected[5]!.remoteAddress, '127.0.0.1');
    // None of them became an event.
    assert.equal(r.of('event').length, 1);
  });

  test('bodies over the cap get 413, announced or streamed', async () => {
    const { r, callbackUrl, sid } = await subscribed({ maxNotifyBytes: 4096 });
    assert.equal((await raw(callbackUrl, 'NOTIFY', { ...notifyHeaders(sid), 'content-length': 2 * 1024 * 1024 }, '')).status, 413);
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(callbackUrl);
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'NOTIFY', headers: { ...notifyHeaders(sid), 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('<e:propertyset>');
      req.write('x'.repeat(8192));
      // The rest never comes: the answer must not wait for it.
    });
    assert.equal(status, 413);
    assert.deepEqual(r.of('rejectedNotify').map((x) => x.status), [413, 413]);
  });

  test('a sender that stalls in its headers is cut off', async () => {
    const { callbackUrl } = await subscribed({ notifyHeadersTimeoutMs: 300, notifyRequestTimeoutMs: 600 });
    const u = new URL(callbackUrl);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(u.port), u.hostname, () => socket.write(`NOTIFY ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nNT: upn`));
      let got = '';
      socket.on('data', (d) => (got += d.toString()));
      socket.on('close', () => resolve(got));
      socket.on('error', reject);
      setTimeout(() => { socket.destroy(); reject(new Error('still open after 5 s')); }, 5000).unref();
    });
    assert.ok(Date.now() - started < 3000, `closed after ${Date.now() - started} ms`);
    assert.match(answer, /^(HTTP\/1\.1 408|$)/);
  });
});

describe('diagnosis, unsubscribing and shutdown', () => {
  test('accepted but no initial event: the diagnosis names the callback URL and interface', async () => {
    const { url } = await device({ ...cameraLike(), silent: true });
    const r = recorder({ initialEventTimeoutMs: 300 });
    const info = await r.client.subscribe({ eventSubUrl: url });
    const diag = await r.wait('noInitialEvent', () => true, 3000);
    assert.equal(diag.waitedMs, 300);
    assert.ok(diag.message.includes(info.callbackUrl), diag.message);
    assert.ok(diag.message.includes(url), diag.message);
    assert.match(diag.message, /probably can't reach the callback/);
    assert.match(diag.message, /our address 127\.0\.0\.1 on lo/);
  });

  test('no diagnosis when the initial event arrives', async () => {
    const { url } = await device(cameraLike());
    const r = recorder({ initialEventTimeoutMs: 200 });
    await r.client.subscribe({ eventSubUrl: url });
    await r.wait('event');
    await new Promise((res) => setTimeout(res, 400));
    assert.equal(r.of('noInitialEvent').length, 0);
  });

  test('unsubscribe sends UNSUBSCRIBE with the SID; later NOTIFYs to its path get 404', async () => {
    const { events, url } = await device(cameraLike());
    const r = recorder();
    const info = await r.client.subscribe({ eventSubUrl: url });
    await r.wait('event');
    await r.client.unsubscribe(info.id);
    const done = r.of('unsubscribed')[0]!;
    assert.equal(done.reason, 'requested');
    assert.equal(done.status, 200);
    assert.equal(done.problem, undefined);
    assert.deepEqual(events.requests.at(-1), { ...events.requests.at(-1)!, method: 'UNSUBSCRIBE', sid: CAMERA_UDN, status: 200 });
    assert.equal(events.subscribers().length, 0);
    assert.deepEqual(r.client.subscriptions, []);
    assert.equal((await raw(info.callbackUrl, 'NOTIFY', notifyHeaders(info.sid), propertySetXml([['A', '1']]))).status, 404);
  });

  test('unsubscribeDevice drops a gone device\'s subscriptions without a word on the network', async () => {
    const a = await device(cameraLike());
    const b = await device(cameraLike());
    const r = recorder();
    await r.client.subscribe({ eventSubUrl: a.url, deviceUdn: 'uuid:gone' });
    await r.client.subscribe({ eventSubUrl: b.url, deviceUdn: 'uuid:staying' });
    assert.equal(await r.client.unsubscribeDevice('uuid:gone'), 1);
    assert.deepEqual(r.of('unsubscribed').map((u) => [u.reason, u.subscription.deviceUdn, u.status]), [['device-gone', 'uuid:gone', undefined]]);
    assert.deepEqual(a.events.requests.map((q) => q.method), ['SUBSCRIBE']);
    assert.deepEqual(r.client.subscriptions.map((s) => s.deviceUdn), ['uuid:staying']);
  });

  test('close() unsubscribes everything, bounded in time even when a device never answers', async () => {
    const good = await device(cameraLike());
    const stuck = await HttpDeviceServer.start({ host: '127.0.0.1' });
    cleanups.push(() => stuck.close());
    stuck.route('/evt', 'SUBSCRIBE', (_req, res) => { res.setHeader('SID', 'uuid:stuck'); res.setHeader('TIMEOUT', 'Second-300'); res.end(); });
    stuck.route('/evt', 'UNSUBSCRIBE', () => new Promise<void>(() => { /* never answers */ }));
    const r = new Recorder({ shutdownTimeoutMs: 500 });
    await r.client.subscribe({ eventSubUrl: good.url });
    await r.client.subscribe({ eventSubUrl: `${stuck.baseUrl}/evt` });
    const started = Date.now();
    await r.client.close();
    const took = Date.now() - started;
    assert.ok(took < 1500, `close took ${took} ms`);
    const ends = r.of('unsubscribed');
    assert.deepEqual(ends.map((u) => [u.reason, u.subscription.sid, u.status]).sort(), [['shutdown', CAMERA_UDN, 200], ['shutdown', 'uuid:stuck', undefined]]);
    assert.match(ends.find((u) => u.subscription.sid === 'uuid:stuck')!.problem!, /no answer within the 0\.5 s allowed at shutdown/);
    assert.equal(good.events.subscribers().length, 0);
    await assert.rejects(r.client.subscribe({ eventSubUrl: good.url }), (err: unknown) => err instanceof GenaError && err.kind === 'closed');
  });

  test('a URL that is not http is refused before anything is sent', async () => {
    const r = recorder();
    await assert.rejects(r.client.subscribe({ eventSubUrl: 'ftp://127.0.0.1/evt' }), (err: unknown) => err instanceof GenaError && err.kind === 'invalid-url');
    await assert.rejects(r.client.subscribe({ eventSubUrl: 'not a url' }), (err: unknown) => err instanceof GenaError && err.kind === 'invalid-url');
  });
});
