import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOAP_CONTENT_TYPE, SoapBuildError, buildSoapRequest, soapActionHeader } from '../../src/core/soap/envelope';
import { namespaceDeclarations, parseXml } from '../../src/core/xml/xml';
import type { XmlElement } from '../../src/core/xml/xml';

const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'soap', name), 'utf8');
const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const LEICA = { prefix: 'leica', uri: 'urn:schemas-leica-com:leica' };

interface Canonical {
  name: string;
  namespace: string | undefined;
  attributes: Array<[string, string]>;
  declarations: Array<[string, string]>;
  text: string;
  children: Canonical[];
}

/** Element names (with prefixes), resolved namespaces, attributes, declarations and text; no whitespace. */
function canonical(element: XmlElement): Canonical {
  return {
    name: element.name,
    namespace: element.namespaceUri,
    attributes: Object.entries(element.attributes).filter(([k]) => k !== 'xmlns' && !k.startsWith('xmlns:')).sort(),
    declarations: Object.entries(namespaceDeclarations(element)).sort(),
    text: element.text,
    children: element.children.map(canonical),
  };
}

const browseArgs = [
  { name: 'ObjectID', value: '0' },
  { name: 'BrowseFlag', value: 'BrowseDirectChildren' },
  { name: 'Filter', value: '*' },
  { name: 'StartingIndex', value: '0' },
  { name: 'RequestedCount', value: '50' },
  { name: 'SortCriteria', value: '' },
];

describe('buildSoapRequest against the Leica capture', () => {
  it('builds the Browse the Leica app sends, vendor argument and its namespace declaration included', () => {
    const { body } = buildSoapRequest(CDS, 'Browse', browseArgs, [{ name: 'X_FromCP', value: 'Leica Q3', namespace: LEICA }]);
    assert.deepEqual(canonical(parseXml(body, 'ours')), canonical(parseXml(fixture('leica-browse-request.xml'), 'capture')));
    // Same place as the capture: declared on u:Browse, next to xmlns:u.
    assert.match(body, /<u:Browse xmlns:u="urn:schemas-upnp-org:service:ContentDirectory:1" xmlns:leica="urn:schemas-leica-com:leica">/);
    assert.match(body, /<leica:X_FromCP>Leica Q3<\/leica:X_FromCP><\/u:Browse>/);
  });

  it('builds the DestroyObject the Leica app sends', () => {
    const { body } = buildSoapRequest(CDS, 'DestroyObject', [{ name: 'ObjectID', value: '01010976' }]);
    assert.deepEqual(canonical(parseXml(body, 'ours')), canonical(parseXml(fixture('leica-destroyobject-request.xml'), 'capture')));
  });

  it('sends the headers UDA asks for, SOAPACTION quoted', () => {
    const { headers } = buildSoapRequest(CDS, 'Browse', browseArgs);
    assert.deepEqual(headers, {
      'CONTENT-TYPE': 'text/xml; charset="utf-8"',
      SOAPACTION: '"urn:schemas-upnp-org:service:ContentDirectory:1#Browse"',
    });
    assert.equal(SOAP_CONTENT_TYPE, 'text/xml; charset="utf-8"');
    assert.equal(soapActionHeader('urn:schemas-upnp-org:service:SwitchPower:1', 'SetTarget'), '"urn:schemas-upnp-org:service:SwitchPower:1#SetTarget"');
    // The capture's header, less the quotes the Leica app leaves out.
    const captured = /^SOAPACTION: (.*)$/m.exec(fixture('leica-browse-request.headers.txt'))?.[1];
    assert.equal(headers['SOAPACTION'], `"${captured}"`);
  });

  it('keeps arguments in the order given and declares the SOAP encoding style', () => {
    const { body } = buildSoapRequest(CDS, 'Browse', browseArgs);
    const action = parseXml(body, 'ours').children[0]!.children[0]!;
    assert.deepEqual(action.children.map((c) => c.name), browseArgs.map((a) => a.name));
    assert.match(body, /^<\?xml version="1\.0" encoding="utf-8"\?>\n<s:Envelope xmlns:s="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/" s:encodingStyle="http:\/\/schemas\.xmlsoap\.org\/soap\/encoding\/">/);
  });
});

describe('buildSoapRequest escaping and names', () => {
  it('escapes values so markup arrives as text', () => {
    const didl = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/"><item id="1" title=\'a & b\'/></DIDL-Lite>';
    const { body } = buildSoapRequest('urn:schemas-upnp-org:service:AVTransport:1', 'SetAVTransportURI', [
      { name: 'InstanceID', value: '0' },
      { name: 'CurrentURI', value: 'http://h/a.mp3?x=1&y=2' },
      { name: 'CurrentURIMetaData', value: didl },
    ]);
    assert.ok(body.includes('<CurrentURI>http://h/a.mp3?x=1&amp;y=2</CurrentURI>'));
    assert.ok(!body.includes('<DIDL-Lite'));
    const args = parseXml(body, 'ours').children[0]!.children[0]!.children;
    assert.equal(args[1]!.text, 'http://h/a.mp3?x=1&y=2');
    assert.equal(args[2]!.text, didl);
  });

  it('keeps tabs, newlines and carriage returns (CR as a character reference)', () => {
    const { body } = buildSoapRequest(CDS, 'X', [{ name: 'V', value: 'a\tb\r\nc' }]);
    assert.ok(body.includes('<V>a\tb&#13;\nc</V>'));
  });

  it('refuses characters XML cannot carry', () => {
    assert.throws(() => buildSoapRequest(CDS, 'X', [{ name: 'V', value: 'a\u0001' }]), (err: unknown) =>
      err instanceof SoapBuildError && /U\+0001/.test(err.message));
    assert.throws(() => buildSoapRequest(CDS, 'X', [{ name: 'V', value: 'lone \uD800 surrogate' }]), SoapBuildError);
  });

  it('accepts non-ASCII text and vendor names with dots, dashes and digits', () => {
    const { body } = buildSoapRequest(CDS, 'X_Set.Name-2', [{ name: 'Título', value: 'Café ☕ 😀' }]);
    assert.equal(parseXml(body, 'ours').children[0]!.children[0]!.children[0]!.text, 'Café ☕ 😀');
  });

  it('refuses names that would break out of their element', () => {
    for (const name of ['', 'a b', 'a<b', 'x:y', '1abc', 'a/b', 'a"b']) {
      assert.throws(() => buildSoapRequest(CDS, 'Browse', [{ name, value: '' }]), SoapBuildError, `argument name ${JSON.stringify(name)}`);
      assert.throws(() => buildSoapRequest(CDS, name, []), SoapBuildError, `action name ${JSON.stringify(name)}`);
    }
  });

  it('escapes the service type where it appears in an attribute', () => {
    const { body } = buildSoapRequest('urn:x-"odd"&co:service:T:1', 'A', []);
    assert.equal(parseXml(body, 'ours').children[0]!.children[0]!.namespaceUri, 'urn:x-"odd"&co:service:T:1');
  });
});

describe('buildSoapRequest vendor arguments', () => {
  it('declares each vendor namespace once, even for several arguments', () => {
    const { body } = buildSoapRequest(CDS, 'Browse', browseArgs, [
      { name: 'X_FromCP', value: 'Leica Q3', namespace: LEICA },
      { name: 'X_Other', value: '1', namespace: LEICA },
      { name: 'X_Plain', value: 'p' },
    ]);
    assert.equal(body.match(/xmlns:leica=/g)?.length, 1);
    const action = parseXml(body, 'ours').children[0]!.children[0]!;
    const tail = action.children.slice(-3).map((c) => [c.name, c.namespaceUri, c.text]);
    assert.deepEqual(tail, [
      ['leica:X_FromCP', LEICA.uri, 'Leica Q3'],
      ['leica:X_Other', LEICA.uri, '1'],
      ['X_Plain', undefined, 'p'],
    ]);
  });

  it('refuses a prefix bound to two namespaces, or one the envelope uses', () => {
    assert.throws(() => buildSoapRequest(CDS, 'Browse', [], [
      { name: 'A', value: '', namespace: LEICA },
      { name: 'B', value: '', namespace: { prefix: 'leica', uri: 'urn:other' } },
    ]), /used for both/);
    assert.throws(() => buildSoapRequest(CDS, 'Browse', [], [{ name: 'A', value: '', namespace: { prefix: 'u', uri: 'urn:other' } }]), /used for both/);
    assert.throws(() => buildSoapRequest(CDS, 'Browse', [], [{ name: 'A', value: '', namespace: { prefix: 's', uri: 'urn:other' } }]), /reserved/);
    assert.throws(() => buildSoapRequest(CDS, 'Browse', [], [{ name: 'A', value: '', namespace: { prefix: 'xmlfoo', uri: 'urn:other' } }]), /reserved/);
    assert.throws(() => buildSoapRequest(CDS, 'Browse', [], [{ name: 'A', value: '', namespace: { prefix: 'v', uri: '' } }]), /empty/);
  });

  it('lets a vendor argument reuse u: with the service type itself', () => {
    const { body } = buildSoapRequest(CDS, 'Browse', [], [{ name: 'X', value: '1', namespace: { prefix: 'u', uri: CDS } }]);
    assert.equal(body.match(/xmlns:u=/g)?.length, 1);
    assert.ok(body.includes('<u:X>1</u:X>'));
  });
});
