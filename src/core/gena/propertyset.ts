// The body of a GENA NOTIFY (UDA 1.1 §4.3.2): an `e:propertyset` of `e:property` elements, each
// holding one evented state variable and its value. AV services pack their changes into one
// variable, `LastChange`, whose value is an escaped `<Event>` document with one `<InstanceID>` per
// virtual instance (AVTransport:1 §2.3.1, RenderingControl:1 §2.3.1); some values in turn hold
// escaped DIDL-Lite (`CurrentTrackMetaData`, `AVTransportURIMetaData`). Everything here is read
// from untrusted text and never throws: what cannot be read becomes a problem in words.
import { attributeValue, innerXml, parseXmlAsync, XmlError } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { Pacer, ProblemList } from '../xml/scanner';
import { DidlError, didlObjectsLines, parseDidlAsync } from '../av/didl';

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

/** Problems kept per event body or LastChange; the rest are counted (a hostile body can have one per element). */
const MAX_PROBLEMS = 100;

/**
 * Decodes a NOTIFY body. Never throws for what a device sent. Reads in slices of a few
 * milliseconds (the body, each LastChange, each DIDL-Lite value), yielding to the event loop in
 * between, so a 1 MiB event never holds the extension host.
 */
export async function decodePropertySet(body: string): Promise<PropertySet> {
  const problems = new ProblemList(MAX_PROBLEMS);
  let top: XmlElement;
  try {
    top = await parseXmlAsync(body, 'The event body');
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    return { variables: [], problems: [err.message] };
  }
  if (top.localName !== 'propertyset') {
    problems.add(`The event body is a <${top.name}>, not an <e:propertyset>.`);
    return { variables: [], problems: problems.list() };
  }
  if (top.namespaceUri !== EVENT_NAMESPACE) {
    problems.add(`<${top.name}> is in namespace ${top.namespaceUri ? `"${top.namespaceUri}"` : '(none)'}, not "${EVENT_NAMESPACE}".`);
  }
  const pacer = new Pacer();
  const variables: EventVariable[] = [];
  for (const child of top.children) {
    if (child.localName !== 'property') {
      problems.add(`Unexpected <${child.name}> in the property set (only <e:property> belongs there); ignored.`);
      continue;
    }
    if (child.children.length === 0) {
      problems.add('An <e:property> holds no variable.');
      continue;
    }
    // UDA puts one variable in each property; a few stacks put several. Take them all.
    for (const element of child.children) {
      await pacer.pace();
      variables.push(await decodeVariable(element, problems));
    }
  }
  if (variables.length === 0 && problems.size === 0) problems.add('The property set holds no variables.');
  return { variables, problems: problems.list() };
}

async function decodeVariable(element: XmlElement, problems: ProblemList): Promise<EventVariable> {
  let value = element.text;
  if (element.children.length > 0) {
    // Markup written into the value unescaped: keep it as XML so nothing is lost.
    value = innerXml(element);
    problems.add(`The value of ${element.localName} is XML markup that was not escaped; read as written.`);
  }
  const name = element.localName;
  if (name === 'LastChange' && value.trim() !== '') {
    return { name, value, lastChange: await decodeLastChange(value) };
  }
  const didl = await decodeDidlSummary(value);
  return didl ? { name, value, didl } : { name, value };
}

/** Decodes a LastChange `<Event>` document. Never throws; what it could not read is in `problems`. */
export async function decodeLastChange(value: string): Promise<LastChangeEvent> {
  const problems = new ProblemList(MAX_PROBLEMS);
  let top: XmlElement;
  try {
    top = await parseXmlAsync(value, 'The LastChange value');
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    return { instances: [], problems: [err.message] };
  }
  if (top.localName !== 'Event') {
    problems.add(`The LastChange value is a <${top.name}>, not an <Event>.`);
    return { namespaceUri: top.namespaceUri, instances: [], problems: problems.list() };
  }
  const pacer = new Pacer();
  const instances: LastChangeInstance[] = [];
  for (const child of top.children) {
    if (child.localName !== 'InstanceID') {
      problems.add(`Unexpected <${child.name}> in LastChange (only <InstanceID> belongs there); ignored.`);
      continue;
    }
    const instanceId = attributeValue(child, 'val');
    if (instanceId === undefined) problems.add('An <InstanceID> in LastChange has no val attribute.');
    const variables: LastChangeVariable[] = [];
    for (const v of child.children) {
      await pacer.pace();
      const attributes = { ...v.attributes };
      const val = attributeValue(v, 'val');
      if (val === undefined) problems.add(`<${v.localName}> in LastChange has no val attribute.`);
      const channel = attributeValue(v, 'channel');
      const didl = val !== undefined ? await decodeDidlSummary(val) : undefined;
      variables.push({
        name: v.localName,
        value: val ?? '',
        attributes,
        ...(channel !== undefined ? { channel } : {}),
        ...(didl ? { didl } : {}),
      });
    }
    instances.push({ instanceId: instanceId ?? '', variables });
  }
  return { namespaceUri: top.namespaceUri, instances, problems: problems.list() };
}

/** A summary of a DIDL-Lite value; undefined when the value is not DIDL-Lite (or is `NOT_IMPLEMENTED`). */
export async function decodeDidlSummary(value: string): Promise<DidlSummary | undefined> {
  // Cheap test first: most evented values are numbers and words.
  if (!value.includes('DIDL-Lite')) return undefined;
  let parsed;
  try {
    parsed = await parseDidlAsync(value.trim());
  } catch (err) {
    if (err instanceof DidlError) return undefined;
    throw err;
  }
  const objects: DidlObjectSummary[] = parsed.objects.map((o) => ({
    kind: o.kind,
    ...(o.id !== '' ? { id: o.id } : {}),
    ...(o.title !== '' ? { title: o.title } : {}),
    ...(o.upnpClass !== '' ? { upnpClass: o.upnpClass } : {}),
  }));
  const summary = objects.length === 0
    ? '(no objects)'
    : objects.slice(0, 20).map((o) => `${o.title !== undefined ? `"${o.title}"` : `${o.kind} ${o.id ?? '?'}`}${o.upnpClass ? ` (${o.upnpClass})` : ''}`).join('; ') +
      (objects.length > 20 ? `; … ${objects.length - 20} more` : '');
  return { objects, summary, lines: didlObjectsLines(parsed.objects) };
}
