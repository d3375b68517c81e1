// The body of a GENA NOTIFY (UDA 1.1 §4.3.2): an `e:propertyset` of `e:property` elements, each
// holding one evented state variable and its value. AV services pack their changes into one
// variable, `LastChange`, whose value is an escaped `<Event>` document with one `<InstanceID>` per
// virtual instance (AVTransport:1 §2.3.1, RenderingControl:1 §2.3.1); some values in turn hold
// escaped DIDL-Lite (`CurrentTrackMetaData`, `AVTransportURIMetaData`). Everything here is read
// from untrusted text and never throws: what cannot be read becomes a problem in words.
import { attributeValue, childElements, innerXml, parseXml, XmlError } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { tryParseXml } from '../xml/pretty';
import { didlLines } from '../av/didlLines';

export const EVENT_NAMESPACE = 'urn:schemas-upnp-org:event-1-0';

/** A DIDL-Lite value decoded into a short summary. */
export interface DidlSummary {
  readonly objects: readonly DidlObjectSummary[];
  /** e.g. `"Big Buck Bunny" (object.item.videoItem)`; several objects joined with '; '. */
  readonly summary: string;
  /** The readable lines of src/core/av/didlLines (title, class, resources, …). */
  readonly lines: readonly string[];
}

export interface DidlObjectSummary {
  readonly kind: 'item' | 'container';
  readonly id?: string;
  readonly title?: string;
  readonly upnpClass?: string;
}

export interface LastChangeVariable {
  readonly name: string;
  /** The `val` attribute ('' when absent). */
  readonly value: string;
  /** RenderingControl's `channel` (Master, LF, …), when present. */
  readonly channel?: string;
  /** Every attribute as sent (val, channel, vendor ones). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly didl?: DidlSummary;
}

export interface LastChangeInstance {
  /** `val` of `<InstanceID>`, '0' for the usual single instance. */
  readonly instanceId: string;
  readonly variables: readonly LastChangeVariable[];
}

export interface LastChangeEvent {
  /** e.g. `urn:schemas-upnp-org:metadata-1-0/AVT/` or `…/RCS/`. */
  readonly namespaceUri?: string;
  readonly instances: readonly LastChangeInstance[];
  readonly problems: readonly string[];
}

export interface EventVariable {
  readonly name: string;
  /** The value as text, unescaped once (for LastChange: the `<Event>` document). */
  readonly value: string;
  /** Set for `LastChange` values that are an `<Event>` document. */
  readonly lastChange?: LastChangeEvent;
  /** Set for values that are DIDL-Lite. */
  readonly didl?: DidlSummary;
}

export interface PropertySet {
  /** In document order; a variable evented twice appears twice. */
  readonly variables: readonly EventVariable[];
  /** Departures from UDA in words; the variables are still given where they could be read. */
  readonly problems: readonly string[];
}

/** Decodes a NOTIFY body. Never throws. */
export function decodePropertySet(body: string): PropertySet {
  const problems: string[] = [];
  let top: XmlElement;
  try {
    top = parseXml(body, 'The event body');
  } catch (err) {
    const message = err instanceof XmlError ? err.message : String(err);
    return { variables: [], problems: [message] };
  }
  if (top.localName !== 'propertyset') {
    problems.push(`The event body is a <${top.name}>, not an <e:propertyset>.`);
    return { variables: [], problems };
  }
  if (top.namespaceUri !== EVENT_NAMESPACE) {
    problems.push(`<${top.name}> is in namespace ${top.namespaceUri ? `"${top.namespaceUri}"` : '(none)'}, not "${EVENT_NAMESPACE}".`);
  }
  const variables: EventVariable[] = [];
  for (const child of top.children) {
    if (child.localName !== 'property') {
      problems.push(`Unexpected <${child.name}> in the property set (only <e:property> belongs there); ignored.`);
      continue;
    }
    if (child.children.length === 0) {
      problems.push('An <e:property> holds no variable.');
      continue;
    }
    // UDA puts one variable in each property; a few stacks put several. Take them all.
    for (const element of child.children) variables.push(decodeVariable(element, problems));
  }
  if (variables.length === 0 && problems.length === 0) problems.push('The property set holds no variables.');
  return { variables, problems };
}

function decodeVariable(element: XmlElement, problems: string[]): EventVariable {
  let value = element.text;
  if (element.children.length > 0) {
    // Markup written into the value unescaped: keep it as XML so nothing is lost.
    value = innerXml(element);
    problems.push(`The value of ${element.localName} is XML markup that was not escaped; read as written.`);
  }
  const name = element.localName;
  if (name === 'LastChange' && value.trim() !== '') {
    return { name, value, lastChange: decodeLastChange(value) };
  }
  const didl = decodeDidlSummary(value);
  return didl ? { name, value, didl } : { name, value };
}

/** Decodes a LastChange `<Event>` document. Never throws; what it could not read is in `problems`. */
export function decodeLastChange(value: string): LastChangeEvent {
  const problems: string[] = [];
  let top: XmlElement;
  try {
    top = parseXml(value, 'The LastChange value');
  } catch (err) {
    return { instances: [], problems: [err instanceof XmlError ? err.message : String(err)] };
  }
  if (top.localName !== 'Event') {
    problems.push(`The LastChange value is a <${top.name}>, not an <Event>.`);
    return { namespaceUri: top.namespaceUri, instances: [], problems };
  }
  const instances: LastChangeInstance[] = [];
  for (const child of top.children) {
    if (child.localName !== 'InstanceID') {
      problems.push(`Unexpected <${child.name}> in LastChange (only <InstanceID> belongs there); ignored.`);
      continue;
    }
    const instanceId = attributeValue(child, 'val');
    if (instanceId === undefined) problems.push('An <InstanceID> in LastChange has no val attribute.');
    const variables = child.children.map((v): LastChangeVariable => {
      const attributes = { ...v.attributes };
      const val = attributeValue(v, 'val');
      if (val === undefined) problems.push(`<${v.localName}> in LastChange has no val attribute.`);
      const channel = attributeValue(v, 'channel');
      const didl = val !== undefined ? decodeDidlSummary(val) : undefined;
      return {
        name: v.localName,
        value: val ?? '',
        attributes,
        ...(channel !== undefined ? { channel } : {}),
        ...(didl ? { didl } : {}),
      };
    });
    instances.push({ instanceId: instanceId ?? '', variables });
  }
  return { namespaceUri: top.namespaceUri, instances, problems };
}

/** A summary of a DIDL-Lite value; undefined when the value is not DIDL-Lite (or is `NOT_IMPLEMENTED`). */
export function decodeDidlSummary(value: string): DidlSummary | undefined {
  // Cheap test first: most evented values are numbers and words.
  if (!value.includes('DIDL-Lite')) return undefined;
  const top = tryParseXml(value.trim());
  if (!top || top.localName !== 'DIDL-Lite') return undefined;
  const objects: DidlObjectSummary[] = [];
  for (const o of top.children) {
    if (o.localName !== 'item' && o.localName !== 'container') continue;
    const id = attributeValue(o, 'id');
    const title = childElements(o, 'title')[0]?.text;
    const upnpClass = childElements(o, 'class')[0]?.text;
    objects.push({
      kind: o.localName,
      ...(id !== undefined ? { id } : {}),
      ...(title !== undefined ? { title } : {}),
      ...(upnpClass !== undefined ? { upnpClass } : {}),
    });
  }
  const summary = objects.length === 0
    ? '(no objects)'
    : objects.map((o) => `${o.title !== undefined ? `"${o.title}"` : `${o.kind} ${o.id ?? '?'}`}${o.upnpClass ? ` (${o.upnpClass})` : ''}`).join('; ');
  return { objects, summary, lines: didlLines(value.trim()) ?? [] };
}
