import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  XmlError, asArray, attributeValue, childElement, childElements, childText, decodeText, descendant, elementText,
  innerXml, localNameOf, namespaceDeclarations, outerXml, parseXml, xmlEscape, xmlUnescape,
} from '../../src/core/xml/xml';

const fixtures = join(__dirname, '..', 'fixtures');
const fixture = (path: string): string => readFileSync(join(fixtures, path), 'utf8');

function xmlError(fn: () => unknown): XmlError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof XmlError, `expected XmlError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an XmlError');
}

describe('parseXml: tree', () => {
  it('resolves namespaces declared on the element and on ancestors (Leica description)', () => {
    const root = parseXml(fixture('leica/description.xml'), 'Leica');
    assert.equal(root.name, 'root');
    assert.equal(root.namespaceUri, 'urn:schemas-upnp-org:device-1-0');
    const device = childElement(root, 'device')!;
    const dlna = device.children.find((c) => c.name === 'dlna:X_DLNADOC')!;
    assert.equal(dlna.prefix, 'dlna');
    assert.equal(dlna.localName, 'X_DLNADOC');
    assert.equal(dlna.namespaceUri, 'urn:schemas-dlna-org:device-1-0');
    assert.deepEqual(namespaceDeclarations(dlna), { dlna: 'urn:schemas-dlna-org:device-1-0' });
    const firm = device.children.find((c) => c.localName === 'X_FirmVersion')!;
    assert.equal(firm.namespaceUri, 'urn:schemas-leica-com:leica');
    assert.equal(firm.text, '2.0.5');
    assert.deepEqual(namespaceDeclarations(root), { '': 'urn:schemas-upnp-org:device-1-0', leica: 'urn:schemas-leica-com:leica' });
    // Unprefixed children inherit the default namespace.
    assert.equal(childElement(device, 'UDN')!.namespaceUri, 'urn:schemas-upnp-org:device-1-0');
  });

  it('keeps values as trimmed strings, never numbers', () => {
    const root = parseXml(fixture('network-light/description.xml'), 'light');
    const icon = descendant(root, 'device', 'iconList', 'icon')!;
    assert.equal(childText(icon, 'width'), '256');
    assert.equal(typeof childText(icon, 'width'), 'string');
    assert.equal(childText(descendant(root, 'device'), 'modelNumber'), '0.1');
    assert.equal(childText(descendant(root, 'device'), 'presentationURL'), '');
    assert.equal(childText(descendant(root, 'device'), 'nothingHere'), undefined);
  });

  it('finds children by local name whatever their prefix, and falls back to a case-insensitive match', () => {
    const root = parseXml('<u:root xmlns:u="urn:x"><u:device><u:SCPDUrl>/a</u:SCPDUrl><u:SCPDUrl>/b</u:SCPDUrl></u:device></u:root>', 't');
    const device = childElement(root, 'device')!;
    assert.equal(device.name, 'u:device');
    assert.deepEqual(childElements(device, 'SCPDURL').map(elementText), ['/a', '/b']);
    assert.equal(childElements(device).length, 2);
    assert.equal(childElement(device, 'controlURL'), undefined);
    assert.equal(elementText(undefined), '');
  });

  it('prefers an exact local-name match over a case-insensitive one', () => {
    const root = parseXml('<r><url>lower</url><URL>upper</URL></r>', 't');
    assert.equal(childText(root, 'URL'), 'upper');
    assert.equal(childText(root, 'url'), 'lower');
  });

  it('reads attributes by qualified or local name; an element with attributes still has plain text', () => {
    const root = parseXml('<r xmlns:dt="urn:dt"><dataType dt:type="xsd:byte" plain="p &amp; q">i1</dataType></r>', 't');
    const dataType = childElement(root, 'dataType')!;
    assert.equal(dataType.text, 'i1');
    assert.equal(attributeValue(dataType, 'dt:type'), 'xsd:byte');
    assert.equal(attributeValue(dataType, 'type'), 'xsd:byte');
    assert.equal(attributeValue(dataType, 'plain'), 'p & q');
    assert.equal(attributeValue(dataType, 'missing'), undefined);
    assert.equal(attributeValue(dataType, 'constructor'), undefined);
  });

  it('decodes predefined and numeric entities once, keeps CDATA literal, joins mixed text', () => {
    const root = parseXml('<r><a>A &amp;lt; B &#x41;&#66; &unknown;</a><b><![CDATA[<x>&amp;</x>]]></b><c>one <i/> two</c></r>', 't');
    assert.equal(childText(root, 'a'), 'A &lt; B AB &unknown;');
    assert.equal(childText(root, 'b'), '<x>&amp;</x>');
    assert.equal(childText(root, 'c'), 'one  two');
  });

  it('keeps elements and attributes named like Object.prototype members as plain data', () => {
    const root = parseXml('<r><constructor>c</constructor><__proto__ toString="t">p</__proto__><hasOwnProperty/></r>', 't');
    assert.deepEqual(root.children.map((c) => c.name), ['constructor', '__proto__', 'hasOwnProperty']);
    assert.equal(childText(root, '__proto__'), 'p');
    assert.equal(attributeValue(childElement(root, '__proto__'), 'toString'), 't');
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  it('does not expand DOCTYPE entities (no billion laughs), quickly', () => {
    const started = performance.now();
    const root = parseXml(fixture('malformed/entity-bomb.xml'), 'bomb');
    assert.equal(childText(childElement(root, 'device'), 'friendlyName'), '&lol9;');
    assert.ok(performance.now() - started < 1000);
  });

  it('accepts a BOM, CRLF line ends and blank lines before the XML declaration', () => {
    const root = parseXml('\ufeff\r\n\r\n<?xml version="1.0"?>\r\n<r><a>x\r\ny</a></r>', 't');
    assert.equal(childText(root, 'a'), 'x\ny');
  });

  it('serialises back to XML, escaping what needs it', () => {
    const root = parseXml('<v:X xmlns:v="urn:v"><v:F name="a&quot;b">1 &lt; 2</v:F><v:G/></v:X>', 't');
    assert.equal(innerXml(root), '<v:F name="a&quot;b">1 &lt; 2</v:F><v:G/>');
    assert.equal(outerXml(root), '<v:X xmlns:v="urn:v"><v:F name="a&quot;b">1 &lt; 2</v:F><v:G/></v:X>');
  });
});

describe('parseXml: errors name the document, the place and the reason', () => {
  it('mismatched closing tag', () => {
    const err = xmlError(() => parseXml('<root>\n<device>\n  <x>\n</root>', 'Description at http://x/desc.xml'));
    assert.equal(err.message, "Description at http://x/desc.xml is not well-formed XML (line 4, column 1: closing tag 'x' expected but found '</root>'; <x> was opened at line 3, column 3).");
    assert.equal(err.line, 4);
    assert.equal(err.column, 1);
    assert.equal(err.what, 'Description at http://x/desc.xml');
  });

  it('truncated document: position is where the text stops and the open elements are listed', () => {
    const err = xmlError(() => parseXml(fixture('malformed/truncated-description.xml'), 'Description at http://127.0.0.1:8200/rootDesc.xml'));
    assert.match(err.message, /^Description at http:\/\/127\.0\.0\.1:8200\/rootDesc\.xml is not well-formed XML \(line 2, column 878: /);
    assert.match(err.message, /the document ends while <root>, <device>, <iconList>, <icon> and <mimetype> are still open; was it cut off\?\)\.$/);
    const single = xmlError(() => parseXml('<root', 'D'));
    assert.equal(single.message, 'D is not well-formed XML (line 1, column 6: the document ends while <root> is still open; was it cut off?).');
  });

  it('line numbers count the blank lines that were skipped before the document', () => {
    const err = xmlError(() => parseXml('\n\n<r>&</r>', 'D'));
    assert.equal(err.message, "D is not well-formed XML (line 3, column 4: a bare '&', which must be written as &amp;).");
  });

  it('empty and whitespace-only bodies', () => {
    assert.equal(xmlError(() => parseXml('', 'SCPD at http://h/s.xml')).message, 'SCPD at http://h/s.xml is empty (the device sent no content).');
    assert.equal(xmlError(() => parseXml(' \r\n\t', 'D')).message, 'D is empty (the device sent no content).');
  });

  it('a declaration and nothing else', () => {
    assert.equal(xmlError(() => parseXml('<?xml version="1.0"?>\n<!-- nothing -->', 'D')).message,
      'D is not well-formed XML (line 1, column 1: no element found, only a declaration or comments).');
  });

  it('not XML at all quotes the start of the body', () => {
    const err = xmlError(() => parseXml(fixture('malformed/not-xml.txt'), 'Description at http://h/d'));
    assert.equal(err.message, `Description at http://h/d is not XML (it starts with "Service Unavailable: the media server is…", not with '<').`);
  });

  it('attribute without quotes, text after the end, two top-level elements', () => {
    assert.equal(xmlError(() => parseXml('<r a=b/>', 'D')).message, "D is not well-formed XML (line 1, column 4: attribute 'a' has no quoted value).");
    assert.equal(xmlError(() => parseXml('<r>a</r>b', 'D')).message, 'D is not well-formed XML (line 1, column 9: text after the end of the top-level element).');
    assert.equal(xmlError(() => parseXml('<r/><s/>', 'D')).message, 'D is not well-formed XML (a second top-level element <s> follows <r>; a document has exactly one).');
  });

  it('HTML that is not well-formed XML', () => {
    const err = xmlError(() => parseXml('<html><body><p>x<br></p></body></html>', 'D'));
    assert.equal(err.message, "D is not well-formed XML (line 1, column 21: closing tag 'br' expected but found '</p>'; <br> was opened at line 1, column 17).");
  });
});

describe('xmlEscape / xmlUnescape', () => {
  it('round-trips every special character', () => {
    const raw = `<a href="x">Tom & Jerry's</a>`;
    assert.equal(xmlEscape(raw), '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;');
    assert.equal(xmlUnescape(xmlEscape(raw)), raw);
  });

  it('decodes in a single pass and leaves unknown or invalid references alone', () => {
    assert.equal(xmlUnescape('&amp;lt;'), '&lt;');
    assert.equal(xmlUnescape('&#x1F4F7; &#233;'), '📷 é');
    assert.equal(xmlUnescape('&#0; &#xD800; &nbsp; & alone'), '&#0; &#xD800; &nbsp; & alone');
  });
});

describe('decodeText', () => {
  it('defaults to UTF-8 and strips a UTF-8 BOM', () => {
    assert.equal(decodeText(Buffer.from('<r>Café 📷</r>', 'utf8')), '<r>Café 📷</r>');
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<r/>')])), '<r/>');
  });

  it('honours charset=iso-8859-1 from the Content-Type header, quoted or not', () => {
    const body = Buffer.from('<r>Caf\xe9</r>', 'latin1');
    assert.equal(decodeText(body, 'text/xml; charset="ISO-8859-1"'), '<r>Café</r>');
    assert.equal(decodeText(body, 'text/xml;charset=latin1'), '<r>Café</r>');
    // Without a charset the same bytes are invalid UTF-8 and show as replacement characters.
    assert.equal(decodeText(body, 'text/xml'), '<r>Caf\ufffd</r>');
  });

  it('honours the XML declaration when the header says nothing, and the header when both do', () => {
    const body = Buffer.from(`<?xml version="1.0" encoding='iso-8859-1'?><r>\xe9</r>`, 'latin1');
    assert.equal(decodeText(body), `<?xml version="1.0" encoding='iso-8859-1'?><r>é</r>`);
    const utf8 = Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><r>é</r>', 'utf8');
    assert.equal(decodeText(utf8, 'text/xml; charset=utf-8'), '<?xml version="1.0" encoding="iso-8859-1"?><r>é</r>');
  });

  it('decodes UTF-16 with a BOM and falls back to UTF-8 for unknown charsets', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<r>é</r>', 'utf16le')]);
    assert.equal(decodeText(le), '<r>é</r>');
    assert.equal(decodeText(Buffer.from('<r>é</r>'), 'text/xml; charset=x-made-up'), '<r>é</r>');
  });
});

describe('small helpers', () => {
  it('asArray and localNameOf', () => {
    assert.deepEqual(asArray(undefined), []);
    assert.deepEqual(asArray(null), []);
    assert.deepEqual(asArray('a'), ['a']);
    assert.deepEqual(asArray(['a', 'b']), ['a', 'b']);
    assert.equal(localNameOf('dlna:X_DLNADOC'), 'X_DLNADOC');
    assert.equal(localNameOf('UDN'), 'UDN');
  });
});
