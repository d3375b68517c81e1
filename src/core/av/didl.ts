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

// ---- the scanner ----

interface Node {
  name: string;
  localName: string;
  namespace: string | undefined;
  attrs: Record<string, string>;
  children: Node[];
  text: string;
  scope: ReadonlyMap<string, string>;
  /** Whether any attribute name has a prefix (so lookups by local name need a scan). */
  prefixedAttrs: boolean;
}

const MAX_DEPTH = 64;
const EMPTY_SCOPE: ReadonlyMap<string, string> = new Map();

class Scanner {
  readonly problems: string[] = [];
  private readonly reported = new Set<string>();

  constructor(private readonly xml: string) {}

  problemOnce(key: string, message: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.problems.push(message);
  }

  /** Decodes entity and character references; a bare '&' or unknown entity stays as written. */
  decode(raw: string): string {
    if (raw.indexOf('&') < 0) return raw;
    return raw.replace(/&(#[xX][0-9a-fA-F]{1,6};|#[0-9]{1,7};|amp;|lt;|gt;|quot;|apos;|[A-Za-z][A-Za-z0-9]*;)?/g, (whole, ref: string | undefined) => {
      if (ref === undefined) {
        this.problemOnce('bare&', "Text holds a bare '&' (it should be written &amp;); kept as '&'.");
        return '&';
      }
      switch (ref) {
        case 'amp;': return '&';
        case 'lt;': return '<';
        case 'gt;': return '>';
        case 'quot;': return '"';
        case 'apos;': return "'";
      }
      if (ref[0] === '#') {
        const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2, -1), 16) : parseInt(ref.slice(1, -1), 10);
        const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
          (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
        if (valid) return String.fromCodePoint(code);
        this.problemOnce('badref', `Text holds ${whole}, which is not a character XML allows; kept as written.`);
        return whole;
      }
      this.problemOnce(`entity:${ref}`, `Text holds the entity ${whole}, which XML does not define (an HTML habit); kept as written.`);
      return whole;
    });
  }

  scan(): Node {
    const xml = this.xml;
    const n = xml.length;
    const stack: Node[] = [];
    let root: Node | undefined;
    let i = 0;
    if (xml.charCodeAt(0) === 0xfeff) i = 1;
    while (i < n) {
      const lt = xml.indexOf('<', i);
      const textEnd = lt < 0 ? n : lt;
      if (textEnd > i) this.addText(stack, xml.slice(i, textEnd), root !== undefined);
      if (lt < 0) break;
      const next = xml.charCodeAt(lt + 1);
      if (next === 47 /* / */) {
        const gt = xml.indexOf('>', lt);
        if (gt < 0) throw this.cutOff(stack);
        this.close(stack, xml.slice(lt + 2, gt).trim());
        i = gt + 1;
      } else if (next === 63 /* ? */) {
        const end = xml.indexOf('?>', lt + 2);
        if (end < 0) throw this.cutOff(stack);
        i = end + 2;
      } else if (next === 33 /* ! */) {
        if (xml.startsWith('<!--', lt)) {
          const end = xml.indexOf('-->', lt + 4);
          if (end < 0) throw this.cutOff(stack);
          i = end + 3;
        } else if (xml.startsWith('<![CDATA[', lt)) {
          const end = xml.indexOf(']]>', lt + 9);
          if (end < 0) throw this.cutOff(stack);
          const top = stack[stack.length - 1];
          if (top) top.text += xml.slice(lt + 9, end);
          i = end + 3;
        } else {
          // <!DOCTYPE …> with an optional internal subset in [ ]; skipped, entities never expanded.
          let j = lt + 2;
          let depth = 0;
          for (; j < n; j++) {
            const c = xml.charCodeAt(j);
            if (c === 91) depth++;
            else if (c === 93) depth--;
            else if (c === 62 && depth <= 0) break;
          }
          if (j >= n) throw this.cutOff(stack);
          i = j + 1;
        }
      } else {
        const opened = this.open(lt, stack);
        if (opened === undefined) {
          // '<' not followed by a name: text such as "a < b" from a sloppy server.
          this.problemOnce('bare<', "Text holds a bare '<' (it should be written &lt;); kept as '<'.");
          this.addText(stack, '<', root !== undefined);
          i = lt + 1;
          continue;
        }
        const { node, selfClosing, end } = opened;
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(node);
        else if (!root) root = node;
        else throw new DidlError(`The document has a second top-level element <${node.name}> after <${root.name}>; it is not one XML document.`);
        if (!selfClosing) {
          if (stack.length >= MAX_DEPTH) throw new DidlError(`Elements are nested more than ${MAX_DEPTH} deep; not DIDL-Lite.`);
          stack.push(node);
        }
        i = end;
      }
    }
    if (stack.length > 0) throw this.cutOff(stack);
    if (!root) throw new DidlError(n === 0 || this.xml.trim() === '' ? 'The DIDL-Lite text is empty.' : 'The text holds no XML element.');
    return root;
  }

  private addText(stack: Node[], raw: string, afterRoot: boolean): void {
    const top = stack[stack.length - 1];
    if (top) {
      top.text += this.decode(raw);
    } else if (raw.trim() !== '') {
      if (!afterRoot && /^\s*[^<\s]/.test(raw)) throw new DidlError(`The text is not XML: it starts with "${raw.trim().slice(0, 30)}".`);
      this.problemOnce('outside', 'Text outside the DIDL-Lite element was ignored.');
    }
  }

  private cutOff(stack: Node[]): DidlError {
    const open = stack.map((s) => `<${s.name}>`);
    return new DidlError(open.length
      ? `The DIDL-Lite ends while ${open.slice(-3).join(', ')} ${open.length === 1 ? 'is' : 'are'} still open; was it cut off?`
      : 'The DIDL-Lite ends inside a tag; was it cut off?');
  }

  private close(stack: Node[], name: string): void {
    const top = stack[stack.length - 1];
    if (top && top.name === name) {
      stack.pop();
      return;
    }
    const at = stack.map((s) => s.name).lastIndexOf(name);
    if (at >= 0) {
      const unclosed = stack.slice(at + 1).map((s) => `<${s.name}>`).join(', ');
      this.problemOnce(`unclosed:${name}`, `${unclosed} not closed before </${name}>; closed there.`);
      stack.length = at;
      return;
    }
    this.problemOnce(`stray:${name}`, `A closing tag </${name}> without a matching opening tag was ignored.`);
  }

  private open(lt: number, stack: Node[]): { node: Node; selfClosing: boolean; end: number } | undefined {
    const xml = this.xml;
    const n = xml.length;
    let j = lt + 1;
    const first = xml.charCodeAt(j);
    // Name start: letters, '_', ':' or anything non-ASCII.
    if (!((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95 || first === 58 || first > 127)) return undefined;
    while (j < n) {
      const c = xml.charCodeAt(j);
      if (c === 32 || c === 62 || c === 47 || c === 9 || c === 10 || c === 13) break;
      j++;
    }
    if (j >= n) throw this.cutOff(stack);
    const name = xml.slice(lt + 1, j);
    const attrs = Object.create(null) as Record<string, string>;
    let declared: Map<string, string> | undefined;
    const parentScope = stack[stack.length - 1]?.scope ?? EMPTY_SCOPE;
    let selfClosing = false;
    let prefixedAttrs = false;
    for (;;) {
      while (j < n) {
        const c = xml.charCodeAt(j);
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
        j++;
      }
      if (j >= n) throw this.cutOff(stack);
      const c = xml.charCodeAt(j);
      if (c === 62) { j++; break; }
      if (c === 47) {
        if (xml.charCodeAt(j + 1) !== 62) {
          if (j + 1 >= n) throw this.cutOff(stack);
          throw new DidlError(`Malformed tag <${name}>: '/' not followed by '>'.`);
        }
        selfClosing = true;
        j += 2;
        break;
      }
      const nameStart = j;
      while (j < n) {
        const d = xml.charCodeAt(j);
        if (d === 61 || d === 32 || d === 62 || d === 47 || d === 9 || d === 10 || d === 13) break;
        j++;
      }
      const attrName = xml.slice(nameStart, j);
      while (j < n && (xml.charCodeAt(j) === 32 || xml.charCodeAt(j) === 9 || xml.charCodeAt(j) === 10 || xml.charCodeAt(j) === 13)) j++;
      if (j >= n) throw this.cutOff(stack);
      let value: string;
      if (xml.charCodeAt(j) !== 61) {
        this.problemOnce(`noval:${attrName}`, `Attribute ${attrName} of <${name}> has no value; read as empty.`);
        value = '';
      } else {
        j++;
        while (j < n && (xml.charCodeAt(j) === 32 || xml.charCodeAt(j) === 9 || xml.charCodeAt(j) === 10 || xml.charCodeAt(j) === 13)) j++;
        const q = xml.charCodeAt(j);
        if (q === 34 || q === 39) {
          const close = xml.indexOf(q === 34 ? '"' : "'", j + 1);
          if (close < 0) throw this.cutOff(stack);
          value = this.decode(xml.slice(j + 1, close));
          j = close + 1;
        } else {
          const start = j;
          while (j < n) {
            const d = xml.charCodeAt(j);
            if (d === 32 || d === 62 || d === 9 || d === 10 || d === 13) break;
            j++;
          }
          if (j >= n) throw this.cutOff(stack);
          this.problemOnce(`unquoted:${attrName}`, `Attribute ${attrName} of <${name}> is not quoted; read up to the next space.`);
          value = this.decode(xml.slice(start, j));
        }
      }
      if (attrName === '') throw new DidlError(`Malformed tag <${name}>: an attribute without a name.`);
      attrs[attrName] = value;
      if (attrName.indexOf(':') >= 0) prefixedAttrs = true;
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        declared ??= new Map(parentScope);
        declared.set(attrName === 'xmlns' ? '' : attrName.slice(6), value);
      }
    }
    const scope = declared ?? parentScope;
    const colon = name.indexOf(':');
    const prefix = colon >= 0 ? name.slice(0, colon) : '';
    const localName = colon >= 0 ? name.slice(colon + 1) : name;
    const node: Node = { name, localName, namespace: scope.get(prefix) || undefined, attrs, children: [], text: '', scope, prefixedAttrs };
    return { node, selfClosing, end: j };
  }
}

// ---- DIDL-Lite model ----

function escapeXml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function innerXml(node: Node): string {
  return escapeXml(node.text.trim()) + node.children.map(outerXml).join('');
}

function outerXml(node: Node): string {
  const attrs = Object.entries(node.attrs).map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  const inner = innerXml(node);
  return inner ? `<${node.name}${attrs}>${inner}</${node.name}>` : `<${node.name}${attrs}/>`;
}

function isStandard(node: Node): boolean {
  if (node.namespace !== undefined) return STANDARD_NAMESPACES.has(node.namespace);
  return STANDARD_PREFIXES.has(node.name.indexOf(':') >= 0 ? node.name.slice(0, node.name.indexOf(':')) : '');
}

function attr(node: Node, name: string): string | undefined {
  const direct = node.attrs[name];
  if (direct !== undefined) return direct;
  if (!node.prefixedAttrs) return undefined;
  // Prefixed forms (`dlna:profileID`) by local name.
  for (const key of Object.keys(node.attrs)) {
    const colon = key.indexOf(':');
    if (colon >= 0 && key.slice(colon + 1) === name && !key.startsWith('xmlns')) return node.attrs[key];
  }
  return undefined;
}

function nonNegativeInteger(value: string | undefined, what: string, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d{1,16}$/.test(v)) return Number(v);
  problems.push(`${what} is "${value}", not a whole number; ignored.`);
  return undefined;
}

function hasAttrs(node: Node): boolean {
  for (const key in node.attrs) if (!key.startsWith('xmlns')) return true;
  return false;
}

/**
 * protocolInfo values repeat across a page (every photo's JPEG_TN has the same one), so each
 * distinct value is parsed once per document and its result shared by the resources using it.
 */
type ProtocolInfoCache = Map<string, ProtocolInfo>;

function toObject(node: Node, problems: string[], cache: ProtocolInfoCache): DidlObject {
  const kind = node.localName === 'container' ? 'container' : 'item';
  const id = attr(node, 'id');
  const label = `${kind} ${id ?? '(no id)'}`;
  if (id === undefined || id === '') problems.push(`An ${kind} has no id attribute; it cannot be browsed or deleted.`);
  const parentId = attr(node, 'parentID');
  if (parentId === undefined) problems.push(`${label} has no parentID attribute.`);
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
  if (restrictedText === undefined) problems.push(`${label} has no restricted attribute.`);
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
    if (child.localName === 'desc' && (child.namespace === DIDL_NS || child.name === 'desc')) {
      const ns = attr(child, 'nameSpace');
      object.vendorFields.push({ name: 'desc', ...(ns !== undefined ? { namespace: ns } : {}), value: innerXml(child) });
      continue;
    }
    if (!isStandard(child)) {
      object.vendorFields.push({ name: child.name, ...(child.namespace !== undefined ? { namespace: child.namespace } : {}), value: child.children.length ? innerXml(child) : text });
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
        if (text === '') { problems.push(`${label} has an empty upnp:albumArtURI; ignored.`); continue; }
        const profileId = attr(child, 'profileID');
        object.albumArtUris.push({ uri: text, ...(profileId !== undefined ? { profileId } : {}) });
        continue;
      }
      case 'res':
        object.resources.push(toResource(child, text, label, problems, cache));
        continue;
    }
    const field: DidlField = { name: child.name, value: child.children.length ? innerXml(child) : text };
    if (child.namespace !== undefined) field.namespace = child.namespace;
    if (hasAttrs(child)) field.attributes = child.attrs;
    object.otherFields.push(field);
  }
  if (!sawTitle) problems.push(`${label} has no dc:title.`);
  if (!sawClass) problems.push(`${label} has no upnp:class.`);
  else if (!object.upnpClass.startsWith(`object.${kind}`)) problems.push(`${label} has upnp:class "${object.upnpClass}", which is not an object.${kind} class.`);
  return object;
}

function toResource(node: Node, uri: string, label: string, problems: string[], cache: ProtocolInfoCache): DidlResource {
  const info = attr(node, 'protocolInfo');
  if (info === undefined) problems.push(`A res of ${label} has no protocolInfo (required by DIDL-Lite).`);
  if (uri === '') problems.push(`A res of ${label} has no URL.`);
  let protocolInfo = cache.get(info ?? '');
  if (!protocolInfo) {
    protocolInfo = parseProtocolInfo(info ?? '');
    if (cache.size < 4096) cache.set(info ?? '', protocolInfo);
  }
  const res: DidlResource = { uri, protocolInfo, attributes: node.attrs };
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
 * attributes) are listed in `problems`.
 * @throws DidlError when the text is not XML, is cut off, or its top element is not DIDL-Lite.
 */
export function parseDidl(xml: string): DidlDocument {
  const scanner = new Scanner(xml);
  const root = scanner.scan();
  if (root.localName !== 'DIDL-Lite') {
    throw new DidlError(`The top element is <${root.name}>, not <DIDL-Lite>.`);
  }
  const problems = scanner.problems;
  if (root.namespace !== DIDL_NS) {
    problems.push(root.namespace
      ? `<DIDL-Lite> is in namespace "${root.namespace}", not "${DIDL_NS}"; read anyway.`
      : `<DIDL-Lite> declares no namespace (expected "${DIDL_NS}"); read anyway.`);
  }
  const objects: DidlObject[] = [];
  const cache: ProtocolInfoCache = new Map();
  for (const child of root.children) {
    if (child.localName === 'item' || child.localName === 'container') objects.push(toObject(child, problems, cache));
    else if (child.localName !== 'desc') problems.push(`<${child.name}> directly in <DIDL-Lite> is neither an item nor a container; ignored.`);
  }
  return { objects, problems };
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
