// The description and SCPD checks: each reads the document as the device sent it with the core's
// XML reader (bounded, linear) and reports findings at the offending element's start tag.
import { integerTypeLimits, typeKind, validateValue } from '../soap/types';
import type { StateVariable } from '../description/model';
import { XmlError, childElement, childElements, parseXml } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { errorMessage } from '../util/errors';
import { finding } from './model';
import type { DocumentPosition, Finding, Rule } from './model';
import { RULES } from './rules';

const DEVICE_NS = 'urn:schemas-upnp-org:device-1-0';
const SERVICE_NS = 'urn:schemas-upnp-org:service-1-0';
const DEVICE_TYPE = /^urn:(schemas-upnp-org|[A-Za-z0-9.-]+):device:[A-Za-z0-9_.-]{1,64}:\d+$/;
const SERVICE_TYPE = /^urn:(schemas-upnp-org|[A-Za-z0-9.-]+):service:[A-Za-z0-9_.-]{1,64}:\d+$/;
const SERVICE_ID = /^urn:(upnp-org|[A-Za-z0-9.-]+):serviceId:[A-Za-z0-9_.-]{1,64}$/;
/** What devices in the field write (gupnp's examples: `…:serviceId:SwitchPower:1`): a warning, not an error. */
const SERVICE_ID_LOOSE = /^urn:(upnp-org|[A-Za-z0-9.-]+):serviceId:[A-Za-z0-9_.:-]{1,64}$/;
const UUID = /^uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MAX_EXCERPT = 160;
/** How far from an element's start its end is looked for (longer elements are marked by their start tag). */
const MAX_SPAN = 1024;
/** Findings of one rule in one document; the rest are counted in one more finding. */
const MAX_PER_RULE = 100;

/** Line and column of offsets in one document (CRLF read as LF, as the XML reader does). */
export class Positions {
  private readonly text: string;
  private lineStarts: number[] | undefined;

  constructor(readonly url: string, raw: string) {
    this.text = raw.indexOf('\r') >= 0 ? raw.replace(/\r\n?/g, '\n') : raw;
  }

  at(element: XmlElement | undefined): DocumentPosition | undefined {
    if (element?.start === undefined) return undefined;
    const starts = (this.lineStarts ??= this.computeLineStarts());
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= element.start) lo = mid;
      else hi = mid - 1;
    }
    // The whole element when it is on one line (<UDN>…</UDN>) and short, else its start tag.
    // Every search is bounded: a finding's cost must not grow with the document (a 2 MiB SCPD
    // of self-closed elements made one unbounded search per finding quadratic).
    const lineEnd = lo + 1 < starts.length ? starts[lo + 1]! - 1 : this.text.length;
    const close = `</${element.name}>`;
    const closeAt = this.find(close, element.start, Math.min(lineEnd, element.start + MAX_SPAN));
    const tagEnd = this.find('>', element.start, element.start + MAX_SPAN);
    const end = closeAt >= 0 ? closeAt + close.length : (tagEnd < 0 ? Math.min(lineEnd, element.start + MAX_SPAN) : tagEnd + 1);
    return { url: this.url, line: lo + 1, column: element.start - starts[lo]! + 1, length: Math.max(1, end - element.start) };
  }

  /** The element as written, from its start tag, on one line and cut short. */
  excerpt(element: XmlElement | undefined): string | undefined {
    if (element?.start === undefined) return undefined;
    const tagEnd = this.find('>', element.start, element.start + MAX_EXCERPT);
    if (tagEnd > 0 && this.text[tagEnd - 1] === '/') return this.text.slice(element.start, tagEnd + 1).replace(/\s+/g, ' ');
    const close = `</${element.name}>`;
    const end = this.find(close, element.start, element.start + MAX_EXCERPT);
    const stop = end >= 0 ? end + close.length : Math.min(this.text.length, element.start + MAX_EXCERPT);
    const s = this.text.slice(element.start, stop).replace(/\s+/g, ' ');
    return stop < this.text.length && end < 0 ? `${s}…` : s;
  }

  /** indexOf within [from, to) only: never reads past `to`. */
  private find(needle: string, from: number, to: number): number {
    const i = this.text.slice(from, to).indexOf(needle);
    return i < 0 ? -1 : from + i;
  }

  private computeLineStarts(): number[] {
    const starts = [0];
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
}

type Add = (rule: Rule, message: string, element?: XmlElement, severity?: Finding['severity']) => void;

/**
 * Adds findings with their position and excerpt, at most MAX_PER_RULE per rule; `finish` adds one
 * finding per rule that had more, saying how many (a hostile document can hold 50,000 faults).
 */
function collector(positions: Positions, out: Finding[]): { add: Add; finish: () => void } {
  const counts = new Map<Rule, number>();
  const add: Add = (rule, message, element, severity) => {
    const n = (counts.get(rule) ?? 0) + 1;
    counts.set(rule, n);
    if (n > MAX_PER_RULE) return;
    const at = positions.at(element);
    const evidence = positions.excerpt(element);
    out.push(finding(rule, message, { ...(at ? { at } : {}), ...(evidence !== undefined ? { evidence } : {}), ...(severity ? { severity } : {}) }));
  };
  const finish = (): void => {
    for (const [rule, n] of counts) {
      if (n > MAX_PER_RULE) out.push(finding(rule, `${n - MAX_PER_RULE} more findings of this rule in ${positions.url} are not listed (the first ${MAX_PER_RULE} are).`, { severity: 'info' }));
    }
  };
  return { add, finish };
}

function parse(raw: string, url: string, what: string, wellFormed: Rule, out: Finding[]): XmlElement | undefined {
  try {
    return parseXml(raw, what);
  } catch (err) {
    const line = err instanceof XmlError ? err.line : undefined;
    const column = err instanceof XmlError ? err.column : undefined;
    out.push(finding(wellFormed, errorMessage(err), line !== undefined ? { at: { url, line, column: column ?? 1, length: 1 } } : {}));
    return undefined;
  }
}

// ---- the device description ----

export interface DescriptionService {
  readonly serviceId: string;
  readonly serviceType: string;
  /** As written (relative or absolute); resolve against the base. */
  readonly scpdUrl: string;
  /** Its SCPDURL element (where an SCPD that doesn't load is shown). */
  readonly element: XmlElement;
  /** Its serviceType element, or the <service> (where findings on the service as a whole are shown). */
  readonly named: XmlElement;
}

export interface DescriptionIcon {
  readonly mimetype: string;
  readonly width: number;
  readonly height: number;
  readonly url: string;
  readonly element: XmlElement;
}

export interface DescriptionChecks {
  readonly findings: Finding[];
  readonly services: DescriptionService[];
  readonly icons: DescriptionIcon[];
  readonly udn?: string;
  readonly friendlyName?: string;
  /** URLBase when there is one, else the description's URL: what relative URLs resolve against. */
  readonly base: string;
  readonly positions: Positions;
  /** The top element, when the document parsed (findings on the answer itself are shown there). */
  readonly root?: XmlElement;
}

export function checkDescription(raw: string, url: string): DescriptionChecks {
  const findings: Finding[] = [];
  const positions = new Positions(url, raw);
  const { add, finish } = collector(positions, findings);
  const services: DescriptionService[] = [];
  const icons: DescriptionIcon[] = [];
  const root = parse(raw, url, `Description at ${url}`, RULES.descriptionXml, findings);
  if (!root) return { findings, services, icons, base: url, positions };
  if (root.localName !== 'root' || root.namespaceUri !== DEVICE_NS) {
    add(RULES.descriptionRoot, `The top element is <${root.name}>${root.namespaceUri ? ` in ${root.namespaceUri}` : ' without a namespace'}.`, root);
  }
  checkSpecVersion(root, add);
  const urlBaseElement = childElement(root, 'URLBase');
  let base = url;
  if (urlBaseElement) {
    const minor = Number(childElement(childElement(root, 'specVersion'), 'minor')?.text);
    if (minor >= 1) add(RULES.urlBase, `URLBase ${urlBaseElement.text} is given in a UDA 1.1 description.`, urlBaseElement);
    try {
      base = new URL(urlBaseElement.text, url).toString();
    } catch {
      add(RULES.serviceUrls, `URLBase "${urlBaseElement.text}" is not a URL.`, urlBaseElement);
    }
  }
  const device = childElement(root, 'device');
  if (!device) {
    add(RULES.required, 'The description has no <device>.', root);
    finish();
    return { findings, services, icons, base, positions, root };
  }
  const udns = new Map<string, XmlElement>();
  const walk = (d: XmlElement, depth: number): void => {
    checkDevice(d, base, add, udns, services, icons);
    if (depth >= 8) return;
    for (const child of childElements(childElement(d, 'deviceList'), 'device')) walk(child, depth + 1);
  };
  walk(device, 0);
  finish();
  return { findings, services, icons, udn: childElement(device, 'UDN')?.text, friendlyName: childElement(device, 'friendlyName')?.text, base, positions, root };
}

function checkSpecVersion(top: XmlElement, add: Add): void {
  const spec = childElement(top, 'specVersion');
  const major = childElement(spec, 'major')?.text;
  const minor = childElement(spec, 'minor')?.text;
  if (!spec) add(RULES.specVersion, 'There is no specVersion.', top);
  else if (major !== '1' || (minor !== '0' && minor !== '1')) add(RULES.specVersion, `specVersion is ${major ?? '?'}.${minor ?? '?'}.`, spec);
}

function checkDevice(d: XmlElement, base: string, add: Add, udns: Map<string, XmlElement>, services: DescriptionService[], icons: DescriptionIcon[]): void {
  const field = (name: string): XmlElement | undefined => childElement(d, name);
  for (const name of ['deviceType', 'friendlyName', 'manufacturer', 'modelName', 'UDN']) {
    const e = field(name);
    if (!e || e.text === '') add(RULES.required, `The device has ${e ? `an empty <${name}>` : `no <${name}>`}.`, e ?? d);
  }
  const deviceType = field('deviceType');
  if (deviceType && deviceType.text !== '' && !DEVICE_TYPE.test(deviceType.text)) add(RULES.deviceType, `deviceType "${deviceType.text}" is not of that form.`, deviceType);
  const udn = field('UDN');
  if (udn && udn.text !== '') {
    if (!UUID.test(udn.text)) add(RULES.udnForm, `UDN "${udn.text}" is not "uuid:" and a UUID.`, udn);
    const key = udn.text.toLowerCase();
    const first = udns.get(key);
    if (first) add(RULES.udnUnique, `UDN ${udn.text} is also the UDN of an earlier device.`, udn);
    else udns.set(key, udn);
  }
  const limits: ReadonlyArray<readonly [string, number]> = [['friendlyName', 64], ['manufacturer', 64], ['modelName', 32], ['modelNumber', 32], ['serialNumber', 64], ['modelDescription', 128]];
  for (const [name, max] of limits) {
    const e = field(name);
    if (e && [...e.text].length >= max) add(RULES.fieldLength, `${name} has ${[...e.text].length} characters (UDA: fewer than ${max}).`, e);
  }
  const upc = field('UPC');
  if (upc && upc.text !== '' && !/^\d{12}$/.test(upc.text)) add(RULES.fieldLength, `UPC "${upc.text}" is not 12 digits.`, upc);

  const ids = new Set<string>();
  for (const s of childElements(childElement(d, 'serviceList'), 'service')) {
    const serviceType = childElement(s, 'serviceType');
    const serviceId = childElement(s, 'serviceId');
    if (!serviceType || !SERVICE_TYPE.test(serviceType.text)) add(RULES.serviceType, serviceType ? `serviceType "${serviceType.text}" is not of that form.` : 'A service has no serviceType.', serviceType ?? s);
    if (!serviceId || !SERVICE_ID_LOOSE.test(serviceId.text)) add(RULES.serviceId, serviceId ? `serviceId "${serviceId.text}" is not of that form.` : 'A service has no serviceId.', serviceId ?? s);
    else if (!SERVICE_ID.test(serviceId.text)) add(RULES.serviceId, `serviceId "${serviceId.text}" has a colon in its last part: control points that split it at colons read another id.`, serviceId, 'warning');
    if (serviceId) {
      if (ids.has(serviceId.text)) add(RULES.serviceIdUnique, `serviceId ${serviceId.text} appears twice in this device.`, serviceId);
      ids.add(serviceId.text);
    }
    for (const name of ['SCPDURL', 'controlURL', 'eventSubURL']) {
      const e = childElement(s, name);
      if (!e) add(RULES.serviceUrls, `The service ${serviceId?.text ?? '?'} has no <${name}>.`, s);
      else if (e.text === '' && name !== 'eventSubURL') add(RULES.serviceUrls, `The ${name} of ${serviceId?.text ?? '?'} is empty.`, e);
      else if (e.text !== '' && !resolves(e.text, base)) add(RULES.serviceUrls, `The ${name} "${e.text}" of ${serviceId?.text ?? '?'} is not a URL.`, e);
    }
    const scpd = childElement(s, 'SCPDURL');
    if (scpd && scpd.text !== '' && resolves(scpd.text, base)) services.push({ serviceId: serviceId?.text ?? '?', serviceType: serviceType?.text ?? '?', scpdUrl: scpd.text, element: scpd, named: serviceType ?? s });
  }
  for (const icon of childElements(childElement(d, 'iconList'), 'icon')) {
    const missing = ['mimetype', 'width', 'height', 'depth', 'url'].filter((n) => (childElement(icon, n)?.text ?? '') === '');
    const bad = ['width', 'height', 'depth'].filter((n) => !missing.includes(n) && !/^\d+$/.test(childElement(icon, n)!.text));
    if (missing.length || bad.length) add(RULES.iconFields, `An icon has ${[...missing.map((m) => `no ${m}`), ...bad.map((b) => `a ${b} that is not a whole number`)].join(', ')}.`, icon);
    const u = childElement(icon, 'url');
    if (u && u.text !== '' && resolves(u.text, base)) {
      icons.push({ mimetype: childElement(icon, 'mimetype')?.text ?? '', width: Number(childElement(icon, 'width')?.text), height: Number(childElement(icon, 'height')?.text), url: u.text, element: u });
    }
  }
}

function resolves(ref: string, base: string): boolean {
  try {
    const u = new URL(ref, base);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

// ---- a service description ----

export function checkScpd(raw: string, url: string): Finding[] {
  const findings: Finding[] = [];
  const positions = new Positions(url, raw);
  const { add, finish } = collector(positions, findings);
  const root = parse(raw, url, `SCPD at ${url}`, RULES.scpdXml, findings);
  if (!root) return findings;
  if (root.localName !== 'scpd' || root.namespaceUri !== SERVICE_NS) {
    add(RULES.scpdRoot, `The top element is <${root.name}>${root.namespaceUri ? ` in ${root.namespaceUri}` : ' without a namespace'}.`, root);
  }
  checkSpecVersion(root, add);

  const variables = new Map<string, { element: XmlElement; variable: StateVariable }>();
  for (const v of childElements(childElement(root, 'serviceStateTable'), 'stateVariable')) {
    const nameElement = childElement(v, 'name');
    const name = nameElement?.text ?? '';
    if (variables.has(name)) add(RULES.duplicateName, `The state variable ${name} is declared twice.`, nameElement ?? v);
    const dataTypeElement = childElement(v, 'dataType');
    const dataType = dataTypeElement?.text ?? '';
    const kind = typeKind(dataType);
    if (kind === 'unknown') add(RULES.dataType, `${name}: dataType "${dataType}" is not a UPnP type.`, dataTypeElement ?? v);
    const sendEvents = (v.attributes['sendEvents'] ?? 'yes').toLowerCase() !== 'no';
    if (/^A_ARG_TYPE_/.test(name) && sendEvents) add(RULES.argTypeEvented, `${name} is evented (sendEvents="${v.attributes['sendEvents'] ?? 'yes (by default)'}").`, v);

    const list = childElements(childElement(v, 'allowedValueList'), 'allowedValue').map((e) => e.text);
    if (list.length > 0 && kind !== 'string' && kind !== 'unknown') add(RULES.allowedListType, `${name} is ${dataType}, yet has an allowedValueList.`, childElement(v, 'allowedValueList'));
    const rangeElement = childElement(v, 'allowedValueRange');
    let range: StateVariable['allowedValueRange'];
    if (rangeElement) {
      const min = childElement(rangeElement, 'minimum')?.text;
      const max = childElement(rangeElement, 'maximum')?.text;
      const step = childElement(rangeElement, 'step')?.text;
      if (kind !== 'integer' && kind !== 'decimal') add(RULES.rangeType, `${name} is ${dataType}, yet has an allowedValueRange.`, rangeElement);
      else {
        const bounds = integerTypeLimits(dataType);
        for (const [label, value] of [['minimum', min], ['maximum', max]] as const) {
          if (value === undefined) continue;
          const num = Number(value);
          const isInt = /^[+-]?\d+$/.test(value.trim());
          if (!Number.isFinite(num) || (bounds && (!isInt || BigInt(value.trim()) < bounds.min || BigInt(value.trim()) > bounds.max))) {
            add(RULES.rangeType, `${name}: the ${label} ${value} is not a ${dataType} value.`, childElement(rangeElement, label));
          }
        }
        if (min !== undefined && max !== undefined && Number(min) > Number(max)) add(RULES.rangeOrder, `${name}: minimum ${min} is greater than maximum ${max}.`, rangeElement);
        if (step !== undefined && !(Number(step) > 0)) add(RULES.rangeOrder, `${name}: step ${step} is not positive.`, childElement(rangeElement, 'step'));
        if (min !== undefined && max !== undefined) range = { minimum: min, maximum: max, ...(step !== undefined ? { step } : {}) };
      }
    }
    const variable: StateVariable = { name, dataType, sendEvents, multicast: false, ...(list.length ? { allowedValues: list } : {}), ...(range ? { allowedValueRange: range } : {}) };
    const def = childElement(v, 'defaultValue');
    if (def && kind !== 'unknown') {
      const check = validateValue(def.text, variable);
      if (!check.ok) add(RULES.defaultAllowed, `${name}: defaultValue "${def.text}" ${check.message}.`, def);
      else if (list.length > 0 && !list.includes(def.text)) add(RULES.defaultAllowed, `${name}: defaultValue "${def.text}" is not in its allowedValueList.`, def);
    }
    if (!variables.has(name)) variables.set(name, { element: v, variable });
  }

  const actions = new Set<string>();
  for (const a of childElements(childElement(root, 'actionList'), 'action')) {
    const nameElement = childElement(a, 'name');
    const actionName = nameElement?.text ?? '';
    if (actions.has(actionName)) add(RULES.duplicateName, `The action ${actionName} is declared twice.`, nameElement ?? a);
    actions.add(actionName);
    const args = new Set<string>();
    let sawOut = false;
    let misordered = false;
    for (const arg of childElements(childElement(a, 'argumentList'), 'argument')) {
      const argName = childElement(arg, 'name')?.text ?? '';
      if (args.has(argName)) add(RULES.duplicateName, `${actionName} has two arguments named ${argName}.`, arg);
      args.add(argName);
      const direction = childElement(arg, 'direction')?.text.toLowerCase();
      if (direction === 'out') sawOut = true;
      else if (direction === 'in' && sawOut && !misordered) {
        misordered = true; // once per action
        add(RULES.argumentOrder, `${actionName}: the in argument ${argName} comes after an out argument.`, arg);
      }
      const related = childElement(arg, 'relatedStateVariable');
      if (!related || !variables.has(related.text)) {
        add(RULES.relatedVariable, related ? `${actionName}(${argName}): relatedStateVariable ${related.text} is not a state variable of this service.` : `${actionName}(${argName}) has no relatedStateVariable.`, related ?? arg);
      }
    }
  }
  finish();
  return findings;
}
