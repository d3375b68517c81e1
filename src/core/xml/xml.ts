// XML from devices, turned into a small ordered element tree.
//
// Devices send whatever their firmware writes: prefixed standard elements, stray whitespace
// before the declaration, Latin-1 bodies, DOCTYPEs. The reader (./scanner.ts) checks
// well-formedness as it goes (so a truncated body becomes a message with a line and column
// instead of a half-parsed object) and builds a tree in which every element has a name, a
// namespace, attributes and a plain string `text` — so callers never meet an object where they
// expected a string. It is linear in its input and bounded by DOCUMENT_LIMITS; big documents can be
// read in slices (`parseXmlAsync`) so the extension host is never held for long.
//
// Entities: only the five predefined ones and numeric character references are decoded.
// DOCTYPE-declared entities are never expanded, which rules out "billion laughs" style expansion
// from a hostile device.
import { XmlScanError, XmlScanner, scanInSlices } from './scanner';
import type { SliceOptions, XmlLimits } from './scanner';

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
    /** Set when a limit for one document was reached (the document may be fine, just too big). */
    readonly limit = false,
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
  readonly namespaceUri: string | undefined;
  /** Attributes by qualified name, values unescaped. Null-prototype: a device's `constructor="…"` is just data. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements in document order. */
  readonly children: readonly XmlElement[];
  /** Direct text content (text and CDATA, not that of children), unescaped, trimmed at both ends. */
  readonly text: string;
  /**
   * Offset of the start tag's '<' in the document as parsed (CRLF and CR read as LF, so lines and
   * columns are the document's): where a finding about this element points.
   */
  readonly start?: number;
}

export interface ParseXmlOptions {
  /** Tighter or looser limits than DOCUMENT_LIMITS. */
  readonly limits?: Partial<XmlLimits>;
  /** Keep the content as written of the elements with this many ancestors, for `sourceOf`. */
  readonly keepSourceAtDepth?: number;
}

const sources = new WeakMap<XmlElement, string>();

/**
 * The content of `element` exactly as the document had it (only for elements at the depth asked
 * for with `keepSourceAtDepth`); undefined otherwise.
 */
export function sourceOf(element: XmlElement): string | undefined {
  return sources.get(element);
}

/**
 * Checks and parses `text` into its top-level element.
 * @param what names the document in error messages, e.g. `Description at http://…/desc.xml`.
 * @throws XmlError when the text is empty, not XML, not well-formed, or beyond a limit.
 */
export function parseXml(text: string, what: string, options: ParseXmlOptions = {}): XmlElement {
  const scanner = prepare(text, what, options);
  try {
    return scanner.run();
  } catch (err) {
    throw toXmlError(err, scanner, what);
  }
}

/**
 * `parseXml` in slices of a few milliseconds, yielding to the event loop in between: for
 * documents big enough to hold the extension host (Browse answers).
 */
export async function parseXmlAsync(text: string, what: string, options: ParseXmlOptions & SliceOptions = {}): Promise<XmlElement> {
  const scanner = prepare(text, what, options);
  try {
    return await scanInSlices(scanner, options);
  } catch (err) {
    throw toXmlError(err, scanner, what);
  }
}

function prepare(text: string, what: string, options: ParseXmlOptions): XmlScanner {
  // Line ends are normalised as XML requires (CRLF and CR become LF), so positions count lines.
  const source = text.indexOf('\r') >= 0 ? text.replace(/\r\n?/g, '\n') : text;
  let first = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (first < source.length && /\s/.test(source[first]!)) first++;
  if (first >= source.length) {
    throw new XmlError(`${what} is empty (the device sent no content).`, what, 'empty document');
  }
  if (source[first] !== '<') {
    const reason = `it starts with "${snippet(source.slice(first))}", not with '<'`;
    const scanner = new XmlScanner(source, { mode: 'strict' });
    const at = scanner.position(first);
    throw new XmlError(`${what} is not XML (${reason}).`, what, reason, at.line, at.column);
  }
  return new XmlScanner(source, {
    mode: 'strict',
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.keepSourceAtDepth !== undefined
      ? { contentDepth: options.keepSourceAtDepth, onContent: (element: XmlElement, content: string) => { if (element.children.length > 0) sources.set(element, content); } }
      : {}),
  });
}

function toXmlError(err: unknown, scanner: XmlScanner, what: string): unknown {
  if (!(err instanceof XmlScanError)) return err;
  const { reason } = err;
  switch (err.kind) {
    case 'limit':
      return new XmlError(`${what} was not read: ${reason}, more than UPnP Explorer accepts in one document.`, what, reason, undefined, undefined, true);
    case 'second-root':
      return new XmlError(`${what} is not well-formed XML (${reason}).`, what, reason);
    case 'no-element':
      return new XmlError(`${what} is not well-formed XML (line 1, column 1: ${reason}).`, what, reason, 1, 1);
    default: {
      const at = scanner.position(err.offset ?? scanner.endOffset());
      return new XmlError(`${what} is not well-formed XML (line ${at.line}, column ${at.column}: ${reason}).`, what, reason, at.line, at.column);
    }
  }
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
  const out: string[] = [];
  writeInner(element, out);
  return out.join('');
}

/** Serialises an element (attributes, children, own text) back to XML. Whitespace is not kept. */
export function outerXml(element: XmlElement): string {
  const out: string[] = [];
  writeOuter(element, out);
  return out.join('');
}

// One output array for the whole subtree: joining per level would copy deep text once per level.
function writeInner(element: XmlElement, out: string[]): void {
  if (element.text) out.push(xmlEscape(element.text));
  for (const child of element.children) writeOuter(child, out);
}

function writeOuter(element: XmlElement, out: string[]): void {
  let open = `<${element.name}`;
  for (const key in element.attributes) open += ` ${key}="${xmlEscape(element.attributes[key]!)}"`;
  if (!element.text && element.children.length === 0) {
    out.push(`${open}/>`);
    return;
  }
  out.push(`${open}>`);
  writeInner(element, out);
  out.push(`</${element.name}>`);
}

/**
 * Escapes text for use in element content or a quoted attribute. Plain string replacements, no
 * callback per character: values re-serialised from a device can be megabytes of '&' and '<'.
 */
export function xmlEscape(value: string): string {
  if (!/[&<>"']/.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
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
