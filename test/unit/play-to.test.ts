// Play To's decisions (src/core/av/playTo.ts, renderer.ts), in plain Node: the Sink list read as
// ConnectionManager writes it; a resource matched against sinks with wildcards, DLNA profiles and
// any case; the Leica capture's items chosen from (its DNG original no renderer here plays, its
// JPEGs from thumbnail to large); why nothing plays when nothing does; CurrentURIMetaData escaped
// right inside the SOAP argument; and the Now Playing state from LastChange events.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDidl } from '../../src/core/av/didl';
import { chooseResource, metadataForItem, parseProtocolInfoList, sinkScore } from '../../src/core/av/playTo';
import { parseProtocolInfo } from '../../src/core/av/protocolInfo';
import { applyLastChange, formatDuration, parseDuration } from '../../src/core/av/renderer';
import { decodeLastChange, decodePropertySet } from '../../src/core/gena/propertyset';
import { buildSoapRequest } from '../../src/core/soap/envelope';
import { parseXml, childElement } from '../../src/core/xml/xml';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const leica = parseDidl(readFileSync(path.join(FIXTURES, 'didl', 'leica-browse-result.didl.xml'), 'utf8')).objects;
const p = parseProtocolInfo;

describe('the Sink list', () => {
  it('splits at commas, keeps escaped ones, drops empty entries', () => {
    const sinks = parseProtocolInfoList('http-get:*:audio/mpeg:*, http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_LRG,,http-get:*:audio/x-vendor:X=a\\,b,');
    assert.deepEqual(sinks.map((s) => [s.contentFormat, s.additionalInfo]), [['audio/mpeg', '*'], ['image/jpeg', 'DLNA.ORG_PN=JPEG_LRG'], ['audio/x-vendor', 'X=a,b']]);
    assert.deepEqual(parseProtocolInfoList(''), []);
  });
});

describe('matching a resource to a sink', () => {
  it('scores the same profile over the same MIME type over a wildcard, and refuses what differs', () => {
    const mp3 = p('http-get:*:audio/mpeg:DLNA.ORG_PN=MP3;DLNA.ORG_OP=01');
    assert.equal(sinkScore(mp3, p('http-get:*:audio/mpeg:DLNA.ORG_PN=MP3')), 3);
    assert.equal(sinkScore(mp3, p('http-get:*:audio/mpeg:*')), 2);
    assert.equal(sinkScore(mp3, p('HTTP-GET:*:Audio/MPEG:*')), 2, 'protocol and MIME type compare without case');
    assert.equal(sinkScore(mp3, p('http-get:*:audio/*:*')), 1);
    assert.equal(sinkScore(mp3, p('http-get:*:*:*')), 1);
    assert.equal(sinkScore(mp3, p('*:*:*:*')), 1);
    assert.equal(sinkScore(mp3, p('http-get:*:audio/mpeg:DLNA.ORG_PN=MP3X')), 0, 'another DLNA profile');
    assert.equal(sinkScore(mp3, p('rtsp-rtp-udp:*:audio/mpeg:*')), 0, 'another protocol');
    assert.equal(sinkScore(mp3, p('http-get:*:video/*:*')), 0);
    assert.equal(sinkScore(mp3, p('http-get:*:audio/mp4:*')), 0);
    // A profile only the sink names: the MIME type decides.
    assert.equal(sinkScore(p('http-get:*:audio/mpeg:*'), p('http-get:*:audio/mpeg:DLNA.ORG_PN=MP3')), 2);
  });

  it('chooses the Leica photo\'s largest JPEG for a renderer of JPEGs, never the DNG nor the thumbnail', () => {
    const photo = leica[0]!;
    const choice = chooseResource(photo, parseProtocolInfoList('http-get:*:audio/mpeg:*,http-get:*:image/jpeg:*'));
    assert.ok(choice.ok);
    assert.equal(choice.resource.uri, 'http://192.168.54.1:50001/DL01010972.JPG', 'the first JPEG that is not a thumbnail (JPEG_MED)');
    const lrg = chooseResource(photo, parseProtocolInfoList('http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_LRG,http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_TN'));
    assert.ok(lrg.ok);
    assert.equal(lrg.resource.uri, 'http://192.168.54.1:50001/DF01010972.JPG');
    const tn = chooseResource(photo, parseProtocolInfoList('http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_TN'));
    assert.ok(tn.ok, 'a thumbnail when that is all the renderer takes');
    assert.equal(tn.resource.uri, 'http://192.168.54.1:50001/DT01010972.JPG');
  });

  it('says why nothing plays: what the renderer accepts and what the item offers', () => {
    const photo = leica[0]!;
    const dngOnly = { ...photo, resources: photo.resources.slice(0, 1) };
    const none = chooseResource(dngOnly, parseProtocolInfoList('http-get:*:audio/mpeg:*,http-get:*:image/jpeg:*,http-get:*:audio/mpeg:DLNA.ORG_PN=MP3'));
    assert.deepEqual(none, { ok: false, reason: 'The renderer accepts audio/mpeg, image/jpeg, audio/mpeg (MP3); "101-0972" offers only application/octet-stream.' });
    const audio = chooseResource(photo, parseProtocolInfoList('http-get:*:audio/mpeg:*'));
    assert.equal(audio.ok, false);
    assert.match((audio as { reason: string }).reason, /offers only application\/octet-stream, image\/jpeg \(JPEG_TN\), image\/jpeg \(JPEG_MED\), image\/jpeg \(JPEG_LRG\)\.$/);
    assert.match((chooseResource(photo, []) as { reason: string }).reason, /lists no Sink protocols/);
    assert.match((chooseResource({ ...photo, kind: 'container' }, []) as { reason: string }).reason, /is a container/);
  });
});

describe('CurrentURIMetaData', () => {
  it('is DIDL-Lite of the item and the chosen resource, escaped once in the document and once more in the SOAP argument', () => {
    const item = { ...leica[0]!, title: 'Tom & Jerry <live> "x"' };
    const resource = item.resources[2]!;
    const didl = metadataForItem(item, resource);
    const back = parseDidl(didl).objects[0]!;
    assert.equal(back.title, 'Tom & Jerry <live> "x"');
    assert.equal(back.upnpClass, 'object.item.imageItem');
    assert.equal(back.resources.length, 1);
    assert.equal(back.resources[0]!.uri, resource.uri);
    assert.equal(back.resources[0]!.protocolInfo.raw, resource.protocolInfo.raw);
    assert.equal(back.resources[0]!.size, 100000);
    const envelope = buildSoapRequest('urn:schemas-upnp-org:service:AVTransport:1', 'SetAVTransportURI', [{ name: 'InstanceID', value: '0' }, { name: 'CurrentURI', value: resource.uri }, { name: 'CurrentURIMetaData', value: didl }]).body;
    const sent = childElement(descendantAction(envelope), 'CurrentURIMetaData')!.text;
    assert.equal(sent, didl, 'the renderer reads back exactly the document');
    assert.ok(envelope.includes('Tom &amp;amp; Jerry &amp;lt;live&amp;gt;'), 'the title is escaped twice on the wire');
  });
});

function descendantAction(envelope: string) {
  const body = childElement(parseXml(envelope, 'envelope'), 'Body')!;
  return childElement(body, 'SetAVTransportURI')!;
}

describe('Now Playing from LastChange', () => {
  it('takes state, URI, title, duration and actions from AVTransport; volume and mute of Master from RenderingControl', async () => {
    const set = await decodePropertySet(readFileSync(path.join(FIXTURES, 'gena', 'avtransport-lastchange-playing.xml'), 'utf8'));
    let state = await applyLastChange({}, set.variables[0]!.lastChange!);
    assert.equal(state.transportState, 'PLAYING');
    assert.equal(state.uri, 'http://192.168.1.20:8200/MediaItems/22.mp3');
    assert.equal(state.title, 'Morning & Evening');
    assert.equal(state.upnpClass, 'object.item.audioItem.musicTrack');
    state = await applyLastChange(state, await decodeLastChange('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0"><TransportState val="PAUSED_PLAYBACK"/><CurrentTrackDuration val="0:03:21"/><CurrentTransportActions val="Play,Stop, Seek"/></InstanceID></Event>'));
    assert.deepEqual([state.transportState, state.duration, state.actions, state.title], ['PAUSED_PLAYBACK', 201, ['Play', 'Stop', 'Seek'], 'Morning & Evening'], 'only what the event names changes');
    state = await applyLastChange(state, await decodeLastChange('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/RCS/"><InstanceID val="0"><Volume channel="LF" val="10"/><Volume channel="Master" val="42"/><Mute channel="Master" val="1"/></InstanceID></Event>'));
    assert.deepEqual([state.volume, state.mute], [42, true]);
    state = await applyLastChange(state, await decodeLastChange('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="1"><TransportState val="STOPPED"/></InstanceID><InstanceID val="0"><TransportState val="STOPPED"/><AVTransportURI val=""/></InstanceID></Event>'));
    assert.deepEqual([state.transportState, state.uri], ['STOPPED', '']);
    // rygel escapes the commas inside an action; gmediarender clears the item once a picture was shown.
    state = await applyLastChange(state, await decodeLastChange('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0"><CurrentTransportActions val="Stop,X_DLNA_PS=1/2\\,2,Pause"/><AVTransportURIMetaData val=""/></InstanceID></Event>'));
    assert.deepEqual(state.actions, ['Stop', 'X_DLNA_PS=1/2,2', 'Pause']);
    assert.deepEqual([state.title, state.upnpClass], [undefined, undefined]);
  });

  it('reads and writes H:MM:SS', () => {
    assert.equal(parseDuration('0:03:21'), 201);
    assert.equal(parseDuration('1:00:00.500'), 3600.5);
    assert.equal(parseDuration('0:00:01.1/2'), 1.5);
    assert.equal(parseDuration('NOT_IMPLEMENTED'), undefined);
    assert.equal(parseDuration(''), undefined);
    assert.equal(formatDuration(201.9), '0:03:21');
    assert.equal(formatDuration(3725), '1:02:05');
  });
});
