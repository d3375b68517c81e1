// DIDL-Lite (ContentDirectory's Browse `Result`, AVTransport metadata) decoded into typed objects.
//
// Browse results are large (a 10,000-photo card at a page size of a few hundred, or a server that
// answers everything at once) and come from firmware that bends XML: unescaped '&' in titles,
// unclosed elements, raw apostrophes in attributes. So this module has its own small scanner
// instead of the generic validate-then-parse path of ../xml/xml.ts: one pass, no intermediate
// objects beyond a compact element tree, tolerant of what can be read unambiguously (reported in
// `problems`) and strict only where the result would be guesswork (a document cut off mid-way).
// Entities: the five predefined ones and character references only; DOCTYPE entities are never
// expanded.
import { parseProtocolInfo } from './protocolInfo';
import type { ProtocolInfo } from './protocolInfo';
import { describeResource, resourceLabel } from './resources';
import { XmlScanError, XmlScanner, scanInSlices } from '../xml/scanner';
import type { ScannedElement, SliceOptions, XmlLimits } from '../xml/scanner';

/** Where conversions report what they tolerated (a ProblemList: bounded, whatever the document). */
interface ProblemSink {
  add(message: string): void;
}

export interface DidlResource {
  /** The resource URL (the element's text), trimmed. */
  uri: string;
  /** Decoded once per distinct value in a document and shared by the resources carrying it: read-only. */
  protocolInfo: ProtocolInfo;
  /** Bytes, as the server declares them (the Leica camera's JPEG sizes are placeholders). */
  size?: number;
  /** H+:MM:SS[.F+] as sent. */
  duration?: string;
  /** WxH as sent. */
  resolution?: string;
  /** Bytes per second (UPnP AV), as sent. */
  bitrate?: number;
  /** Every attribute as sent (protocolInfo, size, sampleFrequency, nrAudioChannels, dlna:…). Null-prototype. */
  attributes: Record<string, string>;
}

export interface DidlField {
  /** Qualified name as written, e.g. `leica:X_Rating`. */
  name: string;
  namespace?: string;
  /** Text, or the inner XML when the element holds elements. */
  value: string;
  /** Attributes as sent (only when there are any). */
  attributes?: Record<string, string>;
}

export interface DidlObject {
  kind: 'container' | 'item';
  id: string;
  parentId: string;
  restricted: boolean;
  title: string;
  /** upnp:class text, e.g. 'object.item.imageItem.photo'. */
  upnpClass: string;
  /** upnp:class@name, e.g. 'imageItem' (the Leica camera sends it). */
  upnpClassName?: string;
  date?: string;
  creator?: string;
  artist?: string;
  album?: string;
  writeStatus?: string;
  childCount?: number;
  /** item@refID: the object this one mirrors (minidlna's views point at "Browse Folders"). */
  refId?: string;
  searchable?: boolean;
  albumArtUris: { uri: string; profileId?: string }[];
  resources: DidlResource[];
  /** Elements outside the DIDL-Lite, Dublin Core, UPnP and DLNA namespaces, e.g. leica:X_Rating; `desc` blocks too. */
  vendorFields: { name: string; namespace?: string; value: string }[];
  /** Standard elements without a field of their own (upnp:searchClass, upnp:storageUsed, upnp:genre, …). */
  otherFields: DidlField[];
}

export interface DidlDocument {
  objects: DidlObject[];
  /** Tolerated departures, in words, naming the object when there is one. */
  problems: string[];
}

/** The text is not usable as DIDL-Lite: not XML, cut off, or not a DIDL-Lite document. */
export class DidlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DidlError';
  }
}

export const DIDL_NS = 'urn:schemas-upnp-org:metadata-1-0/DIDL-Lite/';
export const DC_NS = 'http://purl.org/dc/elements/1.1/';
export const UPNP_NS = 'urn:schemas-upnp-org:metadata-1-0/upnp/';
export const DLNA_NS = 'urn:schemas-dlna-org:metadata-1-0/';

const STANDARD_NAMESPACES = new Set([DIDL_NS, DC_NS, UPNP_NS, DLNA_NS]);
// Prefixes servers use for the standard namespaces without always declaring them.
const STANDARD_PREFIXES = new Set(['', 'dc', 'upnp', 'dlna', 'didl']);

// ---- reading ----

type Node = ScannedElement;

/**
 * Limits for one DIDL-Lite document. A Browse page of 1,000 camera photos (five res each) holds
 * about 11,000 elements and 33,000 attributes; the largest answer read (8 MiB, ~5,800 such photos)
 * about 64,000 and 190,000. Some servers declare namespaces on every res, so declarations are
 * bounded only by elements.
 */
export const DIDL_LIMITS: XmlLimits = {
  maxDepth: 64,
  maxElements: 120_000,
  maxAttributes: 256,
  maxAttributesTotal: 250_000,
  maxNamespaceDeclarations: 120_000,
  maxDistinctNames: 4096,
  maxProblems: 100,
};

/**
 * Objects read from one document: ten times the largest page the explorer asks for, and enough
 * for a server that ignores RequestedCount on a big folder. Each costs a few KB of memory.
 */
export const MAX_OBJECTS = 10_000;

function toDidlError(err: unknown): unknown {
  if (!(err instanceof XmlScanError)) return err;
  switch (err.kind) {
    case 'cut-off':
      return new DidlError(err.open.length
        ? `The DIDL-Lite ends while ${err.open.slice(-3).map((n) => `<${n}>`).join(', ')} ${err.open.length === 1 ? 'is' : 'are'} still open; was it cut off?`
        : 'The DIDL-Lite ends inside a tag; was it cut off?');
    case 'second-root':
      return new DidlError(`The document has ${err.reason.replace(/; a document has exactly one$/, '')}; it is not one XML document.`);
    case 'no-element':
      return new DidlError('The text holds no XML element.');
    case 'limit':
      return new DidlError(`The DIDL-Lite was not read: ${err.reason}, more than UPnP Explorer accepts in one document.`);
    default:
      return new DidlError(`${err.reason.charAt(0).toUpperCase()}${err.reason.slice(1)}.`);
  }
}

// ---- DIDL-Lite model ----

/** Plain string replacements (no callback per character): vendor values can be long. */
function escapeXml(value: string): string {
  if (!/[&<>"]/.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function innerXml(node: Node): string {
  const out: string[] = [];
  writeInner(node, out);
  return out.join('');
}

// One output array for the whole subtree, so deep nesting is not copied once per level.
function writeInner(node: Node, out: string[]): void {
  if (node.text) out.push(escapeXml(node.text));
  for (const child of node.children) writeOuter(child, out);
}

function writeOuter(node: Node, out: string[]): void {
  let open = `<${node.name}`;
  for (const key in node.attributes) open += ` ${key}="${escapeXml(node.attributes[key]!)}"`;
  if (!node.text && node.children.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  out.push(`${open}>`);
  writeInner(node, out);
  out.push(`</${node.name}>`);
}

function isStandard(node: Node): boolean {
  if (node.namespaceUri !== undefined) return STANDARD_NAMESPACES.has(node.namespaceUri);
  return STANDARD_PREFIXES.has(node.name.indexOf(':') >= 0 ? node.name.slice(0, node.name.indexOf(':')) : '');
}

function attr(node: Node, name: string): string | undefined {
  const direct = node.attributes[name];
  if (direct !== undefined) return direct;
  // Prefixed forms (`dlna:profileID`) by local name; attributes per element are capped.
  for (const key in node.attributes) {
    const colon = key.indexOf(':');
    if (colon >= 0 && key.length - colon - 1 === name.length && key.endsWith(name) && !key.startsWith('xmlns')) return node.attributes[key];
  }
  return undefined;
}

function nonNegativeInteger(value: string | undefined, what: string, problems: ProblemSink): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,16}$/.test(v)) return Number(v);
  problems.add(`${what} is "${value}", not a whole number; ignored.`);
  return undefined;
}

function hasAttrs(node: Node): boolean {
  for (const key in node.attributes) if (!key.startsWith('xmlns')) return true;
  return false;
}

/**
 * protocolInfo values repeat across a page (every photo's JPEG_TN has the same one), so each
 * distinct value is parsed once per document and its result shared by the resources using it.
 */
type ProtocolInfoCache = Map<string, ProtocolInfo>;

function toObject(node: Node, problems: ProblemSink, cache: ProtocolInfoCache): DidlObject {
  const kind = node.localName === 'container' ? 'container' : 'item';
  const id = attr(node, 'id');
  const label = `${kind} ${id ?? '(no id)'}`;
  if (id === undefined || id === '') problems.add(`An ${kind} has no id attribute; it cannot be browsed or deleted.`);
  const parentId = attr(node, 'parentID');
  if (parentId === undefined) problems.add(`${label} has no parentID attribute.`);
  const restrictedText = attr(node, 'restricted');
  const object: DidlObject = {
    kind,
    id: id ?? '',
    parentId: parentId ?? '',
    restricted: restrictedText === '1' || restrictedText?.toLowerCase() === 'true',
    title: '',
    upnpClass: '',
    albumArtUris: [],
    resources: [],
    vendorFields: [],
    otherFields: [],
  };
  if (restrictedText === undefined) problems.add(`${label} has no restricted attribute.`);
  const childCount = nonNegativeInteger(attr(node, 'childCount'), `childCount of ${label}`, problems);
  if (childCount !== undefined) object.childCount = childCount;
  const refId = attr(node, 'refID');
  if (refId !== undefined) object.refId = refId;
  const searchable = attr(node, 'searchable');
  if (searchable !== undefined) object.searchable = searchable === '1' || searchable.toLowerCase() === 'true';

  let sawTitle = false;
  let sawClass = false;
  for (const child of node.children) {
    const text = child.text.trim();
    if (child.localName === 'desc' && (child.namespaceUri === DIDL_NS || child.name === 'desc')) {
      const ns = attr(child, 'nameSpace');
      object.vendorFields.push({ name: 'desc', ...(ns !== undefined ? { namespace: ns } : {}), value: innerXml(child) });
      continue;
    }
    if (!isStandard(child)) {
      object.vendorFields.push({ name: child.name, ...(child.namespaceUri !== undefined ? { namespace: child.namespaceUri } : {}), value: child.children.length ? innerXml(child) : text });
      continue;
    }
    // The first of each named field fills it; repeats (a second artist, a second date) are kept
    // in otherFields rather than dropped.
    switch (child.localName) {
      case 'title':
        if (!sawTitle) { object.title = text; sawTitle = true; continue; }
        break;
      case 'class':
        if (!sawClass) {
          object.upnpClass = text;
          const name = attr(child, 'name');
          if (name !== undefined) object.upnpClassName = name;
          sawClass = true;
          continue;
        }
        break;
      case 'date': if (object.date === undefined) { object.date = text; continue; } break;
      case 'creator': if (object.creator === undefined) { object.creator = text; continue; } break;
      case 'artist': if (object.artist === undefined) { object.artist = text; continue; } break;
      case 'album': if (object.album === undefined) { object.album = text; continue; } break;
      case 'writeStatus': if (object.writeStatus === undefined) { object.writeStatus = text; continue; } break;
      case 'albumArtURI': {
        if (text === '') { problems.add(`${label} has an empty upnp:albumArtURI; ignored.`); continue; }
        const profileId = attr(child, 'profileID');
        object.albumArtUris.push({ uri: text, ...(profileId !== undefined ? { profileId } : {}) });
        continue;
      }
      case 'res':
        object.resources.push(toResource(child, text, label, problems, cache));
        continue;
    }
    const field: DidlField = { name: child.name, value: child.children.length ? innerXml(child) : text };
    if (child.namespaceUri !== undefined) field.namespace = child.namespaceUri;
    if (hasAttrs(child)) field.attributes = child.attributes;
    object.otherFields.push(field);
  }
  if (!sawTitle) problems.add(`${label} has no dc:title.`);
  if (!sawClass) problems.add(`${label} has no upnp:class.`);
  else if (!object.upnpClass.startsWith(`object.${kind}`)) problems.add(`${label} has upnp:class "${object.upnpClass}", which is not an object.${kind} class.`);
  return object;
}

function toResource(node: Node, uri: string, label: string, problems: ProblemSink, cache: ProtocolInfoCache): DidlResource {
  const info = attr(node, 'protocolInfo');
  if (info === undefined) problems.add(`A res of ${label} has no protocolInfo (required by DIDL-Lite).`);
  if (uri === '') problems.add(`A res of ${label} has no URL.`);
  let protocolInfo = cache.get(info ?? '');
  if (!protocolInfo) {
    protocolInfo = parseProtocolInfo(info ?? '');
    if (cache.size < 4096) cache.set(info ?? '', protocolInfo);
  }
  const res: DidlResource = { uri, protocolInfo, attributes: node.attributes };
  const size = nonNegativeInteger(attr(node, 'size'), `size of a res of ${label}`, problems);
  if (size !== undefined) res.size = size;
  const bitrate = nonNegativeInteger(attr(node, 'bitrate'), `bitrate of a res of ${label}`, problems);
  if (bitrate !== undefined) res.bitrate = bitrate;
  const duration = attr(node, 'duration');
  if (duration !== undefined) res.duration = duration;
  const resolution = attr(node, 'resolution');
  if (resolution !== undefined) res.resolution = resolution;
  return res;
}

/**
 * Parses a DIDL-Lite document. Tolerated departures (bare '&', unclosed elements, missing
 * attributes) are listed in `problems`. Items are converted as they close, so only the objects are
 * kept, not the element tree. Linear in the text and bounded by DIDL_LIMITS.
 * @throws DidlError when the text is not XML, is cut off, beyond a limit, or its top element is not DIDL-Lite.
 */
export function parseDidl(xml: string): DidlDocument {
  const reading = startDidl(xml);
  try {
    reading.scanner.run();
  } catch (err) {
    throw toDidlError(err);
  }
  return reading.finish();
}

/**
 * `parseDidl` in slices of a few milliseconds, yielding to the event loop in between, so a big
 * Browse answer never holds the extension host for long.
 */
export async function parseDidlAsync(xml: string, options: SliceOptions = {}): Promise<DidlDocument> {
  const reading = startDidl(xml);
  try {
    await scanInSlices(reading.scanner, options);
  } catch (err) {
    throw toDidlError(err);
  }
  return reading.finish();
}

function startDidl(xml: string): { scanner: XmlScanner; finish: () => DidlDocument } {
  if (xml.trim() === '') throw new DidlError('The DIDL-Lite text is empty.');
  const objects: DidlObject[] = [];
  const cache: ProtocolInfoCache = new Map();
  const scanner: XmlScanner = new XmlScanner(xml, {
    mode: 'tolerant',
    limits: DIDL_LIMITS,
    detachDepth: 1,
    onDetached: (child) => {
      if (child.localName === 'item' || child.localName === 'container') {
        if (objects.length >= MAX_OBJECTS) {
          throw new DidlError(`The DIDL-Lite holds more than ${MAX_OBJECTS.toLocaleString('en-US')} objects, more than UPnP Explorer reads from one answer; ask for fewer per page (upnpExplorer.browse.pageSize).`);
        }
        objects.push(toObject(child, scanner.problems, cache));
      } else if (child.localName !== 'desc') scanner.problems.add(`<${child.name}> directly in <DIDL-Lite> is neither an item nor a container; ignored.`);
    },
  });
  const problems = scanner.problems;
  const finish = (): DidlDocument => {
    const root = scanner.result;
    if (root.localName !== 'DIDL-Lite') throw new DidlError(`The top element is <${root.name}>, not <DIDL-Lite>.`);
    if (root.namespaceUri !== DIDL_NS) {
      problems.add(root.namespaceUri
        ? `<DIDL-Lite> is in namespace "${root.namespaceUri}", not "${DIDL_NS}"; read anyway.`
        : `<DIDL-Lite> declares no namespace (expected "${DIDL_NS}"); read anyway.`);
    }
    return { objects, problems: problems.list() };
  };
  return { scanner, finish };
}

/** What an object holds, for icons and viewers. */
export function mediaKind(o: DidlObject): 'container' | 'image' | 'audio' | 'video' | 'other' {
  if (o.kind === 'container') return 'container';
  const cls = o.upnpClass;
  if (cls.startsWith('object.item.imageItem')) return 'image';
  if (cls.startsWith('object.item.audioItem')) return 'audio';
  if (cls.startsWith('object.item.videoItem')) return 'video';
  for (const r of o.resources) {
    const type = r.protocolInfo.contentFormat.split('/')[0];
    if (type === 'image' || type === 'audio' || type === 'video') return type;
  }
  return 'other';
}

/**
 * Readable lines for an output channel, e.g.
 *   item 01010972 "101-0972" · object.item.imageItem (imageItem) · in 0 · WRITABLE
 *     date: 2024-12-10T15:12:19+08:00
 *     leica:X_Rating: off
 *     res original: DNG original · 72.9 MiB · application/octet-stream (L1010972.DNG)
 *       http://192.168.54.1:50001/DO01010972.DNG
 *       protocolInfo: http-get:*:application/octet-stream;LEICA.COM_PN=CAM_DNG;OriginalFileName='L1010972.DNG'
 */
export function didlObjectLines(o: DidlObject): string[] {
  const head = [`${o.kind} ${o.id || '(no id)'} "${o.title}"`];
  if (o.upnpClass) head.push(o.upnpClassName ? `${o.upnpClass} (${o.upnpClassName})` : o.upnpClass);
  if (o.parentId) head.push(`in ${o.parentId}`);
  if (o.childCount !== undefined) head.push(`${o.childCount} ${o.childCount === 1 ? 'child' : 'children'}`);
  if (o.restricted) head.push('restricted');
  if (o.writeStatus) head.push(o.writeStatus);
  if (o.refId !== undefined) head.push(`refers to ${o.refId}`);
  const lines = [head.join(' · ')];
  const field = (name: string, value: string | undefined): void => { if (value !== undefined) lines.push(`  ${name}: ${value}`); };
  field('date', o.date);
  field('creator', o.creator);
  field('artist', o.artist);
  field('album', o.album);
  for (const art of o.albumArtUris) lines.push(`  album art${art.profileId ? ` (${art.profileId})` : ''}: ${art.uri}`);
  for (const f of o.otherFields) lines.push(`  ${f.name}: ${f.value}${f.attributes ? ` [${Object.entries(f.attributes).map(([k, v]) => `${k}=${v}`).join(', ')}]` : ''}`);
  for (const f of o.vendorFields) lines.push(`  ${f.name}: ${f.value}`);
  for (const r of o.resources) {
    lines.push(`  res ${resourceLabel(r)}: ${describeResource(r)}`);
    lines.push(`    ${r.uri || '(no URL)'}`);
    lines.push(`    protocolInfo: ${r.protocolInfo.raw}`);
  }
  return lines;
}

/**
 * The readable lines of a DIDL-Lite document (an action's Result, an event's metadata): each
 * object as didlObjectLines renders it. Undefined when `value` is not DIDL-Lite.
 */
export async function didlLines(value: string): Promise<string[] | undefined> {
  let objects: DidlObject[];
  try {
    objects = (await parseDidlAsync(value)).objects;
  } catch {
    return undefined;
  }
  return didlObjectsLines(objects);
}

/** The readable lines of already decoded objects (see `didlLines`). */
export function didlObjectsLines(objects: readonly DidlObject[]): string[] {
  if (objects.length === 0) return ['(no objects)'];
  return objects.flatMap(didlObjectLines);
}
