import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSoapResponse } from '../../src/core/soap/response';
import type { SoapAnswer, SoapResponse } from '../../src/core/soap/response';
import { describeUpnpErrorCode, upnpErrorMeaning } from '../../src/core/soap/errors';
import { parseXml } from '../../src/core/xml/xml';

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const fixture = (name: string): string => readFileSync(join(__dirname, '..', 'fixtures', 'soap', name), 'utf8');

/** A captured HTTP response: status line, headers (names lower-cased as fetchBytes gives them), body. */
function httpFixture(name: string): SoapAnswer {
  const raw = fixture(name);
  const split = /\r?\n\r?\n/.exec(raw)!;
  const head = raw.slice(0, split.index).split(/\r?\n/);
  const headers: Record<string, string> = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(head[0]!.split(' ')[1]), headers, body: Buffer.from(raw.slice(split.index + split[0].length), 'utf8') };
}

function ok(r: SoapResponse): Extract<SoapResponse, { kind: 'ok' }> {
  assert.equal(r.kind, 'ok', JSON.stringify(r));
  return r as Extract<SoapResponse, { kind: 'ok' }>;
}
function fault(r: SoapResponse): Extract<SoapResponse, { kind: 'fault' }> {
  assert.equal(r.kind, 'fault', JSON.stringify(r));
  return r as Extract<SoapResponse, { kind: 'fault' }>;
}
function failure(r: SoapResponse): Extract<SoapResponse, { kind: 'failure' }> {
  assert.equal(r.kind, 'failure', JSON.stringify(r));
  return r as Extract<SoapResponse, { kind: 'failure' }>;
}
const answer = (status: number, body: string, headers: Record<string, string> = { 'content-type': 'text/xml; charset="utf-8"' }): SoapAnswer =>
  ({ status, headers, body });

const FAULT_701 = '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
  '<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>' +
  '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>701</errorCode><errorDescription>No such object</errorDescription></UPnPError>' +
  '</detail></s:Fault></s:Body></s:Envelope>';

describe('parseSoapResponse: captured answers', () => {
  it('reads the Leica Browse answer (no declaration, upper-case headers, CONNECTION: close, indented)', () => {
    const a = httpFixture('leica-browse-response.http');
    assert.equal(a.headers['connection'], 'close');
    const r = ok(parseSoapResponse(a, { actionName: 'Browse', serviceType: CDS }));
    assert.equal(r.responseElement, 'u:BrowseResponse');
    assert.deepEqual(r.outputs.map((o) => o.name), ['Result', 'NumberReturned', 'TotalMatches', 'UpdateID']);
    assert.deepEqual(r.outputs.slice(1).map((o) => o.value), ['2', '2', '1']);
    const didl = parseXml(r.outputs[0]!.value, 'Result');
    assert.equal(didl.localName, 'DIDL-Lite');
    assert.deepEqual(didl.children.map((c) => c.attributes['id']), ['01010972', '01010976']);
    // &apos; inside the escaped DIDL survives as a quote in the attribute
    assert.match(r.outputs[0]!.value, /OriginalFileName='L1010972\.DNG'/);
    assert.deepEqual(r.problems, []);
  });

  it('reads the Leica DestroyObject answer: no out-arguments, whitespace only', () => {
    const r = ok(parseSoapResponse(httpFixture('leica-destroyobject-response.http'), { actionName: 'DestroyObject', serviceType: CDS }));
    assert.deepEqual(r.outputs, []);
    assert.deepEqual(r.problems, []);
  });

  it('reads minidlna\'s Browse of the root', () => {
    const r = ok(parseSoapResponse(httpFixture('minidlna-browse-0-response.http'), { actionName: 'Browse', serviceType: CDS }));
    assert.deepEqual(r.outputs.slice(1), [
      { name: 'NumberReturned', value: '4' }, { name: 'TotalMatches', value: '0' }, { name: 'UpdateID', value: '0' },
    ]);
    assert.deepEqual(parseXml(r.outputs[0]!.value, 'Result').children.map((c) => c.attributes['id']), ['64', '1', '3', '2']);
  });

  it('reads minidlna\'s fault for an unknown ObjectID (HTTP 500, no XML declaration)', () => {
    const a = httpFixture('minidlna-fault-unknown-object.http');
    assert.equal(a.status, 500);
    const f = fault(parseSoapResponse(a, { actionName: 'Browse', serviceType: CDS }));
    assert.deepEqual(f.upnpError, { code: 701, description: 'No such object error', meaning: 'No such object' });
    assert.deepEqual([f.faultCode, f.faultString, f.problems], ['s:Client', 'UPnPError', []]);
  });

  const light: Array<[string, string, Array<{ name: string; value: string }>]> = [
    ['network-light-action-1-SwitchPower-GetStatus.xml', 'GetStatus', [{ name: 'ResultStatus', value: '0' }]],
    ['network-light-action-2-SwitchPower-SetTarget.xml', 'SetTarget', []],
    ['network-light-action-3-Dimming-SetLoadLevelTarget.xml', 'SetLoadLevelTarget', []],
    ['network-light-action-4-SwitchPower-SetTarget.xml', 'SetTarget', []],
    ['network-light-action-5-Dimming-GetLoadLevelStatus.xml', 'GetLoadLevelStatus', [{ name: 'retLoadlevelStatus', value: '42' }]],
  ];
  for (const [file, action, outputs] of light) {
    it(`reads gupnp-network-light ${action} (${file.replace('network-light-', '')})`, () => {
      const r = ok(parseSoapResponse(httpFixture(file), { actionName: action }));
      assert.deepEqual(r.outputs, outputs);
      assert.deepEqual(r.problems, []);
    });
  }
});

describe('parseSoapResponse: tolerance', () => {
  const body = (env: string, inner: string): string => inner.replace(/ENV/g, env);
  it('reads any envelope prefix, or none, and unprefixed or oddly prefixed responses', () => {
    const variants = [
      '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body><m:GetStatusResponse xmlns:m="urn:schemas-upnp-org:service:SwitchPower:1"><ResultStatus>1</ResultStatus></m:GetStatusResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>',
      '<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><GetStatusResponse xmlns="urn:schemas-upnp-org:service:SwitchPower:1"><ResultStatus>1</ResultStatus></GetStatusResponse></Body></Envelope>',
      body('soap', '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n\n  <soap:Body>\n    <u:GetStatusResponse xmlns:u="urn:schemas-upnp-org:service:SwitchPower:1">\n      <u:ResultStatus>1</u:ResultStatus>\n    </u:GetStatusResponse>\n  </soap:Body>\n</soap:Envelope>\n\n'),
      '\uFEFF\n  <?xml version="1.0" encoding="utf-8"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetStatusResponse xmlns:u="urn:schemas-upnp-org:service:SwitchPower:1"><ResultStatus> 1 </ResultStatus></u:GetStatusResponse></s:Body></s:Envelope>',
    ];
    for (const v of variants) {
      const r = ok(parseSoapResponse(answer(200, v), { actionName: 'GetStatus' }));
      assert.deepEqual(r.outputs, [{ name: 'ResultStatus', value: '1' }], v);
      assert.deepEqual(r.problems, [], v);
    }
  });

  it('decodes a Latin-1 body by its Content-Type', () => {
    const xml = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetNameResponse xmlns:u="urn:x:service:N:1"><Name>Café</Name></u:GetNameResponse></s:Body></s:Envelope>';
    const r = ok(parseSoapResponse({ status: 200, headers: { 'content-type': 'text/xml; charset=ISO-8859-1' }, body: Buffer.from(xml, 'latin1') }, { actionName: 'GetName' }));
    assert.deepEqual(r.outputs, [{ name: 'Name', value: 'Café' }]);
  });

  it('reads CDATA and DIDL-Lite sent as elements rather than escaped text, saying so', () => {
    const xml = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:BrowseResponse xmlns:u="urn:schemas-upnp-org:service:ContentDirectory:1">' +
      '<Result><DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/"><item id="7"/></DIDL-Lite></Result><NumberReturned><![CDATA[1]]></NumberReturned></u:BrowseResponse></s:Body></s:Envelope>';
    const r = ok(parseSoapResponse(answer(200, xml), { actionName: 'Browse', serviceType: CDS }));
    assert.equal(parseXml(r.outputs[0]!.value, 'Result').children[0]!.attributes['id'], '7');
    assert.equal(r.outputs[1]!.value, '1');
    assert.match(r.problems.join('\n'), /<Result> holds XML elements instead of escaped text/);
  });

  it('notes a response element named differently, a wrong envelope namespace, and a 2xx other than 200', () => {
    const xml = '<s:Envelope xmlns:s="urn:not-soap"><s:Body><u:Other xmlns:u="urn:x"><A>1</A></u:Other></s:Body></s:Envelope>';
    const r = ok(parseSoapResponse(answer(202, xml), { actionName: 'GetA' }));
    assert.deepEqual(r.outputs, [{ name: 'A', value: '1' }]);
    assert.equal(r.problems.length, 3);
    assert.match(r.problems.join('\n'), /HTTP 202 instead of 200/);
    assert.match(r.problems.join('\n'), /<u:Other>; UDA expects <GetAResponse>/);
    assert.match(r.problems.join('\n'), /namespace "urn:not-soap"/);
  });
});

describe('parseSoapResponse: faults', () => {
  it('reads a UPnPError fault with the meaning for the service', () => {
    const f = fault(parseSoapResponse(answer(500, FAULT_701), { actionName: 'Browse', serviceType: CDS }));
    assert.deepEqual(f.upnpError, { code: 701, description: 'No such object', meaning: 'No such object' });
    assert.equal(f.faultCode, 's:Client');
    assert.equal(f.faultString, 'UPnPError');
    assert.deepEqual(f.problems, []);
  });

  it('gives 701 the meaning of the service it came from', () => {
    const avt = fault(parseSoapResponse(answer(500, FAULT_701), { actionName: 'Play', serviceType: 'urn:schemas-upnp-org:service:AVTransport:1' }));
    assert.equal(avt.upnpError.meaning, 'Transition not available');
    assert.equal(avt.upnpError.description, 'No such object'); // the device's words are kept as sent
  });

  it('reads faults with other prefixes, no declaration, whitespace, and an empty description', () => {
    const xml = '\n<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">\n <SOAP-ENV:Body>\n  <SOAP-ENV:Fault>\n' +
      '   <faultcode>SOAP-ENV:Client</faultcode>\n   <faultstring>UPnPError</faultstring>\n   <detail>\n' +
      '    <u:UPnPError xmlns:u="urn:schemas-upnp-org:control-1-0">\n     <u:errorCode> 402 </u:errorCode>\n     <u:errorDescription/>\n' +
      '    </u:UPnPError>\n   </detail>\n  </SOAP-ENV:Fault>\n </SOAP-ENV:Body>\n</SOAP-ENV:Envelope>\n';
    const f = fault(parseSoapResponse(answer(500, xml), { actionName: 'Browse', serviceType: CDS }));
    assert.deepEqual(f.upnpError, { code: 402, description: '', meaning: 'Invalid Args' });
  });

  it('accepts a fault sent with HTTP 200, and a UPnPError without its namespace, noting both', () => {
    const xml = FAULT_701.replace(' xmlns="urn:schemas-upnp-org:control-1-0"', '');
    const f = fault(parseSoapResponse(answer(200, xml), { actionName: 'Browse', serviceType: CDS }));
    assert.equal(f.upnpError.code, 701);
    assert.equal(f.problems.length, 2);
    assert.match(f.problems[0]!, /HTTP 200; UDA requires 500/);
    assert.match(f.problems[1]!, /<UPnPError> is in namespace ""/);
  });

  it('explains a SOAP fault without a UPnP error code', () => {
    const xml = '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Server</faultcode><faultstring>Internal error</faultstring></s:Fault></s:Body></s:Envelope>';
    const f = failure(parseSoapResponse(answer(500, xml), { actionName: 'Browse' }));
    assert.equal(f.reason, 'fault-without-upnp-error');
    assert.equal(f.message, 'The device answered HTTP 500 with a SOAP fault without a UPnPError (no error code) (faultcode s:Server, faultstring "Internal error").');
    const bad = failure(parseSoapResponse(answer(500, FAULT_701.replace('<errorCode>701', '<errorCode>x701')), { actionName: 'Browse' }));
    assert.match(bad.message, /UPnPError code "x701" is not a number/);
  });
});

describe('parseSoapResponse: failures a user can act on', () => {
  const cases: Array<[string, SoapAnswer, string, RegExp]> = [
    ['HTML error page with 200', answer(200, '<html><body>Error</body></html>', { 'content-type': 'text/html' }), 'not-soap', /HTTP 200, but with an XML document whose top element is <html>, not a SOAP <Envelope>/],
    ['plain text with 200', answer(200, 'OK'), 'not-xml', /HTTP 200, but the answer is not XML \(it starts with "OK"/],
    ['truncated XML with 200', answer(200, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:BrowseResponse>'), 'not-xml', /not well-formed XML .*cut off/],
    ['empty 200', answer(200, ''), 'not-soap', /HTTP 200 with an empty body instead of a <BrowseResponse>; the action may or may not have run/],
    ['envelope without Body', answer(200, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"/>'), 'not-soap', /has no <Body>/],
    ['empty Body', answer(200, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>'), 'not-soap', /empty SOAP <Body> instead of a <BrowseResponse>/],
    ['500 with HTML', answer(500, '<html>oops</html>'), 'not-soap', /HTTP 500, but with an XML document whose top element is <html>/],
    ['500 with text', answer(500, 'Internal error'), 'not-xml', /HTTP 500 Internal Server Error without a SOAP fault/],
    ['500 empty', answer(500, ''), 'http-status', /HTTP 500 Internal Server Error without a UPnP error: it failed while handling the action/],
    ['500 with a response element', answer(500, '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:BrowseResponse xmlns:u="urn:x"/></s:Body></s:Envelope>'), 'http-status', /holds a <u:BrowseResponse> element, not a UPnP fault/],
    ['400', answer(400, 'Bad Request', { 'content-type': 'text/plain' }), 'http-status', /rejected the request as malformed \(HTTP 400 Bad Request\)/],
    ['403', answer(403, ''), 'http-status', /refused access \(HTTP 403 Forbidden\)/],
    ['404 HTML', answer(404, '<html><body>Not found</body></html>'), 'http-status', /control URL does not exist on the device \(HTTP 404 Not Found\)\. Refresh the device/],
    ['405', answer(405, 'Method not allowed\n'), 'http-status', /does not accept POST at this URL \(HTTP 405 Method Not Allowed\)/],
    ['412', answer(412, ''), 'http-status', /SOAPACTION header/],
    ['503', answer(503, ''), 'http-status', /busy or still starting/],
    ['302', answer(302, '', { location: 'http://elsewhere/ctl' }), 'http-status', /redirected the request \(HTTP 302 Found to http:\/\/elsewhere\/ctl\); .*not followed/],
    ['418', answer(418, 'teapot'), 'http-status', /answered HTTP 418 instead of a SOAP response or a UPnP fault/],
  ];
  for (const [name, a, reason, message] of cases) {
    it(name, () => {
      const f = failure(parseSoapResponse(a, { actionName: 'Browse', serviceType: CDS }));
      assert.equal(f.reason, reason);
      assert.match(f.message, message);
    });
  }
});

describe('UPnP error meanings', () => {
  it('knows the UDA codes for every service', () => {
    const expected: Array<[number, string]> = [
      [401, 'Invalid Action'], [402, 'Invalid Args'], [403, 'Out of Sync (deprecated)'], [501, 'Action Failed'],
      [600, 'Argument Value Invalid'], [601, 'Argument Value Out of Range'], [602, 'Optional Action Not Implemented'],
      [603, 'Out of Memory'], [604, 'Human Intervention Required'], [605, 'String Argument Too Long'],
      [606, 'Action not authorized'], [607, 'Signature failure'], [608, 'Signature missing'], [609, 'Not encrypted'],
      [610, 'Invalid sequence'], [611, 'Invalid control URL'], [612, 'No such session'],
    ];
    for (const [code, meaning] of expected) {
      assert.equal(upnpErrorMeaning(code), meaning);
      assert.equal(upnpErrorMeaning(code, 'urn:schemas-upnp-org:service:SwitchPower:1'), meaning);
    }
  });

  it('looks 7xx codes up by service, whatever the version or vendor domain', () => {
    assert.equal(upnpErrorMeaning(701, CDS), 'No such object');
    assert.equal(upnpErrorMeaning(710, 'urn:schemas-upnp-org:service:ContentDirectory:4'), 'No such container');
    assert.equal(upnpErrorMeaning(709, CDS), 'Unsupported or invalid sort criteria');
    assert.equal(upnpErrorMeaning(718, 'urn:schemas-upnp-org:service:AVTransport:3'), 'Invalid InstanceID');
    assert.equal(upnpErrorMeaning(714, 'urn:schemas-upnp-org:service:AVTransport:1'), 'Illegal MIME-type');
    assert.equal(upnpErrorMeaning(702, 'urn:schemas-upnp-org:service:RenderingControl:1'), 'Invalid InstanceID');
    assert.equal(upnpErrorMeaning(706, 'urn:schemas-upnp-org:service:ConnectionManager:1'), 'Invalid connection reference');
    assert.equal(upnpErrorMeaning(718, 'urn:schemas-upnp-org:service:WANIPConnection:2'), 'Conflict in mapping entry (the external port is mapped to another client)');
    assert.equal(upnpErrorMeaning(714, 'urn:schemas-upnp-org:service:WANPPPConnection:1'), 'No such entry in array (no such port mapping)');
    assert.equal(upnpErrorMeaning(725, 'urn:schemas-upnp-org:service:WANIPConnection:1'), 'Only permanent leases supported (use a lease duration of 0)');
    assert.equal(upnpErrorMeaning(701), undefined);
    assert.equal(upnpErrorMeaning(707, CDS), undefined); // CDS skips 707
    assert.equal(upnpErrorMeaning(701, 'urn:schemas-upnp-org:service:SwitchPower:1'), undefined);
  });

  it('names the range of codes no specification it knows defines', () => {
    assert.equal(describeUpnpErrorCode(701, 'urn:schemas-upnp-org:service:SwitchPower:1'), 'error defined by the SwitchPower service (700–799), not one the explorer knows');
    assert.equal(describeUpnpErrorCode(701), 'action-specific error (700–799)');
    assert.equal(describeUpnpErrorCode(812, CDS), 'vendor-defined error (800–899)');
    assert.equal(describeUpnpErrorCode(650), 'reserved for future UPnP use (613–699)');
    assert.equal(describeUpnpErrorCode(42), 'not a standard UPnP error code');
  });
});
