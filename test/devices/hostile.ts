// Simulated devices that announce themselves correctly and then send documents crafted to be
// expensive (test/devices/hostile-xml.ts): descriptions, SCPDs, Browse answers and GENA events at
// the caps, and just over them. One HTTP server hosts every variant under /hostile/<variant>/,
// one SSDP responder announces them, each under its own UDN. Used by the hostile-device suite.
import { HttpDeviceServer, XML_CONTENT_TYPE } from './http-device';
import type { EventPublisher } from './http-device';
import { SsdpResponder } from './ssdp-responder';
import type { CommonDeviceOptions } from './device-handle';
import { SWITCH_POWER_SCPD } from './light-data/scpd';
import { browseResponse, hostileBrowseResponses, hostileDescriptions, hostileScpds } from './hostile-xml';
import { didl, generatedItems, itemDidl } from './camera-data/content';
import { BASIC_DEVICE_TYPE, SWITCH_POWER_TYPE } from './light';

const CDS_TYPE = 'urn:schemas-upnp-org:service:ContentDirectory:1';
/** The registry's cap on a description or SCPD, less room for the wrapper. */
const DOCUMENT_BYTES = 1024 * 1024 - 64;
const BROWSE_BYTES = 8 * 1024 * 1024 - 64;

export const HOSTILE_VARIANTS = [
  /** Thousands of namespace declarations across elements: once an out-of-memory crash at startup. */
  'description-namespaces',
  /** Nesting to the depth limit with long names: once quadratic in fast-xml-parser. */
  'description-deep-names',
  /** Elements and text at the cap, with dense entity references. */
  'description-elements',
  /** One element more than the cap allows: refused with the limit named. */
  'description-over-cap',
  /** A service per element: only the first 256 are read, with one warning. */
  'description-services',
  /** A normal description whose SCPD holds an argument per element, each a problem. */
  'scpd-problems',
  /** A normal description whose SCPD nests long names to the depth limit. */
  'scpd-deep-names',
] as const;

export type HostileVariant = (typeof HOSTILE_VARIANTS)[number];

export function hostileUdn(variant: HostileVariant): string {
  return `uuid:4057113e-0000-4000-8000-${(HOSTILE_VARIANTS.indexOf(variant) + 1).toString(16).padStart(12, '0')}`;
}

function crafted(list: { name: string; text: string }[], name: string): string {
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`no crafted document "${name}"`);
  return found.text;
}

/** A plain description with one SwitchPower service whose SCPD is at `scpdPath`. */
function plainDescription(udn: string, prefix: string): string {
  return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>` +
    `<deviceType>${BASIC_DEVICE_TYPE}</deviceType><friendlyName>Hostile ${prefix}</friendlyName><manufacturer>tests</manufacturer><modelName>H</modelName><UDN>${udn}</UDN>` +
    `<serviceList><service><serviceType>${SWITCH_POWER_TYPE}</serviceType><serviceId>urn:upnp-org:serviceId:SwitchPower</serviceId>` +
    `<SCPDURL>${prefix}/scpd.xml</SCPDURL><controlURL>${prefix}/control</controlURL><eventSubURL>${prefix}/events</eventSubURL></service></serviceList></device></root>`;
}

function documentsFor(variant: HostileVariant, udn: string, prefix: string): { description: string; scpd: string } {
  const withUdn = (text: string): string => text.replace('uuid:hostile', udn);
  switch (variant) {
    case 'description-namespaces': return { description: withUdn(crafted(hostileDescriptions(DOCUMENT_BYTES), 'namespace declarations')), scpd: SWITCH_POWER_SCPD };
    case 'description-deep-names': return { description: withUdn(crafted(hostileDescriptions(DOCUMENT_BYTES), 'deep long names')), scpd: SWITCH_POWER_SCPD };
    case 'description-elements': return { description: withUdn(crafted(hostileDescriptions(DOCUMENT_BYTES), 'elements at the cap')), scpd: SWITCH_POWER_SCPD };
    case 'description-over-cap': {
      const text = withUdn(crafted(hostileDescriptions(DOCUMENT_BYTES), 'elements at the cap'));
      // 400 more elements than the cap allows, in the same size (67 of the 24-character entity
      // groups in <t> make room for them).
      const t = text.indexOf('<t>') + 3;
      const over = text.slice(0, t) + text.slice(t + 67 * 24);
      return { description: over.replace('<x>', `<x>${'<a/>'.repeat(400)}`), scpd: SWITCH_POWER_SCPD };
    }
    case 'description-services': {
      const text = crafted(hostileDescriptions(DOCUMENT_BYTES - 200), 'a problem per element');
      return { description: text.replace('<device>', `<device><UDN>${udn}</UDN><friendlyName>Hostile services</friendlyName>`), scpd: SWITCH_POWER_SCPD };
    }
    case 'scpd-problems': return { description: plainDescription(udn, prefix), scpd: crafted(hostileScpds(DOCUMENT_BYTES), 'a problem per argument') };
    case 'scpd-deep-names': return { description: plainDescription(udn, prefix), scpd: crafted(hostileScpds(DOCUMENT_BYTES), 'deep long names') };
  }
}

/** A real-sized page: 1,000 camera photos (five res each), as the Leica camera would page them. */
export function thousandPhotos(): string {
  const items = generatedItems(1000, () => 300_000).map((item) => itemDidl(item, 'http://192.168.54.1:50001'));
  return browseResponse(didl(items), items.length);
}

export interface HostileDevices {
  readonly baseUrl: string;
  location(variant: HostileVariant): string;
  /** Control URL answering every POST with the crafted Browse answer `name` (or `over-cap`, or the benign `thousand-photos`). */
  browseControlUrl(name: string): string;
  /** Event URL that accepts subscriptions and sends nothing by itself; send with the publisher. */
  readonly eventUrl: string;
  readonly events: EventPublisher;
  stop(): Promise<void>;
}

export async function startHostileDevices(opts: CommonDeviceOptions & { variants?: readonly HostileVariant[] } = {}): Promise<HostileDevices> {
  const host = opts.host ?? opts.interfaceAddress ?? '127.0.0.1';
  const http = await HttpDeviceServer.start({ host, ...(opts.port !== undefined ? { port: opts.port } : {}) });
  const responder = await SsdpResponder.start({ ...opts, interfaceAddress: opts.interfaceAddress ?? '127.0.0.1' });
  const variants = opts.variants ?? HOSTILE_VARIANTS;
  const locations = new Map<HostileVariant, string>();
  for (const variant of variants) {
    const prefix = `/hostile/${variant}`;
    const udn = hostileUdn(variant);
    const docs = documentsFor(variant, udn, prefix);
    const description = Buffer.from(docs.description, 'utf8');
    const scpd = Buffer.from(docs.scpd, 'utf8');
    http.serveDocument(`${prefix}/description.xml`, description);
    http.serveDocument(`${prefix}/scpd.xml`, scpd);
    // The crafted descriptions name their own (bogus or relative) service URLs; those 404.
    const location = `${http.baseUrl}${prefix}/description.xml`;
    locations.set(variant, location);
    await responder.addRoot({
      root: { udn, deviceType: BASIC_DEVICE_TYPE, serviceTypes: [SWITCH_POWER_TYPE] },
      location,
      ...(opts.maxAgeSeconds !== undefined ? { maxAgeSeconds: opts.maxAgeSeconds } : {}),
    });
  }

  // Browse answers: each crafted document on its own control URL, built on first use.
  const browseBodies = new Map<string, Buffer>();
  const bodyOf = (name: string): Buffer => {
    let body = browseBodies.get(name);
    if (!body) {
      const text = name === 'over-cap'
        ? crafted(hostileBrowseResponses(BROWSE_BYTES), 'entity-dense Result').replace('<Result>', `<Result>${'x'.repeat(256 * 1024)}`)
        : name === 'thousand-photos'
          ? thousandPhotos()
          : crafted(hostileBrowseResponses(BROWSE_BYTES), name);
      browseBodies.set(name, (body = Buffer.from(text, 'utf8')));
    }
    return body;
  };
  const browseControlUrl = (name: string): string => {
    const path = `/hostile/browse/${encodeURIComponent(name).replace(/%/g, '_')}`;
    http.route(path, 'POST', (_req, res) => http.send(res, 200, XML_CONTENT_TYPE, bodyOf(name)));
    return `${http.baseUrl}${path}`;
  };

  const events = http.publishEvents('/hostile/events', { silent: true });
  return {
    baseUrl: http.baseUrl,
    location: (variant) => {
      const l = locations.get(variant);
      if (!l) throw new Error(`hostile variant ${variant} was not started`);
      return l;
    },
    browseControlUrl,
    eventUrl: `${http.baseUrl}/hostile/events`,
    events,
    stop: async () => {
      await responder.close();
      await http.close();
    },
  };
}

export { CDS_TYPE as HOSTILE_CDS_TYPE };
