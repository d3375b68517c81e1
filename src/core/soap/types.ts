// Checking and normalising what a user types into an action form, per UPnP data type
// (UDA 1.1 §2.5 table 2-4; ui8/i8 from UDA 2.0). Messages are for the person at the form:
// "must be a whole number between 0 and 4294967295", not parser errors.
//
// allowedValueRange restricts (a device answers 601 otherwise), allowedValueList does not: real
// devices accept values their SCPD does not list, so a value outside the list only gets a warning.
import type { Action, ServiceScpd, StateVariable } from '../description/model';
import { findStateVariable } from '../description/lookup';

export type ValidationResult =
  | {
    readonly ok: true;
    /** What to send: e.g. boolean `yes` -> `1`, ui4 `007` -> `7`, time `10:30` -> `10:30:00`. */
    readonly normalized: string;
    /** Things the user may want to know that do not stop sending (value not in allowedValueList, …). */
    readonly warnings: readonly string[];
  }
  | { readonly ok: false; readonly message: string };

export type TypeKind =
  | 'integer' | 'decimal' | 'boolean' | 'char' | 'string' | 'uri' | 'uuid'
  | 'date' | 'dateTime' | 'dateTime.tz' | 'time' | 'time.tz' | 'bin.base64' | 'bin.hex' | 'unknown';

/** What a form needs to offer the right input for one argument. */
export interface TypeHint {
  /** The data type as the SCPD wrote it. */
  readonly dataType: string;
  readonly kind: TypeKind;
  /** One line, e.g. "whole number between 0 and 4294967295" or "date and time, YYYY-MM-DDThh:mm:ss". */
  readonly description: string;
  /** Input format for text fields, e.g. `YYYY-MM-DD`. */
  readonly format?: string;
  /** A valid example value. */
  readonly example?: string;
  /** Effective bounds (type limits narrowed by allowedValueRange), as decimal strings. */
  readonly minimum?: string;
  readonly maximum?: string;
  readonly step?: string;
  /** The SCPD's allowedValueList (suggestions; other values may be sent). */
  readonly allowedValues?: readonly string[];
}

interface IntegerType { readonly min: bigint; readonly max: bigint }

const INTEGER_TYPES: Readonly<Record<string, IntegerType>> = {
  ui1: { min: 0n, max: 255n },
  ui2: { min: 0n, max: 65535n },
  ui4: { min: 0n, max: 4294967295n },
  ui8: { min: 0n, max: 18446744073709551615n },
  i1: { min: -128n, max: 127n },
  i2: { min: -32768n, max: 32767n },
  i4: { min: -2147483648n, max: 2147483647n },
  i8: { min: -9223372036854775808n, max: 9223372036854775807n },
  // UDA 1.1 gives int no width; UDA 2.0 makes it the same as i4, which is what devices implement.
  int: { min: -2147483648n, max: 2147483647n },
};

/** Largest magnitudes of r4 (IEEE single) and r8/number/float (IEEE double). */
const R4_MAX = 3.40282347e38;

const KINDS: Readonly<Record<string, TypeKind>> = {
  ...Object.fromEntries(Object.keys(INTEGER_TYPES).map((t) => [t, 'integer' as const])),
  r4: 'decimal', r8: 'decimal', number: 'decimal', float: 'decimal', 'fixed.14.4': 'decimal',
  boolean: 'boolean', char: 'char', string: 'string', uri: 'uri', uuid: 'uuid',
  date: 'date', datetime: 'dateTime', 'datetime.tz': 'dateTime.tz', time: 'time', 'time.tz': 'time.tz',
  'bin.base64': 'bin.base64', 'bin.hex': 'bin.hex',
};

const FORMATS: Partial<Record<TypeKind, { format: string; example: string; words: string }>> = {
  date: { format: 'YYYY-MM-DD', example: '2024-12-10', words: 'date' },
  dateTime: { format: 'YYYY-MM-DDThh:mm:ss', example: '2024-12-10T15:12:19', words: 'date with optional time, no time zone' },
  'dateTime.tz': { format: 'YYYY-MM-DDThh:mm:ss±hh:mm', example: '2024-12-10T15:12:19+08:00', words: 'date with optional time and time zone' },
  time: { format: 'hh:mm:ss', example: '15:12:19', words: 'time of day, no time zone' },
  'time.tz': { format: 'hh:mm:ss±hh:mm', example: '15:12:19+08:00', words: 'time of day with optional time zone' },
};

/** The limits of an integer UPnP type (ui1 … i8, int); undefined for other types. */
export function integerTypeLimits(dataType: string): { readonly min: bigint; readonly max: bigint } | undefined {
  const key = dataType.trim().toLowerCase();
  return Object.hasOwn(INTEGER_TYPES, key) ? INTEGER_TYPES[key] : undefined;
}

/** The kind of a UPnP data type name (case-insensitive; devices write `UI4` and `dateTime` alike). */
export function typeKind(dataType: string): TypeKind {
  const key = dataType.trim().toLowerCase();
  return Object.hasOwn(KINDS, key) ? KINDS[key]! : 'unknown';
}

/** Describes the input one state variable's type expects, for building a form field. */
export function typeHint(variable: StateVariable): TypeHint {
  const dataType = variable.dataType;
  const kind = typeKind(dataType);
  const allowedValues = variable.allowedValues && variable.allowedValues.length > 0 ? variable.allowedValues : undefined;
  const base = { dataType, kind, allowedValues };
  switch (kind) {
    case 'integer': {
      const b = integerBounds(variable, []);
      return { ...base, description: integerWords(b), minimum: String(b.min), maximum: String(b.max), step: b.step > 1n ? String(b.step) : undefined, example: String(b.min) };
    }
    case 'decimal': {
      const b = decimalBounds(variable, []);
      return {
        ...base,
        description: decimalWords(normalType(dataType), b),
        minimum: b.min !== undefined ? String(b.min) : undefined,
        maximum: b.max !== undefined ? String(b.max) : undefined,
        step: b.step !== undefined ? String(b.step) : undefined,
        example: normalType(dataType) === 'fixed.14.4' ? '12.3456' : '1.5',
      };
    }
    case 'boolean': return { ...base, description: '0 or 1 (true/false, yes/no accepted)', example: '1' };
    case 'char': return { ...base, description: 'exactly one character', example: 'a' };
    case 'string': return { ...base, description: 'text' };
    case 'uri': return { ...base, description: 'URI, e.g. http://host/path', example: 'http://192.168.1.2/file.jpg' };
    case 'uuid': return { ...base, description: 'UUID, 32 hex digits (hyphens optional)', format: 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', example: '4d696e69-444c-4e41-8000-000000000001' };
    case 'bin.base64': return { ...base, description: 'binary data in Base64', example: 'SGVsbG8=' };
    case 'bin.hex': return { ...base, description: 'binary data in hex, two digits per byte', example: '48656c6c6f' };
    case 'unknown': return { ...base, description: dataType.trim() ? `"${dataType}", a type UPnP does not define; sent as typed` : 'no data type declared; sent as typed' };
    default: {
      const f = FORMATS[kind]!;
      return { ...base, description: `${f.words}, ${f.format}`, format: f.format, example: f.example };
    }
  }
}

/**
 * Checks one form value against its state variable's type and range, and normalises it to the
 * form UPnP sends. Never throws.
 */
export function validateValue(value: string, variable: StateVariable): ValidationResult {
  const warnings: string[] = [];
  const kind = typeKind(variable.dataType);
  let result: { ok: true; normalized: string } | { ok: false; message: string };
  switch (kind) {
    case 'integer': result = checkInteger(value, variable, warnings); break;
    case 'decimal': result = checkDecimal(value, variable, warnings); break;
    case 'boolean': result = checkBoolean(value); break;
    case 'char': result = [...value].length === 1 ? checkText(value) : fail('must be exactly one character'); break;
    case 'string': result = checkText(value); break;
    case 'uri': result = checkUri(value, warnings); break;
    case 'uuid': result = checkUuid(value); break;
    case 'date': case 'dateTime': case 'dateTime.tz': case 'time': case 'time.tz': result = checkDateTime(value, kind); break;
    case 'bin.base64': result = checkBase64(value); break;
    case 'bin.hex': result = checkHex(value); break;
    case 'unknown':
      warnings.push(variable.dataType.trim()
        ? `"${variable.dataType}" is not a UPnP data type; the value is sent as typed.`
        : 'The SCPD declares no data type; the value is sent as typed.');
      result = checkText(value);
      break;
  }
  if (!result.ok) return result;
  const allowed = variable.allowedValues;
  if (allowed && allowed.length > 0 && !allowed.includes(result.normalized)) {
    const near = allowed.find((a) => a.toLowerCase() === result.normalized.toLowerCase());
    warnings.push(near
      ? `"${result.normalized}" is not in the allowed values; did you mean "${near}"? Sent as typed.`
      : `"${result.normalized}" is not one of the allowed values (${listValues(allowed)}); sent anyway, since devices often accept others.`);
  }
  return { ok: true, normalized: result.normalized, warnings };
}

/** One in-argument of a form: its state variable (when the SCPD has it) and the check's result. */
export interface ArgumentCheck {
  readonly name: string;
  readonly variable?: StateVariable;
  readonly result: ValidationResult;
}

/**
 * Checks every in-argument of `action` (in SCPD order) against its related state variable.
 * A missing value counts as ''. An argument whose state variable the SCPD lacks is sent as typed,
 * with a warning, since the device may still take it.
 */
export function validateArguments(action: Action, scpd: ServiceScpd, values: Readonly<Record<string, string>>): ArgumentCheck[] {
  return action.arguments.filter((a) => a.direction === 'in').map((arg) => {
    const value = Object.hasOwn(values, arg.name) ? values[arg.name]! : '';
    const variable = findStateVariable(scpd, arg.relatedStateVariable);
    if (!variable) {
      const text = checkText(value);
      const result: ValidationResult = text.ok
        ? { ok: true, normalized: text.normalized, warnings: [`Its type is unknown: the SCPD has no state variable "${arg.relatedStateVariable}". Sent as typed.`] }
        : text;
      return { name: arg.name, result };
    }
    return { name: arg.name, variable, result: validateValue(value, variable) };
  });
}

// ---- integers ----

interface IntegerBounds { readonly min: bigint; readonly max: bigint; readonly step: bigint; readonly base: bigint }

function integerBounds(variable: StateVariable, warnings: string[]): IntegerBounds {
  const type = INTEGER_TYPES[normalType(variable.dataType)]!;
  let { min, max } = type;
  let step = 1n;
  let base = min;
  const range = variable.allowedValueRange;
  if (range) {
    const rMin = parseBigInt(range.minimum);
    const rMax = parseBigInt(range.maximum);
    const rStep = range.step !== undefined && range.step.trim() !== '' ? parseBigInt(range.step) : 1n;
    if (rMin === undefined || rMax === undefined || rStep === undefined || rStep <= 0n || rMin > rMax) {
      warnings.push(`The SCPD's allowed range (${range.minimum}…${range.maximum}${range.step ? ` step ${range.step}` : ''}) is not usable for ${variable.dataType}; only the type's limits are checked.`);
    } else {
      if (rMin > min) min = rMin;
      if (rMax < max) max = rMax;
      step = rStep;
      base = rMin;
    }
  }
  return { min, max, step, base };
}

function integerWords(b: IntegerBounds): string {
  return `whole number between ${b.min} and ${b.max}${b.step > 1n ? ` in steps of ${b.step} from ${b.base}` : ''}`;
}

function checkInteger(value: string, variable: StateVariable, warnings: string[]): Check {
  const b = integerBounds(variable, warnings);
  const message = `must be a ${integerWords(b)}`;
  const text = value.trim();
  if (!/^[+-]?\d+$/.test(text)) {
    if (/^[+-]?\d+\.0*$/.test(text)) return { ok: true, normalized: BigInt(text.replace(/\.0*$/, '')).toString() };
    return fail(text === '' ? message : /^[+-]?\d*[.,]\d+$/.test(text) ? `${message}, without a fractional part` : message);
  }
  const n = BigInt(text);
  if (n < b.min || n > b.max) return fail(`${message}; ${n} is ${n < b.min ? 'too small' : 'too large'}`);
  if (b.step > 1n && (n - b.base) % b.step !== 0n) return fail(`${message}; ${n} is not on a step`);
  return { ok: true, normalized: n.toString() };
}

function parseBigInt(text: string): bigint | undefined {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return BigInt(t);
  if (/^[+-]?\d+\.0*$/.test(t)) return BigInt(t.replace(/\.0*$/, ''));
  return undefined;
}

// ---- decimals ----

interface DecimalBounds { readonly min?: number; readonly max?: number; readonly step?: number; readonly base?: number }

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const FIXED_14_4 = /^[+-]?(\d{1,14}(\.\d{0,4})?|\.\d{1,4})$/;

function decimalBounds(variable: StateVariable, warnings: string[]): DecimalBounds {
  const type = normalType(variable.dataType);
  let min: number | undefined = type === 'r4' ? -R4_MAX : type === 'fixed.14.4' ? -(1e14 - 1e-4) : undefined;
  let max: number | undefined = type === 'r4' ? R4_MAX : type === 'fixed.14.4' ? 1e14 - 1e-4 : undefined;
  let step: number | undefined;
  let base: number | undefined;
  const range = variable.allowedValueRange;
  if (range) {
    const rMin = parseDecimal(range.minimum);
    const rMax = parseDecimal(range.maximum);
    const rStep = range.step !== undefined && range.step.trim() !== '' ? parseDecimal(range.step) : undefined;
    const badStep = range.step !== undefined && range.step.trim() !== '' && (rStep === undefined || rStep <= 0);
    if (rMin === undefined || rMax === undefined || rMin > rMax || badStep) {
      warnings.push(`The SCPD's allowed range (${range.minimum}…${range.maximum}${range.step ? ` step ${range.step}` : ''}) is not usable for ${variable.dataType}; only the type's limits are checked.`);
    } else {
      min = min === undefined ? rMin : Math.max(min, rMin);
      max = max === undefined ? rMax : Math.min(max, rMax);
      step = rStep;
      base = rMin;
    }
  }
  return { min, max, step, base };
}

function decimalWords(type: string, b: DecimalBounds): string {
  const what = type === 'fixed.14.4' ? 'number with at most 14 digits before the decimal point and 4 after it' : 'number';
  if (b.min === undefined || b.max === undefined) return what;
  if (type === 'r4' && b.max === R4_MAX && b.min === -R4_MAX) return `${what} between -3.40282347E+38 and 3.40282347E+38`;
  if (type === 'fixed.14.4' && b.max === 1e14 - 1e-4 && b.min === -b.max) return what;
  return `${what} between ${b.min} and ${b.max}${b.step !== undefined ? ` in steps of ${b.step} from ${b.base}` : ''}`;
}

function checkDecimal(value: string, variable: StateVariable, warnings: string[]): Check {
  const type = normalType(variable.dataType);
  const b = decimalBounds(variable, warnings);
  const message = `must be a ${decimalWords(type, b)}`;
  const text = value.trim();
  const pattern = type === 'fixed.14.4' ? FIXED_14_4 : DECIMAL;
  if (!pattern.test(text)) {
    if (pattern.test(text.replace(',', '.'))) return fail(`${message}, with a dot (.) as the decimal separator`);
    if (type === 'fixed.14.4' && /e/i.test(text) && DECIMAL.test(text)) return fail(`${message}, written without an exponent`);
    return fail(type === 'fixed.14.4' || (b.min !== undefined && b.max !== undefined) ? message : `${message}, e.g. 3.14 or 1.5E3`);
  }
  const n = Number(text);
  if (!Number.isFinite(n)) return fail(`${message}; ${text} is too large`);
  if ((b.min !== undefined && n < b.min) || (b.max !== undefined && n > b.max)) {
    return fail(`${message}; ${text} is ${b.min !== undefined && n < b.min ? 'too small' : 'too large'}`);
  }
  if (b.step !== undefined && b.base !== undefined) {
    const steps = (n - b.base) / b.step;
    if (Math.abs(steps - Math.round(steps)) > 1e-9 * Math.max(1, Math.abs(steps))) return fail(`${message}; ${text} is not on a step`);
  }
  return { ok: true, normalized: text.replace(/^\+/, '') };
}

function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  return DECIMAL.test(t) && Number.isFinite(Number(t)) ? Number(t) : undefined;
}

// ---- booleans, text ----

function checkBoolean(value: string): Check {
  switch (value.trim().toLowerCase()) {
    case '1': case 'true': case 'yes': return { ok: true, normalized: '1' };
    case '0': case 'false': case 'no': return { ok: true, normalized: '0' };
    default: return fail('must be 0 or 1 (true/false and yes/no are accepted too)');
  }
}

// eslint-disable-next-line no-control-regex
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text is sent as typed (no trimming: spaces may matter), but XML cannot carry every character. */
function checkText(value: string): Check {
  const bad = XML_ILLEGAL.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return fail(`contains the control character U+${code}, which cannot be sent in XML`);
  }
  return { ok: true, normalized: value };
}

function checkUri(value: string, warnings: string[]): Check {
  const text = value.trim();
  if (text === '') {
    warnings.push('The URI is empty; some devices take that as "none", others refuse it.');
    return { ok: true, normalized: '' };
  }
  if (/\s/.test(text)) return fail('must be a URI without spaces (write a space as %20)');
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) return fail('must be an absolute URI with a scheme, e.g. http://192.168.1.2/file.jpg');
  return checkText(text);
}

function checkUuid(value: string): Check {
  const text = value.trim();
  if (/^uuid:/i.test(text)) return fail('must be a UUID without the "uuid:" prefix');
  const hex = text.replace(/-/g, '');
  if (!/^[0-9A-Fa-f]{32}$/.test(hex)) return fail('must be a UUID: 32 hexadecimal digits, hyphens optional (e.g. 4d696e69-444c-4e41-8000-000000000001)');
  return { ok: true, normalized: text };
}

// ---- dates and times (ISO 8601 subsets of UDA 1.1) ----

const DATE = '(\\d{4})-(\\d{2})-(\\d{2})';
const TIME = '(\\d{2}):(\\d{2})(?::(\\d{2})(\\.\\d+)?)?';
const ZONE = '(Z|[+-]\\d{2}(?::?\\d{2})?)';
const PATTERNS: Readonly<Record<'date' | 'dateTime' | 'dateTime.tz' | 'time' | 'time.tz', RegExp>> = {
  date: new RegExp(`^${DATE}$`),
  dateTime: new RegExp(`^${DATE}(?:[T ]${TIME})?$`, 'i'),
  'dateTime.tz': new RegExp(`^${DATE}(?:[T ]${TIME})?${ZONE}?$`, 'i'),
  time: new RegExp(`^()()()${TIME}$`),
  'time.tz': new RegExp(`^()()()${TIME}${ZONE}?$`, 'i'),
};

function checkDateTime(value: string, kind: 'date' | 'dateTime' | 'dateTime.tz' | 'time' | 'time.tz'): Check {
  const f = FORMATS[kind]!;
  const message = `must be a ${f.words} as ${f.format}, e.g. ${f.example}`;
  const text = value.trim();
  const m = PATTERNS[kind].exec(text);
  if (!m) return fail(kind === 'dateTime' && /(Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10 ? `${message} (this type has no time zone)` : message);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let out = '';
  if (y) {
    const year = Number(y), month = Number(mo), day = Number(d);
    if (month < 1 || month > 12) return fail(`${message}; there is no month ${mo}`);
    if (day < 1 || day > daysInMonth(year, month)) return fail(`${message}; ${y}-${mo} has no day ${d}`);
    out = `${y}-${mo}-${d}`;
  }
  if (h !== undefined && h !== '') {
    if (Number(h) > 23) return fail(`${message}; the hour must be 00 to 23`);
    if (Number(mi) > 59) return fail(`${message}; the minutes must be 00 to 59`);
    if (s !== undefined && Number(s) > 59) return fail(`${message}; the seconds must be 00 to 59`);
    out += `${out ? 'T' : ''}${h}:${mi}:${s ?? '00'}${frac ?? ''}`;
  }
  if (zone) {
    const z = normalizeZone(zone);
    if (!z) return fail(`${message}; the time zone must be Z or between -14:00 and +14:00`);
    out += z;
  }
  return { ok: true, normalized: out };
}

function normalizeZone(zone: string): string | undefined {
  if (zone.toUpperCase() === 'Z') return 'Z';
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 14 || minutes > 59 || (hours === 14 && minutes > 0)) return undefined;
  return `${m[1]}${m[2]}:${m[3] ?? '00'}`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// ---- binary ----

function checkBase64(value: string): Check {
  const text = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    return fail('must be Base64: letters, digits, + and /, padded with = to a multiple of 4 characters');
  }
  return { ok: true, normalized: text };
}

function checkHex(value: string): Check {
  const text = value.replace(/\s+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(text)) return fail('must be hexadecimal digits (0-9, a-f), two per byte');
  if (text.length % 2 !== 0) return fail('must be hexadecimal digits, two per byte; one digit is missing');
  return { ok: true, normalized: text };
}

// ---- helpers ----

type Check = { ok: true; normalized: string } | { ok: false; message: string };

function fail(message: string): Check {
  return { ok: false, message };
}

function normalType(dataType: string): string {
  return dataType.trim().toLowerCase();
}

function listValues(values: readonly string[]): string {
  const shown = values.slice(0, 8).map((v) => (v === '' ? '""' : v));
  return values.length > 8 ? `${shown.join(', ')}, … ${values.length - 8} more` : shown.join(', ');
}
