// XML from devices, turned into a small ordered element tree.
//
// Devices send whatever their firmware writes: prefixed standard elements, stray whitespace
// before the declaration, Latin-1 bodies, DOCTYPEs. This module validates first (so a truncated
// body becomes a message with a line and column instead of a half-parsed object), then builds a
// tree in which every element has a name, a namespace, attributes and a plain string `text` —
// so callers never meet an object where they expected a string.
//
// Entities: only the five predefined ones and numeric character references are decoded (by
// `xmlUnescape`). DOCTYPE-declared entities are never expanded, which rules out "billion laughs"
// style expansion from a hostile device.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A document could not be used as XML. `message` names the document and says why. */
export class XmlError extends Error {
  constructor(
    message: string,
    /** What the document is, as named in the message (e.g. "Description at http://…"). */
    readonly what: string,
    /** The parser's reason in plain words (without position). */
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}

export interface XmlElement {
  /** Qualified name as written, e.g. `dlna:X_DLNADOC`. */
  readonly name: string;
  /** Prefix as written (`dlna`), or '' when unprefixed. */
  readonly prefix: string;
  /** Name without its prefix (`X_DLNADOC`). */
  readonly localName: string;
  /** Namespace URI of the element, resolved from xmlns declarations in scope; undefined when none applies. */
  readonly namespaceUri?: string;
  /** Namespace declarations in scope: prefix -> URI, '' for the default namespace. */
  readonly namespaces: ReadonlyMap<string, string>;
  /** Attributes by qualified name, values unescaped. Null-prototype: a device's `constructor="…"` is just data. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** Direct text content (text and CDATA, not that of children), unescaped, trimmed at both ends. */
  readonly text: string;
}

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';
const ATTR_PREFIX = '@_';

// Names fast-xml-parser refuses or renames because they would be object keys like `__proto__`.
// They are legal XML, so they are smuggled through with a marker no XML name can contain.
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const MARK = '\u0001';
const MAX_DEPTH = 100;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  // Whitespace is trimmed per element after text pieces are joined (see `build`), so mixed
  // content keeps its inner spacing.
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: CDATA,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  // Bounds recursion in everything that walks the tree; real descriptions nest about 8 deep.
  maxNestedTags: MAX_DEPTH,
  transformTagName: (name: string) => (RESERVED_NAMES.has(name) ? MARK + name : name),
});

/** Raw node shape of fast-xml-parser's `preserveOrder` output. */
type RawNode = Record<string, unknown>;

/**
 * Validates and parses `text` into its top-level element.
 * @param what names the document in error messages, e.g. `Description at http://…/desc.xml`.
 * @throws XmlError when the text is empty, not XML, or not well-formed.
 */
export function parseXml(text: string, what: string): XmlElement {
  // A BOM or blank lines before `<?xml` are common and harmless; the validator would reject them.
  let source = text.replace(/\r\n?/g, '\n');
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const lead = /^\s*/.exec(source)?.[0] ?? '';
  source = source.slice(lead.length);
  const leadLines = lead.split('\n').length - 1;
  const leadColumns = leadLines === 0 ? lead.length : lead.length - lead.lastIndexOf('\n') - 1;
  const position = (line: number, col: number): { line: number; column: number } =>
    ({ line: line + leadLines, column: line === 1 ? col + leadColumns : col });

  if (source.length === 0) {
    throw new XmlError(`${what} is empty (the device sent no content).`, what, 'empty document');
  }
  if (source[0] !== '<') {
    const reason = `it starts with "${snippet(source)}", not with '<'`;
    throw new XmlError(`${what} is not XML (${reason}).`, what, reason, position(1, 1).line, position(1, 1).column);
  }

  const result = XMLValidator.validate(source);
  if (result !== true) {
    const { msg, line, col } = result.err;
    const truncated = /^Invalid '(\[.*\])' found\.$/.exec(msg);
    const unclosed = /^Unclosed tag '([^']*)'\.$/.exec(msg);
    let reason: string;
    let at: { line: number; column: number };
    if (truncated || unclosed) {
      // Validator reports these at line 1 / the open tag; the useful place is where the text stops.
      const open = truncated ? parseTagList(truncated[1]!) : [unclosed![1]!];
      reason = open.length > 0
        ? `the document ends while ${listOpen(open)} still open; was it cut off?`
        : 'the document ends early; was it cut off?';
      at = endPosition(source, position);
    } else {
      reason = plainReason(msg);
      at = position(line, col ?? 1);
    }
    throw new XmlError(`${what} is not well-formed XML (line ${at.line}, column ${at.column}: ${reason}).`, what, reason, at.line, at.column);
  }

  let raw: unknown;
  try {
    raw = parser.parse(source);
  } catch (err) {
    // The validator accepted it, so this is a limit (e.g. nesting depth) rather than bad syntax.
    const message = err instanceof Error ? err.message : String(err);
    const reason = /Maximum nested tags exceeded/i.test(message) ? `elements are nested more than ${MAX_DEPTH} deep` : message.replace(/\.$/, '');
    throw new XmlError(`${what} could not be parsed as XML (${reason}).`, what, reason);
  }
  const top = Array.isArray(raw) ? buildChildren(raw as RawNode[], new Map()).elements : [];
  if (top.length === 0) {
    throw new XmlError(`${what} is not XML (no element found).`, what, 'no element found');
  }
  if (top.length > 1) {
    const reason = `a second top-level element <${top[1]!.name}> follows <${top[0]!.name}>; a document has exactly one`;
    throw new XmlError(`${what} is not well-formed XML (${reason}).`, what, reason);
  }
  return top[0]!;
}

function buildChildren(nodes: readonly RawNode[], scope: ReadonlyMap<string, string>): { elements: XmlElement[]; text: string } {
  const elements: XmlElement[] = [];
  let text = '';
  for (const node of nodes) {
    if (node === null || typeof node !== 'object') continue;
    for (const key of Object.keys(node)) {
      if (key === ATTRS) continue;
      const value = node[key];
      if (key === TEXT) {
        text += xmlUnescape(String(value));
      } else if (key === CDATA) {
        // CDATA is literal: no unescaping.
        if (Array.isArray(value)) for (const part of value as RawNode[]) text += String(part[TEXT] ?? '');
      } else if (key.startsWith('?') || key.startsWith('!')) {
        continue;
      } else {
        elements.push(buildElement(key, node, scope));
      }
    }
  }
  return { elements, text };
}

function buildElement(rawName: string, node: RawNode, parentScope: ReadonlyMap<string, string>): XmlElement {
  const name = rawName.startsWith(MARK) ? rawName.slice(MARK.length) : rawName;
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  let scope = parentScope;
  const rawAttrs = node[ATTRS];
  if (rawAttrs && typeof rawAttrs === 'object') {
    let declared: Map<string, string> | undefined;
    for (const [key, value] of Object.entries(rawAttrs as Record<string, unknown>)) {
      const attrName = key.startsWith(ATTR_PREFIX) ? key.slice(ATTR_PREFIX.length) : key;
      const attrValue = xmlUnescape(String(value));
      attributes[attrName] = attrValue;
      if (attrName === 'xmlns' || attrName.startsWith('xmlns:')) {
        declared ??= new Map(parentScope);
        declared.set(attrName === 'xmlns' ? '' : attrName.slice(6), attrValue);
      }
    }
    if (declared) scope = declared;
  }
  const colon = name.indexOf(':');
  const prefix = colon >= 0 ? name.slice(0, colon) : '';
  const localName = colon >= 0 ? name.slice(colon + 1) : name;
  const namespaceUri = scope.get(prefix) || undefined;
  const content = node[rawName];
  const { elements, text } = Array.isArray(content) ? buildChildren(content as RawNode[], scope) : { elements: [], text: '' };
  return { name, prefix, localName, namespaceUri, namespaces: scope, attributes, children: elements, text: text.trim() };
}

/**
 * Child elements whose local name is `localName`, whatever their prefix (some devices write
 * `<u:serviceList>`). Falls back to a case-insensitive match (`SCPDUrl` for `SCPDURL`) only when
 * nothing matches exactly. Without `localName`, all child elements.
 */
export function childElements(parent: XmlElement | undefined, localName?: string): XmlElement[] {
  if (!parent) return [];
  if (localName === undefined) return [...parent.children];
  const exact = parent.children.filter((c) => c.localName === localName);
  if (exact.length > 0) return exact;
  const lower = localName.toLowerCase();
  return parent.children.filter((c) => c.localName.toLowerCase() === lower);
}

/** The first child element with this local name (see `childElements`). */
export function childElement(parent: XmlElement | undefined, localName: string): XmlElement | undefined {
  return childElements(parent, localName)[0];
}

/** Text of the first child with this local name; undefined when there is no such child. */
export function childText(parent: XmlElement | undefined, localName: string): string | undefined {
  return childElement(parent, localName)?.text;
}

/** Text of an element, '' for none. Accepts undefined so lookups chain without checks. */
export function elementText(element: XmlElement | undefined): string {
  return element?.text ?? '';
}

/** Descends by local names: `path(root, 'device', 'serviceList')`. */
export function descendant(element: XmlElement | undefined, ...localNames: string[]): XmlElement | undefined {
  let current = element;
  for (const n of localNames) current = childElement(current, n);
  return current;
}

/** An attribute by qualified name, else by local name (`dt:type` for `type`). */
export function attributeValue(element: XmlElement | undefined, name: string): string | undefined {
  if (!element) return undefined;
  if (Object.hasOwn(element.attributes, name)) return element.attributes[name];
  for (const key of Object.keys(element.attributes)) {
    if (localNameOf(key) === name) return element.attributes[key];
  }
  return undefined;
}

/** Namespace declarations made on this element itself (`xmlns` as '', `xmlns:p` as 'p'). */
export function namespaceDeclarations(element: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(element.attributes)) {
    if (key === 'xmlns') out[''] = value;
    else if (key.startsWith('xmlns:')) out[key.slice(6)] = value;
  }
  return out;
}

/** `a:b` -> `b`. */
export function localNameOf(qualifiedName: string): string {
  const colon = qualifiedName.indexOf(':');
  return colon >= 0 ? qualifiedName.slice(colon + 1) : qualifiedName;
}

/** Normalises "one or many" values (e.g. from other parsers' object output) to an array. */
export function asArray<T>(value: T | readonly T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/** Serialises an element's children back to XML, e.g. to show a structured vendor field. */
export function innerXml(element: XmlElement): string {
  return (element.text ? xmlEscape(element.text) : '') + element.children.map(outerXml).join('');
}

/** Serialises an element (attributes, children, own text) back to XML. Whitespace is not kept. */
export function outerXml(element: XmlElement): string {
  const attrs = Object.entries(element.attributes).map(([k, v]) => ` ${k}="${xmlEscape(v)}"`).join('');
  const inner = innerXml(element);
  return inner ? `<${element.name}${attrs}>${inner}</${element.name}>` : `<${element.name}${attrs}/>`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for use in element content or a quoted attribute. */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the predefined entities and numeric character references in one pass (so `&amp;lt;`
 * stays `&lt;`). Anything else, such as a DOCTYPE-defined `&foo;`, is left as written.
 */
export function xmlUnescape(value: string): string {
  if (!value.includes('&')) return value;
  return value.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const valid = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
        (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
      return valid ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(NAMED, ref) ? NAMED[ref]! : whole;
  });
}

/**
 * Decodes a document body to text. The charset comes from a byte-order mark, else the
 * Content-Type header, else the XML declaration, else UTF-8 (UDA requires UTF-8; a few older
 * devices send ISO-8859-1 and say so in one of those places).
 */
export function decodeText(body: Buffer, contentType?: string): string {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) {
    return body.subarray(3).toString('utf8');
  }
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return decodeWith('utf-16le', body.subarray(2));
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return decodeWith('utf-16be', body.subarray(2));
  const fromHeader = contentType ? /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1] : undefined;
  const head = body.subarray(0, 200).toString('latin1');
  const fromDeclaration = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1];
  const text = decodeWith(fromHeader ?? fromDeclaration ?? 'utf-8', body);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function decodeWith(charset: string, body: Buffer): string {
  const label = charset.trim().toLowerCase();
  if (label === 'utf-8' || label === 'utf8') return body.toString('utf8');
  if (label === 'iso-8859-1' || label === 'latin1' || label === 'latin-1' || label === 'iso8859-1' || label === 'us-ascii' || label === 'ascii') {
    return body.toString('latin1');
  }
  try {
    return new TextDecoder(label).decode(body);
  } catch {
    // Unknown label: UTF-8 is what UPnP mandates, so it is the best guess.
    return body.toString('utf8');
  }
}

function snippet(text: string): string {
  const line = text.slice(0, 40).split('\n')[0]!;
  return line.length < text.length ? `${line}…` : line;
}

function parseTagList(json: string): string[] {
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function listOpen(open: readonly string[]): string {
  const tags = open.map((t) => `<${t}>`);
  return tags.length === 1 ? `${tags[0]} is` : `${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]} are`;
}

function endPosition(source: string, position: (line: number, col: number) => { line: number; column: number }): { line: number; column: number } {
  const trimmed = source.replace(/\s+$/, '');
  const lines = trimmed.split('\n');
  return position(lines.length, lines[lines.length - 1]!.length + 1);
}

/** Turns fast-xml-parser's validator messages into words for someone looking at a device. */
function plainReason(msg: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^Expected closing tag '([^']*)' \(opened in line (\d+), col (\d+)\) instead of closing tag '([^']*)'\.$/.exec(msg))) {
    return `closing tag '${m[1]}' expected but found '</${m[4]}>'; <${m[1]}> was opened at line ${m[2]}, column ${m[3]}`;
  }
  if ((m = /^Closing tag '([^']*)' has not been opened\.$/.exec(msg))) return `closing tag '</${m[1]}>' has no matching opening tag`;
  if ((m = /^char '&' is not expected\.$/.exec(msg))) return "a bare '&', which must be written as &amp;";
  if ((m = /^char '(.)' is not expected\.$/s.exec(msg))) return `unexpected character '${m[1]}'`;
  if ((m = /^Attribute '([^']*)' is without value\.$/.exec(msg))) return `attribute '${m[1]}' has no quoted value`;
  if ((m = /^Attribute '([^']*)' is repeated\.$/.exec(msg))) return `attribute '${m[1]}' appears twice`;
  if ((m = /^boolean attribute '([^']*)' is not allowed\.$/.exec(msg))) return `attribute '${m[1]}' has no value`;
  if ((m = /^Tag '([^']*)' is an invalid name\.$/.exec(msg))) return `'<${m[1]}' is not a valid tag name`;
  if (msg === 'Multiple possible root nodes found.') return 'a second top-level element; a document has exactly one';
  if (msg === 'Start tag expected.') return 'no element found, only a declaration or comments';
  if (msg === 'Extra text at the end') return 'text after the end of the top-level element';
  if (msg === 'XML declaration allowed only at the start of the document.') return "the '<?xml …?>' declaration must come first";
  const clean = msg.replace(/\.$/, '');
  return clean.charAt(0).toLowerCase() + clean.slice(1);
}
