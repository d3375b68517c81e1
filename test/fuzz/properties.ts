// Fuzzing every reader of device input with fast-check, seeded from the captures in test/fixtures:
// a real document, mutated by a random sequence of edits that devices and attackers make (cut it
// off, repeat a slice, insert markup that breaks or nests, flip characters, blow up a piece).
//
// Each reader must either return or fail with its own error type (a message for the user), and
// must stay inside a time budget proportional to its input. Anything else — a TypeError, a
// RangeError, a stack overflow, a hang — is a bug. `npm test` runs a few seconds per reader;
// `npm run fuzz` runs them for as long as asked (FUZZ_SECONDS, per reader).
import * as fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DescriptionError, readDeviceDescription } from '../../src/core/description/device';
import { ScpdError, readScpd } from '../../src/core/description/scpd';
import { readSoapResponse } from '../../src/core/soap/response';
import { decodePropertySet } from '../../src/core/gena/propertyset';
import { DidlError, parseDidlAsync } from '../../src/core/av/didl';
import { parseProtocolInfo } from '../../src/core/av/protocolInfo';
import { SsdpParseError, parseSsdpMessage, toAdvertisement } from '../../src/core/ssdp/message';
import { XmlError, parseXmlAsync } from '../../src/core/xml/xml';
import { benignDidl } from '../devices/hostile-xml';

const FIXTURES = join(__dirname, '..', 'fixtures');

function read(...path: string[]): string {
  return readFileSync(join(FIXTURES, ...path), 'utf8');
}

function all(dir: string, match: RegExp): string[] {
  return readdirSync(join(FIXTURES, dir)).filter((f) => match.test(f)).sort().map((f) => read(dir, f));
}

/** The body of a captured HTTP exchange (after the blank line). */
function httpBody(text: string): string {
  const at = text.search(/\r?\n\r?\n/);
  return at < 0 ? text : text.slice(at).replace(/^\r?\n\r?\n/, '');
}

/** Datagrams of a capture file (`### from …` separated). */
function datagrams(text: string): string[] {
  return text.split(/^### .*$/m).map((d) => d.trim()).filter((d) => d.length > 0).map((d) => `${d.replace(/\r?\n/g, '\r\n')}\r\n\r\n`);
}

// Pieces that make readers take other paths: markup, references, namespaces, nesting, text
// directions and separators, surrogates, NUL.
const TOKENS = [
  '<', '>', '/>', '</', '&', ';', '&amp;', '&lt;', '&#', '&#x', '&#0;', '&#xD800;', '&#x10FFFF;', '&#1114112;', '&nbsp;', '&unknown_entity_name_that_is_long;',
  '<![CDATA[', ']]>', '<!--', '-->', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "b">]>', '"', "'", '=', ' ', '\n', '\r', '\t',
  'xmlns="urn:x"', ' xmlns:p="urn:p"', ' xmlns=""', '<p:a>', '</p:a>', '<a>', '</a>', '<a/>', '<b x="1" x="2">', '<__proto__>', '<constructor/>',
  '\u0000', '\uD800', '\uDC00', '\u202E', '\u2028', '\u001B[31m', '$(zap)', 'uuid:', '::', 'max-age=', 'LOCATION:', 'USN:', '\r\n\r\n',
  '<DIDL-Lite>', '<item id="1">', '</item>', '<res protocolInfo="http-get:*:a/b:*">', '<e:property>', '<LastChange>', '<s:Body>', '<s:Fault>',
  '<UPnPError><errorCode>', '</errorCode>', 'http-get:*:', 'DLNA.ORG_FLAGS=', 'DLNA.ORG_PS=', ',',
];

type Edit =
  | { kind: 'insert'; at: number; token: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'repeat'; at: number; length: number; times: number }
  | { kind: 'flip'; at: number; code: number }
  | { kind: 'nest'; token: string; times: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 2, max: 300 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0x2fff }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nest' as const), token: fc.constantFrom('<a>', '<p:a xmlns:p="u">', '<item>', '<x y="1">'), times: fc.integer({ min: 1, max: 200 }) }) },
);

function apply(text: string, e: Edit): string {
  const at = text.length === 0 ? 0 : ('at' in e ? e.at % (text.length + 1) : 0);
  switch (e.kind) {
    case 'insert': return text.slice(0, at) + e.token + text.slice(at);
    case 'delete': return text.slice(0, at) + text.slice(at + e.length);
    case 'truncate': return text.slice(0, at);
    case 'repeat': return text.slice(0, at) + text.slice(at, at + e.length).repeat(e.times) + text.slice(at);
    case 'flip': return text.slice(0, at) + String.fromCharCode(e.code) + text.slice(at + 1);
    case 'nest': {
      const gt = text.indexOf('>', text.length > 0 ? at : 0);
      const where = gt < 0 ? text.length : gt + 1;
      return text.slice(0, where) + e.token.repeat(e.times) + text.slice(where);
    }
  }
}

/** A fixture of the reader's kind, mutated by up to 12 edits. */
function mutated(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 12 })).map(([seed, edits]) => edits.reduce(apply, seed));
}

export interface Target {
  readonly name: string;
  readonly seeds: readonly string[];
  /** Reads one input; resolves or rejects. */
  readonly read: (input: string) => unknown;
  /** The reader's own error types: anything else thrown is a bug. */
  readonly ownErrors: readonly (abstract new (...args: never[]) => Error)[];
}

const CDS = { actionName: 'Browse', serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1' };

export function targets(): Target[] {
  const descriptions = [read('leica', 'description.xml'), read('minidlna', 'description.xml'), read('network-light', 'description.xml'),
    ...all('malformed', /\.xml$/)];
  const scpds = [...all('minidlna', /^scpd-/), ...all('network-light', /^scpd-/), read('malformed', 'bad-scpd.xml'), read('malformed', 'truncated-scpd.xml')];
  const soap = [httpBody(read('soap', 'leica-browse-response.http')), httpBody(read('soap', 'minidlna-browse-0-response.http')),
    httpBody(read('soap', 'minidlna-fault-unknown-object.http')), httpBody(read('soap', 'leica-destroyobject-response.http')), read('minidlna', 'browse-0-soap-response.xml')];
  const didl = [read('didl', 'leica-browse-result.didl.xml'), ...all('minidlna', /\.didl\.xml$/).slice(0, 8), benignDidl(4000).xml];
  const events = all('gena', /\.xml$/);
  const ssdp = [...datagrams(read('ssdp', 'minidlna-notify-at-startup.txt')).slice(0, 6), ...datagrams(read('ssdp', 'network-light-msearch-ssdp-all.txt')).slice(0, 6)];
  const protocolInfos = read('didl', 'leica-source-protocol-info.txt').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
  return [
    { name: 'XML reader', seeds: [...descriptions, ...scpds], read: (t) => parseXmlAsync(t, 'The document'), ownErrors: [XmlError] },
    { name: 'device description', seeds: descriptions, read: (t) => readDeviceDescription(t, 'http://192.168.1.2:80/d.xml'), ownErrors: [DescriptionError] },
    { name: 'SCPD', seeds: scpds, read: (t) => readScpd(t, 'http://192.168.1.2:80/s.xml'), ownErrors: [ScpdError] },
    { name: 'SOAP answer', seeds: soap, read: (t) => readSoapResponse({ status: 200, headers: {}, body: t }, CDS), ownErrors: [] },
    { name: 'SOAP fault (HTTP 500)', seeds: soap, read: (t) => readSoapResponse({ status: 500, headers: {}, body: t }, CDS), ownErrors: [] },
    { name: 'DIDL-Lite', seeds: didl, read: (t) => parseDidlAsync(t), ownErrors: [DidlError] },
    { name: 'GENA property set', seeds: events, read: (t) => decodePropertySet(t), ownErrors: [] },
    { name: 'SSDP datagram', seeds: ssdp, read: (t) => toAdvertisement(parseSsdpMessage(t)), ownErrors: [SsdpParseError] },
    { name: 'protocolInfo', seeds: protocolInfos, read: (t) => parseProtocolInfo(t), ownErrors: [] },
  ];
}

/** Time allowed for one input: generous (CI machines are slow and shared), and linear in its size. */
export function budgetMs(input: string): number {
  return 250 + input.length / 2000;
}

export interface FuzzOptions {
  /** Stop generating after this long. */
  readonly seconds: number;
  readonly seed?: number;
}

/** Runs one target; resolves with the number of inputs tried, rejects with fast-check's report. */
export async function fuzz(target: Target, options: FuzzOptions): Promise<number> {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(mutated(target.seeds), async (input) => {
      runs++;
      const started = performance.now();
      try {
        await target.read(input);
      } catch (err) {
        if (!target.ownErrors.some((E) => err instanceof E)) {
          throw new Error(`${target.name} threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
        }
      }
      const took = performance.now() - started;
      if (took > budgetMs(input)) throw new Error(`${target.name} took ${took.toFixed(0)} ms on ${input.length} characters (budget ${budgetMs(input).toFixed(0)} ms)`);
    }),
    { interruptAfterTimeLimit: options.seconds * 1000, numRuns: Number.MAX_SAFE_INTEGER, ...(options.seed !== undefined ? { seed: options.seed } : {}), endOnFailure: true },
  );
  return runs;
}
