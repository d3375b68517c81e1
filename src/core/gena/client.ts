// GENA subscriptions from the control point's side (UDA 1.1 §4): SUBSCRIBE with a callback on
// the local address the device reaches us on, renewal before the GRANTED timeout runs out (the
// Leica camera is asked 200 s and grants 300 s), one fresh subscription when a renewal is refused
// (a device that rebooted answers 412), UNSUBSCRIBE on request or, bounded in time, on close.
// Events come out typed and decoded: variables, LastChange per instance, DIDL-Lite summaries,
// and what the event keys say about lost events. A subscription that is accepted but never
// followed by its initial event gets a diagnosis: the device most likely can't reach us.
import { errorMessage } from '../util/errors';
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FetchError, fetchBytes } from '../http/fetch';
import type { FetchErrorKind } from '../http/fetch';
import { httpStatusText } from '../soap/response';
import { decodeText } from '../xml/xml';
import { Emitter, silentLogger } from '../util/events';
import type { DisposableLike, EventLike, Logger } from '../util/events';
import { CallbackServer } from './callbackServer';
import type { NotifyRequest, NotifyRoute, NotifyVerdict, RejectedRequest } from './callbackServer';
import { interfaceNameOf, localAddressFor, unusableEventHost } from './localAddress';
import { decodePropertySet } from './propertyset';
import type { EventVariable, LastChangeEvent } from './propertyset';
import { SeqTracker, parseSeq } from './seq';
import { describeTimeout, formatTimeoutHeader, parseTimeoutHeader } from './timeout';
import type { GenaTimeout } from './timeout';

export interface GenaClientOptions {
  /** TIMEOUT asked for, in seconds. Default 1800. The device's answer is what counts. */
  readonly requestedTimeoutSeconds?: number;
  /** Port of the callback servers. Default 0: an ephemeral port per local address. */
  readonly callbackPort?: number;
  /** Address to listen on and put in CALLBACK; default: the local address towards each device. */
  readonly callbackAddress?: string;
  /** How long to wait for the initial event before the noInitialEvent diagnosis. Default 5000 ms. */
  readonly initialEventTimeoutMs?: number;
  /** Deadline of each SUBSCRIBE / UNSUBSCRIBE. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Renew this long before expiry, at most half the granted time. Default 60 000 ms. */
  readonly renewBeforeExpiryMs?: number;
  /** Upper bound of close() (UNSUBSCRIBE of everything). Default 2000 ms. */
  readonly shutdownTimeoutMs?: number;
  /** NOTIFY bodies above this get 413. Default 1 MiB. */
  readonly maxNotifyBytes?: number;
  /** A NOTIFY sender must finish its headers within this. Default 10 000 ms. */
  readonly notifyHeadersTimeoutMs?: number;
  /** A NOTIFY sender must finish its whole request within this. Default 20 000 ms. */
  readonly notifyRequestTimeoutMs?: number;
  readonly logger?: Logger;
}

export interface SubscribeOptions {
  /** Absolute eventSubURL of the service. */
  readonly eventSubUrl: string;
  /** Root or embedded device UDN, so unsubscribeDevice() finds the subscription. */
  readonly deviceUdn?: string;
  readonly serviceId?: string;
  readonly serviceType?: string;
  /** TIMEOUT to ask for, overriding the client's option. */
  readonly timeoutSeconds?: number;
  readonly signal?: AbortSignal;
  /**
   * The caller's own record of this subscription, handed back on every snapshot and activity
   * (`subscription.tag`): callers keep no map of ids of their own.
   */
  readonly tag?: unknown;
}

/** A snapshot of one subscription. */
export interface GenaSubscriptionInfo {
  /** Our id for it ('g1', …); stays the same when a fresh subscription replaces a lost one. */
  readonly id: string;
  /** The device's subscription id (SID). */
  readonly sid: string;
  readonly eventSubUrl: string;
  readonly deviceUdn?: string;
  readonly serviceId?: string;
  readonly serviceType?: string;
  /** The URL sent in CALLBACK, without the angle brackets. */
  readonly callbackUrl: string;
  /** Our address the callback server listens on (where our requests to the device leave from). */
  readonly localAddress: string;
  /** Interface holding localAddress, when it is one of this machine's. */
  readonly interfaceName?: string;
  readonly requestedTimeoutSeconds: number;
  /** What the device granted (the renewals follow this, not what was asked). */
  readonly grantedTimeout: GenaTimeout;
  /** Epoch ms of the last accepted SUBSCRIBE (first, fresh or renewal). */
  readonly acceptedAt: number;
  /** Epoch ms at which the subscription lapses unless renewed; undefined for 'infinite'. */
  readonly expiresAt?: number;
  /** Epoch ms of the next renewal; undefined for 'infinite'. */
  readonly renewsAt?: number;
  readonly renewals: number;
  readonly eventCount: number;
  readonly lastSeq?: number;
  /** What the caller passed as SubscribeOptions.tag. */
  readonly tag?: unknown;
}

/** One NOTIFY, decoded. */
export interface GenaEvent {
  readonly sid: string;
  /** The event key; undefined when the SEQ header was missing or not a number. */
  readonly seq?: number;
  /** Epoch ms when it arrived. */
  readonly receivedAt: number;
  readonly variables: readonly EventVariable[];
  /** The decoded LastChange, when one of the variables is LastChange. */
  readonly lastChange?: LastChangeEvent;
  /** Events lost before this one (by the keys); absent when none. */
  readonly missed?: number;
  /** Set when this key was seen before (a re-send or a late event). */
  readonly duplicate?: boolean;
  /** SEQ 0: the initial event with every evented variable. */
  readonly initial: boolean;
  /** Departures from UDA and lost events, in words. */
  readonly problems: readonly string[];
  /** The body as text, for "show raw". */
  readonly body: string;
  readonly remoteAddress?: string;
}

export type UnsubscribeReason = 'requested' | 'device-gone' | 'shutdown' | 'lost';

export type GenaActivity =
  | {
    readonly type: 'subscribed';
    readonly subscription: GenaSubscriptionInfo;
    readonly sid: string;
    readonly grantedTimeout: GenaTimeout;
    readonly callbackUrl: string;
    readonly localAddress: string;
    /** e.g. a missing TIMEOUT in the answer. */
    readonly problems: readonly string[];
  }
  | { readonly type: 'renewed'; readonly subscription: GenaSubscriptionInfo; readonly grantedTimeout: GenaTimeout }
  | {
    readonly type: 'renewalFailed';
    readonly subscription: GenaSubscriptionInfo;
    /** HTTP status of the refusal (412 after a reboot), absent for network failures. */
    readonly status?: number;
    readonly message: string;
  }
  | {
    readonly type: 'resubscribed';
    readonly subscription: GenaSubscriptionInfo;
    readonly previousSid: string;
    readonly sid: string;
    readonly grantedTimeout: GenaTimeout;
  }
  | { readonly type: 'event'; readonly subscription: GenaSubscriptionInfo; readonly event: GenaEvent }
  | { readonly type: 'noInitialEvent'; readonly subscription: GenaSubscriptionInfo; readonly waitedMs: number; readonly message: string }
  | {
    readonly type: 'rejectedNotify';
    readonly subscription?: GenaSubscriptionInfo;
    readonly status: number;
    readonly reason: string;
    readonly remoteAddress?: string;
  }
  | {
    readonly type: 'unsubscribed';
    readonly subscription: GenaSubscriptionInfo;
    readonly reason: UnsubscribeReason;
    /** Status of the UNSUBSCRIBE; absent when none was sent or no answer came. */
    readonly status?: number;
    /** Why the UNSUBSCRIBE did not succeed, if it did not (the subscription is gone either way). */
    readonly problem?: string;
  }
  | { readonly type: 'error'; readonly subscription?: GenaSubscriptionInfo; readonly message: string };

export type GenaErrorKind = FetchErrorKind | 'refused' | 'no-sid' | 'closed';

/** A subscription could not be made. `message` names the URL and says why. */
export class GenaError extends Error {
  constructor(readonly kind: GenaErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = 'GenaError';
  }
}

export const DEFAULT_REQUESTED_TIMEOUT_SECONDS = 1800;

interface Subscription {
  readonly id: string;
  readonly path: string;
  readonly options: SubscribeOptions;
  readonly requested: number;
  readonly callbackUrl: string;
  readonly localAddress: string;
  readonly interfaceName?: string;
  /** The event URL's host when it is an address: where this subscription's events should come from. */
  readonly deviceAddress?: string;
  sid: string;
  granted: GenaTimeout;
  acceptedAt: number;
  renewsAt?: number;
  renewals: number;
  eventCount: number;
  readonly seq: SeqTracker;
  gotEvent: boolean;
  /** A SUBSCRIBE without SID in flight: NOTIFYs wait for its SID before being judged. */
  pending?: Promise<unknown>;
  /** Events are decoded in slices; this chain keeps them in the order they arrived. */
  delivering: Promise<void>;
  renewTimer?: NodeJS.Timeout;
  initialTimer?: NodeJS.Timeout;
  closed: boolean;
}

export class GenaClient implements DisposableLike {
  private readonly emitter = new Emitter<GenaActivity>();
  private readonly subs = new Map<string, Subscription>();
  private readonly routes = new Map<string, Subscription>();
  private readonly servers = new Map<string, Promise<CallbackServer>>();
  private readonly logger: Logger;
  private nextId = 1;
  private closing: Promise<void> | undefined;

  /** Everything that happens to the subscriptions, in order. */
  readonly onActivity: EventLike<GenaActivity> = this.emitter.event;

  constructor(private readonly options: GenaClientOptions = {}) {
    this.logger = options.logger ?? silentLogger;
  }

  get subscriptions(): readonly GenaSubscriptionInfo[] {
    return [...this.subs.values()].filter((s) => s.sid !== '').map((s) => this.info(s));
  }

  get(id: string): GenaSubscriptionInfo | undefined {
    const sub = this.subs.get(id);
    return sub && sub.sid !== '' ? this.info(sub) : undefined;
  }

  /**
   * Subscribes to a service's events. Resolves once the device accepted (after the 'subscribed'
   * activity); rejects with a GenaError naming the URL when it refused or could not be reached.
   */
  async subscribe(options: SubscribeOptions): Promise<GenaSubscriptionInfo> {
    if (this.closing) throw new GenaError('closed', 'The event client is shut down.');
    let url: URL;
    try {
      url = new URL(options.eventSubUrl);
    } catch {
      throw new GenaError('invalid-url', `"${options.eventSubUrl}" is not a valid event subscription URL.`);
    }
    if (url.protocol !== 'http:') throw new GenaError('invalid-url', `${options.eventSubUrl} is not an http:// URL (GENA runs over HTTP).`);
    const port = Number(url.port || 80);
    const bareHost = url.hostname.replace(/^\[|\]$/g, '');
    const unusable = unusableEventHost(bareHost);
    if (unusable) throw new GenaError('invalid-url', `Not subscribing to ${options.eventSubUrl}: ${unusable}.`);
    let localAddress: string;
    try {
      localAddress = this.options.callbackAddress ?? await localAddressFor(url.hostname, port);
    } catch (err) {
      throw new GenaError('network', `No route to ${url.host} for ${options.eventSubUrl}: ${errorMessage(err)}.`);
    }
    const server = await this.serverFor(localAddress);
    const id = `g${this.nextId++}`;
    const path = `/gena/${id}-${randomBytes(8).toString('hex')}`;
    const interfaceName = interfaceNameOf(localAddress);
    const sub: Subscription = {
      id, path, options, localAddress,
      ...(isIP(bareHost) ? { deviceAddress: bareHost } : {}),
      requested: options.timeoutSeconds ?? this.options.requestedTimeoutSeconds ?? DEFAULT_REQUESTED_TIMEOUT_SECONDS,
      callbackUrl: server.urlFor(path),
      ...(interfaceName !== undefined ? { interfaceName } : {}),
      sid: '', granted: 0, acceptedAt: 0, renewals: 0, eventCount: 0,
      seq: new SeqTracker(), gotEvent: false, closed: false, delivering: Promise.resolve(),
    };
    this.subs.set(id, sub);
    this.routes.set(path, sub);
    const attempt = this.sendSubscribe(sub, options.signal);
    sub.pending = attempt;
    let accepted: { sid: string; granted: GenaTimeout; problems: string[] };
    try {
      accepted = await attempt;
    } catch (err) {
      this.forget(sub);
      throw err;
    } finally {
      sub.pending = undefined;
    }
    if (this.closing) {
      this.forget(sub);
      void this.sendUnsubscribe(accepted.sid, options.eventSubUrl, AbortSignal.timeout(this.shutdownTimeoutMs)).catch(() => undefined);
      throw new GenaError('closed', 'The event client was shut down while subscribing.');
    }
    this.accept(sub, accepted.sid, accepted.granted);
    const info = this.info(sub);
    this.logger.info(`GENA: subscribed to ${options.eventSubUrl}: SID ${sub.sid}, granted ${describeTimeout(sub.granted)} (asked ${sub.requested} s), callback ${sub.callbackUrl}`);
    for (const p of accepted.problems) this.logger.warn(`GENA: ${p}`);
    this.emit({ type: 'subscribed', subscription: info, sid: sub.sid, grantedTimeout: sub.granted, callbackUrl: sub.callbackUrl, localAddress, problems: accepted.problems });
    return info;
  }

  /** Ends one subscription with UNSUBSCRIBE. Never throws; the outcome is in the 'unsubscribed' activity. */
  async unsubscribe(id: string): Promise<void> {
    const sub = this.subs.get(id);
    if (!sub) return;
    await this.end(sub, 'requested', AbortSignal.timeout(this.requestTimeoutMs));
  }

  /**
   * Drops every subscription of a device (matched on deviceUdn). By default nothing is sent: the
   * device left (byebye, expiry) and would not answer. Returns how many were dropped.
   */
  async unsubscribeDevice(udn: string, options: { readonly network?: boolean } = {}): Promise<number> {
    const mine = [...this.subs.values()].filter((s) => s.options.deviceUdn === udn);
    await Promise.all(mine.map((sub) => {
      if (options.network) return this.end(sub, 'requested', AbortSignal.timeout(this.requestTimeoutMs));
      const info = this.info(sub);
      this.forget(sub);
      if (info.sid !== '') this.emit({ type: 'unsubscribed', subscription: info, reason: 'device-gone' });
      return undefined;
    }));
    return mine.length;
  }

  /**
   * Unsubscribes everything (at most shutdownTimeoutMs in total, 2 s by default), then closes the
   * callback servers. The client can't be used afterwards.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const deadline = AbortSignal.timeout(this.shutdownTimeoutMs);
      const all = [...this.subs.values()].filter((s) => s.sid !== '');
      const done = Promise.all(all.map((sub) => this.end(sub, 'shutdown', deadline)));
      await Promise.race([done, new Promise<void>((resolve) => deadline.addEventListener('abort', () => resolve(), { once: true }))]);
      for (const sub of [...this.subs.values()]) this.forget(sub);
      const servers = await Promise.allSettled([...this.servers.values()]);
      this.servers.clear();
      await Promise.all(servers.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
      this.emitter.dispose();
    })();
    return this.closing;
  }

  /** For DisposableLike holders; prefer awaiting close() where a promise can be returned. */
  dispose(): void {
    void this.close();
  }

  // ---- internals ----

  private get requestTimeoutMs(): number { return this.options.requestTimeoutMs ?? 10_000; }
  private get shutdownTimeoutMs(): number { return this.options.shutdownTimeoutMs ?? 2000; }

  private emit(activity: GenaActivity): void {
    if (activity.type === 'error' || activity.type === 'noInitialEvent') this.logger.warn(`GENA: ${activity.message}`);
    this.emitter.fire(activity);
  }

  private serverFor(localAddress: string): Promise<CallbackServer> {
    let server = this.servers.get(localAddress);
    if (!server) {
      server = CallbackServer.start({
        host: localAddress,
        ...(this.options.callbackPort !== undefined ? { port: this.options.callbackPort } : {}),
        ...(this.options.maxNotifyBytes !== undefined ? { maxBodyBytes: this.options.maxNotifyBytes } : {}),
        ...(this.options.notifyHeadersTimeoutMs !== undefined ? { headersTimeoutMs: this.options.notifyHeadersTimeoutMs } : {}),
        ...(this.options.notifyRequestTimeoutMs !== undefined ? { requestTimeoutMs: this.options.notifyRequestTimeoutMs } : {}),
        onRejected: (r) => this.onRejected(r),
      }, (path) => this.routeFor(path));
      this.servers.set(localAddress, server);
      server.catch(() => this.servers.delete(localAddress));
    }
    return server.catch((err: unknown) => {
      throw new GenaError('network', `Could not listen for events on ${localAddress}: ${errorMessage(err)}.`);
    });
  }

  private routeFor(path: string): NotifyRoute | undefined {
    const sub = this.routes.get(path);
    if (!sub) return undefined;
    return { accept: (request) => this.judge(sub, request) };
  }

  private async judge(sub: Subscription, request: NotifyRequest): Promise<NotifyVerdict> {
    // Devices may send the initial event before our SUBSCRIBE has its answer; its SID is known
    // only then.
    if (sub.pending) {
      await Promise.race([sub.pending.catch(() => undefined), new Promise((r) => setTimeout(r, this.requestTimeoutMs).unref())]);
    }
    if (sub.closed || sub.sid === '') return { status: 412, reason: 'the subscription is not active' };
    if (request.sid !== sub.sid) return { status: 412, reason: `SID ${request.sid} is not this subscription's (${sub.sid})` };
    return {
      status: 200,
      deliver: () => {
        sub.delivering = sub.delivering.then(() => this.deliver(sub, request)).catch((err: unknown) => {
          this.logger.error(`GENA: could not decode an event from ${request.remoteAddress ?? '?'}: ${errorMessage(err)}`);
        });
      },
    };
  }

  private onRejected(rejected: RejectedRequest): void {
    const sub = this.routes.get(rejected.path);
    this.logger.warn(`GENA: refused ${rejected.method} ${rejected.path} from ${rejected.remoteAddress ?? '?'} with ${rejected.status}: ${rejected.reason}`);
    // Requests to unknown paths are noise (scanners); those aimed at a subscription are news.
    if (!sub) return;
    this.emit({
      type: 'rejectedNotify', subscription: this.info(sub), status: rejected.status, reason: rejected.reason,
      ...(rejected.remoteAddress !== undefined ? { remoteAddress: rejected.remoteAddress } : {}),
    });
  }

  private async deliver(sub: Subscription, request: NotifyRequest): Promise<void> {
    if (sub.closed) return;
    const problems: string[] = [];
    const body = decodeText(request.body, request.headers['content-type']);
    const set = await decodePropertySet(body);
    if (sub.closed) return;
    // Flagged, not refused: the callback path is a secret only the subscribed device was told, so
    // another sender is more likely the same device on another interface (or behind NAT) than a
    // forgery, and refusing would lose its events without a word.
    const from = request.remoteAddress?.replace(/^::ffff:/, '');
    if (sub.deviceAddress !== undefined && from !== undefined && from !== sub.deviceAddress) {
      problems.push(`This event came from ${from}, not from the device's address ${sub.deviceAddress} (the event URL's host).`);
    }
    problems.push(...set.problems);
    const seq = parseSeq(request.seq);
    let missed: number | undefined;
    let duplicate: boolean | undefined;
    if (seq === undefined) {
      problems.push(request.seq === undefined ? 'The SEQ header is missing.' : `The SEQ header "${request.seq}" is not an event key.`);
    } else {
      const seen = sub.seq.observe(seq);
      if (seen.missed > 0) {
        missed = seen.missed;
        problems.push(seen.expected === undefined
          ? `The first event has SEQ ${seq}, not 0: ${seen.missed} earlier event${seen.missed === 1 ? ' was' : 's were'} missed.`
          : `${seen.missed} event${seen.missed === 1 ? ' was' : 's were'} missed: expected SEQ ${seen.expected}, got ${seq}.`);
      }
      if (seen.duplicate) {
        duplicate = true;
        problems.push(`SEQ ${seq} was received before (expected ${seen.expected ?? '?'}): a repeated or late event.`);
      }
      if (seen.restarted) problems.push('SEQ went back to 0: the device started a new series of events.');
    }
    if (!sub.gotEvent) {
      sub.gotEvent = true;
      if (sub.initialTimer) clearTimeout(sub.initialTimer);
      sub.initialTimer = undefined;
    }
    sub.eventCount++;
    const lastChange = set.variables.find((v) => v.lastChange)?.lastChange;
    const event: GenaEvent = {
      sid: request.sid,
      receivedAt: request.receivedAt,
      variables: set.variables,
      initial: seq === 0,
      problems,
      body,
      ...(seq !== undefined ? { seq } : {}),
      ...(lastChange ? { lastChange } : {}),
      ...(missed !== undefined ? { missed } : {}),
      ...(duplicate ? { duplicate } : {}),
      ...(request.remoteAddress !== undefined ? { remoteAddress: request.remoteAddress } : {}),
    };
    if (missed !== undefined) this.logger.warn(`GENA: ${sub.options.eventSubUrl}: ${problems.find((p) => p.includes('missed'))}`);
    this.emit({ type: 'event', subscription: this.info(sub), event });
  }

  /** Sends SUBSCRIBE with CALLBACK/NT (a new subscription); resolves with what the device granted. */
  private async sendSubscribe(sub: Subscription, signal?: AbortSignal): Promise<{ sid: string; granted: GenaTimeout; problems: string[] }> {
    const url = sub.options.eventSubUrl;
    const answer = await this.request(url, 'SUBSCRIBE', {
      CALLBACK: `<${sub.callbackUrl}>`,
      NT: 'upnp:event',
      TIMEOUT: formatTimeoutHeader(sub.requested),
    }, signal);
    return this.readAcceptance(url, answer, sub.requested, 'SUBSCRIBE');
  }

  private readAcceptance(url: string, answer: { status: number; headers: Readonly<Record<string, string>> }, requested: number, what: string): { sid: string; granted: GenaTimeout; problems: string[] } {
    if (answer.status !== 200) {
      throw new GenaError('refused', `${what} to ${url} answered HTTP ${statusWords(answer.status)}.`, answer.status);
    }
    const sid = answer.headers['sid']?.trim();
    if (!sid) throw new GenaError('no-sid', `${what} to ${url} answered 200 but without a SID header, so its events can't be recognised.`, 200);
    const problems: string[] = [];
    const timeout = parseTimeoutHeader(answer.headers['timeout']);
    let granted: GenaTimeout;
    switch (timeout.kind) {
      case 'seconds': granted = Math.max(1, timeout.seconds); break;
      case 'infinite': granted = 'infinite'; break;
      case 'missing':
        granted = requested;
        problems.push(`${url} granted the subscription without a TIMEOUT header; assuming the ${requested} s asked for.`);
        break;
      case 'invalid':
        granted = requested;
        problems.push(`${url} granted the subscription with TIMEOUT "${timeout.text}", which is not Second-<n>; assuming the ${requested} s asked for.`);
        break;
    }
    return { sid, granted, problems };
  }

  private async request(url: string, method: string, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number; headers: Readonly<Record<string, string>> }> {
    try {
      const res = await fetchBytes(url, { method, headers, timeoutMs: this.requestTimeoutMs, maxBytes: 64 * 1024, ...(signal ? { signal } : {}) }, () => true);
      return res;
    } catch (err) {
      if (err instanceof FetchError) throw new GenaError(err.kind, `${method} failed: ${err.message}`, err.status);
      throw err;
    }
  }

  /** Records an accepted subscription and arms its timers. */
  private accept(sub: Subscription, sid: string, granted: GenaTimeout): void {
    sub.sid = sid;
    sub.granted = granted;
    sub.acceptedAt = Date.now();
    this.scheduleRenewal(sub);
    if (!sub.gotEvent && !sub.initialTimer) {
      const waitMs = this.options.initialEventTimeoutMs ?? 5000;
      sub.initialTimer = setTimeout(() => {
        sub.initialTimer = undefined;
        if (sub.closed || sub.gotEvent) return;
        const where = sub.interfaceName ? `${sub.localAddress} on ${sub.interfaceName}` : sub.localAddress;
        const message = `No initial event from ${sub.options.eventSubUrl} within ${formatMs(waitMs)} after SUBSCRIBE was accepted ` +
          `(SID ${sub.sid}). The device probably can't reach the callback ${sub.callbackUrl} (our address ${where}): ` +
          'a firewall on this machine, or no route back from the device, are the usual causes. ' +
          'Some devices (minidlna) accept subscriptions but never send events.';
        this.emit({ type: 'noInitialEvent', subscription: this.info(sub), waitedMs: waitMs, message });
      }, waitMs);
      sub.initialTimer.unref();
    }
  }

  private scheduleRenewal(sub: Subscription): void {
    if (sub.renewTimer) clearTimeout(sub.renewTimer);
    sub.renewTimer = undefined;
    sub.renewsAt = undefined;
    if (sub.granted === 'infinite') return;
    const grantedMs = sub.granted * 1000;
    const delay = grantedMs - Math.min(this.options.renewBeforeExpiryMs ?? 60_000, grantedMs / 2);
    sub.renewsAt = Date.now() + delay;
    sub.renewTimer = setTimeout(() => { void this.renew(sub); }, delay);
    sub.renewTimer.unref();
  }

  private async renew(sub: Subscription): Promise<void> {
    sub.renewTimer = undefined;
    if (sub.closed) return;
    const url = sub.options.eventSubUrl;
    let failure: { status?: number; message: string };
    try {
      const answer = await this.request(url, 'SUBSCRIBE', { SID: sub.sid, TIMEOUT: formatTimeoutHeader(sub.requested) });
      if (sub.closed) return;
      const accepted = this.readAcceptance(url, answer, sub.requested, 'Renewal SUBSCRIBE');
      for (const p of accepted.problems) this.logger.warn(`GENA: ${p}`);
      if (accepted.sid !== sub.sid) this.logger.warn(`GENA: ${url} renewed SID ${sub.sid} but answered with SID ${accepted.sid}; using the new one.`);
      sub.renewals++;
      this.accept(sub, accepted.sid, accepted.granted);
      this.logger.debug(`GENA: renewed ${sub.sid} at ${url}, granted ${describeTimeout(sub.granted)}`);
      this.emit({ type: 'renewed', subscription: this.info(sub), grantedTimeout: sub.granted });
      return;
    } catch (err) {
      if (sub.closed) return;
      failure = err instanceof GenaError
        ? { ...(err.status !== undefined ? { status: err.status } : {}), message: err.message }
        : { message: String(err) };
    }
    const previousSid = sub.sid;
    this.emit({ type: 'renewalFailed', subscription: this.info(sub), ...failure });
    // One fresh subscription: the device may have rebooted and forgotten us.
    sub.sid = '';
    sub.gotEvent = false;
    sub.seq.reset();
    const attempt = this.sendSubscribe(sub);
    sub.pending = attempt;
    try {
      const accepted = await attempt;
      if (sub.closed) {
        void this.sendUnsubscribe(accepted.sid, url, AbortSignal.timeout(this.shutdownTimeoutMs)).catch(() => undefined);
        return;
      }
      for (const p of accepted.problems) this.logger.warn(`GENA: ${p}`);
      this.accept(sub, accepted.sid, accepted.granted);
      this.logger.info(`GENA: renewal of ${previousSid} at ${url} failed; subscribed afresh as ${accepted.sid}`);
      this.emit({ type: 'resubscribed', subscription: this.info(sub), previousSid, sid: sub.sid, grantedTimeout: sub.granted });
    } catch (err) {
      if (sub.closed) return;
      const info = { ...this.info(sub), sid: previousSid };
      this.forget(sub);
      this.emit({ type: 'error', subscription: info, message: `Subscribing afresh to ${url} after the failed renewal did not work either: ${errorMessage(err)}` });
      this.emit({ type: 'unsubscribed', subscription: info, reason: 'lost' });
    } finally {
      sub.pending = undefined;
    }
  }

  /** UNSUBSCRIBE (bounded by `signal`), then forget; reports the outcome as 'unsubscribed'. */
  private async end(sub: Subscription, reason: UnsubscribeReason, signal: AbortSignal): Promise<void> {
    if (sub.closed) return;
    const info = this.info(sub);
    this.forget(sub);
    if (info.sid === '') return;
    let status: number | undefined;
    let problem: string | undefined;
    try {
      status = await this.sendUnsubscribe(info.sid, info.eventSubUrl, signal);
      if (status !== 200) problem = `UNSUBSCRIBE to ${info.eventSubUrl} answered HTTP ${statusWords(status)}.`;
    } catch (err) {
      problem = signal.aborted && reason === 'shutdown'
        ? `UNSUBSCRIBE to ${info.eventSubUrl} got no answer within the ${formatMs(this.shutdownTimeoutMs)} allowed at shutdown.`
        : errorMessage(err);
    }
    if (problem) this.logger.warn(`GENA: ${problem}`);
    this.emit({ type: 'unsubscribed', subscription: info, reason, ...(status !== undefined ? { status } : {}), ...(problem ? { problem } : {}) });
  }

  private async sendUnsubscribe(sid: string, url: string, signal: AbortSignal): Promise<number> {
    const answer = await this.request(url, 'UNSUBSCRIBE', { SID: sid }, signal);
    return answer.status;
  }

  /** Stops timers and routing for a subscription; sends nothing. */
  private forget(sub: Subscription): void {
    sub.closed = true;
    if (sub.renewTimer) clearTimeout(sub.renewTimer);
    if (sub.initialTimer) clearTimeout(sub.initialTimer);
    sub.renewTimer = undefined;
    sub.initialTimer = undefined;
    this.subs.delete(sub.id);
    this.routes.delete(sub.path);
  }

  private info(sub: Subscription): GenaSubscriptionInfo {
    const o = sub.options;
    return {
      id: sub.id,
      sid: sub.sid,
      eventSubUrl: o.eventSubUrl,
      ...(o.deviceUdn !== undefined ? { deviceUdn: o.deviceUdn } : {}),
      ...(o.serviceId !== undefined ? { serviceId: o.serviceId } : {}),
      ...(o.serviceType !== undefined ? { serviceType: o.serviceType } : {}),
      callbackUrl: sub.callbackUrl,
      localAddress: sub.localAddress,
      ...(sub.interfaceName !== undefined ? { interfaceName: sub.interfaceName } : {}),
      requestedTimeoutSeconds: sub.requested,
      grantedTimeout: sub.granted,
      acceptedAt: sub.acceptedAt,
      ...(sub.granted !== 'infinite' && sub.acceptedAt > 0 ? { expiresAt: sub.acceptedAt + sub.granted * 1000 } : {}),
      ...(sub.renewsAt !== undefined ? { renewsAt: sub.renewsAt } : {}),
      renewals: sub.renewals,
      eventCount: sub.eventCount,
      ...(sub.seq.lastSeq !== undefined ? { lastSeq: sub.seq.lastSeq } : {}),
      ...(o.tag !== undefined ? { tag: o.tag } : {}),
    };
  }
}

/** `412 Precondition Failed`, or just the number for an unusual status. */
function statusWords(status: number): string {
  const text = httpStatusText(status);
  return text ? `${status} ${text}` : String(status);
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
