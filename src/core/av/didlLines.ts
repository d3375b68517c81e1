// DIDL-Lite (ContentDirectory's `Result`, AVTransport's metadata) decoded into readable lines for
// an output channel: one header line per object, then its date, resources and the like indented.
// Deliberately small; a full DIDL-Lite model belongs in its own module.
import { attributeValue, childElements } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { tryParseXml } from '../xml/pretty';

/** Whether `value` is a DIDL-Lite document. */
export function isDidlLite(value: string): boolean {
  return tryParseXml(value)?.localName === 'DIDL-Lite';
}

/**
 * Readable lines for a DIDL-Lite document, e.g.
 *   item 01010972 "101-0972" (object.item.imageItem) in 0
 *     date: 2024-12-10T15:12:19+08:00
 *     res: http://…/DT01010972.JPG [http-get:*:image/jpeg:…] 5000 bytes
 * Undefined when `value` is not DIDL-Lite.
 */
export function didlLines(value: string): string[] | undefined {
  const top = tryParseXml(value);
  if (!top || top.localName !== 'DIDL-Lite') return undefined;
  const objects = top.children.filter((c) => c.localName === 'item' || c.localName === 'container');
  const lines: string[] = [];
  if (objects.length === 0) lines.push('(no objects)');
  for (const object of objects) lines.push(...objectLines(object));
  return lines;
}

function objectLines(object: XmlElement): string[] {
  const id = attributeValue(object, 'id') ?? '?';
  const parent = attributeValue(object, 'parentID');
  const title = firstText(object, 'title');
  const upnpClass = firstText(object, 'class');
  const childCount = attributeValue(object, 'childCount');
  let head = `${object.localName} ${id}`;
  if (title !== undefined) head += ` "${title}"`;
  if (upnpClass !== undefined) head += ` (${upnpClass})`;
  if (parent !== undefined) head += ` in ${parent}`;
  if (childCount !== undefined) head += `, ${childCount} ${childCount === '1' ? 'child' : 'children'}`;
  const lines = [head];
  for (const field of ['creator', 'artist', 'album', 'date']) {
    const value = firstText(object, field);
    if (value !== undefined) lines.push(`  ${field}: ${value}`);
  }
  for (const res of childElements(object, 'res')) {
    const extras: string[] = [];
    const size = attributeValue(res, 'size');
    if (size !== undefined) extras.push(`${size} bytes`);
    for (const name of ['resolution', 'duration']) {
      const v = attributeValue(res, name);
      if (v !== undefined) extras.push(`${name} ${v}`);
    }
    const info = attributeValue(res, 'protocolInfo');
    lines.push(`  res: ${res.text || '(no URL)'}${info !== undefined ? ` [${info}]` : ''}${extras.length ? ` ${extras.join(', ')}` : ''}`);
  }
  return lines;
}

function firstText(element: XmlElement, localName: string): string | undefined {
  return childElements(element, localName)[0]?.text;
}
