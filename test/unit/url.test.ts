import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { baseUrlFor, resolveUrl } from '../../src/core/description/url';

describe('resolveUrl', () => {
  it('keeps absolute URLs as sent (Leica camera)', () => {
    assert.equal(resolveUrl('http://192.168.54.1:60606/Server0/CDS_control', 'http://192.168.54.1:60606/DCxxxxxxxx09/Server0/ddd'),
      'http://192.168.54.1:60606/Server0/CDS_control');
  });

  it('resolves absolute-path references against the description URL (minidlna)', () => {
    assert.equal(resolveUrl('/ctl/ContentDir', 'http://127.0.0.1:8200/rootDesc.xml'), 'http://127.0.0.1:8200/ctl/ContentDir');
    assert.equal(resolveUrl('/', 'http://127.0.0.1:8200/rootDesc.xml'), 'http://127.0.0.1:8200/');
  });

  it('resolves path-relative references per RFC 3986', () => {
    assert.equal(resolveUrl('RenderingControl/ctrl', 'http://10.0.0.3:8080/dev/desc.xml'), 'http://10.0.0.3:8080/dev/RenderingControl/ctrl');
    assert.equal(resolveUrl('lamp/Dimming.xml', 'http://192.168.1.50:49152/bridge/'), 'http://192.168.1.50:49152/bridge/lamp/Dimming.xml');
    assert.equal(resolveUrl('ctl', 'http://192.168.1.50:49152'), 'http://192.168.1.50:49152/ctl');
  });

  it('trims whitespace devices leave around URLs', () => {
    assert.equal(resolveUrl('  /x.xml\n', 'http://h:1/d.xml'), 'http://h:1/x.xml');
  });

  it('returns undefined for missing, empty and blank values', () => {
    assert.equal(resolveUrl(undefined, 'http://h/'), undefined);
    assert.equal(resolveUrl('', 'http://h/'), undefined);
    assert.equal(resolveUrl('   ', 'http://h/'), undefined);
  });

  it('rejects non-http schemes, even when they would otherwise resolve', () => {
    assert.equal(resolveUrl('javascript:alert(1)', 'http://h/d.xml'), undefined);
    assert.equal(resolveUrl('file:///etc/passwd', 'http://h/d.xml'), undefined);
    assert.equal(resolveUrl('ftp://h/x', 'http://h/d.xml'), undefined);
    assert.equal(resolveUrl('https://h/secure', 'http://h/d.xml'), 'https://h/secure');
  });

  it('returns undefined when nothing parses', () => {
    assert.equal(resolveUrl('http://[bad', 'http://h/'), undefined);
    assert.equal(resolveUrl('/relative', 'not a base'), undefined);
  });
});

describe('baseUrlFor', () => {
  it('uses the description URL without a URLBase', () => {
    assert.equal(baseUrlFor('http://127.0.0.1:8200/rootDesc.xml'), 'http://127.0.0.1:8200/rootDesc.xml');
    assert.equal(baseUrlFor('http://127.0.0.1:8200/rootDesc.xml', ''), 'http://127.0.0.1:8200/rootDesc.xml');
  });

  it('honours URLBase, resolving a relative one against the description URL', () => {
    assert.equal(baseUrlFor('http://192.168.1.50/desc.xml', 'http://192.168.1.50:49152/bridge/'), 'http://192.168.1.50:49152/bridge/');
    assert.equal(baseUrlFor('http://192.168.1.50/a/desc.xml', '/b/'), 'http://192.168.1.50/b/');
  });

  it('ignores an unusable URLBase', () => {
    assert.equal(baseUrlFor('http://192.168.1.50/desc.xml', 'file:///x/'), 'http://192.168.1.50/desc.xml');
  });
});
