// Device description documents (UDA "urn:schemas-upnp-org:device-1-0") -> RootDescription.
//
// Devices get these documents wrong in many small ways, so the parser only gives up when there is
// nothing to show (not XML, no <root>, no <device>); everything else becomes a Problem next to
// the part it concerns, with a fallback value, so the user still sees the device.
import type { DeviceDescription, DeviceIcon, Problem, RootDescription, ServiceDescription, VendorField } from './model';
import { XmlError, childElement, childElements, childText, innerXml, parseXml, parseXmlAsync } from '../xml/xml';
import type { XmlElement } from '../xml/xml';
import { baseUrlFor, resolveUrl } from './url';

export const DEVICE_NAMESPACE = 'urn:schemas-upnp-org:device-1-0';

/** The description cannot be used at all. The message says what is wrong and where to look. */
export class DescriptionError extends Error {
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DescriptionError';
  }
}

// Children of <device> defined by UDA 1.0/1.1/2.0; anything else is reported as a vendor field.
const STANDARD_DEVICE_ELEMENTS = new Set([
  'deviceType', 'friendlyName', 'manufacturer', 'manufacturerURL', 'modelDescription', 'modelName', 'modelNumber',
  'modelURL', 'serialNumber', 'UDN', 'UPC', 'iconList', 'serviceList', 'deviceList', 'presentationURL',
]);

/**
 * Parses a device description.
 * @param descriptionUrl where it was fetched from (the SSDP LOCATION); relative URLs resolve against it
 *        unless the document has a URLBase.
 * @throws DescriptionError when the document is not XML or has no <root>/<device>.
 */
export function parseDeviceDescription(xml: string, descriptionUrl: string): RootDescription {
  let root: XmlElement;
  try {
    root = parseXml(xml, `Description at ${descriptionUrl}`);
  } catch (err) {
    throw asDescriptionError(err, descriptionUrl);
  }
  return descriptionFromXml(root, descriptionUrl);
}

/** `parseDeviceDescription` reading the XML in slices, so a large or hostile document never holds the event loop. */
export async function readDeviceDescription(xml: string, descriptionUrl: string): Promise<RootDescription> {
  let root: XmlElement;
  try {
    root = await parseXmlAsync(xml, `Description at ${descriptionUrl}`);
  } catch (err) {
    throw asDescriptionError(err, descriptionUrl);
  }
  return descriptionFromXml(root, descriptionUrl);
}

function asDescriptionError(err: unknown, descriptionUrl: string): unknown {
  return err instanceof XmlError ? new DescriptionError(err.message, descriptionUrl, { cause: err }) : err;
}

/** Problems kept per document; a hostile one can list a problem per element, tens of thousands. */
export const MAX_PROBLEMS = 100;

/** The first MAX_PROBLEMS problems, and one more saying how many were left out. */
export function capProblems(problems: Problem[]): Problem[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const left = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), warning(`… and ${left.toLocaleString('en-US')} more problem${left === 1 ? '' : 's'} not listed.`)];
}

function descriptionFromXml(root: XmlElement, descriptionUrl: string): RootDescription {
  const what = `Description at ${descriptionUrl}`;
  if (root.localName !== 'root') {
    throw new DescriptionError(
      `${what} is not a UPnP device description: its top element is <${root.name}>, not <root>. ` +
      'Check that the LOCATION URL the device announced points at its description.', descriptionUrl);
  }

  const problems: Problem[] = [];
  if (root.namespaceUri === undefined) {
    problems.push(warning(`<root> declares no namespace (expected xmlns="${DEVICE_NAMESPACE}"); read it anyway.`));
  } else if (root.namespaceUri !== DEVICE_NAMESPACE) {
    problems.push(warning(`<root> is in namespace "${root.namespaceUri}", not "${DEVICE_NAMESPACE}"; read it anyway.`));
  }

  const specVersion = readSpecVersion(root, problems);

  const urlBaseText = nonEmpty(childText(root, 'URLBase'));
  const baseUrl = baseUrlFor(descriptionUrl, urlBaseText);
  if (urlBaseText !== undefined && resolveUrl(urlBaseText, descriptionUrl) === undefined) {
    problems.push(warning(`URLBase "${urlBaseText}" is not a usable http URL; relative URLs were resolved against ${descriptionUrl}.`));
  }

  const deviceElement = childElement(root, 'device');
  if (!deviceElement) {
    throw new DescriptionError(`${what} has no <device> element, so there is no device to show.`, descriptionUrl);
  }
  const budget: Budget = { devices: MAX_DEVICES, services: MAX_SERVICES, problems };

  return {
    specVersion,
    baseUrl,
    urlBase: urlBaseText,
    device: parseDevice(deviceElement, baseUrl, budget),
    problems: capProblems(problems),
  };
}

/** Reads `<specVersion><major/><minor/></specVersion>` of a description or SCPD. */
export function readSpecVersion(top: XmlElement, problems: Problem[]): { major: number; minor: number } | undefined {
  const element = childElement(top, 'specVersion');
  if (!element) {
    problems.push(warning('No <specVersion> (UPnP requires it); assuming UPnP 1.0.'));
    return undefined;
  }
  const major = childText(element, 'major') ?? '';
  const minor = childText(element, 'minor') ?? '';
  if (!/^\d+$/.test(major) || !/^\d+$/.test(minor)) {
    problems.push(warning(`<specVersion> is "${major}.${minor}", not two whole numbers; ignored.`));
    return undefined;
  }
  return { major: Number(major), minor: Number(minor) };
}

/**
 * Embedded devices and services read from one description. Real trees are small (a media
 * renderer: 1 device, 3 services; a router: 3 levels, about 10 services); each service costs an
 * SCPD request, so a hostile tree of thousands must stop here.
 */
export const MAX_DEVICES = 64;
export const MAX_SERVICES = 256;

interface Budget {
  devices: number;
  services: number;
  readonly problems: Problem[];
}

/** The first `budget` of `elements`, saying once (on the root) what was left out. */
function withinBudget(elements: XmlElement[], budget: Budget, key: 'devices' | 'services'): XmlElement[] {
  if (elements.length <= budget[key]) {
    budget[key] -= elements.length;
    return elements;
  }
  const kept = elements.slice(0, Math.max(0, budget[key]));
  if (budget[key] >= 0) {
    budget.problems.push(warning(`The description holds more ${key === 'devices' ? 'embedded devices' : 'services'} than UPnP Explorer reads (${key === 'devices' ? MAX_DEVICES : MAX_SERVICES}); the rest are not shown.`));
  }
  budget[key] = -1;
  return kept;
}

function parseDevice(element: XmlElement, baseUrl: string, budget: Budget): DeviceDescription {
  const problems: Problem[] = [];
  const text = (name: string): string | undefined => nonEmpty(childText(element, name));
  const required = (name: string, consequence: string): string => {
    const value = text(name);
    if (value === undefined) problems.push(warning(`${missing(element, name)}${consequence}.`));
    return value ?? '';
  };
  const url = (name: string): string | undefined => {
    const raw = text(name);
    const resolved = resolveUrl(raw, baseUrl);
    if (raw !== undefined && resolved === undefined) problems.push(warning(`<${name}> "${raw}" is not a usable http URL; ignored.`));
    return resolved;
  };

  const deviceType = required('deviceType', '; the kind of device is unknown');
  const modelName = required('modelName', '');
  const manufacturer = required('manufacturer', '');
  const udn = required('UDN', '; this device cannot be told apart reliably from others');
  if (udn && !udn.startsWith('uuid:')) problems.push(warning(`<UDN> "${udn}" does not start with "uuid:".`));

  let friendlyName = text('friendlyName');
  if (friendlyName === undefined) {
    friendlyName = modelName || typeShortName(deviceType) || udn || 'Unnamed device';
    problems.push(warning(`${missing(element, 'friendlyName')}; showing "${friendlyName}" instead.`));
  }

  return {
    deviceType,
    friendlyName,
    manufacturer,
    manufacturerUrl: url('manufacturerURL'),
    modelName,
    modelNumber: text('modelNumber'),
    modelDescription: text('modelDescription'),
    modelUrl: url('modelURL'),
    serialNumber: text('serialNumber'),
    udn,
    upc: text('UPC'),
    presentationUrl: url('presentationURL'),
    icons: parseIcons(element, baseUrl, problems),
    services: withinBudget(childElements(childElement(element, 'serviceList'), 'service'), budget, 'services').map((s, i) => parseService(s, i, baseUrl)),
    devices: withinBudget(childElements(childElement(element, 'deviceList'), 'device'), budget, 'devices').map((d) => parseDevice(d, baseUrl, budget)),
    vendorFields: vendorFields(element, problems),
    problems: capProblems(problems),
  };
}

function parseIcons(device: XmlElement, baseUrl: string, problems: Problem[]): DeviceIcon[] {
  const icons: DeviceIcon[] = [];
  childElements(childElement(device, 'iconList'), 'icon').forEach((icon, index) => {
    const label = `Icon ${index + 1}`;
    const rawUrl = nonEmpty(childText(icon, 'url'));
    const url = resolveUrl(rawUrl, baseUrl);
    if (url === undefined) {
      problems.push(warning(rawUrl === undefined ? `${label} has no <url>; skipped.` : `${label} has <url> "${rawUrl}", not a usable http URL; skipped.`));
      return;
    }
    const mimetype = nonEmpty(childText(icon, 'mimetype'));
    if (mimetype === undefined) problems.push(warning(`${label} has no <mimetype>.`));
    const number = (name: string): number => {
      const raw = childText(icon, name);
      if (raw !== undefined && /^\d+$/.test(raw)) return Number(raw);
      problems.push(warning(raw === undefined || raw === '' ? `${label} has no <${name}>; using 0.` : `${label} has <${name}> "${raw}", not a whole number; using 0.`));
      return 0;
    };
    icons.push({ mimetype: mimetype ?? '', width: number('width'), height: number('height'), depth: number('depth'), url });
  });
  return icons;
}

function parseService(element: XmlElement, index: number, baseUrl: string): ServiceDescription {
  const problems: Problem[] = [];
  const serviceType = nonEmpty(childText(element, 'serviceType'));
  const serviceId = nonEmpty(childText(element, 'serviceId'));
  if (serviceType === undefined) problems.push(warning(`Service ${index + 1} has no <serviceType>.`));
  if (serviceId === undefined) problems.push(warning(`Service ${index + 1} has no <serviceId>.`));

  const url = (name: string, consequence: string, emptyAllowed: boolean): string => {
    const present = childElement(element, name) !== undefined;
    const raw = nonEmpty(childText(element, name));
    const resolved = resolveUrl(raw, baseUrl);
    if (resolved !== undefined) return resolved;
    if (raw !== undefined) {
      problems.push({ severity: emptyAllowed ? 'warning' : 'error', message: `<${name}> "${raw}" is not a usable http URL; ${consequence}.` });
    } else if (!present || !emptyAllowed) {
      problems.push({ severity: emptyAllowed ? 'warning' : 'error', message: `No <${name}>; ${consequence}.` });
    }
    return '';
  };

  return {
    serviceType: serviceType ?? '',
    serviceId: serviceId ?? '',
    scpdUrl: url('SCPDURL', "the service's actions and state variables cannot be read", false),
    controlUrl: url('controlURL', 'its actions cannot be invoked', false),
    // UDA: a service without evented variables has an empty <eventSubURL/>; that is not a fault.
    eventSubUrl: url('eventSubURL', 'it cannot be subscribed to', true),
    problems,
  };
}

/** Vendor fields kept per device: real devices have a handful; a hostile one could send thousands. */
const MAX_VENDOR_FIELDS = 100;

function vendorFields(device: XmlElement, problems: Problem[]): VendorField[] {
  const all = device.children.filter((c) => !STANDARD_DEVICE_ELEMENTS.has(c.localName));
  if (all.length > MAX_VENDOR_FIELDS) {
    problems.push(warning(`<device> holds ${all.length.toLocaleString('en-US')} vendor elements; only the first ${MAX_VENDOR_FIELDS} are shown.`));
  }
  return all.slice(0, MAX_VENDOR_FIELDS).map((c) => ({
    name: c.name,
    namespace: c.namespaceUri,
    // Structured vendor elements are kept as XML so nothing the device said is lost.
    value: c.children.length > 0 ? innerXml(c) : c.text,
  }));
}

/** `urn:schemas-upnp-org:device:DimmableLight:1` -> `DimmableLight`; '' when not a type URN. */
function typeShortName(type: string): string {
  return /^urn:[^:]+:(?:device|service):([^:]+)/.exec(type)?.[1] ?? '';
}

/** "No <x>", or what is there instead when the device put elements where text belongs. */
function missing(parent: XmlElement, name: string): string {
  const element = childElement(parent, name);
  return element && element.children.length > 0 ? `<${name}> holds elements instead of text` : `No <${name}>`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function warning(message: string): Problem {
  return { severity: 'warning', message };
}
