// Pure text for the "UPnP Events" output channel and the Devices tree: one header line per event
// and one line per variable, LastChange spread out per instance, DIDL-Lite summarised, warnings
// for lost and repeated events, and a line for every subscription change. No `vscode` here, so it
// is unit-tested in plain Node against the captured events.
import { oneLine } from '../../core/util/text';
import type { GenaActivity, GenaEvent, GenaSubscriptionInfo, UnsubscribeReason } from '../../core/gena/client';
import type { EventVariable, LastChangeVariable } from '../../core/gena/propertyset';
import { describeTimeout } from '../../core/gena/timeout';
import { serviceTypeShortName } from '../../core/description/names';

/** Names a subscription in the channel: whose service it is. */
export interface EventSource {
  /** Friendly name of the device the service belongs to. */
  readonly deviceName: string;
  /** Short service type, e.g. `ConnectionManager:1`. */
  readonly serviceLabel: string;
}

export interface LineOptions {
  /** Formats an epoch time; injectable so tests don't depend on the time zone. Default formatClock. */
  readonly formatTime?: (epochMs: number) => string;
  /** Longer values are cut, saying how much was left out. Default 1000. */
  readonly maxValueChars?: number;
  /** Lines per event at most (the header included); the rest are counted. Default 60. */
  readonly maxEventLines?: number;
}

/** Said under an event that was cut to fit the channel: where to read it whole. */
export const OPEN_EVENT_HINT = 'run "UPnP: Open Event…" to read it whole';
const DEFAULT_MAX_EVENT_LINES = 60;

/** What the tree shows about a service's subscription. */
export type ServiceEventStatus =
  | { readonly state: 'subscribing' }
  | { readonly state: 'subscribed'; readonly eventCount: number };

export const WARNING_MARK = '⚠';
const DEFAULT_MAX_VALUE_CHARS = 1000;

/** `14:03:07.042` in local time. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * A value on one line: line breaks and other control characters shown as escapes (a device could
 * otherwise forge lines of its own), `""` for an empty value, long values cut.
 */
export function formatValue(value: string, maxChars = DEFAULT_MAX_VALUE_CHARS): string {
  if (value === '') return '""';
  return oneLine(value, maxChars);
}

/** `Leica Q3-1234567 · ConnectionManager:1`. */
export function sourceText(source: EventSource): string {
  return `${oneLine(source.deviceName)} · ${oneLine(source.serviceLabel)}`;
}

/** A source for a subscription the host has no record of: the service type, else the URL. */
export function fallbackSource(info: Pick<GenaSubscriptionInfo, 'serviceType' | 'eventSubUrl'>): EventSource {
  return { deviceName: info.eventSubUrl, serviceLabel: info.serviceType ? serviceTypeShortName(info.serviceType) : 'service' };
}

/**
 * One event: a header line, warnings (lost, repeated, malformed), then one line per variable,
 * LastChange spread out per instance, e.g.
 *   [14:03:07.042] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 1
 *     X_Leica_Cam_Sync = lens_Update
 */
export function eventLines(event: GenaEvent, source: EventSource, options: LineOptions = {}): string[] {
  const time = options.formatTime ?? formatClock;
  const max = options.maxValueChars ?? DEFAULT_MAX_VALUE_CHARS;
  const maxLines = Math.max(2, options.maxEventLines ?? DEFAULT_MAX_EVENT_LINES);
  let seq = event.seq === undefined ? 'event without SEQ' : `event SEQ ${event.seq}`;
  if (event.initial) seq += ' (initial)';
  else if (event.duplicate) seq += ' (repeated)';
  const lines = [`[${time(event.receivedAt)}] ${sourceText(source)} · ${seq}`];
  // Lines are built only up to the limit (a hostile event can hold tens of thousands of variables).
  let cut = 0;
  const add = (more: string[]): void => {
    for (const line of more) {
      if (lines.length < maxLines) lines.push(line);
      else cut++;
    }
  };
  add(event.problems.map((p) => `  ${WARNING_MARK} ${oneLine(p)}`));
  for (const v of event.variables) {
    if (lines.length >= maxLines) {
      cut += v.lastChange ? Math.max(1, v.lastChange.instances.reduce((n, i) => n + Math.max(1, i.variables.length), 0)) : 1;
      continue;
    }
    add(variableLines(v, max));
  }
  if (event.variables.length === 0) add(['  (no variables)']);
  const valuesCut = lines.some((l) => / more characters\)/.test(l));
  if (cut > 0) lines.push(`  … ${cut.toLocaleString('en-US')} more line${cut === 1 ? '' : 's'} of this event (${formatBytes(event.body.length)}); ${OPEN_EVENT_HINT}`);
  else if (valuesCut) lines.push(`  (values cut to fit; ${OPEN_EVENT_HINT})`);
  return lines;
}

function formatBytes(chars: number): string {
  return chars < 1024 ? `${chars} characters` : `${(chars / 1024).toFixed(chars < 10 * 1024 ? 1 : 0)} K characters`;
}

function variableLines(v: EventVariable, max: number): string[] {
  const name = oneLine(v.name);
  const lc = v.lastChange;
  if (!lc || lc.instances.length === 0) {
    const lines = [`  ${name} = ${v.didl ? `DIDL-Lite: ${formatValue(v.didl.summary, max)}` : formatValue(v.value, max)}`];
    for (const p of lc?.problems ?? []) lines.push(`  ${WARNING_MARK} ${name}: ${oneLine(p)}`);
    return lines;
  }
  const lines: string[] = [];
  for (const instance of lc.instances) {
    const prefix = `  ${name} InstanceID=${oneLine(instance.instanceId)}:`;
    if (instance.variables.length === 0) lines.push(`${prefix} (no changes)`);
    for (const change of instance.variables) lines.push(`${prefix} ${changeName(change)} = ${changeValue(change, max)}`);
  }
  for (const p of lc.problems) lines.push(`  ${WARNING_MARK} ${name}: ${oneLine(p)}`);
  return lines;
}

/** `Volume (Master)` for RenderingControl's per-channel variables, else the name. */
function changeName(change: LastChangeVariable): string {
  return change.channel !== undefined ? `${oneLine(change.name)} (${oneLine(change.channel)})` : oneLine(change.name);
}

function changeValue(change: LastChangeVariable, max: number): string {
  return change.didl ? `DIDL-Lite: ${formatValue(change.didl.summary, max)}` : formatValue(change.value, max);
}

/** Lines for everything else that happens to a subscription (events go through eventLines). */
export function activityLines(activity: GenaActivity, source: EventSource, at: number, options: LineOptions = {}): string[] {
  const time = `[${(options.formatTime ?? formatClock)(at)}]`;
  const where = sourceText(source);
  const warn = (text: string): string => `${time} ${WARNING_MARK} ${oneLine(text)}`;
  switch (activity.type) {
    case 'event':
      return eventLines(activity.event, source, options);
    case 'subscribed': {
      const s = activity.subscription;
      return [
        `${time} Subscribed to ${where}: SID ${oneLine(activity.sid)}, TIMEOUT granted ${describeTimeout(activity.grantedTimeout)} ` +
          `(asked ${s.requestedTimeoutSeconds} s), callback ${activity.callbackUrl}`,
        ...activity.problems.map((p) => `  ${WARNING_MARK} ${oneLine(p)}`),
      ];
    }
    case 'renewed':
      return [`${time} Renewed ${where}: SID ${oneLine(activity.subscription.sid)}, TIMEOUT granted ${describeTimeout(activity.grantedTimeout)} ` +
        `(renewal ${activity.subscription.renewals})`];
    case 'renewalFailed':
      return [warn(`Renewing ${where} (SID ${activity.subscription.sid}) failed: ${activity.message} Subscribing afresh…`)];
    case 'resubscribed':
      return [
        `${time} Subscribed afresh to ${where} after the failed renewal: SID ${oneLine(activity.sid)} (was ${oneLine(activity.previousSid)}), ` +
          `TIMEOUT granted ${describeTimeout(activity.grantedTimeout)}, callback ${activity.subscription.callbackUrl}`,
        `  ${WARNING_MARK} Events sent between the lapse and now were not received; the initial event that follows brings every value again.`,
      ];
    case 'noInitialEvent':
      return [warn(activity.message)];
    case 'rejectedNotify':
      return [warn(`Refused a NOTIFY for ${where}${activity.remoteAddress ? ` from ${activity.remoteAddress}` : ''} with HTTP ${activity.status}: ${activity.reason}`)];
    case 'error':
      return [warn(`${where}: ${activity.message}`)];
    case 'unsubscribed': {
      const sid = `SID ${oneLine(activity.subscription.sid)}`;
      const line = unsubscribedText(activity.reason, where, sid);
      const lines = [activity.reason === 'lost' ? warn(line) : `${time} ${line}`];
      if (activity.problem) lines.push(`  ${WARNING_MARK} ${oneLine(activity.problem)}`);
      return lines;
    }
  }
}

function unsubscribedText(reason: UnsubscribeReason, where: string, sid: string): string {
  switch (reason) {
    case 'requested': return `Unsubscribed from ${where} (${sid})`;
    case 'shutdown': return `Unsubscribed from ${where} at shutdown (${sid})`;
    case 'device-gone': return `Dropped the subscription to ${where} (${sid}): the device left, so no UNSUBSCRIBE was sent`;
    case 'lost': return `Lost the subscription to ${where} (${sid}): no more events will come; subscribe again to resume`;
  }
}

/** `[14:03:07.042] Leica Q3-1234567 left the network (byebye): 1 subscription dropped`. */
export function deviceLeftLine(deviceName: string, reason: string, dropped: number, at: number, options: LineOptions = {}): string {
  const time = (options.formatTime ?? formatClock)(at);
  const why = reason === 'byebye' ? 'left the network (byebye)'
    : reason === 'expired' ? 'stopped announcing itself (max-age expired)'
      : reason === 'removed' ? 'was removed from the list'
        : `is gone (${reason})`;
  return `[${time}] ${oneLine(deviceName)} ${why}: ${dropped} subscription${dropped === 1 ? '' : 's'} dropped`;
}

/** `subscribed · 12 events`, `subscribing…`. */
export function subscriptionDescription(status: ServiceEventStatus): string {
  if (status.state === 'subscribing') return 'subscribing…';
  return `subscribed · ${status.eventCount} event${status.eventCount === 1 ? '' : 's'}`;
}

/** A state variable row's description with its last evented value in front: `= PLAYING · string · evented`. */
export function withEventedValue(description: string, value: string | undefined, maxChars = 40): string {
  if (value === undefined) return description;
  const shown = formatValue(value, maxChars).replace(/… \(\d+ more characters\)$/, '…');
  return description ? `= ${shown} · ${description}` : `= ${shown}`;
}

