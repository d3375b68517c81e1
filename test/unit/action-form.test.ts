// The action form's pure parts: the shared message protocol's guards, SCPD -> form fields,
// outcome -> result view, and the bounded invocation history.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isHostMessage, isWebviewMessage } from '../../src/protocol/actionForm';
import type { ExtraArgInput } from '../../src/protocol/actionForm';
import { buildFormModel, extraArgProblems, fieldFor, initialValues } from '../../src/host/actions/formModel';
import { argsText, resultSummary, toResultView } from '../../src/host/actions/resultView';
import { RawExchanges, addHistoryEntry, allHistory, findHistoryEntry, readHistoryStore } from '../../src/host/actions/history';
import type { HistoryEntry } from '../../src/host/actions/history';
import { parseScpd } from '../../src/core/description/scpd';
import type { Action, ServiceScpd } from '../../src/core/description/model';
import { CDS_SCPD } from '../devices/camera-data/scpd';

const fixtures = join(__dirname, '..', 'fixtures');
const cds: ServiceScpd = parseScpd(CDS_SCPD, 'http://camera/Server0/CDS_SCPD');
const dimming: ServiceScpd = parseScpd(readFileSync(join(fixtures, 'network-light', 'scpd-Dimming_1.xml'), 'utf8'), 'http://light/Dimming.xml');
const switchPower: ServiceScpd = parseScpd(readFileSync(join(fixtures, 'network-light', 'scpd-SwitchPower_1.xml'), 'utf8'), 'http://light/SwitchPower.xml');
const action = (scpd: ServiceScpd, name: string): Action => {
  const found = scpd.actions.find((a) => a.name === name);
  assert.ok(found, `no action ${name}`);
  return found;
};
const LEICA: ExtraArgInput = { prefix: 'leica', namespaceUri: 'urn:schemas-leica-com:leica', name: 'X_FromCP', value: 'Leica Q3' };

function browseForm(): ReturnType<typeof buildFormModel> {
  return buildFormModel({
    actionKey: 'k', action: action(cds, 'Browse'), scpd: cds, serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1',
    serviceLabel: 'ContentDirectory', deviceLabel: 'LEICA Q3', controlUrl: 'http://10.0.0.1/Server0/CDS_control',
  });
}

describe('action form protocol guards', () => {
  it('accepts every well-formed webview message', async () => {
    for (const m of [
      { type: 'ready' }, { type: 'cancel' }, { type: 'openRaw' }, { type: 'copyCurl' }, { type: 'rerun', id: 'a1' },
      { type: 'invoke', values: { ObjectID: '0' }, extras: [LEICA] },
      { type: 'invoke', values: {}, extras: [] },
    ]) assert.equal(isWebviewMessage(m), true, JSON.stringify(m));
  });

  it('rejects malformed webview messages instead of acting on them', async () => {
    for (const m of [
      null, 'ready', [], {}, { type: 'launch' }, { type: 'rerun' }, { type: 'rerun', id: 3 },
      { type: 'invoke', values: { ObjectID: 0 }, extras: [] },
      { type: 'invoke', values: { ObjectID: '0' } },
      { type: 'invoke', values: [], extras: [] },
      { type: 'invoke', values: {}, extras: [{ name: 'X', value: 'v', prefix: 'p' }] },
    ]) assert.equal(isWebviewMessage(m), false, JSON.stringify(m));
  });

  it('checks host messages, including each result kind', async () => {
    const form = browseForm();
    assert.equal(isHostMessage({ type: 'init', form, values: { ObjectID: '0' }, extras: [LEICA], history: [] }), true);
    assert.equal(isHostMessage({ type: 'running' }), true);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'ok', outputs: [{ name: 'N', dataType: 'ui4', value: '2' }], problems: [] }, raw: 'POST /' }), true);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'fault', code: 701, description: 'No such object', meaning: 'No such object', httpStatus: 500, problems: [] } }), true);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'failure', reason: 'timeout', message: 'late' } }), true);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'fault', code: '701' } }), false);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'ok', outputs: [{ name: 'N', value: 2 }], problems: [] } }), false);
    assert.equal(isHostMessage({ type: 'result', result: { kind: 'failure', message: 'x' }, raw: 5 }), false);
    assert.equal(isHostMessage({ type: 'init', form, values: {}, extras: 'leica', history: [] }), false);
    assert.equal(isHostMessage({ type: 'ready' }), false);
  });

  it('survives structured cloning unchanged (what postMessage does)', async () => {
    const m = { type: 'init', form: browseForm(), values: initialValues(browseForm(), undefined), extras: [LEICA], history: [] };
    assert.deepEqual(structuredClone(m), m);
    assert.equal(isHostMessage(structuredClone(m)), true);
  });
});

describe('buildFormModel', () => {
  it("Browse: one field per in-argument in SCPD order, typed by the related state variable", async () => {
    const form = browseForm();
    assert.equal(form.title, 'Browse — ContentDirectory — LEICA Q3');
    assert.deepEqual(form.fields.map((f) => [f.name, f.dataType, f.input]), [
      ['ObjectID', 'string', 'text'],
      ['BrowseFlag', 'string', 'choice'],
      ['Filter', 'string', 'text'],
      ['StartingIndex', 'ui4', 'integer'],
      ['RequestedCount', 'ui4', 'integer'],
      ['SortCriteria', 'string', 'text'],
    ]);
    const flag = form.fields[1]!;
    assert.deepEqual(flag.allowedValues, ['BrowseMetadata', 'BrowseDirectChildren']);
    assert.equal(flag.hint, 'allowed: BrowseMetadata, BrowseDirectChildren (other values are sent too)');
    assert.equal(form.fields[0]!.hint, '');
    const index = form.fields[3]!;
    assert.equal(index.minimum, '0');
    assert.equal(index.maximum, '4294967295');
    assert.equal(index.hint, 'whole number between 0 and 4294967295');
    assert.deepEqual(form.outputs, [
      { name: 'Result', dataType: 'string' }, { name: 'NumberReturned', dataType: 'ui4' },
      { name: 'TotalMatches', dataType: 'ui4' }, { name: 'UpdateID', dataType: 'ui4' },
    ]);
  });

  it("Dimming's SetLoadLevelTarget: ui1 limited by the allowedValueRange", async () => {
    const field = fieldFor(action(dimming, 'SetLoadLevelTarget').arguments[0]!, dimming);
    assert.equal(field.input, 'integer');
    assert.equal(field.dataType, 'ui1');
    assert.equal(field.minimum, '0');
    assert.equal(field.maximum, '100');
    assert.match(field.hint, /between 0 and 100/);
  });

  it("SwitchPower's SetTarget: a boolean becomes a checkbox whose default is sent as 0/1", async () => {
    const field = fieldFor(action(switchPower, 'SetTarget').arguments[0]!, switchPower);
    assert.equal(field.input, 'checkbox');
    assert.equal(field.kind, 'boolean');
    assert.ok(field.defaultValue === '0' || field.defaultValue === '1', field.defaultValue);
  });

  it('types every UPnP kind and keeps SCPD defaults', async () => {
    const scpd = parseScpd(`<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
      <actionList><action><name>All</name><argumentList>
        <argument><name>When</name><direction>in</direction><relatedStateVariable>T</relatedStateVariable></argument>
        <argument><name>Gain</name><direction>in</direction><relatedStateVariable>G</relatedStateVariable></argument>
        <argument><name>On</name><direction>in</direction><relatedStateVariable>B</relatedStateVariable></argument>
        <argument><name>CurrentURIMetaData</name><direction>in</direction><relatedStateVariable>M</relatedStateVariable></argument>
        <argument><name>Blob</name><direction>in</direction><relatedStateVariable>X</relatedStateVariable></argument>
        <argument><name>Ghost</name><direction>in</direction><relatedStateVariable>Missing</relatedStateVariable></argument>
      </argumentList></action></actionList>
      <serviceStateTable>
        <stateVariable sendEvents="no"><name>T</name><dataType>dateTime.tz</dataType></stateVariable>
        <stateVariable sendEvents="no"><name>G</name><dataType>r8</dataType><defaultValue>1.5</defaultValue></stateVariable>
        <stateVariable sendEvents="no"><name>B</name><dataType>boolean</dataType><defaultValue>true</defaultValue></stateVariable>
        <stateVariable sendEvents="no"><name>M</name><dataType>string</dataType></stateVariable>
        <stateVariable sendEvents="no"><name>X</name><dataType>bin.base64</dataType></stateVariable>
      </serviceStateTable></scpd>`, 'http://x/scpd.xml');
    const form = buildFormModel({ actionKey: 'k', action: action(scpd, 'All'), scpd, serviceType: 'urn:x:service:X:1', serviceLabel: 'X', deviceLabel: 'D', controlUrl: 'http://x/c' });
    const by = Object.fromEntries(form.fields.map((f) => [f.name, f]));
    assert.equal(by.When!.format, 'YYYY-MM-DDThh:mm:ss±hh:mm');
    assert.equal(by.Gain!.input, 'decimal');
    assert.equal(by.Gain!.defaultValue, '1.5');
    assert.equal(by.On!.defaultValue, '1');
    assert.equal(by.CurrentURIMetaData!.input, 'multiline');
    assert.equal(by.Blob!.kind, 'bin.base64');
    assert.equal(by.Ghost!.kind, 'unknown');
    assert.equal(by.Ghost!.variable, undefined);
    assert.match(by.Ghost!.hint, /no state variable "Missing"/);
  });

  it('starts from defaults overlaid by the values last used, ignoring arguments the action no longer has', async () => {
    const form = browseForm();
    const values = initialValues(form, { ObjectID: '01010972', Gone: 'x' });
    assert.equal(values.ObjectID, '01010972');
    assert.equal(values.BrowseFlag, '');
    assert.equal(Object.hasOwn(values, 'Gone'), false);
  });

  it('explains unusable vendor arguments before anything is sent', async () => {
    const form = browseForm();
    assert.deepEqual(extraArgProblems([LEICA], form), []);
    assert.deepEqual(extraArgProblems([{ prefix: '', namespaceUri: '', name: 'X_Plain', value: '1' }], form), []);
    assert.match(extraArgProblems([{ ...LEICA, name: 'bad name' }], form).join(), /must start with a letter/);
    assert.match(extraArgProblems([{ ...LEICA, namespaceUri: '' }], form).join(), /both a namespace prefix and a namespace URI/);
    assert.match(extraArgProblems([{ prefix: '', namespaceUri: '', name: 'ObjectID', value: '1' }], form).join(), /name of a declared argument/);
  });
});

describe('toResultView', () => {
  const browse = action(cds, 'Browse');
  const didl = '<DIDL-Lite xmlns="urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/" xmlns:dc="http://purl.org/dc/elements/1.1/"><item id="7" parentID="0"><dc:title>A</dc:title><res protocolInfo="http-get:*:image/jpeg:*">http://c/7.jpg</res></item></DIDL-Lite>';

  it('types outputs from the SCPD, pretty-prints XML values and decodes DIDL-Lite', async () => {
    const view = await toResultView({ kind: 'ok', outputs: [{ name: 'Result', value: didl }, { name: 'NumberReturned', value: '1' }, { name: 'X_Extra', value: 'v' }], problems: ['p'] }, browse, cds);
    assert.equal(view.kind, 'ok');
    if (view.kind !== 'ok') return;
    assert.deepEqual(view.outputs.map((o) => [o.name, o.dataType]), [['Result', 'string'], ['NumberReturned', 'ui4'], ['X_Extra', '']]);
    assert.match(view.outputs[0]!.prettyXml!, /^<DIDL-Lite [^\n]*>\n {2}<item id="7" parentID="0">\n {4}<dc:title>A<\/dc:title>/);
    assert.deepEqual(view.outputs[0]!.didlLines, ['item 7 "A" · in 0', '  res image: JPEG image · image/jpeg', '    http://c/7.jpg', '    protocolInfo: http-get:*:image/jpeg:*']);
    assert.equal(view.outputs[1]!.prettyXml, undefined);
    assert.deepEqual(view.problems, ['p']);
    assert.equal(resultSummary(view), 'OK');
  });

  it('keeps a fault’s code, the device’s words and the standard meaning', async () => {
    const view = await toResultView({ kind: 'fault', upnpError: { code: 701, description: 'No such object', meaning: 'No such object' }, httpStatus: 500, problems: [] }, browse, cds);
    assert.deepEqual(view, { kind: 'fault', code: 701, description: 'No such object', meaning: 'No such object', httpStatus: 500, problems: [] });
    assert.equal(resultSummary(view), 'Fault 701 No such object');
  });

  it('tells a cancelled request from other failures', async () => {
    assert.equal((await toResultView({ kind: 'failure', reason: 'aborted', message: 'Request to … was cancelled.' }, browse, cds)).kind, 'cancelled');
    const timeout = await toResultView({ kind: 'failure', reason: 'timeout', message: 'http://x did not answer within 10 s' }, browse, cds);
    assert.equal(timeout.kind, 'failure');
    assert.equal(resultSummary(timeout), 'Failed: http://x did not answer within 10 s');
  });

  it('summarises arguments for the history, vendor ones with their prefix', async () => {
    assert.equal(argsText({ ObjectID: '0', BrowseFlag: 'BrowseDirectChildren' }, [LEICA]), 'ObjectID=0, BrowseFlag=BrowseDirectChildren, leica:X_FromCP=Leica Q3');
    assert.equal(argsText({ A: 'x'.repeat(300) }, [], 20).length, 20);
  });
});

describe('invocation history', () => {
  const entry = (id: string, deviceId: string, at: string): HistoryEntry => ({
    id, at, deviceId, deviceLabel: deviceId, serviceKey: 's', serviceLabel: 'CDS', actionName: 'Browse',
    values: { ObjectID: '0' }, extras: [LEICA], summary: 'OK', ok: true, argsText: 'ObjectID=0',
  });

  it('keeps entries per device, newest first, bounded per device and in devices', async () => {
    const limits = { perDevice: 2, devices: 2 };
    let store = {};
    store = addHistoryEntry(store, entry('a', 'cam', '2026-01-01T00:00:01Z'), limits);
    store = addHistoryEntry(store, entry('b', 'cam', '2026-01-01T00:00:02Z'), limits);
    store = addHistoryEntry(store, entry('c', 'cam', '2026-01-01T00:00:03Z'), limits);
    assert.deepEqual(allHistory(store).map((e) => e.id), ['c', 'b']);
    store = addHistoryEntry(store, entry('d', 'light', '2026-01-01T00:00:04Z'), limits);
    store = addHistoryEntry(store, entry('e', 'tv', '2026-01-01T00:00:05Z'), limits);
    assert.deepEqual(Object.keys(store).sort(), ['light', 'tv']);
    assert.equal(findHistoryEntry(store, 'e')?.deviceId, 'tv');
    assert.equal(findHistoryEntry(store, 'c'), undefined);
  });

  it('reads stored state defensively, dropping malformed entries', async () => {
    const good = entry('a', 'cam', '2026-01-01T00:00:01Z');
    const store = readHistoryStore({ cam: [good, { id: 'x' }, null], tv: 'nope', light: [] });
    assert.deepEqual(store, { cam: [good] });
    assert.deepEqual(readHistoryStore(undefined), {});
    assert.deepEqual(readHistoryStore([good]), {});
  });
});

describe('raw exchanges of the session', () => {
  it('keeps the newest within the entry, size and total limits, oldest dropped first', () => {
    const raws = new RawExchanges({ maxEntries: 3, maxChars: 10, maxTotalChars: 25 });
    raws.set('a', 'POST 1');
    raws.set('b', 'POST 2');
    raws.set('c', 'POST 3');
    raws.set('d', 'POST 4');
    assert.equal(raws.has('a'), false, 'the oldest went past 3 entries');
    assert.deepEqual(['b', 'c', 'd'].map((id) => raws.get(id)), ['POST 2', 'POST 3', 'POST 4']);
    raws.set('e', 'x'.repeat(50));
    assert.match(raws.get('e')!, /^x{10}\n\n\[… 40 more characters not kept\]\n$/);
    assert.ok(raws.totalChars <= 25 || raws.size === 1, `${raws.totalChars} chars in ${raws.size}`);
    assert.equal(raws.has('e'), true, 'the newest is kept even when it alone passes the total');
    raws.set('d', 'again');
    assert.equal(raws.get('d'), 'again');
  });
});
