// Validate Device, the document checks: seeded violations (one per rule) are each found at the
// offending element's line; clean definitions give no finding (no false positives); the real
// captures' findings are what a device maker would be told (recorded here — a change must be
// deliberate); the HTTP header checks, with the Leica capture's Date of the year 19324; and the
// report in markdown and SARIF.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { checkDescription, checkScpd } from '../../src/core/validate/documents';
import { checkHttpHeaders, imageSize } from '../../src/core/validate/validate';
import { reportMarkdown, reportSarif } from '../../src/core/validate/report';
import type { ValidationReport } from '../../src/core/validate/model';
import { ALL_RULES } from '../../src/core/validate/rules';
import { DEVICE_TEMPLATES } from '../../src/device/templates';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const read = (...p: string[]): string => readFileSync(path.join(FIXTURES, ...p), 'utf8');
const summary = (fs: ReadonlyArray<{ rule: { id: string }; severity: string; at?: { line: number } }>): string[] => fs.map((f) => `${f.rule.id} ${f.severity} @${f.at?.line ?? '-'}`);

describe('description checks', () => {
  it('finds each seeded violation at its element', () => {
    const d = checkDescription(read('validate', 'bad-description.xml'), 'http://192.168.1.20:8080/desc.xml');
    assert.deepEqual(summary(d.findings).sort(), [
      'description/device-type error @6',
      'description/field-length warning @10',
      'description/field-length warning @7',
      'description/icon-fields error @12',
      'description/required error @5',
      'description/service-id error @17',
      'description/service-id-unique error @30',
      'description/service-type error @16',
      'description/service-urls error @22',
      'description/service-urls error @25',
      'description/spec-version error @3',
      'description/udn error @42',
      'description/udn error @9',
      'description/udn-unique error @42',
    ].sort());
    const udn = d.findings.find((f) => f.rule.id === 'description/udn')!;
    assert.deepEqual(udn.at, { url: 'http://192.168.1.20:8080/desc.xml', line: 9, column: 5, length: '<UDN>uuid:not-a-uuid</UDN>'.length });
    assert.equal(udn.evidence, '<UDN>uuid:not-a-uuid</UDN>');
    // URLBase resolves the rest; the services with an SCPDURL are listed for the live check.
    assert.equal(d.base, 'http://192.168.1.20:8080/');
    assert.deepEqual(d.services.map((s) => s.scpdUrl), ['/cds.xml', '/avt.xml']);
  });

  it('says when a UDA 1.1 description still has URLBase, and when it is not XML at all', () => {
    const v11 = read('hosting', 'basic', 'description.xml').replace('<minor>0</minor>', '<minor>1</minor>').replace('<device>', '<URLBase>http://10.0.0.2/</URLBase>\n  <device>');
    assert.deepEqual(summary(checkDescription(v11, 'http://10.0.0.2/d.xml').findings), ['description/url-base warning @4']);
    const broken = checkDescription('<root><device>', 'http://10.0.0.2/d.xml');
    assert.equal(broken.findings.length, 1);
    assert.equal(broken.findings[0]!.rule.id, 'description/well-formed');
    assert.equal(broken.findings[0]!.at?.line, 1);
  });

  it('finds nothing in clean descriptions: the templates, the Basic and IGD definitions', () => {
    for (const t of DEVICE_TEMPLATES) {
      for (const [file, text] of Object.entries(t.files).filter(([f]) => f.endsWith('.xml'))) {
        const fs = /<scpd/.test(text) ? checkScpd(text, file) : checkDescription(text, `http://h/${file}`).findings;
        // The templates' placeholder UDN is a UUID; it is replaced when served.
        assert.deepEqual(summary(fs), [], `${t.id} ${file}`);
      }
    }
    for (const dir of ['basic', 'igd']) {
      assert.deepEqual(summary(checkDescription(read('hosting', dir, 'description.xml'), 'http://h/description.xml').findings), [], dir);
    }
    for (const scpd of ['basic/scpd/jambon.xml', 'igd/scpd/l3f.xml', 'igd/scpd/wancic.xml', 'igd/scpd/wanip.xml']) {
      assert.deepEqual(summary(checkScpd(read('hosting', ...scpd.split('/')), scpd)), [], scpd);
    }
  });

  it('tells the real devices of the captures what a device maker should hear (recorded)', () => {
    const messages = (fs: ReadonlyArray<{ rule: { id: string }; severity: string; message: string }>) => fs.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`);
    assert.deepEqual(messages(checkDescription(read('minidlna', 'description.xml'), 'http://h/rootDesc.xml').findings), [
      'description/field-length warning: modelName has 43 characters (UDA: fewer than 32).',
    ]);
    assert.deepEqual(messages(checkDescription(read('network-light', 'description.xml'), 'http://h/d.xml').findings), [
      'description/service-id warning: serviceId "urn:upnp-org:serviceId:SwitchPower:1" has a colon in its last part: control points that split it at colons read another id.',
      'description/service-id warning: serviceId "urn:upnp-org:serviceId:Dimming:1" has a colon in its last part: control points that split it at colons read another id.',
    ]);
    // The capture's UDN is redacted with x's: not a UUID, and said so.
    assert.deepEqual(messages(checkDescription(read('leica', 'description.xml'), 'http://h/ddd').findings), [
      'description/udn error: UDN "uuid:4Dxxxxxx-0100-1000-8000-DCxxxxxxxx09" is not "uuid:" and a UUID.',
    ]);
    for (const f of ['scpd-ConnectionManager_1.xml', 'scpd-ContentDirectory_1.xml', 'scpd-X_MS_MediaReceiverRegistrar_1.xml']) assert.deepEqual(checkScpd(read('minidlna', f), f), [], f);
    for (const f of ['scpd-Dimming_1.xml', 'scpd-SwitchPower_1.xml']) assert.deepEqual(checkScpd(read('network-light', f), f), [], f);
  });
});

describe('SCPD checks', () => {
  it('finds each seeded violation at its element', () => {
    assert.deepEqual(summary(checkScpd(read('validate', 'bad-scpd.xml'), 'http://h/scpd.xml')).sort(), [
      'scpd/a-arg-type-evented warning @29',
      'scpd/allowed-list-type warning @32',
      'scpd/argument-order warning @9',
      'scpd/data-type error @27',
      'scpd/default-value error @22',
      'scpd/default-value error @37',
      'scpd/duplicate-name error @11',
      'scpd/duplicate-name error @15',
      'scpd/duplicate-name error @51',
      'scpd/range-order error @23',
      'scpd/range-order error @23',
      'scpd/range-type error @43',
      'scpd/range-type error @48',
      'scpd/related-variable error @10',
    ].sort());
  });

  it('lists a rule\'s first 100 findings in a document and counts the rest in one more, at their positions', () => {
    // A hostile SCPD: 5,000 self-closed arguments without relatedStateVariable, on one line.
    const xml = '<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><actionList><action><name>A</name><argumentList>'
      + '<argument/>'.repeat(5000) + '</argumentList></action></actionList><serviceStateTable/></scpd>';
    const findings = checkScpd(xml, 'http://h/s.xml').filter((f) => f.rule.id === 'scpd/related-variable');
    assert.equal(findings.length, 101);
    assert.deepEqual(findings[100]!.message, '4900 more findings of this rule in http://h/s.xml are not listed (the first 100 are).');
    assert.equal(findings[100]!.severity, 'info');
    const first = xml.indexOf('<argument/>') + 1;
    assert.deepEqual(findings.slice(0, 3).map((f) => [f.at?.line, f.at?.column, f.at?.length, f.evidence]), [[1, first, 11, '<argument/>'], [1, first + 11, 11, '<argument/>'], [1, first + 22, 11, '<argument/>']]);
  });

  it('every rule has a seeded violation somewhere in this suite or the live one', () => {
    const seeded = new Set([
      ...checkDescription(read('validate', 'bad-description.xml'), 'http://h/d.xml').findings,
      ...checkScpd(read('validate', 'bad-scpd.xml'), 'http://h/s.xml'),
    ].map((f) => f.rule.id));
    // Checked elsewhere: the live checks (test/integration/validate.test.ts) and the cases above.
    const live = [
      // test/integration/validate-discovery.test.ts and validate.test.ts (a device for each stage)
      // (and test/unit/validate-notifies.test.ts for NOTIFYs)
      'discovery/answered', 'discovery/notify', 'discovery/notify-set', 'discovery/st-echo', 'discovery/usn', 'discovery/cache-control', 'discovery/location', 'discovery/ext', 'discovery/server', 'discovery/bootid-configid', 'discovery/mx', 'discovery/unicast',
      'control/unknown-action', 'control/missing-arguments', 'control/fault-shape',
      'eventing/subscribe', 'eventing/initial-event', 'eventing/renew', 'eventing/unsubscribe',
      'content/browse', 'content/resource-loads', 'content/resource-type', 'content/http-date', 'content/resource-size', 'content/byte-range',
      'description/well-formed', 'description/url-base', 'description/content-type', 'description/http-date', 'description/scpd-loads', 'description/icon-loads', 'description/root', 'scpd/well-formed', 'scpd/root'];
    for (const r of ALL_RULES) assert.ok(seeded.has(r.id) || live.includes(r.id), `no seeded violation of ${r.id}`);
  });
});

describe('HTTP headers of the description', () => {
  const NOW = Date.UTC(2026, 10, 28);
  it('accepts text/xml; charset="utf-8" and an RFC 1123 date', () => {
    assert.deepEqual(checkHttpHeaders({ 'content-type': 'text/xml; charset="utf-8"', date: 'Sat, 28 Nov 2026 12:00:00 GMT' }, 'http://h/d', NOW), []);
  });

  it('flags the Leica capture\'s Date of the year 19324, a date of another form, and other content types', () => {
    const fs = checkHttpHeaders({ 'content-type': 'application/octet-stream', date: 'Fri, 31 Mar 19324 11:47:28 GMT' }, 'http://h/d', NOW);
    assert.deepEqual(fs.map((f) => `${f.rule.id} ${f.severity}: ${f.message}`), [
      'description/content-type warning: The description is served as "application/octet-stream".',
      'description/http-date warning: Date "Fri, 31 Mar 19324 11:47:28 GMT" says the year 19324.',
    ]);
    assert.match(checkHttpHeaders({ 'content-type': 'text/xml', date: 'Thu, 01 Jan 1970 00:00:00 GMT' }, 'http://h/d', NOW).map((f) => f.message).join('\n'), /names no charset utf-8[\s\S]*says the year 1970/);
    assert.equal(checkHttpHeaders({ 'content-type': 'text/xml; charset=utf-8', date: '2026-11-28T12:00:00Z' }, 'http://h/d', NOW)[0]!.message, 'Date "2026-11-28T12:00:00Z" is not an RFC 1123 date.');
  });
});

describe('image sizes for the icon check', () => {
  it('reads PNG, GIF and JPEG headers', () => {
    const png = Buffer.alloc(24); png.writeUInt32BE(0x89504e47, 0); png.writeUInt32BE(48, 16); png.writeUInt32BE(32, 20);
    assert.deepEqual(imageSize(png), { width: 48, height: 32 });
    const gif = Buffer.from('GIF89a\x10\x00\x20\x00', 'latin1');
    assert.deepEqual(imageSize(gif), { width: 16, height: 32 });
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x78, 0x00, 0xa0, 0x03]);
    assert.deepEqual(imageSize(jpeg), { width: 160, height: 120 });
    assert.equal(imageSize(Buffer.from('BM')), undefined);
  });
});

describe('the report', () => {
  const d = checkDescription(read('validate', 'bad-description.xml'), 'http://192.168.1.20:8080/desc.xml');
  const report: ValidationReport = { location: 'http://192.168.1.20:8080/desc.xml', friendlyName: 'A `tricky` *name*', startedAt: '2026-11-28T12:00:00.000Z', elapsedMs: 12, stages: ['description'], findings: d.findings, documents: new Map() };

  it('in markdown: grouped by stage, a summary line per stage, device strings unable to format', () => {
    const md = reportMarkdown(report);
    assert.match(md, /^# UPnP validation: `A 'tricky' \*name\*`$/m);
    assert.match(md, /^- Result: 12 errors, 2 warnings, 0 notes$/m);
    assert.match(md, /^## Description\n\n12 errors, 2 warnings, 0 notes\n/m);
    assert.match(md, /^## Service descriptions \(SCPD\)\n\nNot run\.$/m);
    assert.match(md, /^- \*\*error\*\* UDN "uuid:not-a-uuid" is not "uuid:" and a UUID\. — `http:\/\/192\.168\.1\.20:8080\/desc\.xml` line 9, column 5$/m);
  });

  it('in SARIF 2.1.0: every rule, each result with its region', () => {
    const sarif = reportSarif(report) as { version: string; runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number } } }> }> }> };
    assert.equal(sarif.version, '2.1.0');
    assert.equal(sarif.runs[0]!.tool.driver.rules.length, ALL_RULES.length);
    const udn = sarif.runs[0]!.results.find((r) => r.ruleId === 'description/udn')!;
    assert.equal(udn.level, 'error');
    assert.deepEqual(udn.locations[0]!.physicalLocation.region, { startLine: 9, startColumn: 5, endColumn: 31 });
    assert.equal(sarif.runs[0]!.results.filter((r) => r.level === 'warning').length, 2);
  });
});
