import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { didlLines } from '../../src/core/av/didl';
import { looksLikeXml, prettyXml } from '../../src/core/xml/pretty';
import { parseSoapResponse } from '../../src/core/soap/response';

const fixtures = join(__dirname, '..', 'fixtures', 'soap');

/** The Result out-argument of a captured Browse answer (headers, blank line, envelope). */
function capturedResult(file: string): string {
  const text = readFileSync(join(fixtures, file), 'utf8');
  const body = text.slice(text.search(/\r?\n\r?\n/)).trimStart();
  const parsed = parseSoapResponse({ status: 200, headers: {}, body }, { actionName: 'Browse' });
  assert.equal(parsed.kind, 'ok');
  const result = parsed.outputs.find((o) => o.name === 'Result');
  assert.ok(result);
  return result.value;
}

describe('didlLines', () => {
  it("decodes the Leica camera's Browse result: one header per item, date and every res with its protocolInfo", async () => {
    const lines = await didlLines(capturedResult('leica-browse-response.http'));
    assert.ok(lines);
    assert.equal(lines[0], 'item 01010972 "101-0972" · object.item.imageItem (imageItem) · in 0 · WRITABLE');
    assert.ok(lines.includes('  date: 2024-12-10T15:12:19+08:00'), lines.join('\n'));
    assert.ok(lines.includes('  leica:X_Rating: off'), lines.join('\n'));
    const dng = lines.indexOf('  res original: DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)');
    assert.ok(dng > 0, lines.join('\n'));
    assert.equal(lines[dng + 1], '    http://192.168.54.1:50001/DO01010972.DNG');
    assert.equal(lines[dng + 2], "    protocolInfo: http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'");
    const items = lines.filter((l) => l.startsWith('item '));
    assert.deepEqual(items.map((l) => l.split(' ')[1]), ['01010972', '01010976']);
    // 4 resources on the first photo, 5 on the second (JPG + DNG pair).
    assert.equal(lines.filter((l) => l.startsWith('  res ')).length, 9);
  });

  it("decodes minidlna's root containers with their child counts", async () => {
    const lines = await didlLines(capturedResult('minidlna-browse-0-response.http'));
    assert.ok(lines);
    assert.ok(lines.includes('container 64 "Browse Folders" · object.container.storageFolder · in 0 · 3 children · restricted'), lines.join('\n'));
    assert.ok(lines.every((l) => l.startsWith('container ') || l.startsWith('  ')), lines.join('\n'));
  });

  it('says so for an empty DIDL-Lite and refuses what is not DIDL-Lite', async () => {
    assert.deepEqual(await didlLines('<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/"></DIDL-Lite>'), ['(no objects)']);
    assert.equal(await didlLines('<Event xmlns="urn:schemas-upnp-org:metadata-1-0/AVT/"/>'), undefined);
    assert.equal(await didlLines('not xml'), undefined);
    assert.equal(await didlLines('<DIDL-Lite><item'), undefined);
  });

  it('keeps device text as text: markup-looking titles come out literally', async () => {
    const lines = await didlLines('<DIDL-Lite><item id="1"><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">&lt;b&gt;x&lt;/b&gt; &amp; y</dc:title></item></DIDL-Lite>');
    assert.deepEqual(lines, ['item 1 "<b>x</b> & y"']);
  });
});

describe('prettyXml', () => {
  it('indents one element per line and re-escapes text', async () => {
    const pretty = await prettyXml('<Event xmlns="urn:x"><InstanceID val="0"><TransportState val="PLAYING"/><A>1 &lt; 2</A></InstanceID></Event>');
    assert.equal(pretty, [
      '<Event xmlns="urn:x">',
      '  <InstanceID val="0">',
      '    <TransportState val="PLAYING"/>',
      '    <A>1 &lt; 2</A>',
      '  </InstanceID>',
      '</Event>',
    ].join('\n'));
  });

  it('returns undefined for plain values and broken XML', async () => {
    assert.equal(await prettyXml('BrowseDirectChildren'), undefined);
    assert.equal(await prettyXml('<a><b></a>'), undefined);
    assert.equal(await prettyXml(''), undefined);
    assert.equal(looksLikeXml('  <a/> '), true);
    assert.equal(looksLikeXml('a < b'), false);
  });
});
