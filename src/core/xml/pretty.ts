// Indented XML for people to read: values such as DIDL-Lite `Result`, `LastChange` and
// `CurrentURIMetaData` arrive as one long escaped line. Built on the same reader as the rest of
// the core (linear, bounded, read in slices), so a hostile value can't expand entities, nest
// without bound or hold the event loop.
import { XmlError, parseXmlAsync, xmlEscape } from './xml';
import type { XmlElement } from './xml';

/** Whether `value` looks like an XML document (a quick test before parsing). */
export function looksLikeXml(value: string): boolean {
  const t = value.trimStart();
  return t.startsWith('<') && t.trimEnd().endsWith('>');
}

/**
 * The value re-indented, one element per line, or undefined when it is not well-formed XML.
 * Whitespace between elements is not kept; text content is (trimmed at both ends, as the parser
 * gives it).
 */
export async function prettyXml(value: string, indent = '  '): Promise<string | undefined> {
  const top = await tryParseXml(value);
  if (!top) return undefined;
  const lines: string[] = [];
  write(top, 0, indent, lines);
  return lines.join('\n');
}

/** Parses `value` as XML; undefined when it is not XML. */
export async function tryParseXml(value: string): Promise<XmlElement | undefined> {
  if (!looksLikeXml(value)) return undefined;
  try {
    return await parseXmlAsync(value, 'The value');
  } catch (err) {
    if (err instanceof XmlError) return undefined;
    throw err;
  }
}

function write(element: XmlElement, depth: number, indent: string, lines: string[]): void {
  const pad = indent.repeat(depth);
  const attrs = Object.entries(element.attributes).map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  const open = `${pad}<${element.name}${attrs}`;
  if (element.children.length === 0) {
    lines.push(element.text ? `${open}>${xmlEscape(element.text)}</${element.name}>` : `${open}/>`);
    return;
  }
  lines.push(`${open}>`);
  if (element.text) lines.push(`${pad}${indent}${xmlEscape(element.text)}`);
  for (const child of element.children) write(child, depth + 1, indent, lines);
  lines.push(`${pad}</${element.name}>`);
}

function escapeAttr(value: string): string {
  // Apostrophes are left as they are: attributes are double-quoted, and devices' own
  // OriginalFileName='…' stays readable.
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
