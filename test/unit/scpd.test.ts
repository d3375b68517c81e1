import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScpdError, parseScpd } from '../../src/core/description/scpd';
import { findStateVariable } from '../../src/core/description/lookup';
import type { Problem, ServiceScpd } from '../../src/core/description/model';

const fixtures = join(__dirname, '..', 'fixtures');
const fixture = (path: string): string => readFileSync(join(fixtures, path), 'utf8');
const messages = (problems: readonly Problem[]): string[] => problems.map((p) => `${p.severity}: ${p.message}`);

function scpdError(fn: () => unknown): ScpdError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ScpdError, `expected ScpdError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an ScpdError');
}

/** `name:direction:type` for each argument, the type looked up through its related state variable. */
function signature(scpd: ServiceScpd, action: string): string[] {
  const found = scpd.actions.find((a) => a.name === action);
  assert.ok(found, `action ${action} missing`);
  return found.arguments.map((a) => `${a.name}:${a.direction}:${findStateVariable(scpd, a.relatedStateVariable)?.dataType ?? '?'}`);
}

describe('parseScpd: minidlna ContentDirectory', () => {
  const scpd = parseScpd(fixture('minidlna/scpd-ContentDirectory_1.xml'), 'http://127.0.0.1:8200/ContentDir.xml');

  it('lists every action and state variable', () => {
    assert.deepEqual(scpd.specVersion, { major: 1, minor: 0 });
    assert.deepEqual(scpd.actions.map((a) => a.name),
      ['GetSearchCapabilities', 'GetSortCapabilities', 'GetSystemUpdateID', 'Browse', 'Search', 'UpdateObject']);
    assert.equal(scpd.stateVariables.length, 14);
    assert.deepEqual(scpd.problems, []);
  });

  it('Browse has 6 in and 4 out arguments, typed through their related state variables', () => {
    assert.deepEqual(signature(scpd, 'Browse'), [
      'ObjectID:in:string', 'BrowseFlag:in:string', 'Filter:in:string', 'StartingIndex:in:ui4', 'RequestedCount:in:ui4', 'SortCriteria:in:string',
      'Result:out:string', 'NumberReturned:out:ui4', 'TotalMatches:out:ui4', 'UpdateID:out:ui4',
    ]);
    const browse = scpd.actions.find((a) => a.name === 'Browse')!;
    assert.equal(browse.arguments.filter((a) => a.direction === 'in').length, 6);
    assert.equal(browse.arguments.filter((a) => a.direction === 'out').length, 4);
    assert.deepEqual(browse.arguments[3], { name: 'StartingIndex', direction: 'in', relatedStateVariable: 'A_ARG_TYPE_Index', retval: false });
  });

  it('BrowseFlag allows exactly BrowseMetadata and BrowseDirectChildren', () => {
    assert.deepEqual(findStateVariable(scpd, 'A_ARG_TYPE_BrowseFlag'), {
      name: 'A_ARG_TYPE_BrowseFlag',
      dataType: 'string',
      extendedType: undefined,
      sendEvents: false,
      multicast: false,
      defaultValue: undefined,
      allowedValues: ['BrowseMetadata', 'BrowseDirectChildren'],
      allowedValueRange: undefined,
    });
  });

  it('reads sendEvents per variable', () => {
    const evented = scpd.stateVariables.filter((v) => v.sendEvents).map((v) => v.name);
    assert.deepEqual(evented, ['TransferIDs', 'SystemUpdateID']);
  });
});

describe('parseScpd: other captured services parse without problems', () => {
  for (const file of ['minidlna/scpd-ConnectionManager_1.xml', 'minidlna/scpd-X_MS_MediaReceiverRegistrar_1.xml', 'network-light/scpd-SwitchPower_1.xml']) {
    it(file, () => {
      const scpd = parseScpd(fixture(file), `http://127.0.0.1/${file}`);
      assert.deepEqual(messages(scpd.problems), []);
      assert.equal(scpd.actions.length, 3);
    });
  }

  it('ConnectionManager: allowed values of A_ARG_TYPE_Direction and i4 connection IDs', () => {
    const scpd = parseScpd(fixture('minidlna/scpd-ConnectionManager_1.xml'), 'http://127.0.0.1:8200/ConnectionMgr.xml');
    assert.deepEqual(findStateVariable(scpd, 'A_ARG_TYPE_Direction')?.allowedValues, ['Input', 'Output']);
    assert.equal(findStateVariable(scpd, 'A_ARG_TYPE_ConnectionID')?.dataType, 'i4');
  });

  it('SwitchPower: argument order within <argument> does not matter', () => {
    const scpd = parseScpd(fixture('network-light/scpd-SwitchPower_1.xml'), 'http://127.0.0.1:49400/xml/SwitchPower-scpd.xml');
    assert.deepEqual(signature(scpd, 'SetTarget'), ['newTargetValue:in:boolean']);
    assert.deepEqual(signature(scpd, 'GetStatus'), ['ResultStatus:out:boolean']);
    assert.equal(findStateVariable(scpd, 'Status')?.sendEvents, true);
    assert.equal(findStateVariable(scpd, 'Target')?.defaultValue, '0');
  });
});

describe('parseScpd: gupnp Dimming', () => {
  const scpd = parseScpd(fixture('network-light/scpd-Dimming_1.xml'), 'http://127.0.0.1:49400/xml/Dimming-scpd.xml');

  it('reads allowedValueRange, defaultValue and sendEvents', () => {
    const target = findStateVariable(scpd, 'LoadLevelTarget')!;
    assert.deepEqual(target.allowedValueRange, { minimum: '0', maximum: '100' });
    assert.equal(target.dataType, 'ui1');
    assert.equal(target.defaultValue, '0');
    assert.equal(target.sendEvents, false);
    assert.equal(findStateVariable(scpd, 'LoadLevelStatus')!.sendEvents, true);
    assert.deepEqual(scpd.problems, []);
  });

  it('reads <retval/> on out arguments', () => {
    const get = scpd.actions.find((a) => a.name === 'GetLoadLevelTarget')!;
    assert.deepEqual(get.arguments, [{ name: 'retLoadlevelTarget', direction: 'out', relatedStateVariable: 'LoadLevelTarget', retval: true }]);
    const set = scpd.actions.find((a) => a.name === 'SetLoadLevelTarget')!;
    assert.equal(set.arguments[0]!.retval, false);
  });
});

describe('parseScpd: faults become problems', () => {
  const scpd = parseScpd(fixture('malformed/bad-scpd.xml'), 'http://10.0.0.9/RenderingControl.xml');

  it('bad direction is treated as in; unknown related variable, nameless argument and action are reported', () => {
    assert.deepEqual(scpd.actions.map((a) => a.name), ['SetVolume', 'GetMute']);
    assert.deepEqual(scpd.actions[0]!.arguments.map((a) => `${a.name}:${a.direction}`), ['InstanceID:in', 'Channel:in', 'DesiredVolume:in']);
    assert.deepEqual(scpd.actions[1]!.arguments, [{ name: 'CurrentMute', direction: 'out', relatedStateVariable: 'Mute', retval: true }]);
  });

  it('state variables: odd sendEvents, half a range, missing dataType, extended type, multicast', () => {
    assert.deepEqual(scpd.stateVariables.map((v) => v.name), ['A_ARG_TYPE_InstanceID', 'Volume', 'Mute', 'LastChange']);
    const volume = findStateVariable(scpd, 'Volume')!;
    assert.equal(volume.sendEvents, true);
    assert.equal(volume.allowedValueRange, undefined);
    assert.equal(volume.defaultValue, '20');
    const mute = findStateVariable(scpd, 'Mute')!;
    assert.equal(mute.dataType, 'boolean');
    assert.equal(mute.extendedType, 'xsd:boolean');
    assert.equal(mute.multicast, true);
    assert.equal(findStateVariable(scpd, 'LastChange')!.dataType, 'string');
  });

  it('says what is wrong, in words', () => {
    assert.deepEqual(messages(scpd.problems), [
      'warning: State variable Volume: sendEvents is "maybe" (expected "yes" or "no"); using "yes".',
      'warning: State variable Volume has an <allowedValueRange> without <maximum>; the range is ignored.',
      'warning: State variable LastChange has no <dataType>; treated as string.',
      'warning: State variable 5 has no <name>; skipped.',
      'warning: Action SetVolume: argument Channel has direction "input" (expected "in" or "out"); treated as "in".',
      'warning: Action SetVolume: argument Channel refers to state variable A_ARG_TYPE_Channel, which the service state table does not declare; its type is unknown.',
      'warning: Action SetVolume: argument 4 has no <name>; skipped.',
      'warning: Action 2 has no <name>; it cannot be invoked and was skipped.',
    ]);
  });

  it('reads a step, a missing state table and the old sendEventsAttribute element', () => {
    const s = parseScpd('<scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
      '<actionList><action><name>Get</name><argumentList><argument><name>V</name><direction>out</direction>' +
      '<relatedStateVariable>V</relatedStateVariable></argument></argumentList></action></actionList></scpd>', 'http://h/s.xml');
    assert.deepEqual(messages(s.problems), [
      'warning: No <serviceStateTable>; argument types are unknown.',
      'warning: Action Get: argument V refers to state variable V, which the service state table does not declare; its type is unknown.',
    ]);
    const old = parseScpd('<scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>' +
      '<serviceStateTable><stateVariable><sendEventsAttribute>no</sendEventsAttribute><name>L</name><dataType>ui2</dataType>' +
      '<allowedValueRange><minimum>0</minimum><maximum>10</maximum><step>2</step></allowedValueRange></stateVariable></serviceStateTable></scpd>', 'http://h/s.xml');
    assert.deepEqual(old.problems, []);
    assert.deepEqual(old.actions, []);
    assert.equal(old.stateVariables[0]!.sendEvents, false);
    assert.deepEqual(old.stateVariables[0]!.allowedValueRange, { minimum: '0', maximum: '10', step: '2' });
  });

  it('wrong namespace is a warning', () => {
    const s = parseScpd('<scpd xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><serviceStateTable/></scpd>', 'http://h/s.xml');
    assert.deepEqual(messages(s.problems), ['warning: <scpd> is in namespace "urn:schemas-upnp-org:device-1-0", not "urn:schemas-upnp-org:service-1-0"; read it anyway.']);
  });
});

describe('parseScpd: unusable documents throw ScpdError', () => {
  it('truncated', () => {
    const err = scpdError(() => parseScpd(fixture('malformed/truncated-scpd.xml'), 'http://127.0.0.1:8200/ContentDir.xml'));
    assert.equal(err.message, 'SCPD at http://127.0.0.1:8200/ContentDir.xml is not well-formed XML (line 2, column 678: the document ends while ' +
      '<scpd>, <actionList>, <action>, <argumentList>, <argument> and <relatedStateVariable> are still open; was it cut off?).');
    assert.equal(err.url, 'http://127.0.0.1:8200/ContentDir.xml');
  });

  it('a device description where the SCPD was expected', () => {
    assert.equal(scpdError(() => parseScpd(fixture('minidlna/description.xml'), 'http://h/s.xml')).message,
      "SCPD at http://h/s.xml is not a service description: its top element is <root>, not <scpd>. Check the service's SCPDURL in the device description.");
  });

  it('empty and not XML', () => {
    assert.equal(scpdError(() => parseScpd('', 'http://h/s.xml')).message, 'SCPD at http://h/s.xml is empty (the device sent no content).');
    assert.match(scpdError(() => parseScpd('{"error":"nope"}', 'http://h/s.xml')).message, /^SCPD at http:\/\/h\/s\.xml is not XML \(it starts with "\{"error":"nope"\}", not with '<'\)\.$/);
  });
});
