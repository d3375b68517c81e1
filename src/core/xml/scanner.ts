// One XML reader for everything a device sends: descriptions, SCPDs, SOAP answers, GENA property
// sets, LastChange and DIDL-Lite. Devices are untrusted, so it is built around three promises:
//
// - Linear: every byte is looked at a bounded number of times, whatever the nesting, names,
//   attributes, namespace declarations or entity references. Namespace scopes are one stack per
//   prefix (push on declaration, pop on close), never a copy per element; positions for error
//   messages are counted once, when an error is raised.
// - Bounded: limits per document (depth, elements, attributes per element, namespace declarations,
//   distinct names, problems) end the read with one clear reason instead of exhausting memory.
// - Interruptible: `step(deadline)` stops at the deadline and resumes where it left off, so a big
//   document (a Browse answer) is read in slices that never hold the event loop for long. Long
//   text runs are decoded in bounded pieces so a single text node can't defeat the slicing.
//
// Two modes. 'strict' is well-formedness as UDA expects it, with a line and column for each
// error. 'tolerant' (DIDL-Lite from sloppy firmware) reads what is unambiguous — bare '&' and '<',
// unquoted attributes, elements left open — and lists each kind of departure once in `problems`.
// Entities: the five predefined ones and character references; anything else (DOCTYPE-declared
// entities, HTML's &nbsp;) is kept as written and never expanded.

export interface XmlLimits {
  /** Elements nested deeper than this end the read. */
  readonly maxDepth: number;
  /** Elements in the whole document. */
  readonly maxElements: number;
  /** Attributes on one element. */
  readonly maxAttributes: number;
  /** Attributes in the whole document. */
  readonly maxAttributesTotal: number;
  /** xmlns declarations in the whole document. */
  readonly maxNamespaceDeclarations: number;
  /** Distinct element and attribute names in the whole document. */
  readonly maxDistinctNames: number;
  /** Problems kept (tolerant mode and callers); the rest are counted, not stored. */
  readonly maxProblems: number;
}

/**
 * Limits for a device document (description, SCPD, SOAP answer, property set, LastChange). Real
 * ones stay far below: a description holds a few hundred elements, the largest standard SCPD
 * (AVTransport) about 1,500, and they declare a handful of namespaces.
 */
export const DOCUMENT_LIMITS: XmlLimits = {
  maxDepth: 100,
  maxElements: 50_000,
  maxAttributes: 256,
  maxAttributesTotal: 50_000,
  maxNamespaceDeclarations: 256,
  maxDistinctNames: 4096,
  maxProblems: 100,
};

export type XmlMode = 'strict' | 'tolerant';

export type XmlScanErrorKind =
  /** Not well-formed at `offset`. */
  | 'syntax'
  /** The text ends inside a tag or with elements open. */
  | 'cut-off'
  /** A limit was reached. */
  | 'limit'
  /** A second top-level element. */
  | 'second-root'
  /** Only a prolog (declaration, comments), no element. */
  | 'no-element';

/** Why a document could not be read; callers turn it into their own error type and wording. */
export class XmlScanError extends Error {
  constructor(
    readonly kind: XmlScanErrorKind,
    /** In plain words, without position. */
    readonly reason: string,
    /** Offset in the scanned text, when there is a place to point at. */
    readonly offset?: number,
    /** Names of the elements still open (cut-off), outermost first. */
    readonly open: readonly string[] = [],
  ) {
    super(reason);
    this.name = 'XmlScanError';
  }
}

/** A read element. Mutable only while the scanner builds it. */
export interface ScannedElement {
  name: string;
  prefix: string;
  localName: string;
  namespaceUri: string | undefined;
  /** Null-prototype: a device's `constructor="…"` is just data. */
  attributes: Record<string, string>;
  children: ScannedElement[];
  text: string;
  /** Offset of the start tag's '<' in the (line-end normalised) source. */
  start: number;
}

export interface ScanOptions {
  readonly mode: XmlMode;
  readonly limits?: Partial<XmlLimits>;
  /**
   * Elements opened at this depth (1 = children of the top element) are not kept in their
   * parent: each is handed to `onDetached` when it closes, so a long list (DIDL-Lite items) is
   * converted one element at a time instead of being held as a tree.
   */
  readonly detachDepth?: number;
  readonly onDetached?: (element: ScannedElement) => void;
  /**
   * For elements with this many ancestors, `onContent` gets their content exactly as written (a
   * substring of the text, no copy): a SOAP output that holds markup is shown as the device sent
   * it instead of being re-serialised, which costs nothing whatever its size.
   */
  readonly contentDepth?: number;
  readonly onContent?: (element: ScannedElement, source: string) => void;
}

// Shared by every element without attributes or children (most of a document): saves an object
// per element. Frozen, so a consumer can't change one element's and with it every other's.
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
const NO_CHILDREN: ScannedElement[] = Object.freeze([]) as unknown as ScannedElement[];

const LT = 60, GT = 62, SLASH = 47, QMARK = 63, BANG = 33, EQ = 61, AMP = 38, DQ = 34, SQ = 39;
const SP = 32, TAB = 9, LF = 10, CR = 13;

/** Text runs longer than this are decoded piece by piece (bounds the work between deadline checks). */
const TEXT_PIECE = 16 * 1024;
/** Work units (tokens, KiB) between two looks at the clock. */
const TICKS = 64;

// References are short (names of at most 32 characters), which keeps long text splittable into
// pieces without cutting one in two.
const MAX_REFERENCE_LENGTH = 40;
const HASH = 35, SEMI = 59;

function isSpace(c: number): boolean {
  return c === SP || c === LF || c === TAB || c === CR;
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58 || c > 127;
}

/** Characters that end a name, or can't be in one. */
function isNameBreak(c: number): boolean {
  return c === SP || c === GT || c === SLASH || c === TAB || c === LF || c === CR || c === EQ;
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

function predefined(name: string): string | undefined {
  switch (name) {
    case 'amp': return '&';
    case 'lt': return '<';
    case 'gt': return '>';
    case 'quot': return '"';
    case 'apos': return "'";
  }
  return undefined;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

interface Frame {
  readonly element: ScannedElement;
  /** Offset of its '<'. */
  readonly open: number;
  /** Offset just after its start tag's '>'. */
  readonly contentStart: number;
  /** Prefixes it declared (popped from the scope when it closes). */
  readonly declared: string[] | undefined;
  readonly detached: boolean;
}

export class XmlScanner {
  readonly limits: XmlLimits;
  /** Tolerated departures (tolerant mode), each kind once, at most `limits.maxProblems`. */
  readonly problems: ProblemList;
  private readonly text: string;
  private readonly strict: boolean;
  private pos = 0;
  private readonly stack: Frame[] = [];
  private root: ScannedElement | undefined;
  private rootClosed = false;
  /** prefix -> URIs in scope, innermost last ('' is the default namespace). */
  private readonly scope = new Map<string, string[]>();
  private elementCount = 0;
  private attributeCount = 0;
  private declarationCount = 0;
  private readonly names = new Set<string>();
  /** Cached position of the next '<' at or after `pos` (saves rescanning a long text run). */
  private nextLt = -1;
  /** Tolerant mode: how many elements of each name are open. */
  private readonly openNames = new Map<string, number>();
  private finished = false;
  /** Offset of the first non-space character: the only place an XML declaration may stand. */
  private readonly firstToken: number;

  constructor(text: string, private readonly options: ScanOptions) {
    this.text = text;
    this.strict = options.mode === 'strict';
    this.limits = { ...DOCUMENT_LIMITS, ...options.limits };
    this.problems = new ProblemList(this.limits.maxProblems);
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    let first = this.pos;
    while (first < text.length && isSpace(text.charCodeAt(first))) first++;
    this.firstToken = first;
  }

  /** The top element once `step` has returned true. */
  get result(): ScannedElement {
    if (!this.finished || !this.root) throw new Error('XmlScanner: the document has not been read to the end.');
    return this.root;
  }

  /** Reads the whole document. @throws XmlScanError */
  run(): ScannedElement {
    this.step(Infinity);
    return this.result;
  }

  /**
   * Reads until the document ends (true) or `deadline` (a performance.now() value) passes (false;
   * call again to go on). @throws XmlScanError
   */
  step(deadline: number): boolean {
    if (this.finished) return true;
    const text = this.text;
    const n = text.length;
    const timed = deadline !== Infinity;
    // Work since the last look at the clock, in tokens plus one per KiB read (a token can be a
    // 64 KiB piece of text), so the clock is read often enough whatever the document's shape.
    let work = 0;
    let checkedAt = this.pos;
    while (this.pos < n) {
      if (timed && ++work + ((this.pos - checkedAt) >> 10) >= TICKS) {
        work = 0;
        checkedAt = this.pos;
        if (performance.now() > deadline) return false;
      }
      if (text.charCodeAt(this.pos) !== LT) {
        this.textRun();
        continue;
      }
      const next = text.charCodeAt(this.pos + 1);
      if (next === SLASH) this.closeTag();
      else if (next === QMARK) this.processingInstruction();
      else if (next === BANG) this.markupDeclaration();
      else this.openTag();
    }
    this.finish();
    return true;
  }

  /** Line and column (1-based) of an offset, for messages. Linear, so only called for errors. */
  position(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = this.text.indexOf('\n'); i >= 0 && i < offset; i = this.text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  }

  /** Where the text stops (after its last non-space character), for cut-off messages. */
  endOffset(): number {
    let end = this.text.length;
    while (end > 0 && isSpace(this.text.charCodeAt(end - 1))) end--;
    return end;
  }

  // ---- tokens ----

  private textRun(): void {
    const text = this.text;
    const start = this.pos;
    let lt = this.nextLt;
    if (lt < start) {
      lt = text.indexOf('<', start);
      if (lt < 0) lt = text.length;
      this.nextLt = lt;
    }
    let end = lt;
    if (end - start > TEXT_PIECE) {
      // Cut a long run into pieces, never inside a reference.
      end = start + TEXT_PIECE;
      const amp = text.lastIndexOf('&', end - 1);
      if (amp >= end - MAX_REFERENCE_LENGTH && amp > start) end = amp;
    }
    const top = this.stack[this.stack.length - 1];
    if (top) {
      top.element.text += this.decode(text.slice(start, end), start);
    } else {
      this.textOutside(start, end);
    }
    this.pos = end;
  }

  private textOutside(start: number, end: number): void {
    const text = this.text;
    let i = start;
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (i === end) return;
    if (this.strict) {
      throw new XmlScanError('syntax', this.rootClosed ? 'text after the end of the top-level element' : 'text before the top-level element', i);
    }
    if (!this.rootClosed && !this.root) {
      throw new XmlScanError('syntax', `the text is not XML: it starts with "${text.slice(i, i + 30).trim()}"`, i);
    }
    this.problems.once('outside', 'Text outside the top-level element was ignored.');
  }

  private openTag(): void {
    const text = this.text;
    const n = text.length;
    const start = this.pos;
    let j = start + 1;
    if (!isNameStart(text.charCodeAt(j))) {
      if (j >= n) throw this.cutOff(start);
      if (this.strict) {
        const bad = text.slice(j, j + 1);
        throw new XmlScanError('syntax', isSpace(text.charCodeAt(j)) || bad === '<' || bad === '>' ? "a '<' that starts no tag (write it as &lt;)" : `'<${bad}' is not a valid tag name`, start);
      }
      // '<' not followed by a name: text such as "a < b" from a sloppy server.
      this.problems.once('bare<', "Text holds a bare '<' (it should be written &lt;); kept as '<'.");
      const top = this.stack[this.stack.length - 1];
      if (top) top.element.text += '<';
      else this.textOutside(start, start + 1);
      this.pos = start + 1;
      return;
    }
    while (j < n && !isNameBreak(text.charCodeAt(j))) j++;
    if (j >= n) throw this.cutOff(start);
    const name = text.slice(start + 1, j);
    if (text.charCodeAt(j) === EQ) {
      throw new XmlScanError('syntax', `'<${name}=' is not a valid tag`, start);
    }
    if (this.strict) this.checkName(name, start + 1);
    if (this.rootClosed || (this.root && this.stack.length === 0)) {
      throw new XmlScanError('second-root', `a second top-level element <${name}> follows <${this.root!.name}>; a document has exactly one`, start);
    }
    const limits = this.limits;
    if (this.stack.length >= limits.maxDepth) {
      throw new XmlScanError('limit', `elements are nested more than ${limits.maxDepth} deep`, start);
    }
    if (++this.elementCount > limits.maxElements) {
      throw new XmlScanError('limit', `it holds more than ${plural(limits.maxElements, 'element')}`, start);
    }
    this.noteName(name, start);

    let attributes = NO_ATTRIBUTES;
    let attributeCount = 0;
    let declarations: [string, string][] | undefined;
    let selfClosing = false;
    for (;;) {
      const spaceStart = j;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) throw this.cutOff(start);
      const c = text.charCodeAt(j);
      if (c === GT) { j++; break; }
      if (c === SLASH) {
        if (text.charCodeAt(j + 1) === GT) { selfClosing = true; j += 2; break; }
        if (j + 1 >= n) throw this.cutOff(start);
        throw new XmlScanError('syntax', `'/' inside <${name}> not followed by '>'`, j);
      }
      if (j === spaceStart && this.strict) {
        throw new XmlScanError('syntax', `attributes of <${name}> must be separated by spaces`, j);
      }
      // An attribute.
      const nameStart = j;
      while (j < n && !isNameBreak(text.charCodeAt(j))) j++;
      if (j >= n) throw this.cutOff(start);
      const attrName = text.slice(nameStart, j);
      if (attrName === '') {
        throw new XmlScanError('syntax', `an attribute of <${name}> has no name`, nameStart);
      }
      if (this.strict) this.checkName(attrName, nameStart);
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (j >= n) throw this.cutOff(start);
      let value: string;
      if (text.charCodeAt(j) !== EQ) {
        if (this.strict) throw new XmlScanError('syntax', `attribute '${attrName}' has no value`, nameStart);
        this.problems.once('noval', `An attribute without a value (${attrName} of <${name}>) was read as empty.`);
        value = '';
      } else {
        j++;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (j >= n) throw this.cutOff(start);
        const q = text.charCodeAt(j);
        if (q === DQ || q === SQ) {
          const close = text.indexOf(q === DQ ? '"' : "'", j + 1);
          if (close < 0) throw this.cutOff(start);
          value = this.decode(text.slice(j + 1, close), j + 1);
          j = close + 1;
        } else {
          if (this.strict) throw new XmlScanError('syntax', `attribute '${attrName}' has no quoted value`, nameStart);
          const valueStart = j;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === SP || d === GT || d === TAB || d === LF || d === CR) break;
            j++;
          }
          if (j >= n) throw this.cutOff(start);
          this.problems.once('unquoted', `An attribute value is not quoted (${attrName} of <${name}>); read up to the next space.`);
          value = this.decode(text.slice(valueStart, j), valueStart);
        }
      }
      if (attrName in attributes) {
        if (this.strict) throw new XmlScanError('syntax', `attribute '${attrName}' appears twice`, nameStart);
        this.problems.once('repeated', `An attribute appears twice (${attrName} of <${name}>); the last value was kept.`);
      } else if (++attributeCount > limits.maxAttributes) {
        throw new XmlScanError('limit', `<${name}> has more than ${plural(limits.maxAttributes, 'attribute')}`, nameStart);
      } else if (++this.attributeCount > limits.maxAttributesTotal) {
        throw new XmlScanError('limit', `it holds more than ${plural(limits.maxAttributesTotal, 'attribute')}`, nameStart);
      } else {
        this.noteName(attrName, nameStart);
      }
      if (attributes === NO_ATTRIBUTES) attributes = Object.create(null) as Record<string, string>;
      attributes[attrName] = value;
      if (attrName.charCodeAt(0) === 120 /* x */ && (attrName === 'xmlns' || attrName.startsWith('xmlns:'))) {
        if (++this.declarationCount > limits.maxNamespaceDeclarations) {
          throw new XmlScanError('limit', `it declares more than ${plural(limits.maxNamespaceDeclarations, 'namespace')}`, nameStart);
        }
        (declarations ??= []).push([attrName === 'xmlns' ? '' : attrName.slice(6), value]);
      }
    }

    let declared: string[] | undefined;
    if (declarations) {
      declared = [];
      for (const [prefix, uri] of declarations) {
        let uris = this.scope.get(prefix);
        if (!uris) this.scope.set(prefix, (uris = []));
        uris.push(uri);
        declared.push(prefix);
      }
    }
    const colon = name.indexOf(':');
    const prefix = colon >= 0 ? name.slice(0, colon) : '';
    const localName = colon >= 0 ? name.slice(colon + 1) : name;
    const uris = this.scope.get(prefix);
    const element: ScannedElement = {
      name,
      prefix,
      localName,
      namespaceUri: (uris && uris[uris.length - 1]) || undefined,
      attributes,
      children: NO_CHILDREN,
      text: '',
      start,
    };
    // Depth as the number of ancestors: 0 for the top element, 1 for its children.
    const detached = this.stack.length === this.options.detachDepth;
    const parent = this.stack[this.stack.length - 1];
    if (parent) {
      if (!detached) {
        if (parent.element.children === NO_CHILDREN) parent.element.children = [];
        parent.element.children.push(element);
      }
    } else {
      this.root = element;
    }
    const frame: Frame = { element, open: start, contentStart: j, declared, detached };
    if (selfClosing) {
      this.closeFrame(frame, false);
    } else {
      this.stack.push(frame);
      if (!this.strict) this.openNames.set(name, (this.openNames.get(name) ?? 0) + 1);
    }
    this.pos = j;
  }

  private closeTag(): void {
    const text = this.text;
    const start = this.pos;
    const gt = text.indexOf('>', start + 2);
    if (gt < 0) throw this.cutOff(start);
    const name = text.slice(start + 2, gt).trim();
    this.pos = gt + 1;
    const stack = this.stack;
    const top = stack[stack.length - 1];
    if (top && top.element.name === name) {
      stack.pop();
      if (stack.length === this.options.contentDepth) this.options.onContent?.(top.element, text.slice(top.contentStart, start));
      this.closeFrame(top);
      return;
    }
    if (this.strict) {
      if (!top) throw new XmlScanError('syntax', `closing tag '</${name}>' has no matching opening tag`, start);
      const at = this.position(top.open);
      throw new XmlScanError('syntax', `closing tag '${top.element.name}' expected but found '</${name}>'; <${top.element.name}> was opened at line ${at.line}, column ${at.column}`, start);
    }
    // Tolerant: close what was left open up to the matching element, or ignore a stray tag. The
    // count of open elements per name answers "is it open at all?" without walking the stack, so
    // a run of stray closing tags under deep nesting costs O(1) each.
    if (!this.openNames.get(name)) {
      this.problems.once('stray', `A closing tag </${name}> without a matching opening tag was ignored.`);
      return;
    }
    let at = stack.length - 1;
    while (at >= 0 && stack[at]!.element.name !== name) at--;
    this.problems.once('unclosed', `<${stack[stack.length - 1]!.element.name}> not closed before </${name}>; closed there.`);
    while (stack.length > at) this.closeFrame(stack.pop()!);
  }

  /** `pushed`: whether the element was on the stack (false for `<x/>`). */
  private closeFrame(frame: Frame, pushed = true): void {
    const element = frame.element;
    if (!this.strict && pushed) this.openNames.set(element.name, this.openNames.get(element.name)! - 1);
    if (element.text.length > 0) element.text = element.text.trim();
    if (frame.declared) for (const prefix of frame.declared) this.scope.get(prefix)!.pop();
    if (this.stack.length === 0) this.rootClosed = true;
    if (frame.detached) this.options.onDetached?.(element);
  }

  private processingInstruction(): void {
    const text = this.text;
    const start = this.pos;
    const end = text.indexOf('?>', start + 2);
    if (end < 0) throw this.cutOff(start);
    if (this.strict && start !== this.firstToken && /^xml[\s?]/i.test(text.slice(start + 2, start + 6))) {
      throw new XmlScanError('syntax', "the '<?xml …?>' declaration must come first", start);
    }
    this.pos = end + 2;
  }

  private markupDeclaration(): void {
    const text = this.text;
    const start = this.pos;
    if (text.startsWith('<!--', start)) {
      const end = text.indexOf('-->', start + 4);
      if (end < 0) throw this.cutOff(start);
      this.pos = end + 3;
      return;
    }
    if (text.startsWith('<![CDATA[', start)) {
      const end = text.indexOf(']]>', start + 9);
      if (end < 0) throw this.cutOff(start);
      const top = this.stack[this.stack.length - 1];
      if (top) top.element.text += text.slice(start + 9, end); // CDATA is literal
      else if (this.strict) throw new XmlScanError('syntax', 'CDATA outside the top-level element', start);
      this.pos = end + 3;
      return;
    }
    if (text.startsWith('<!DOCTYPE', start) && this.stack.length === 0 && !this.root) {
      // Skipped with its internal subset; its entities are never expanded.
      let depth = 0;
      let j = start + 9;
      for (; j < text.length; j++) {
        const c = text.charCodeAt(j);
        if (c === 91) depth++;
        else if (c === 93) depth--;
        else if (c === GT && depth <= 0) break;
      }
      if (j >= text.length) throw this.cutOff(start);
      this.pos = j + 1;
      return;
    }
    if (this.strict) throw new XmlScanError('syntax', `unexpected '${text.slice(start, start + 9)}'`, start);
    // Tolerant: skip an unknown declaration up to its '>'.
    const gt = text.indexOf('>', start);
    if (gt < 0) throw this.cutOff(start);
    this.problems.once('decl', `An unknown declaration (${text.slice(start, Math.min(gt + 1, start + 12))}…) was ignored.`);
    this.pos = gt + 1;
  }

  private finish(): void {
    if (this.stack.length > 0) throw this.cutOff(this.text.length);
    if (!this.root) throw new XmlScanError('no-element', 'no element found, only a declaration or comments');
    this.finished = true;
  }

  // ---- helpers ----

  private cutOff(tagStart: number): XmlScanError {
    const open = this.stack.map((f) => f.element.name);
    // Ended inside a tag: that tag is open too.
    if (tagStart < this.text.length && this.text.charCodeAt(tagStart) === LT && this.text.charCodeAt(tagStart + 1) !== SLASH) {
      let j = tagStart + 1;
      while (j < this.text.length && !isNameBreak(this.text.charCodeAt(j))) j++;
      const name = this.text.slice(tagStart + 1, j);
      if (name && !name.startsWith('!') && !name.startsWith('?')) open.push(name);
    }
    return new XmlScanError('cut-off', open.length > 0
      ? `the document ends while ${listOpen(open)} still open; was it cut off?`
      : 'the document ends early; was it cut off?', this.endOffset(), open);
  }

  private checkName(name: string, offset: number): void {
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c === LT || c === AMP || c === DQ || c === SQ || c < 32) {
        throw new XmlScanError('syntax', `'${name.slice(0, 40)}' is not a valid name`, offset);
      }
    }
  }

  private noteName(name: string, offset: number): void {
    const names = this.names;
    if (names.size < this.limits.maxDistinctNames || names.has(name)) {
      names.add(name);
      return;
    }
    throw new XmlScanError('limit', `it uses more than ${plural(this.limits.maxDistinctNames, 'distinct name')}`, offset);
  }

  /**
   * Decodes references in one piece of text or an attribute value; `offset` places errors. A loop
   * over '&' positions rather than a regular expression with a callback: several times faster on
   * text that is mostly references (escaped DIDL-Lite in a Browse answer).
   */
  private decode(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp < 0) return raw;
    const parts: string[] = [];
    const n = raw.length;
    let last = 0;
    while (amp >= 0) {
      if (amp > last) parts.push(raw.slice(last, amp));
      const end = referenceEnd(raw, amp);
      if (end < 0) {
        if (this.strict) throw new XmlScanError('syntax', "a bare '&', which must be written as &amp;", offset + amp);
        this.problems.once('bare&', "Text holds a bare '&' (it should be written &amp;); kept as '&'.");
        parts.push('&');
        last = amp + 1;
      } else {
        parts.push(this.reference(raw, amp, end));
        last = end;
      }
      amp = raw.indexOf('&', last);
    }
    if (last < n) parts.push(raw.slice(last));
    return parts.join('');
  }

  /** The text of the reference raw[amp, end), which referenceEnd found well-formed. */
  private reference(raw: string, amp: number, end: number): string {
    if (raw.charCodeAt(amp + 1) === HASH) {
      const hex = raw.charCodeAt(amp + 2) === 120 || raw.charCodeAt(amp + 2) === 88;
      const code = parseInt(raw.slice(amp + (hex ? 3 : 2), end - 1), hex ? 16 : 10);
      if (isXmlChar(code)) return String.fromCodePoint(code);
      if (!this.strict) this.problems.once('badref', `Text holds ${raw.slice(amp, end)}, which is not a character XML allows; kept as written.`);
      return raw.slice(amp, end);
    }
    const c = predefined(raw.slice(amp + 1, end - 1));
    if (c !== undefined) return c;
    if (!this.strict) this.problems.once('entity', `Text holds entities XML does not define (such as ${raw.slice(amp, end)}, an HTML habit); kept as written.`);
    return raw.slice(amp, end);
  }
}

/**
 * End (after ';') of a reference starting at raw[amp] === '&': `&#123;` (1–7 digits), `&#x1F;`
 * (1–6 hex digits) or `&name;` (a name of at most 32 characters); -1 when it is a bare '&'.
 * Looks at no more than MAX_REFERENCE_LENGTH characters.
 */
function referenceEnd(raw: string, amp: number): number {
  const n = raw.length;
  let i = amp + 1;
  if (raw.charCodeAt(i) === HASH) {
    i++;
    const hex = raw.charCodeAt(i) === 120 || raw.charCodeAt(i) === 88;
    if (hex) i++;
    const start = i;
    const max = hex ? 6 : 7;
    while (i < n && i - start < max && (hex ? isHexDigit(raw.charCodeAt(i)) : isDigit(raw.charCodeAt(i)))) i++;
    return i > start && raw.charCodeAt(i) === SEMI ? i + 1 : -1;
  }
  const first = raw.charCodeAt(i);
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90) || first === 95)) return -1;
  const start = i;
  i++;
  while (i < n && i - start < 32) {
    const c = raw.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c === 46 || c === 45)) break;
    i++;
  }
  return raw.charCodeAt(i) === SEMI ? i + 1 : -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function listOpen(open: readonly string[]): string {
  // A cut-off at depth 100 would name 100 tags; the outermost and innermost say enough.
  const shown = open.length > 8 ? [...open.slice(0, 3), `… (${open.length - 6} more)`, ...open.slice(-3)] : open;
  const tags = shown.map((t) => (t.startsWith('…') ? t : `<${t}>`));
  return tags.length === 1 ? `${tags[0]} is` : `${tags.slice(0, -1).join(', ')} and ${tags[tags.length - 1]} are`;
}

/**
 * Problems in words, each kind once, at most `max`; beyond that they are counted, and `list()`
 * ends with one line saying how many were left out. A hostile document can't grow it.
 */
export class ProblemList {
  private readonly items: string[] = [];
  private readonly kinds = new Set<string>();
  private omitted = 0;

  constructor(readonly max: number) {}

  add(message: string): void {
    if (this.items.length < this.max) this.items.push(message);
    else this.omitted++;
  }

  /** Adds `message` unless a problem of this kind was already added. */
  once(kind: string, message: string): void {
    if (this.kinds.has(kind)) return;
    if (this.kinds.size < this.max) this.kinds.add(kind);
    this.add(message);
  }

  get size(): number {
    return this.items.length + this.omitted;
  }

  list(): string[] {
    return this.omitted > 0 ? [...this.items, `… and ${plural(this.omitted, 'more problem')} not listed.`] : [...this.items];
  }
}

/** Waits for the event loop to run other work (I/O, timers) before the next slice. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Paces a loop of small steps over untrusted input: `pace()` yields to the event loop once the
 * current slice of work has used its time.
 */
export class Pacer {
  private deadline: number;

  constructor(private readonly sliceMs = 8) {
    this.deadline = performance.now() + sliceMs;
  }

  async pace(signal?: AbortSignal): Promise<void> {
    if (performance.now() < this.deadline) return;
    await yieldToEventLoop();
    signal?.throwIfAborted();
    this.deadline = performance.now() + this.sliceMs;
  }
}

/** Options for reading a document in slices. */
export interface SliceOptions {
  /** Longest stretch of work between yields, ms. Default 8. */
  readonly sliceMs?: number;
  readonly signal?: AbortSignal;
}

/** Runs `scanner` to the end in slices of `sliceMs`, yielding to the event loop in between. */
export async function scanInSlices(scanner: XmlScanner, options: SliceOptions = {}): Promise<ScannedElement> {
  const slice = options.sliceMs ?? 8;
  for (;;) {
    options.signal?.throwIfAborted();
    if (scanner.step(performance.now() + slice)) return scanner.result;
    await yieldToEventLoop();
  }
}
