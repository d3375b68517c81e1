// Decoding NOTIFY bodies: the Leica camera's and gupnp-network-light's captured events, AV
// LastChange with DIDL-Lite metadata escaped twice, RenderingControl channels, and broken bodies.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDidlSummary, decodeLastChange, decodePropertySet } from '../../src/core/gena/propertyset';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'gena', name), 'utf8');
const pairs = async (body: string): Promise<Array<[string, string]>> => (await decodePropertySet(body)).variables.map((v) => [v.name, v.value]);

describe('decodePropertySet on captured events', () => {
  test('the Leica initial ConnectionManager event: three variables, values as sent', async () => {
    const set = await decodePropertySet(fixture('leica-notify-cms-initial.xml'));
    assert.deepEqual(set.problems, []);
    assert.deepEqual(set.variables.map((v) => v.name), ['SourceProtocolInfo', 'SinkProtocolInfo', 'CurrentConnectionIDs']);
    const source = set.variables[0]!.value.split(',');
    assert.equal(source.length, 7);
    assert.equal(source[0], 'http-get:*:image/jpeg:DLNA.ORG_PN=JPEG_LRG;DLNA.ORG_OP=01;DLNA.ORG_CI=0;DLNA.ORG_FLAGS=00900000000000000000000000000000');
    assert.equal(set.variables[1]!.value, '');
    assert.equal(set.variables[2]!.value, '0');
    assert.equal(set.variables[0]!.lastChange, undefined);
    assert.equal(set.variables[0]!.didl, undefined);
  });

  test('the Leica vendor events appear as they are', async () => {
    assert.deepEqual(await pairs(fixture('leica-notify-sync.xml')), [['X_Leica_Cam_Sync', 'lens_Update']]);
    assert.deepEqual(await pairs(fixture('leica-notify-prec.xml')), [['X_Leica_Cam_PRec', 'ok']]);
    assert.deepEqual(await pairs(fixture('leica-notify-vrec.xml')), [['X_Leica_Cam_VRec', 'start']]);
  });

  test('gupnp-network-light events (XML declaration, no whitespace)', async () => {
    assert.deepEqual(await pairs(fixture('network-light-notify-SwitchPower_1-1.xml')), [['Status', '0']]);
    assert.deepEqual(await pairs(fixture('network-light-notify-SwitchPower_1-2.xml')), [['Status', '1']]);
    assert.deepEqual(await pairs(fixture('network-light-notify-Dimming_1-2.xml')), [['LoadLevelStatus', '42']]);
    assert.deepEqual((await decodePropertySet(fixture('network-light-notify-Dimming_1-1.xml'))).problems, []);
  });
});

describe('LastChange', () => {
  test('AVTransport: per instance, TransportState and DIDL-Lite metadata decoded', async () => {
    const set = await decodePropertySet(fixture('avtransport-lastchange-playing.xml'));
    assert.deepEqual(set.problems, []);
    assert.equal(set.variables.length, 1);
    const v = set.variables[0]!;
    assert.equal(v.name, 'LastChange');
    assert.match(v.value, /^<Event xmlns="urn:schemas-upnp-org:metadata-1-0\/AVT\/">/);
    const lc = v.lastChange;
    assert.ok(lc);
    assert.equal(lc.namespaceUri, 'urn:schemas-upnp-org:metadata-1-0/AVT/');
    assert.deepEqual(lc.problems, []);
    assert.equal(lc.instances.length, 1);
    assert.equal(lc.instances[0]!.instanceId, '0');
    const vars = lc.instances[0]!.variables;
    assert.deepEqual(vars.map((x) => x.name), ['TransportState', 'CurrentTrackURI', 'CurrentTrackMetaData', 'AVTransportURIMetaData', 'NumberOfTracks']);
    assert.equal(vars[0]!.value, 'PLAYING');
    const meta = vars[2]!;
    assert.match(meta.value, /^<DIDL-Lite /);
    assert.ok(meta.didl);
    assert.equal(meta.didl.summary, '"Morning & Evening" (object.item.audioItem.musicTrack)');
    assert.deepEqual(meta.didl.objects, [{ kind: 'item', id: '64$1', title: 'Morning & Evening', upnpClass: 'object.item.audioItem.musicTrack' }]);
    assert.ok(meta.didl.lines.includes('    http://192.168.1.20:8200/MediaItems/22.mp3'), meta.didl.lines.join('\n'));
    assert.equal(vars[3]!.didl?.summary, meta.didl.summary);
    assert.equal(vars[0]!.didl, undefined);
  });

  test('RenderingControl: Volume per channel', async () => {
    const lc = (await decodePropertySet(fixture('renderingcontrol-lastchange-volume.xml'))).variables[0]!.lastChange;
    assert.ok(lc);
    assert.equal(lc.namespaceUri, 'urn:schemas-upnp-org:metadata-1-0/RCS/');
    const vars = lc.instances[0]!.variables;
    assert.deepEqual(vars.map((x) => [x.name, x.channel, x.value]), [['Volume', 'Master', '42'], ['Volume', 'LF', '40'], ['Mute', 'Master', '0']]);
    assert.deepEqual({ ...vars[0]!.attributes }, { channel: 'Master', val: '42' });
  });

  test('several instances, and what is wrong is named', async () => {
    const lc = await decodeLastChange('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0"><TransportState val="STOPPED"/></InstanceID>' +
      '<InstanceID val="3"><TransportState/></InstanceID><Bogus/></Event>');
    assert.deepEqual(lc.instances.map((i) => [i.instanceId, i.variables.map((v) => `${v.name}=${v.value}`)]), [['0', ['TransportState=STOPPED']], ['3', ['TransportState=']]]);
    assert.equal(lc.problems.length, 2);
    assert.match(lc.problems.join('\n'), /<TransportState> in LastChange has no val attribute/);
    assert.match(lc.problems.join('\n'), /Unexpected <Bogus>/);
  });

  test('a LastChange that is not XML keeps its value and says why', async () => {
    const set = await decodePropertySet('<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><LastChange>&lt;Event&gt;&lt;InstanceID</LastChange></e:property></e:propertyset>');
    const v = set.variables[0]!;
    assert.equal(v.value, '<Event><InstanceID');
    assert.ok(v.lastChange);
    assert.equal(v.lastChange.instances.length, 0);
    assert.match(v.lastChange.problems[0]!, /LastChange value is not well-formed XML/);
  });
});

describe('odd bodies', () => {
  test('not XML at all', async () => {
    const set = await decodePropertySet('hello');
    assert.deepEqual(set.variables, []);
    assert.match(set.problems[0]!, /not XML/);
  });

  test('another root, another namespace, an empty property', async () => {
    assert.match((await decodePropertySet('<foo/>')).problems[0]!, /is a <foo>, not an <e:propertyset>/);
    const set = await decodePropertySet('<propertyset><property><A>1</A><B>2</B></property><property/></propertyset>');
    assert.deepEqual(set.variables.map((v) => [v.name, v.value]), [['A', '1'], ['B', '2']]);
    assert.match(set.problems.join('\n'), /namespace \(none\)/);
    assert.match(set.problems.join('\n'), /holds no variable/);
  });

  test('a value written as unescaped markup is kept as XML', async () => {
    const set = await decodePropertySet('<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0"><e:property><LastChange><Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"><InstanceID val="0"><TransportState val="PLAYING"/></InstanceID></Event></LastChange></e:property></e:propertyset>');
    const v = set.variables[0]!;
    assert.equal(v.lastChange?.instances[0]?.variables[0]?.value, 'PLAYING');
    assert.match(set.problems[0]!, /not escaped/);
  });

  test('DIDL-Lite in a plain variable is flagged; NOT_IMPLEMENTED is not', async () => {
    const didl = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/"><container id="7"/></DIDL-Lite>';
    assert.equal((await decodeDidlSummary(didl))?.summary, 'container 7');
    assert.equal(await decodeDidlSummary('NOT_IMPLEMENTED'), undefined);
    assert.equal(await decodeDidlSummary('<DIDL-Lite'), undefined);
  });
});
