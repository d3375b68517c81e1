// Where a manifest problem is: the JSON paths readManifest reports (`ssdp.maxAgeSeconds`,
// `services["urn:x:serviceId:Y"].actions.Z`) mapped back to the text, so the editor can underline
// the very key. One linear pass; a broken document gives what was found before the break.

export interface TextSpan {
  /** Offsets into the text, end exclusive. */
  readonly start: number;
  readonly end: number;
}

type Segment = string | number;

/** `a.b["c d"][0]` → ['a', 'b', 'c d', 0]; undefined when it isn't a path of that form. */
export function parseJsonPath(path: string): Segment[] | undefined {
  const segments: Segment[] = [];
  const re = /\.?([A-Za-z_$][A-Za-z0-9_$-]*)|\[("(?:[^"\\]|\\.)*")\]|\[(\d+)\]/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(JSON.parse(m[2]) as string);
    else segments.push(Number(m[3]));
    at = re.lastIndex;
  }
  return segments;
}

/**
 * The span of the deepest member of `path` present in `text`: the key of an object member (its
 * quotes included), or the value of an array element. Undefined when not even the first segment
 * is there (the problem is about the document as a whole).
 */
export function locateJsonPath(text: string, path: string): TextSpan | undefined {
  const want = parseJsonPath(path);
  if (!want || want.length === 0) return undefined;
  let best: { depth: number; span: TextSpan } | undefined;
  let i = 0;
  const ws = (): void => { while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++; };
  const string = (): string | undefined => {
    if (text[i] !== '"') return undefined;
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return undefined;
    }
  };
  // `matched`: how many leading segments of `want` the current value's path equals (or -1 once off it).
  const value = (matched: number, depth: number): boolean => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      for (;;) {
        ws();
        if (text[i] === '}') { i++; return true; }
        const keyStart = i;
        const key = string();
        if (key === undefined) return false;
        const keyEnd = i;
        const here = matched >= 0 && matched < want.length && want[matched] === key ? matched + 1 : -1;
        if (here > 0 && (!best || here > best.depth)) best = { depth: here, span: { start: keyStart, end: keyEnd } };
        ws();
        if (text[i] !== ':') return false;
        i++;
        if (depth > 64 || !value(here, depth + 1)) return false;
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return true; }
        return false;
      }
    }
    if (c === '[') {
      i++;
      for (let index = 0; ; index++) {
        ws();
        if (text[i] === ']') { i++; return true; }
        const here = matched >= 0 && matched < want.length && want[matched] === index ? matched + 1 : -1;
        const start = i;
        if (depth > 64 || !value(here, depth + 1)) return false;
        if (here > 0 && (!best || here > best.depth)) best = { depth: here, span: { start, end: i } };
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return true; }
        return false;
      }
    }
    if (c === '"') return string() !== undefined;
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) return false;
    i += m[0].length;
    return true;
  };
  value(0, 0);
  return best?.span;
}
