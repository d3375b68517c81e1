// Validate a live device from its LOCATION: the description as served (its HTTP headers, then
// the document), every SCPD it names, every icon it declares. Requests go through the one HTTP
// edge with its deadlines and caps; a failure is a finding, never an exception.
import { fetchBytes } from '../http/fetch';
import { errorMessage } from '../util/errors';
import { checkDescription, checkScpd } from './documents';
import { finding } from './model';
import type { Finding, Stage, ValidationReport } from './model';
import { RULES } from './rules';
import { RULES_DISCOVERY } from './discoveryRules';
import { probeDiscovery } from './discovery';
import { parseDeviceDescription } from '../description/device';
import type { RootDescription, ServiceDescription } from '../description/model';
import { parseScpd } from '../description/scpd';
import { probeControl } from './control';
import type { ControlTarget } from './control';
import { RULES_EVENTING, probeEventing } from './eventing';
import { httpDateProblem, isContentDirectory, probeContent } from './content';
import { checkNotifies, isDevicesNotify, listenForNotifies } from './notifies';
import type { ObservedNotify } from './notifies';
import * as dgram from 'node:dgram';

export interface ValidateOptions {
  /** Per-request deadline; default 10 s. */
  readonly timeoutMs?: number;
  /**
   * Run the discovery stage (M-SEARCHes from this machine) from this local IPv4 address; 'auto'
   * picks the address the route to the device leaves from. Off when absent.
   */
  readonly discovery?: { readonly interfaceAddress: string | 'auto'; readonly mx?: number; readonly port?: number };
  /**
   * NOTIFYs of the device to check (part of the discovery stage): ones observed already (the SSDP
   * Traffic view's recording), or heard while listening on the group for `listenMs` first (on the
   * discovery interface, or the route's).
   */
  readonly notifies?: { readonly observed: readonly ObservedNotify[]; readonly source: string } | { readonly listenMs: number };
  /** Run the control stage: requests that must be refused (401, 402). Ask the user first. */
  readonly control?: boolean;
  /** Run the content stage: Browse each ContentDirectory and GET a few resources' headers. Ask first. */
  readonly content?: boolean;
  /** Run the eventing stage (subscribes, takes the initial event, renews, unsubscribes) with a callback on this address. Ask first. */
  readonly eventing?: { readonly interfaceAddress: string | 'auto' };
  /** For tests: the clock HTTP dates are judged against. */
  readonly now?: () => number;
}

const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
const MAX_ICON_BYTES = 1024 * 1024;

export async function validateDevice(location: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const findings: Finding[] = [];
  const documents = new Map<string, string>();
  const stages: Stage[] = ['description'];
  const coverage: Partial<Record<Stage, string>> = {};
  const report = (extra: Partial<Pick<ValidationReport, 'friendlyName' | 'udn'>> = {}): ValidationReport => ({
    location, startedAt: new Date(started).toISOString(), elapsedMs: Date.now() - started, stages, findings, documents, coverage, ...extra,
  });

  let body: string;
  let headerFindings: Finding[];
  try {
    const r = await fetchBytes(location, { timeoutMs, maxBytes: MAX_DOCUMENT_BYTES });
    body = r.body.toString('utf8');
    headerFindings = checkHttpHeaders(r.headers, location, options.now?.() ?? Date.now());
  } catch (err) {
    findings.push(finding(RULES.descriptionXml, `The description could not be read: ${errorMessage(err)}`, { evidence: `GET ${location}` }));
    return report();
  }
  documents.set(location, body);
  const description = checkDescription(body, location);
  // Findings on the answer's headers are shown at the document's top element.
  const rootAt = description.positions.at(description.root);
  findings.push(...headerFindings.map((f) => (rootAt ? { ...f, at: rootAt } : f)), ...description.findings);

  if (options.discovery || options.notifies) {
    let parsed: RootDescription | undefined;
    try {
      parsed = parseDeviceDescription(body, location);
    } catch {
      parsed = undefined; // already a finding of the description stage
    }
    if (parsed?.device.udn) {
      stages.unshift('discovery');
      const found: Finding[] = [];
      try {
        const notifies = options.notifies;
        const asked = options.discovery?.interfaceAddress ?? 'auto';
        const sends = options.discovery !== undefined || (notifies !== undefined && 'listenMs' in notifies);
        const from = !sends ? '' : asked === 'auto' ? await localAddressTowards(new URL(location).hostname) : asked;
        const [answers, heard] = await Promise.all([
          options.discovery ? probeDiscovery(location, parsed, { interfaceAddress: from, ...(options.discovery.mx !== undefined ? { mx: options.discovery.mx } : {}), ...(options.discovery.port !== undefined ? { port: options.discovery.port } : {}) }) : Promise.resolve([]),
          notifies && 'listenMs' in notifies ? listenForNotifies(from, notifies.listenMs, options.discovery?.port) : Promise.resolve(notifies?.observed ?? []),
        ]);
        found.push(...answers);
        if (notifies) {
          const mine = heard.filter((n) => isDevicesNotify(n.raw, parsed, location));
          found.push(...checkNotifies(mine, parsed, location));
          const source = 'listenMs' in notifies ? `heard in ${Math.round(notifies.listenMs / 1000)} s of listening` : notifies.source;
          coverage.discovery = mine.length > 0
            ? `${mine.length} NOTIFY${mine.length === 1 ? '' : 's'} of the device checked (${source}).`
            : `No NOTIFY of the device to check (${source}); devices announce every max-age/2 or so.`;
        }
      } catch (err) {
        found.push(finding(RULES_DISCOVERY.answered, `The discovery stage could not run: ${errorMessage(err)}`));
      }
      findings.unshift(...found);
    }
  }

  if (description.services.length > 0) stages.push('scpd');
  const seen = new Set<string>();
  for (const s of description.services) {
    const url = new URL(s.scpdUrl, description.base).toString();
    if (seen.has(url)) continue;
    seen.add(url);
    try {
      const r = await fetchBytes(url, { timeoutMs, maxBytes: MAX_DOCUMENT_BYTES });
      const text = r.body.toString('utf8');
      documents.set(url, text);
      findings.push(...checkScpd(text, url));
    } catch (err) {
      const at = description.positions.at(s.element);
      findings.push(finding(RULES.scpdLoads, `The SCPD of ${s.serviceId} could not be read: ${errorMessage(err)}`, { evidence: `GET ${url}`, ...(at ? { at } : {}) }));
    }
  }
  for (const icon of description.icons) {
    const url = new URL(icon.url, description.base).toString();
    const at = description.positions.at(icon.element);
    const where = at ? { at } : {};
    try {
      const r = await fetchBytes(url, { timeoutMs, maxBytes: MAX_ICON_BYTES });
      const type = (r.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (icon.mimetype && type !== icon.mimetype.toLowerCase()) {
        findings.push(finding(RULES.iconLoads, `The icon ${icon.url} is served as ${type || 'no Content-Type'}, declared ${icon.mimetype}.`, { evidence: `GET ${url} → Content-Type: ${r.headers['content-type'] ?? '(none)'}`, severity: 'warning', ...where }));
      }
      const size = imageSize(r.body);
      if (size && Number.isFinite(icon.width) && Number.isFinite(icon.height) && (size.width !== icon.width || size.height !== icon.height)) {
        findings.push(finding(RULES.iconLoads, `The icon ${icon.url} is ${size.width}×${size.height}, declared ${icon.width}×${icon.height}.`, { evidence: `GET ${url} → ${r.body.length} bytes`, severity: 'warning', ...where }));
      }
    } catch (err) {
      findings.push(finding(RULES.iconLoads, `The icon ${icon.url} does not load: ${errorMessage(err)}`, { evidence: `GET ${url}`, ...where }));
    }
  }
  if (options.control || options.eventing || options.content) {
    let parsed: RootDescription | undefined;
    try {
      parsed = parseDeviceDescription(body, location);
    } catch {
      parsed = undefined;
    }
    const targets: ControlTarget[] = [];
    const services: ServiceDescription[] = [];
    const walk = (d: RootDescription['device']): void => { services.push(...d.services); d.devices.forEach(walk); };
    if (parsed) walk(parsed.device);
    for (const service of services) {
      const text = documents.get(service.scpdUrl);
      if (text === undefined) continue;
      try {
        targets.push({ service, scpd: parseScpd(text, service.scpdUrl) });
      } catch {
        // its findings are in the SCPD stage
      }
    }
    if (options.control && targets.length > 0) {
      stages.push('control');
      findings.push(...await probeControl(targets, { timeoutMs }));
    }
    const directories = services.filter(isContentDirectory);
    if (options.content && directories.length > 0) {
      stages.push('content');
      const declared = (s: ServiceDescription): ReturnType<typeof description.positions.at> => {
        const written = description.services.find((d) => d.serviceId === s.serviceId && new URL(d.scpdUrl, description.base).toString() === s.scpdUrl);
        return description.positions.at(written?.named);
      };
      const probe = await probeContent(directories.map((service) => {
        const at = declared(service);
        const scpd = targets.find((t) => t.service === service)?.scpd;
        return { service, ...(scpd ? { scpd } : {}), ...(at ? { at } : {}) };
      }), { timeoutMs, ...(options.now ? { now: options.now } : {}) });
      findings.push(...probe.findings);
      coverage.content = probe.coverage;
    }
    if (options.eventing && targets.some((t) => t.service.eventSubUrl && t.scpd.stateVariables.some((v) => v.sendEvents))) {
      stages.push('eventing');
      try {
        const from = options.eventing.interfaceAddress === 'auto' ? await localAddressTowards(new URL(location).hostname) : options.eventing.interfaceAddress;
        findings.push(...await probeEventing(targets, { interfaceAddress: from, timeoutMs }));
      } catch (err) {
        findings.push(finding(RULES_EVENTING.subscribe, `The eventing stage could not run: ${errorMessage(err)}`));
      }
    }
  }
  return report({ ...(description.friendlyName ? { friendlyName: description.friendlyName } : {}), ...(description.udn ? { udn: description.udn } : {}) });
}

/** The local address the route to `host` leaves from (a connected UDP socket sends nothing). */
export function localAddressTowards(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => { socket.close(); reject(err); });
    socket.connect(1900, host.replace(/^\[|\]$/g, ''), () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}

/** Content-Type and Date of the description's answer. */
export function checkHttpHeaders(headers: Readonly<Record<string, string>>, url: string, now: number): Finding[] {
  const out: Finding[] = [];
  const type = headers['content-type'];
  const evidence = (name: string, value: string | undefined): string => `GET ${url} → ${name}: ${value ?? '(none)'}`;
  if (!type || !/^text\/xml\b/i.test(type.trim())) {
    out.push(finding(RULES.contentType, `The description is served as ${type ? `"${type}"` : 'no Content-Type'}.`, { evidence: evidence('Content-Type', type) }));
  } else if (!/charset\s*=\s*"?utf-8"?/i.test(type)) {
    out.push(finding(RULES.contentType, `The description's Content-Type "${type}" names no charset utf-8.`, { evidence: evidence('Content-Type', type), severity: 'info' }));
  }
  const date = headers['date'];
  if (date === undefined) {
    out.push(finding(RULES.httpDate, 'The description is served without a Date header.', { evidence: evidence('Date', date), severity: 'info' }));
  } else {
    const problem = httpDateProblem(date, now);
    if (problem) out.push(finding(RULES.httpDate, problem, { evidence: evidence('Date', date) }));
  }
  return out;
}

/** Width and height of a PNG, GIF or JPEG, read from its header; undefined for others. */
export function imageSize(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47) return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  if (b.length >= 10 && b.toString('latin1', 0, 3) === 'GIF') return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1]!;
      const length = b.readUInt16BE(i + 2);
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: b.readUInt16BE(i + 7), height: b.readUInt16BE(i + 5) };
      }
      i += 2 + length;
    }
  }
  return undefined;
}
