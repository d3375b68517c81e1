// The "UPnP Events" channel's lines and the tree's evented values, from the captured Leica and
// network-light events and the AV LastChange examples, decoded by the core as the client does.
// Plain Node: nothing here may load `vscode`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GenaActivity, GenaEvent, GenaSubscriptionInfo } from '../../src/core/gena/client';
import { decodePropertySet } from '../../src/core/gena/propertyset';
import {
  activityLines, deviceLeftLine, eventLines, fallbackSource, formatClock, formatValue, subscriptionDescription, withEventedValue,
} from '../../src/host/events/format';
import type { EventSource } from '../../src/host/events/format';
import { EventedValues } from '../../src/host/events/lastValues';
import { readEventSettings } from '../../src/host/events/eventSettings';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'gena', name), 'utf8');
const AT = new Date(2025, 0, 2, 14, 3, 7, 42).getTime();
const CAMERA: EventSource = { deviceName: 'Leica Q3-1234567', serviceLabel: 'ConnectionManager:1' };
const opts = { formatTime: (): string => 'T' };

async function event(body: string, seq: number | undefined, extra: Partial<GenaEvent> = {}): Promise<GenaEvent> {
  const set = await decodePropertySet(body);
  const lastChange = set.variables.find((v) => v.lastChange)?.lastChange;
  return {
    sid: 'uuid:sid', receivedAt: AT, variables: set.variables, initial: seq === 0, problems: set.problems, body,
    ...(seq !== undefined ? { seq } : {}), ...(lastChange ? { lastChange } : {}), ...extra,
  };
}

const INFO: GenaSubscriptionInfo = {
  id: 'g1', sid: 'uuid:e8a0f2d4-0000-1000-8000-00000000cafe', eventSubUrl: 'http://127.0.0.1:60606/Server0/CMS_event',
  serviceType: 'urn:schemas-upnp-org:service:ConnectionManager:1', callbackUrl: 'http://127.0.0.1:41234/gena/g1-0123456789abcdef',
  localAddress: '127.0.0.1', requestedTimeoutSeconds: 1800, grantedTimeout: 300, acceptedAt: AT, renewals: 2, eventCount: 3,
};

describe('event lines', () => {
  test('the Leica initial ConnectionManager event: header with time, device, service and SEQ, one line per variable', async () => {
    const lines = eventLines(await event(fixture('leica-notify-cms-initial.xml'), 0), CAMERA);
    assert.equal(lines[0], '[14:03:07.042] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 0 (initial)');
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^ {2}SourceProtocolInfo = http-get:\*:image\/jpeg:DLNA\.ORG_PN=JPEG_LRG;.*AVC_MP4_MP_HD_1080i_AAC;DLNA\.ORG_OP=01;DLNA\.ORG_CI=0;DLNA\.ORG_FLAGS=01100000000000000000000000000000$/);
    assert.equal(lines[2], '  SinkProtocolInfo = ""');
    assert.equal(lines[3], '  CurrentConnectionIDs = 0');
  });

  test('a vendor event', async () => {
    assert.deepEqual(eventLines(await event(fixture('leica-notify-sync.xml'), 1), CAMERA, opts), [
      '[T] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 1',
      '  X_Leica_Cam_Sync = lens_Update',
    ]);
  });

  test('lost and repeated events become warning lines under the header', async () => {
    const missed = await event(fixture('leica-notify-prec.xml'), 8, { missed: 6, problems: ['6 events were missed: expected SEQ 2, got 8.'] });
    assert.deepEqual(eventLines(missed, CAMERA, opts), [
      '[T] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 8',
      '  ⚠ 6 events were missed: expected SEQ 2, got 8.',
      '  X_Leica_Cam_PRec = ok',
    ]);
    const again = await event(fixture('leica-notify-prec.xml'), 8, { duplicate: true, problems: ['SEQ 8 was received before (expected 9): a repeated or late event.'] });
    assert.deepEqual(eventLines(again, CAMERA, opts).slice(0, 2), [
      '[T] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 8 (repeated)',
      '  ⚠ SEQ 8 was received before (expected 9): a repeated or late event.',
    ]);
    assert.equal(eventLines(await event(fixture('leica-notify-prec.xml'), undefined), CAMERA, opts)[0], '[T] Leica Q3-1234567 · ConnectionManager:1 · event without SEQ');
  });

  test('AVTransport LastChange: one line per changed variable of each instance, DIDL-Lite metadata summarised', async () => {
    const lines = eventLines(await event(fixture('avtransport-lastchange-playing.xml'), 3), { deviceName: 'Kitchen', serviceLabel: 'AVTransport:1' }, opts);
    assert.deepEqual(lines, [
      '[T] Kitchen · AVTransport:1 · event SEQ 3',
      '  LastChange InstanceID=0: TransportState = PLAYING',
      '  LastChange InstanceID=0: CurrentTrackURI = http://192.168.1.20:8200/MediaItems/22.mp3',
      '  LastChange InstanceID=0: CurrentTrackMetaData = DIDL-Lite: "Morning & Evening" (object.item.audioItem.musicTrack)',
      '  LastChange InstanceID=0: AVTransportURIMetaData = DIDL-Lite: "Morning & Evening" (object.item.audioItem.musicTrack)',
      '  LastChange InstanceID=0: NumberOfTracks = 1',
    ]);
  });

  test('RenderingControl LastChange names the channel', async () => {
    assert.deepEqual(eventLines(await event(fixture('renderingcontrol-lastchange-volume.xml'), 1), { deviceName: 'Kitchen', serviceLabel: 'RenderingControl:1' }, opts).slice(1), [
      '  LastChange InstanceID=0: Volume (Master) = 42',
      '  LastChange InstanceID=0: Volume (LF) = 40',
      '  LastChange InstanceID=0: Mute (Master) = 0',
    ]);
  });

  test('a LastChange that is not an <Event> document is shown as sent, with the reason', async () => {
    const body = '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><LastChange>&lt;Oops/&gt;</LastChange></e:property></e:propertyset>';
    assert.deepEqual(eventLines(await event(body, 1), CAMERA, opts).slice(1), [
      '  LastChange = <Oops/>',
      '  ⚠ LastChange: The LastChange value is a <Oops>, not an <Event>.',
    ]);
  });

  test('device values cannot break the one-line-per-variable layout', async () => {
    const body = '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><Status>a&#10;[12:00:00.000] forged</Status></e:property></e:propertyset>';
    // Names and service types too: a newline in a serviceType once started a forged line here.
    const lines = eventLines(await event(body, 1), { deviceName: 'Evil\nName\u202E', serviceLabel: 'X:1\n[12:00:00.000] fake' }, opts);
    assert.deepEqual(lines, ['[T] Evil\\nName\\u202E · X:1\\n[12:00:00.000] fake · event SEQ 1', '  Status = a\\n[12:00:00.000] forged']);
  });

  test('a huge event stays a bounded number of lines, and says where to read it whole', async () => {
    const props = Array.from({ length: 5000 }, (_, i) => `<e:property><V${i % 100}>${'x'.repeat(i === 0 ? 5000 : 3)}</V${i % 100}></e:property>`).join('');
    const body = `<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">${props}</e:propertyset>`;
    const lines = eventLines(await event(body, 1), CAMERA, opts);
    assert.equal(lines.length, 61);
    assert.match(lines[1]!, /^ {2}V0 = x{1000}… \(4,000 more characters\)$/);
    assert.match(lines[60]!, /^ {2}… 4,941 more lines of this event \(\d+ K characters\); run "UPnP: Open Event…" to read it whole$/);
    const short = eventLines(await event('<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><A>' + 'y'.repeat(2000) + '</A></e:property></e:propertyset>', 2), CAMERA, opts);
    assert.equal(short[short.length - 1], '  (values cut to fit; run "UPnP: Open Event…" to read it whole)');
  });

  test('a broken body: the problem, and no variables', async () => {
    const lines = eventLines(await event('<html>nope</html>', 2), CAMERA, opts);
    assert.deepEqual(lines, [
      '[T] Leica Q3-1234567 · ConnectionManager:1 · event SEQ 2',
      '  ⚠ The event body is a <html>, not an <e:propertyset>.',
      '  (no variables)',
    ]);
  });
});

describe('subscription lines', () => {
  const at = (a: GenaActivity): string[] => activityLines(a, CAMERA, AT, opts);

  test('subscribed: SID, granted TIMEOUT against what was asked, callback URL', async () => {
    assert.deepEqual(at({ type: 'subscribed', subscription: INFO, sid: INFO.sid, grantedTimeout: 300, callbackUrl: INFO.callbackUrl, localAddress: '127.0.0.1', problems: [] }), [
      '[T] Subscribed to Leica Q3-1234567 · ConnectionManager:1: SID uuid:e8a0f2d4-0000-1000-8000-00000000cafe, TIMEOUT granted 300 s (asked 1800 s), callback http://127.0.0.1:41234/gena/g1-0123456789abcdef',
    ]);
    const noTimeout = at({ type: 'subscribed', subscription: INFO, sid: INFO.sid, grantedTimeout: 'infinite', callbackUrl: INFO.callbackUrl, localAddress: '127.0.0.1', problems: ['no TIMEOUT'] });
    assert.match(noTimeout[0]!, /TIMEOUT granted infinite \(asked 1800 s\)/);
    assert.equal(noTimeout[1], '  ⚠ no TIMEOUT');
  });

  test('renewals, a refused renewal and the fresh subscription after it', async () => {
    assert.deepEqual(at({ type: 'renewed', subscription: INFO, grantedTimeout: 300 }), [
      '[T] Renewed Leica Q3-1234567 · ConnectionManager:1: SID uuid:e8a0f2d4-0000-1000-8000-00000000cafe, TIMEOUT granted 300 s (renewal 2)',
    ]);
    assert.deepEqual(at({ type: 'renewalFailed', subscription: INFO, status: 412, message: 'Renewal SUBSCRIBE to http://x answered HTTP 412 Precondition Failed.' }), [
      '[T] ⚠ Renewing Leica Q3-1234567 · ConnectionManager:1 (SID uuid:e8a0f2d4-0000-1000-8000-00000000cafe) failed: Renewal SUBSCRIBE to http://x answered HTTP 412 Precondition Failed. Subscribing afresh…',
    ]);
    const fresh = at({ type: 'resubscribed', subscription: { ...INFO, sid: 'uuid:new' }, previousSid: INFO.sid, sid: 'uuid:new', grantedTimeout: 300 });
    assert.equal(fresh[0], '[T] Subscribed afresh to Leica Q3-1234567 · ConnectionManager:1 after the failed renewal: SID uuid:new (was uuid:e8a0f2d4-0000-1000-8000-00000000cafe), TIMEOUT granted 300 s, callback http://127.0.0.1:41234/gena/g1-0123456789abcdef');
    assert.match(fresh[1]!, /^ {2}⚠ Events sent between the lapse and now were not received/);
  });

  test('the ways a subscription ends', async () => {
    assert.deepEqual(at({ type: 'unsubscribed', subscription: INFO, reason: 'requested', status: 200 }), [
      '[T] Unsubscribed from Leica Q3-1234567 · ConnectionManager:1 (SID uuid:e8a0f2d4-0000-1000-8000-00000000cafe)',
    ]);
    assert.deepEqual(at({ type: 'unsubscribed', subscription: INFO, reason: 'requested', status: 412, problem: 'UNSUBSCRIBE to http://x answered HTTP 412 Precondition Failed.' }), [
      '[T] Unsubscribed from Leica Q3-1234567 · ConnectionManager:1 (SID uuid:e8a0f2d4-0000-1000-8000-00000000cafe)',
      '  ⚠ UNSUBSCRIBE to http://x answered HTTP 412 Precondition Failed.',
    ]);
    assert.match(at({ type: 'unsubscribed', subscription: INFO, reason: 'device-gone' })[0]!, /^\[T\] Dropped the subscription to Leica Q3-1234567 · ConnectionManager:1 \(SID [^)]+\): the device left, so no UNSUBSCRIBE was sent$/);
    assert.match(at({ type: 'unsubscribed', subscription: INFO, reason: 'lost' })[0]!, /^\[T\] ⚠ Lost the subscription to Leica Q3-1234567 · ConnectionManager:1/);
    assert.match(at({ type: 'unsubscribed', subscription: INFO, reason: 'shutdown' })[0]!, /at shutdown/);
  });

  test('no initial event: the core\'s diagnosis as a warning; refused NOTIFYs and errors too', () => {
    assert.deepEqual(at({ type: 'noInitialEvent', subscription: INFO, waitedMs: 5000, message: 'No initial event from http://x within 5 s (callback http://y).' }), [
      '[T] ⚠ No initial event from http://x within 5 s (callback http://y).',
    ]);
    assert.deepEqual(at({ type: 'rejectedNotify', subscription: INFO, status: 412, reason: 'SID uuid:other is not this subscription\'s', remoteAddress: '10.0.0.9' }), [
      '[T] ⚠ Refused a NOTIFY for Leica Q3-1234567 · ConnectionManager:1 from 10.0.0.9 with HTTP 412: SID uuid:other is not this subscription\'s',
    ]);
    assert.deepEqual(at({ type: 'error', subscription: INFO, message: 'boom' }), ['[T] ⚠ Leica Q3-1234567 · ConnectionManager:1: boom']);
  });

  test('a device leaving, and a subscription the host has no record of', async () => {
    assert.equal(deviceLeftLine('Leica Q3-1234567', 'byebye', 1, AT, opts), '[T] Leica Q3-1234567 left the network (byebye): 1 subscription dropped');
    assert.equal(deviceLeftLine('Kitchen', 'expired', 3, AT, opts), '[T] Kitchen stopped announcing itself (max-age expired): 3 subscriptions dropped');
    assert.deepEqual(fallbackSource(INFO), { deviceName: INFO.eventSubUrl, serviceLabel: 'ConnectionManager:1' });
  });
});

describe('values', () => {
  test('formatValue: empty, control characters, long values cut with the count left out', async () => {
    assert.equal(formatValue(''), '""');
    assert.equal(formatValue('a\tb\u0001'), 'a\\tb\\u0001');
    assert.equal(formatValue('x'.repeat(12), 10), 'xxxxxxxxxx… (2 more characters)');
    assert.equal(formatValue('x'.repeat(10), 10), 'xxxxxxxxxx');
  });

  test('formatClock is local time with milliseconds', async () => {
    assert.equal(formatClock(AT), '14:03:07.042');
  });

  test('tree descriptions', async () => {
    assert.equal(subscriptionDescription({ state: 'subscribing' }), 'subscribing…');
    assert.equal(subscriptionDescription({ state: 'subscribed', eventCount: 1 }), 'subscribed · 1 event');
    assert.equal(subscriptionDescription({ state: 'subscribed', eventCount: 12 }), 'subscribed · 12 events');
    assert.equal(withEventedValue('string · evented', 'lens_Update'), '= lens_Update · string · evented');
    assert.equal(withEventedValue('ui4', undefined), 'ui4');
    assert.equal(withEventedValue('string', ''), '= "" · string');
    assert.equal(withEventedValue('string', 'y'.repeat(50)), `= ${'y'.repeat(40)}… · string`);
  });

  test('EventedValues: plain variables, the last value wins', async () => {
    const values = new EventedValues();
    values.apply(await event(fixture('leica-notify-cms-initial.xml'), 0));
    assert.equal(values.get('CurrentConnectionIDs'), '0');
    assert.equal(values.get('SinkProtocolInfo'), '');
    assert.equal(values.get('X_Leica_Cam_Sync'), undefined);
    values.apply(await event(fixture('leica-notify-sync.xml'), 1));
    assert.equal(values.get('X_Leica_Cam_Sync'), 'lens_Update');
    values.apply(await event(fixture('network-light-notify-SwitchPower_1-2.xml'), 2));
    values.apply(await event(fixture('network-light-notify-SwitchPower_1-3.xml'), 3));
    assert.equal(values.get('Status'), '0');
    values.clear();
    assert.equal(values.get('Status'), undefined);
    assert.equal(values.size, 0);
  });

  test('EventedValues: LastChange spread into its variables, channels kept apart across events, DIDL-Lite summarised', async () => {
    const values = new EventedValues();
    values.apply(await event(fixture('renderingcontrol-lastchange-volume.xml'), 0));
    assert.equal(values.get('Volume'), 'Master 42, LF 40');
    assert.equal(values.get('LastChange'), 'Volume Master=42, Volume LF=40, Mute Master=0');
    const body = '<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><LastChange>&lt;Event xmlns="urn:schemas-upnp-org:metadata-1-0/RCS/"&gt;&lt;InstanceID val="0"&gt;&lt;Volume channel="Master" val="50"/&gt;&lt;/InstanceID&gt;&lt;/Event&gt;</LastChange></e:property></e:propertyset>';
    values.apply(await event(body, 1));
    assert.equal(values.get('Volume'), 'Master 50, LF 40');
    values.apply(await event(fixture('avtransport-lastchange-playing.xml'), 0));
    assert.equal(values.get('TransportState'), 'PLAYING');
    assert.equal(values.get('CurrentTrackMetaData'), '"Morning & Evening" (object.item.audioItem.musicTrack)');
  });
});

describe('readEventSettings', () => {
  const config = (values: Record<string, unknown>): { get<T>(k: string): T | undefined } => ({ get: <T>(k: string): T | undefined => values[k] as T | undefined });

  test('defaults: 1800 s asked, ephemeral callback port', async () => {
    assert.deepEqual(readEventSettings(config({})), { timeoutSeconds: 1800, callbackPort: 0 });
  });

  test('values as set, clamped or refused', async () => {
    assert.deepEqual(readEventSettings(config({ 'events.timeoutSeconds': 300, 'events.callbackPort': 49152 })), { timeoutSeconds: 300, callbackPort: 49152 });
    assert.deepEqual(readEventSettings(config({ 'events.timeoutSeconds': 0, 'events.callbackPort': 70000 })), { timeoutSeconds: 1, callbackPort: 0 });
    assert.deepEqual(readEventSettings(config({ 'events.timeoutSeconds': 'x', 'events.callbackPort': 1.5 })), { timeoutSeconds: 1800, callbackPort: 0 });
    assert.equal(readEventSettings(config({ 'events.timeoutSeconds': 1e9 })).timeoutSeconds, 86_400);
  });
});
