// Manifest problems are underlined at their key: the JSON paths readManifest reports found in the
// text, with keys that need quoting, arrays, a broken document, and a path only partly present.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { locateJsonPath, parseJsonPath } from '../../src/device/jsonLocate';
import { readManifest } from '../../src/device/manifest';

const TEXT = `{
  "ssdp": { "maxAgeSeconds": 10, "headers": { "X-Ok": "1" } },
  "services": {
    "urn:example-com:serviceId:Jambon": {
      "actions": { "GetSlice": { "outputs": { "Count": -3 } } }
    }
  },
  "list": [1, {"a": 2}]
}`;

const at = (path: string): string | undefined => {
  const span = locateJsonPath(TEXT, path);
  return span && TEXT.slice(span.start, span.end);
};

describe('locating a manifest path in its text', () => {
  it('reads the paths readManifest writes', () => {
    assert.deepEqual(parseJsonPath('services["urn:x:serviceId:Y"].actions.Get_1.outputs'), ['services', 'urn:x:serviceId:Y', 'actions', 'Get_1', 'outputs']);
    assert.deepEqual(parseJsonPath('list[1].a'), ['list', 1, 'a']);
    assert.equal(parseJsonPath('a..b'), undefined);
  });

  it('finds keys, quoted keys and array elements', () => {
    assert.equal(at('ssdp.maxAgeSeconds'), '"maxAgeSeconds"');
    assert.equal(at('services["urn:example-com:serviceId:Jambon"].actions.GetSlice.outputs.Count'), '"Count"');
    assert.equal(at('list[1].a'), '"a"');
    assert.equal(at('list[0]'), '1');
  });

  it('falls back to the deepest part present, and to nothing for an absent first key', () => {
    assert.equal(at('ssdp.headers.HOST'), '"headers"');
    assert.equal(at('http.port'), undefined);
  });

  it('finds every path readManifest reports for a manifest with problems', () => {
    const value = JSON.parse(TEXT) as unknown;
    const { problems } = readManifest(value);
    assert.ok(problems.length > 0);
    for (const p of problems) {
      if (p.path === 'list') continue;
      assert.ok(locateJsonPath(TEXT, p.path) !== undefined, `${p.path} (${p.message}) is located`);
    }
  });

  it('keeps what it found before a break in the document', () => {
    assert.equal(locateJsonPath('{"ssdp": {"server": 1, "answer": ', 'ssdp.answer') !== undefined, true);
    assert.equal(locateJsonPath('not json', 'ssdp'), undefined);
  });

  it('is linear: a deep, wide document is walked quickly', () => {
    const wide = `{${Array.from({ length: 100_000 }, (_, i) => `"k${i}": [${i}, {"x": "${'y'.repeat(20)}"}]`).join(',')}, "target": 1}`;
    const span = locateJsonPath(wide, 'target');
    assert.equal(wide.slice(span!.start, span!.end), '"target"');
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    assert.equal(locateJsonPath(deep, '[0]'), undefined, 'past the depth bound it stops, without a stack overflow');
  });
});
