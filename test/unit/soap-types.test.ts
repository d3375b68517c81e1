import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { typeHint, typeKind, validateArguments, validateValue } from '../../src/core/soap/types';
import type { StateVariable } from '../../src/core/description/model';
import { parseScpd } from '../../src/core/description/scpd';
import { findStateVariable } from '../../src/core/description/lookup';

const v = (dataType: string, extra: Partial<StateVariable> = {}): StateVariable =>
  ({ name: 'V', dataType, sendEvents: false, multicast: false, ...extra });

/** Asserts the value is accepted and returns what would be sent. */
function accepted(value: string, variable: StateVariable, warnings: readonly string[] = []): string {
  const r = validateValue(value, variable);
  assert.ok(r.ok, `${JSON.stringify(value)} as ${variable.dataType}: ${r.ok ? '' : r.message}`);
  assert.deepEqual(r.warnings, warnings, `warnings for ${JSON.stringify(value)}`);
  return r.normalized;
}
function refused(value: string, variable: StateVariable): string {
  const r = validateValue(value, variable);
  assert.ok(!r.ok, `${JSON.stringify(value)} as ${variable.dataType} should be refused, got ${r.ok ? r.normalized : ''}`);
  return r.message;
}

describe('validateValue: integers', () => {
  const limits: Array<[string, string, string]> = [
    ['ui1', '0', '255'], ['ui2', '0', '65535'], ['ui4', '0', '4294967295'], ['ui8', '0', '18446744073709551615'],
    ['i1', '-128', '127'], ['i2', '-32768', '32767'], ['i4', '-2147483648', '2147483647'],
    ['i8', '-9223372036854775808', '9223372036854775807'], ['int', '-2147483648', '2147483647'],
  ];
  for (const [type, min, max] of limits) {
    it(`${type}: ${min} to ${max}, exactly`, () => {
      assert.equal(accepted(min, v(type)), min);
      assert.equal(accepted(max, v(type)), max);
      const below = (BigInt(min) - 1n).toString();
      const above = (BigInt(max) + 1n).toString();
      assert.equal(refused(below, v(type)), `must be a whole number between ${min} and ${max}; ${below} is too small`);
      assert.equal(refused(above, v(type)), `must be a whole number between ${min} and ${max}; ${above} is too large`);
    });
  }

  it('says what it wants in words', () => {
    assert.equal(refused('abc', v('ui4')), 'must be a whole number between 0 and 4294967295');
    assert.equal(refused('', v('ui4')), 'must be a whole number between 0 and 4294967295');
    assert.equal(refused('1.5', v('i4')), 'must be a whole number between -2147483648 and 2147483647, without a fractional part');
    assert.equal(refused('1e3', v('ui4')), 'must be a whole number between 0 and 4294967295');
    assert.equal(refused('0x10', v('ui4')), 'must be a whole number between 0 and 4294967295');
  });

  it('normalises signs, leading zeros, spaces and a zero fraction', () => {
    assert.equal(accepted('  007 ', v('ui4')), '7');
    assert.equal(accepted('+5', v('i2')), '5');
    assert.equal(accepted('-0', v('i2')), '0');
    assert.equal(accepted('12.00', v('ui2')), '12');
    assert.equal(accepted('3', v('UI4')), '3'); // type names in any case
  });

  it('applies allowedValueRange with its step', () => {
    const dim = v('ui1', { allowedValueRange: { minimum: '0', maximum: '100' } });
    assert.equal(accepted('100', dim), '100');
    assert.equal(refused('101', dim), 'must be a whole number between 0 and 100; 101 is too large');
    const stepped = v('i4', { allowedValueRange: { minimum: '-10', maximum: '10', step: '5' } });
    assert.equal(accepted('-5', stepped), '-5');
    assert.equal(refused('3', stepped), 'must be a whole number between -10 and 10 in steps of 5 from -10; 3 is not on a step');
    // A range wider than the type does not widen the type.
    assert.equal(refused('256', v('ui1', { allowedValueRange: { minimum: '0', maximum: '1000' } })), 'must be a whole number between 0 and 255; 256 is too large');
  });

  it('ignores an unusable range with a warning instead of refusing everything', () => {
    const broken = v('ui4', { allowedValueRange: { minimum: 'low', maximum: '10' } });
    assert.equal(accepted('50', broken, ["The SCPD's allowed range (low…10) is not usable for ui4; only the type's limits are checked."]), '50');
    const inverted = v('ui4', { allowedValueRange: { minimum: '10', maximum: '1' } });
    assert.equal(validateValue('5', inverted).ok, true);
  });
});

describe('validateValue: decimals', () => {
  it('r4, r8, number, float: plain, signed, fractional and exponent forms', () => {
    for (const type of ['r4', 'r8', 'number', 'float']) {
      for (const [input, out] of [['1.5', '1.5'], ['-0.25', '-0.25'], ['+3', '3'], ['.5', '.5'], ['1.5E3', '1.5E3'], ['2e-3', '2e-3'], [' 42 ', '42']]) {
        assert.equal(accepted(input!, v(type)), out, `${type} ${input}`);
      }
      assert.match(refused('abc', v(type)), /^must be a number/);
      assert.match(refused('NaN', v(type)), /^must be a number/);
      assert.match(refused('Infinity', v(type)), /^must be a number/);
    }
  });

  it('explains a decimal comma', () => {
    assert.equal(refused('1,5', v('r8')), 'must be a number, with a dot (.) as the decimal separator');
  });

  it('r4 stops at the largest single-precision value, r8 at the largest double', () => {
    assert.equal(accepted('3.4e38', v('r4')), '3.4e38');
    assert.equal(refused('3.5e38', v('r4')), 'must be a number between -3.40282347E+38 and 3.40282347E+38; 3.5e38 is too large');
    assert.equal(accepted('1e308', v('r8')), '1e308');
    assert.equal(refused('1e309', v('r8')), 'must be a number; 1e309 is too large');
  });

  it('fixed.14.4: at most 14 digits before and 4 after the point, no exponent', () => {
    assert.equal(accepted('12345678901234.1234', v('fixed.14.4')), '12345678901234.1234');
    assert.equal(accepted('-0.5', v('fixed.14.4')), '-0.5');
    const words = 'must be a number with at most 14 digits before the decimal point and 4 after it';
    assert.equal(refused('123456789012345', v('fixed.14.4')), words);
    assert.equal(refused('1.23456', v('fixed.14.4')), words);
    assert.equal(refused('1e3', v('fixed.14.4')), `${words}, written without an exponent`);
  });

  it('applies allowedValueRange and step to decimals', () => {
    const r = v('r8', { allowedValueRange: { minimum: '0', maximum: '1', step: '0.1' } });
    assert.equal(accepted('0.3', r), '0.3'); // 0.3 / 0.1 is not exact in binary; still on a step
    assert.equal(refused('0.35', r), 'must be a number between 0 and 1 in steps of 0.1 from 0; 0.35 is not on a step');
    assert.equal(refused('1.1', r), 'must be a number between 0 and 1 in steps of 0.1 from 0; 1.1 is too large');
  });
});

describe('validateValue: boolean, char, string', () => {
  it('boolean accepts 0/1/true/false/yes/no in any case and sends 0 or 1', () => {
    for (const t of ['1', 'true', 'TRUE', 'yes', ' Yes ']) assert.equal(accepted(t, v('boolean')), '1');
    for (const f of ['0', 'false', 'False', 'no', 'NO']) assert.equal(accepted(f, v('boolean')), '0');
    for (const bad of ['', '2', 'on', 'y']) assert.equal(refused(bad, v('boolean')), 'must be 0 or 1 (true/false and yes/no are accepted too)');
  });

  it('char is exactly one character, a space or an emoji included', () => {
    assert.equal(accepted(' ', v('char')), ' ');
    assert.equal(accepted('😀', v('char')), '😀');
    assert.equal(refused('', v('char')), 'must be exactly one character');
    assert.equal(refused('ab', v('char')), 'must be exactly one character');
  });

  it('string is sent as typed, spaces and markup included, but not characters XML cannot carry', () => {
    assert.equal(accepted('  <a & b>  ', v('string')), '  <a & b>  ');
    assert.equal(accepted('', v('string')), '');
    assert.equal(accepted('line1\nline2\ttab', v('string')), 'line1\nline2\ttab');
    assert.equal(refused('bell\u0007', v('string')), 'contains the control character U+0007, which cannot be sent in XML');
  });

  it('allowedValueList only warns: devices accept values their SCPD does not list', () => {
    const flag = v('string', { allowedValues: ['BrowseMetadata', 'BrowseDirectChildren'] });
    assert.equal(accepted('BrowseMetadata', flag), 'BrowseMetadata');
    assert.equal(accepted('X_Vendor', flag, ['"X_Vendor" is not one of the allowed values (BrowseMetadata, BrowseDirectChildren); sent anyway, since devices often accept others.']), 'X_Vendor');
    assert.equal(accepted('browsemetadata', flag, ['"browsemetadata" is not in the allowed values; did you mean "BrowseMetadata"? Sent as typed.']), 'browsemetadata');
  });
});

describe('validateValue: uri, uuid, binary', () => {
  it('uri needs a scheme and no spaces; empty is sent with a warning', () => {
    assert.equal(accepted(' http://192.168.1.2:8200/MediaItems/1.jpg ', v('uri')), 'http://192.168.1.2:8200/MediaItems/1.jpg');
    assert.equal(accepted('urn:schemas-upnp-org:service:X:1', v('uri')), 'urn:schemas-upnp-org:service:X:1');
    assert.equal(refused('/relative/path', v('uri')), 'must be an absolute URI with a scheme, e.g. http://192.168.1.2/file.jpg');
    assert.equal(refused('http://host/a b.mp3', v('uri')), 'must be a URI without spaces (write a space as %20)');
    assert.equal(accepted('', v('uri'), ['The URI is empty; some devices take that as "none", others refuse it.']), '');
  });

  it('uuid: 32 hex digits, hyphens optional, no uuid: prefix', () => {
    assert.equal(accepted('4d696e69-444c-4e41-8000-000000000001', v('uuid')), '4d696e69-444c-4e41-8000-000000000001');
    assert.equal(accepted('4D696E69444C4E418000000000000001', v('uuid')), '4D696E69444C4E418000000000000001');
    assert.equal(refused('uuid:4d696e69-444c-4e41-8000-000000000001', v('uuid')), 'must be a UUID without the "uuid:" prefix');
    assert.match(refused('4d696e69-444c', v('uuid')), /^must be a UUID: 32 hexadecimal digits/);
  });

  it('bin.base64 drops line breaks; bin.hex wants whole bytes', () => {
    assert.equal(accepted('SGVs\nbG8=', v('bin.base64')), 'SGVsbG8=');
    assert.equal(accepted('', v('bin.base64')), '');
    assert.match(refused('SGVsbG8', v('bin.base64')), /^must be Base64/);
    assert.match(refused('SGV$bG8=', v('bin.base64')), /^must be Base64/);
    assert.equal(accepted('48 65 6C', v('bin.hex')), '48656C');
    assert.equal(refused('486', v('bin.hex')), 'must be hexadecimal digits, two per byte; one digit is missing');
    assert.equal(refused('zz', v('bin.hex')), 'must be hexadecimal digits (0-9, a-f), two per byte');
  });
});

describe('validateValue: dates and times (ISO 8601 subsets of UDA)', () => {
  it('date', () => {
    assert.equal(accepted('2024-12-10', v('date')), '2024-12-10');
    assert.equal(accepted('2024-02-29', v('date')), '2024-02-29');
    assert.equal(refused('2023-02-29', v('date')), 'must be a date as YYYY-MM-DD, e.g. 2024-12-10; 2023-02 has no day 29');
    assert.equal(refused('2024-13-01', v('date')), 'must be a date as YYYY-MM-DD, e.g. 2024-12-10; there is no month 13');
    assert.equal(refused('10.12.2024', v('date')), 'must be a date as YYYY-MM-DD, e.g. 2024-12-10');
    assert.equal(refused('2024-12-10T10:00:00', v('date')), 'must be a date as YYYY-MM-DD, e.g. 2024-12-10');
  });

  it('dateTime: time optional, no zone; a space or lower-case t is accepted, seconds added', () => {
    assert.equal(accepted('2024-12-10T15:12:19', v('dateTime')), '2024-12-10T15:12:19');
    assert.equal(accepted('2024-12-10', v('dateTime')), '2024-12-10');
    assert.equal(accepted('2024-12-10 15:12', v('dateTime')), '2024-12-10T15:12:00');
    assert.equal(accepted('2024-12-10t15:12:19.250', v('dateTime')), '2024-12-10T15:12:19.250');
    assert.equal(refused('2024-12-10T15:12:19+08:00', v('dateTime')),
      'must be a date with optional time, no time zone as YYYY-MM-DDThh:mm:ss, e.g. 2024-12-10T15:12:19 (this type has no time zone)');
    assert.match(refused('2024-12-10T24:00:00', v('dateTime')), /the hour must be 00 to 23$/);
  });

  it('dateTime.tz: optional time and zone, zones normalised to ±hh:mm', () => {
    assert.equal(accepted('2024-12-10T15:12:19+08:00', v('dateTime.tz')), '2024-12-10T15:12:19+08:00');
    assert.equal(accepted('2024-12-10T15:12:19z', v('dateTime.tz')), '2024-12-10T15:12:19Z');
    assert.equal(accepted('2024-12-10T15:12:19-0530', v('dateTime.tz')), '2024-12-10T15:12:19-05:30');
    assert.equal(accepted('2024-12-10T15:12:19+01', v('dateTime.tz')), '2024-12-10T15:12:19+01:00');
    assert.equal(accepted('2024-12-10T15:12:19', v('dateTime.tz')), '2024-12-10T15:12:19');
    assert.match(refused('2024-12-10T15:12:19+15:00', v('dateTime.tz')), /the time zone must be Z or between -14:00 and \+14:00$/);
  });

  it('time and time.tz', () => {
    assert.equal(accepted('15:12:19', v('time')), '15:12:19');
    assert.equal(accepted('07:05', v('time')), '07:05:00');
    assert.equal(refused('15:12:19Z', v('time')), 'must be a time of day, no time zone as hh:mm:ss, e.g. 15:12:19');
    assert.match(refused('15:60:00', v('time')), /the minutes must be 00 to 59$/);
    assert.match(refused('15:00:61', v('time')), /the seconds must be 00 to 59$/);
    assert.equal(accepted('15:12:19+08:00', v('time.tz')), '15:12:19+08:00');
    assert.equal(accepted('15:12:19', v('time.tz')), '15:12:19');
    assert.equal(refused('2024-12-10T15:12:19', v('time.tz')), 'must be a time of day with optional time zone as hh:mm:ss±hh:mm, e.g. 15:12:19+08:00');
  });
});

describe('validateValue: unknown types', () => {
  it('sends values of unknown or missing types as typed, with a warning', () => {
    assert.equal(accepted('x', v('vendor:blob'), ['"vendor:blob" is not a UPnP data type; the value is sent as typed.']), 'x');
    assert.equal(accepted('x', v(''), ['The SCPD declares no data type; the value is sent as typed.']), 'x');
  });
});

describe('typeHint', () => {
  it('gives every type a kind, words and, where it helps, a format and an example that validates', () => {
    const types = ['ui1', 'ui2', 'ui4', 'ui8', 'i1', 'i2', 'i4', 'i8', 'int', 'r4', 'r8', 'number', 'float', 'fixed.14.4', 'boolean', 'char',
      'string', 'uri', 'uuid', 'date', 'dateTime', 'dateTime.tz', 'time', 'time.tz', 'bin.base64', 'bin.hex'];
    for (const t of types) {
      const hint = typeHint(v(t));
      assert.notEqual(hint.kind, 'unknown', t);
      assert.ok(hint.description.length > 0, t);
      if (hint.example !== undefined) assert.ok(validateValue(hint.example, v(t)).ok, `${t} example ${hint.example}`);
    }
    assert.equal(typeKind('dateTime.tz'), 'dateTime.tz');
    assert.equal(typeKind('DATETIME'), 'dateTime');
    assert.equal(typeKind('x'), 'unknown');
  });

  it('reports effective bounds and allowed values from the minidlna and network-light SCPDs', () => {
    const fixtures = join(__dirname, '..', 'fixtures');
    const cds = parseScpd(readFileSync(join(fixtures, 'minidlna', 'scpd-ContentDirectory_1.xml'), 'utf8'), 'http://127.0.0.1:8200/ContentDir.xml');
    const flag = typeHint(findStateVariable(cds, 'A_ARG_TYPE_BrowseFlag')!);
    assert.deepEqual(flag.allowedValues, ['BrowseMetadata', 'BrowseDirectChildren']);
    const count = typeHint(findStateVariable(cds, 'A_ARG_TYPE_Count')!);
    assert.deepEqual([count.kind, count.minimum, count.maximum, count.description], ['integer', '0', '4294967295', 'whole number between 0 and 4294967295']);

    const dimming = parseScpd(readFileSync(join(fixtures, 'network-light', 'scpd-Dimming_1.xml'), 'utf8'), 'http://127.0.0.1/Dimming.xml');
    const level = dimming.stateVariables.find((s) => s.allowedValueRange);
    assert.ok(level, 'Dimming declares a range');
    const hint = typeHint(level);
    assert.equal(hint.minimum, level.allowedValueRange!.minimum);
    assert.equal(hint.maximum, level.allowedValueRange!.maximum);
    assert.equal(validateValue(String(Number(level.allowedValueRange!.maximum) + 1), level).ok, false);
  });

  it('describes dates with their format', () => {
    assert.deepEqual([typeHint(v('dateTime.tz')).format, typeHint(v('time')).format, typeHint(v('date')).description],
      ['YYYY-MM-DDThh:mm:ss±hh:mm', 'hh:mm:ss', 'date, YYYY-MM-DD']);
    assert.equal(typeHint(v('ui1', { allowedValueRange: { minimum: '0', maximum: '100', step: '10' } })).description, 'whole number between 0 and 100 in steps of 10 from 0');
  });
});

describe('validateArguments', () => {
  const cds = parseScpd(readFileSync(join(__dirname, '..', 'fixtures', 'minidlna', 'scpd-ContentDirectory_1.xml'), 'utf8'), 'http://127.0.0.1:8200/ContentDir.xml');
  const browse = cds.actions.find((a) => a.name === 'Browse')!;

  it('checks each in-argument of Browse in SCPD order against its state variable', () => {
    const checks = validateArguments(browse, cds, { ObjectID: '0', BrowseFlag: 'BrowseChildren', Filter: '*', StartingIndex: '-1', RequestedCount: ' 010 ' });
    assert.deepEqual(checks.map((c) => c.name), ['ObjectID', 'BrowseFlag', 'Filter', 'StartingIndex', 'RequestedCount', 'SortCriteria']);
    assert.deepEqual(checks.map((c) => c.variable?.name), ['A_ARG_TYPE_ObjectID', 'A_ARG_TYPE_BrowseFlag', 'A_ARG_TYPE_Filter', 'A_ARG_TYPE_Index', 'A_ARG_TYPE_Count', 'A_ARG_TYPE_SortCriteria']);
    const [objectId, flag, , index, count, sort] = checks.map((c) => c.result);
    assert.deepEqual(objectId, { ok: true, normalized: '0', warnings: [] });
    assert.equal(flag!.ok && flag!.warnings.length, 1);
    assert.deepEqual(index, { ok: false, message: 'must be a whole number between 0 and 4294967295; -1 is too small' });
    assert.deepEqual(count, { ok: true, normalized: '10', warnings: [] });
    assert.deepEqual(sort, { ok: true, normalized: '', warnings: [] }); // not given: empty
  });

  it('sends an argument whose state variable is missing as typed, with a warning', () => {
    const action = { name: 'X', arguments: [{ name: 'A', direction: 'in' as const, relatedStateVariable: 'Gone', retval: false }] };
    const [check] = validateArguments(action, { actions: [action], stateVariables: [], problems: [] }, { A: 'v' });
    assert.equal(check!.variable, undefined);
    assert.deepEqual(check!.result, { ok: true, normalized: 'v', warnings: ['Its type is unknown: the SCPD has no state variable "Gone". Sent as typed.'] });
  });
});
