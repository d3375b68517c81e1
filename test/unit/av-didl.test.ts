// DIDL-Lite decoding against the captures: the Leica Q3's Browse result and minidlna's whole tree,
// plus the ways servers bend XML. Also thumbnail/preview choice and resource naming.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DidlError, didlLines, didlObjectLines, mediaKind, parseDidl } from '../../src/core/av/didl';
import type { DidlObject } from '../../src/core/av/didl';
import { describeResource, pickPreview, pickThumbnail, resourceLabel, suggestedFileName } from '../../src/core/av/resources';
import { parseSoapResponse } from '../../src/core/soap/response';

const fixtures = join(__dirname, '..', 'fixtures');
const read = (...parts: string[]): string => readFileSync(join(fixtures, ...parts), 'utf8');

/** The Result of the camera's captured SOAP answer, exactly as the camera escaped it. */
function leicaRawResult(): string {
  const text = read('soap', 'leica-browse-response.http');
  const body = text.slice(text.search(/\r?\n\r?\n/)).trimStart();
  const parsed = parseSoapResponse({ status: 200, headers: {}, body }, { actionName: 'Browse' });
  assert.equal(parsed.kind, 'ok');
  const result = parsed.outputs.find((o) => o.name === 'Result');
  assert.ok(result);
  return result.value;
}

describe('parseDidl: the Leica Q3 capture', () => {
  for (const [label, xml] of [['reformatted capture', (): string => read('didl', 'leica-browse-result.didl.xml')], ['one-line SOAP Result', leicaRawResult]] as const) {
    it(`decodes both photos with every res and attribute (${label})`, () => {
      const doc = parseDidl(xml());
      assert.deepEqual(doc.problems, []);
      assert.equal(doc.objects.length, 2);
      const [a, b] = doc.objects as [DidlObject, DidlObject];
      assert.equal(a.kind, 'item');
      assert.equal(a.id, '01010972');
      assert.equal(a.parentId, '0');
      assert.equal(a.restricted, false);
      assert.equal(a.title, '101-0972');
      assert.equal(a.upnpClass, 'object.item.imageItem');
      assert.equal(a.upnpClassName, 'imageItem');
      assert.equal(a.writeStatus, 'WRITABLE');
      assert.equal(a.date, '2024-12-10T15:12:19+08:00');
      assert.deepEqual(a.vendorFields, [{ name: 'leica:X_Rating', namespace: 'urn:schemas-leica-com:leica', value: 'off' }]);
      assert.deepEqual(a.otherFields, []);
      assert.equal(a.resources.length, 4);
      assert.equal(b.resources.length, 5);
      const dng = a.resources[0]!;
      assert.equal(dng.uri, 'http://192.168.54.1:50001/DO01010972.DNG');
      assert.equal(dng.size, 76436480);
      assert.equal(dng.attributes['protocolInfo'], "http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'");
      assert.equal(dng.attributes['size'], '76436480');
      assert.equal(dng.protocolInfo.contentFormat, 'application/octet-stream');
      assert.equal(dng.protocolInfo.params['OriginalFileName'], 'L1010972.DNG');
      assert.equal(dng.protocolInfo.params['LEICA.COM_PN'], 'CAM_DNG');
      const tn = a.resources[1]!;
      assert.equal(tn.size, 5000);
      assert.equal(tn.protocolInfo.dlna?.profile, 'JPEG_TN');
      assert.deepEqual(tn.protocolInfo.dlna?.flags?.names, ['interactiveTransferMode', 'dlnaV15']);
      assert.equal(a.resources[2]!.protocolInfo.dlna?.converted, false); // the camera's CI=0 on one JPEG_MED
      assert.equal(b.resources[3]!.protocolInfo.dlna?.converted, true);
      assert.deepEqual(b.resources.map((r) => r.protocolInfo.params['LEICA.COM_PN']), ['CAM_DNG_JPG', 'CAM_DNG', 'CAM_TN', 'CAM_LRGTN', 'CAM_FULLTN']);
      assert.equal(mediaKind(a), 'image');
    });
  }

  it('picks the thumbnail, the preview, and names the resources', () => {
    const [a, b] = parseDidl(read('didl', 'leica-browse-result.didl.xml')).objects as [DidlObject, DidlObject];
    assert.deepEqual(pickThumbnail(a), { uri: 'http://192.168.54.1:50001/DT01010972.JPG', source: 'JPEG_TN' });
    assert.equal(pickPreview(a)?.uri, 'http://192.168.54.1:50001/DL01010972.JPG');
    assert.deepEqual(a.resources.map(resourceLabel), ['original', 'thumbnail', 'medium', 'large']);
    assert.deepEqual(b.resources.map(resourceLabel), ['original', 'original', 'thumbnail', 'medium', 'large']);
    assert.equal(describeResource(a.resources[0]!), 'DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)');
    assert.equal(describeResource(b.resources[0]!), 'JPG original · 29.1 MiB · application/octet-stream (L1010976.JPG)');
    assert.equal(describeResource(a.resources[1]!), 'JPEG thumbnail · 4.9 KiB · image/jpeg (JPEG_TN)');
    assert.equal(suggestedFileName(a.resources[0]!), 'L1010972.DNG');
    assert.equal(suggestedFileName(a.resources[2]!), 'DL01010972.JPG');
  });

  it('didlObjectLines: a header, the fields, every res described with its URL and protocolInfo', () => {
    const [a] = parseDidl(read('didl', 'leica-browse-result.didl.xml')).objects as [DidlObject];
    const lines = didlObjectLines(a);
    assert.equal(lines[0], 'item 01010972 "101-0972" · object.item.imageItem (imageItem) · in 0 · WRITABLE');
    assert.ok(lines.includes('  date: 2024-12-10T15:12:19+08:00'), lines.join('\n'));
    assert.ok(lines.includes('  leica:X_Rating: off'), lines.join('\n'));
    assert.ok(lines.includes('  res original: DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)'), lines.join('\n'));
    assert.ok(lines.includes('    http://192.168.54.1:50001/DT01010972.JPG'), lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('  res ')).length, 4);
  });
});

describe('parseDidl: minidlna 1.3.0, its whole captured tree', () => {
  // From captures/minidlna/run.txt: containers, items and JPEG_TN references per Browse.
  const expected: Record<string, [containers: number, items: number, thumbs: number]> = {
    '0': [4, 0, 0], '64': [2, 1, 1], '1': [7, 0, 0], '3': [5, 0, 0], '2': [3, 0, 0], '64_0': [0, 1, 0], '64_1': [2, 1, 1],
    '1_7': [0, 0, 0], '1_4': [0, 1, 0], '1_6': [0, 0, 0], '1_14': [1, 0, 0], '1_5': [0, 0, 0], '1_F': [0, 0, 0], '1_FF0': [0, 1, 0],
    '3_B': [0, 5, 5], '3_D2': [1, 0, 0], '3_C': [1, 0, 0], '3_16': [1, 1, 1], '3_FF0': [0, 5, 5], '2_8': [0, 0, 0], '2_15': [0, 0, 0],
    '2_FF0': [0, 0, 0], '64_1_0': [1, 0, 0], '64_1_1': [0, 1, 1], '1_14_0': [0, 1, 0],
  };
  const files = readdirSync(join(fixtures, 'minidlna')).filter((f) => /^browse-[0-9A-F_]+\.didl\.xml$/.test(f));

  it('has every captured Browse as a fixture', () => {
    assert.deepEqual(files.map((f) => /^browse-(.*)\.didl\.xml$/.exec(f)![1]).sort(), Object.keys(expected).sort());
  });

  for (const file of files) {
    const key = /^browse-(.*)\.didl\.xml$/.exec(file)![1]!;
    it(`${file}: containers, items and thumbnails as minidlna sent them`, () => {
      const doc = parseDidl(read('minidlna', file));
      assert.deepEqual(doc.problems, []);
      const containers = doc.objects.filter((o) => o.kind === 'container');
      const items = doc.objects.filter((o) => o.kind === 'item');
      const thumbs = items.filter((o) => pickThumbnail(o)?.source === 'JPEG_TN');
      assert.deepEqual([containers.length, items.length, thumbs.length], expected[key]);
      for (const c of containers) {
        assert.equal(c.restricted, true);
        assert.equal(c.upnpClass.startsWith('object.container'), true);
        assert.equal(typeof c.childCount, 'number');
        assert.equal(mediaKind(c), 'container');
        assert.equal(pickThumbnail(c), undefined);
      }
    });
  }

  it('reads refID, searchable, res attributes and the standard fields it does not name', () => {
    const music = parseDidl(read('minidlna', 'browse-1_4.didl.xml')).objects[0]!;
    assert.equal(music.refId, '64$0$0');
    assert.equal(mediaKind(music), 'audio');
    const res = music.resources[0]!;
    assert.equal(res.size, 32044);
    assert.equal(res.duration, '0:00:02.000');
    assert.equal(res.bitrate, 128000);
    assert.equal(res.attributes['sampleFrequency'], '8000');
    assert.equal(res.attributes['nrAudioChannels'], '1');
    assert.equal(res.protocolInfo.contentFormat, 'audio/x-wav');
    assert.equal(res.protocolInfo.additionalInfo, '*');
    assert.equal(res.protocolInfo.dlna, undefined);
    assert.equal(pickThumbnail(music), undefined);

    const root = parseDidl(read('minidlna', 'browse-0-metadata.didl.xml')).objects[0]!;
    assert.equal(root.id, '0');
    assert.equal(root.parentId, '-1');
    assert.equal(root.searchable, true);
    assert.equal(root.childCount, 4);
    assert.deepEqual(root.otherFields.map((f) => [f.name, f.value, f.attributes?.['includeDerived']]), [
      ['upnp:searchClass', 'object.item.audioItem', '1'],
      ['upnp:searchClass', 'object.item.imageItem', '1'],
      ['upnp:searchClass', 'object.item.videoItem', '1'],
      ['upnp:storageUsed', '-1', undefined],
    ]);
    assert.deepEqual(root.vendorFields, []);
  });

  it('photos: JPEG_TN first, then the smallest plausible image; preview JPEG_MED else the largest image', () => {
    const items = parseDidl(read('minidlna', 'browse-3_B.didl.xml')).objects;
    const sunset = items.find((o) => o.title === 'sunset')!;
    assert.equal(pickThumbnail(sunset)?.uri, 'http://127.0.0.1:8200/Thumbnails/31.jpg');
    assert.equal(pickPreview(sunset)?.uri, 'http://127.0.0.1:8200/MediaItems/31.jpg'); // JPEG_MED
    const beach = items.find((o) => o.title === 'beach')!;
    assert.equal(pickPreview(beach)?.uri, 'http://127.0.0.1:8200/MediaItems/27.jpg'); // largest: the only sized one
    assert.deepEqual(beach.resources.map(resourceLabel), ['small', 'thumbnail']);
    assert.equal(describeResource(sunset.resources[1]!), 'JPEG small · 640x479 · image/jpeg (JPEG_SM)');
    // Without its JPEG_TN, the smallest image resource stands in.
    const noTn: DidlObject = { ...sunset, resources: sunset.resources.filter((r) => r.protocolInfo.dlna?.profile !== 'JPEG_TN') };
    assert.deepEqual(pickThumbnail(noTn), { uri: 'http://127.0.0.1:8200/Resized/31.jpg?width=640,height=479', source: 'smallRes' });
  });

  it("didlLines renders a whole document as didlObjectLines does each object: minidlna's root", async () => {
    const lines = await didlLines(read('minidlna', 'browse-0.didl.xml'));
    assert.deepEqual(lines, parseDidl(read('minidlna', 'browse-0.didl.xml')).objects.flatMap(didlObjectLines));
    assert.ok(lines?.includes('container 64 "Browse Folders" · object.container.storageFolder · in 0 · 3 children · restricted'), lines?.join('\n'));
  });
});

const NS = 'xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:upnp="urn:schemas-upnp-org:metadata-1-0/upnp/" xmlns:dlna="urn:schemas-dlna-org:metadata-1-0/"';

describe('parseDidl: music fields, album art, vendor blocks', () => {
  it('reads creator, artist, album, album art with its profile, desc and vendor elements', () => {
    const doc = parseDidl(`<?xml version="1.0"?>
<!-- a renderer's metadata -->
<DIDL-Lite ${NS} xmlns:sec="http://www.sec.co.kr/">
  <item id="a1" parentID="m" restricted="1">
    <dc:title>Song &#x263A; &amp; more</dc:title><dc:creator>Composer</dc:creator>
    <upnp:artist role="Performer">Band</upnp:artist><upnp:artist>Other</upnp:artist><upnp:album>LP</upnp:album>
    <upnp:genre>Jazz</upnp:genre>
    <upnp:albumArtURI dlna:profileID="JPEG_TN">http://h/art.jpg</upnp:albumArtURI>
    <upnp:class>object.item.audioItem.musicTrack</upnp:class>
    <sec:dcmInfo>CREATIONDATE=0</sec:dcmInfo>
    <desc id="cdudn" nameSpace="urn:schemas-rinconnetworks-com:metadata-1-0/"><![CDATA[RINCON_AssociatedZPUDN]]></desc>
    <res protocolInfo="http-get:*:audio/mpeg:DLNA.ORG_PN=MP3;DLNA.ORG_OP=11;DLNA.ORG_PS=-2,2;DLNA.ORG_FLAGS=01700000000000000000000000000000" size="3000000" duration="0:03:05.000" bitrate="16000">http://h/a.mp3</res>
  </item>
</DIDL-Lite>`);
    assert.deepEqual(doc.problems, []);
    const o = doc.objects[0]!;
    assert.equal(o.title, 'Song \u263A & more');
    assert.equal(o.creator, 'Composer');
    assert.equal(o.artist, 'Band');
    assert.equal(o.album, 'LP');
    assert.deepEqual(o.albumArtUris, [{ uri: 'http://h/art.jpg', profileId: 'JPEG_TN' }]);
    assert.deepEqual(pickThumbnail(o), { uri: 'http://h/art.jpg', source: 'albumArt' });
    assert.deepEqual(o.vendorFields, [
      { name: 'sec:dcmInfo', namespace: 'http://www.sec.co.kr/', value: 'CREATIONDATE=0' },
      { name: 'desc', namespace: 'urn:schemas-rinconnetworks-com:metadata-1-0/', value: 'RINCON_AssociatedZPUDN' },
    ]);
    assert.deepEqual(o.otherFields.map((f) => f.name), ['upnp:artist', 'upnp:genre']);
    const res = o.resources[0]!;
    assert.deepEqual(res.protocolInfo.dlna, {
      profile: 'MP3',
      operations: { timeSeek: true, range: true, raw: '11' },
      playSpeeds: ['-2', '2'],
      flags: { raw: '01700000000000000000000000000000', names: ['streamingTransferMode', 'backgroundTransferMode', 'connectionStall', 'dlnaV15'] },
    });
    assert.equal(describeResource(res), 'MPEG audio · 2.9 MiB · 0:03:05.000 · bitrate 16000 · audio/mpeg (MP3)');
  });
});

describe('parseDidl: what sloppy servers send', () => {
  it('keeps a bare & and an HTML entity as text, with a problem each', () => {
    const doc = parseDidl(`<DIDL-Lite ${NS}><item id="1" parentID="0" restricted="1"><dc:title>Tom & Jerry&nbsp;2</dc:title><upnp:class>object.item</upnp:class></item></DIDL-Lite>`);
    assert.equal(doc.objects[0]!.title, 'Tom & Jerry&nbsp;2');
    assert.equal(doc.problems.length, 2, doc.problems.join('\n'));
    assert.match(doc.problems[0]!, /bare '&'/);
    assert.match(doc.problems[1]!, /&nbsp;/);
  });

  it('closes an element left open, ignores a stray closing tag, reads unquoted attributes', () => {
    const doc = parseDidl(`<DIDL-Lite ${NS}><container id=7 parentID="0" restricted="1" childCount="x"><dc:title>A</dc:title><upnp:class>object.container</upnp:class><upnp:storageUsed>-1</container></i><item id="2" parentID="0" restricted="0"><dc:title>B</dc:title><upnp:class>object.item.videoItem</upnp:class><res>http://h/v</res></item></DIDL-Lite>`);
    assert.deepEqual(doc.objects.map((o) => [o.kind, o.id, o.title]), [['container', '7', 'A'], ['item', '2', 'B']]);
    assert.equal(doc.objects[0]!.childCount, undefined);
    assert.equal(mediaKind(doc.objects[1]!), 'video');
    const text = doc.problems.join('\n');
    assert.match(text, /not quoted/);
    assert.match(text, /<upnp:storageUsed> not closed before <\/container>/);
    assert.match(text, /<\/i> without a matching opening tag/);
    assert.match(text, /childCount of container 7 is "x"/);
    assert.match(text, /res of item 2 has no protocolInfo/);
  });

  it('reads a DIDL-Lite without namespaces, and one whose objects lack id, title and class', () => {
    const doc = parseDidl('<DIDL-Lite><item><res protocolInfo="http-get:*:image/png:*">http://h/p.png</res></item></DIDL-Lite>');
    assert.equal(doc.objects.length, 1);
    assert.equal(mediaKind(doc.objects[0]!), 'image');
    const text = doc.problems.join('\n');
    for (const p of [/declares no namespace/, /no id attribute/, /no parentID/, /no dc:title/, /no upnp:class/]) assert.match(text, p);
  });

  it('throws DidlError when it cannot be used', () => {
    assert.throws(() => parseDidl(''), DidlError);
    assert.throws(() => parseDidl('not xml'), /not XML/);
    assert.throws(() => parseDidl(`<DIDL-Lite ${NS}><item id="1"><dc:title>cut`), /<item>, <dc:title> are still open; was it cut off\?/);
    assert.throws(() => parseDidl('<DIDL-Lite><item id="1'), /cut off/);
    assert.throws(() => parseDidl('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"/>'), /not <DIDL-Lite>/);
    assert.throws(() => parseDidl('<DIDL-Lite/><DIDL-Lite/>'), /second top-level element/);
    assert.throws(() => parseDidl('<a>'.repeat(100) + '</a>'.repeat(100)), /nested more than/);
  });

  it('never expands DOCTYPE entities', () => {
    const doc = parseDidl(`<!DOCTYPE d [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;">]><DIDL-Lite ${NS}><item id="1" parentID="0" restricted="1"><dc:title>&b;</dc:title><upnp:class>object.item</upnp:class></item></DIDL-Lite>`);
    assert.equal(doc.objects[0]!.title, '&b;');
  });

  it('treats attribute and element names like __proto__ as plain data', () => {
    const doc = parseDidl(`<DIDL-Lite ${NS}><item id="1" parentID="0" restricted="1" __proto__="x"><dc:title>t</dc:title><upnp:class>object.item</upnp:class><res protocolInfo="http-get:*:image/jpeg:*" constructor="c">http://h/i</res></item></DIDL-Lite>`);
    const res = doc.objects[0]!.resources[0]!;
    assert.equal(res.attributes['constructor'], 'c');
    assert.equal(Object.getPrototypeOf(res.attributes), null);
  });
});
