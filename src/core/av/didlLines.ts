// DIDL-Lite (ContentDirectory's `Result`, AVTransport's metadata) decoded into compact readable
// lines for an output channel: one header line per object, then its date, resources and the like
// indented. Decoding is didl.ts's; this keeps the compact format the action results and event
// views use (the full per-object view is didl.ts's didlObjectLines).
import { parseDidlAsync } from './didl';
import type { DidlObject } from './didl';
import { tryParseXml } from '../xml/pretty';

/** Whether `value` is a DIDL-Lite document. */
export async function isDidlLite(value: string): Promise<boolean> {
  return (await tryParseXml(value))?.localName === 'DIDL-Lite';
}

/**
 * Readable lines for a DIDL-Lite document, e.g.
 *   item 01010972 "101-0972" (object.item.imageItem) in 0
 *     date: 2024-12-10T15:12:19+08:00
 *     res: http://…/DT01010972.JPG [http-get:*:image/jpeg:…] 5000 bytes
 * Undefined when `value` is not DIDL-Lite.
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
  const lines: string[] = [];
  if (objects.length === 0) lines.push('(no objects)');
  for (const object of objects) lines.push(...objectLines(object));
  return lines;
}

function objectLines(o: DidlObject): string[] {
  let head = `${o.kind} ${o.id || '?'}`;
  if (o.title !== '') head += ` "${o.title}"`;
  if (o.upnpClass !== '') head += ` (${o.upnpClass})`;
  if (o.parentId !== '') head += ` in ${o.parentId}`;
  if (o.childCount !== undefined) head += `, ${o.childCount} ${o.childCount === 1 ? 'child' : 'children'}`;
  const lines = [head];
  for (const [field, value] of [['creator', o.creator], ['artist', o.artist], ['album', o.album], ['date', o.date]] as const) {
    if (value !== undefined) lines.push(`  ${field}: ${value}`);
  }
  for (const res of o.resources) {
    const extras: string[] = [];
    const size = res.attributes['size'];
    if (size !== undefined) extras.push(`${size} bytes`);
    for (const name of ['resolution', 'duration']) {
      const v = res.attributes[name];
      if (v !== undefined) extras.push(`${name} ${v}`);
    }
    const info = res.attributes['protocolInfo'];
    lines.push(`  res: ${res.uri || '(no URL)'}${info !== undefined ? ` [${info}]` : ''}${extras.length ? ` ${extras.join(', ')}` : ''}`);
  }
  return lines;
}
