// Devices that announce themselves correctly over SSDP but whose description (or SCPDs) is broken
// in one of the ways the explorer must survive. Every variant is a separate root device with its
// own UDN, served by one shared HTTP server under /faulty/<variant>/, so a discovery test can check
// that each shows up in its own error state and that none of them stalls the others.

import type { ServerResponse } from 'node:http';
import { HttpDeviceServer, XML_CONTENT_TYPE, xmlEscape } from './http-device';
import { SsdpResponder } from './ssdp-responder';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import { DIMMING_SCPD, SWITCH_POWER_SCPD } from './light-data/scpd';
import { BASIC_DEVICE_TYPE, DIMMING_TYPE, SWITCH_POWER_TYPE } from './light';

export const FAULTY_VARIANTS = [
  /** Not well-formed: a closing tag does not match. */
  'malformed-xml',
  /** Well-formed start, cut off mid-document (Content-Length matches the cut body). */
  'truncated-xml',
  /** Description URL answers 404. */
  'http-404',
  /** Description URL answers 500. */
  'http-500',
  /** Accepts the connection and never answers. */
  'slow',
  /** Sends headers and the first bytes, then stalls before the announced Content-Length. */
  'stalled-body',
  /** A well-formed description padded to 5 MiB. */
  'huge',
  /** Well-formed, but the device has no <UDN>. */
  'missing-udn',
  /** Well-formed, but the device has no <friendlyName>. */
  'missing-friendly-name',
  /** Root element in a foreign namespace instead of urn:schemas-upnp-org:device-1-0. */
  'wrong-namespace',
  /** Description fine; the SwitchPower SCPD is malformed and the Dimming SCPD is 404. */
  'bad-scpd',
] as const;

export type FaultyVariant = (typeof FAULTY_VARIANTS)[number];

export const HUGE_DESCRIPTION_BYTES = 5 * 1024 * 1024;

export interface FaultyDevice extends SimulatedDevice {
  readonly variant: FaultyVariant;
}

export interface FaultyDevicesOptions extends CommonDeviceOptions {
  /** Which variants to start (default all). */
  variants?: readonly FaultyVariant[];
}

export interface FaultyDevices {
  readonly devices: FaultyDevice[];
  readonly baseUrl: string;
  get(variant: FaultyVariant): FaultyDevice;
  stop(): Promise<void>;
}

export function faultyUdn(variant: FaultyVariant): string {
  const i = FAULTY_VARIANTS.indexOf(variant) + 1;
  return `uuid:fa017000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

export function faultyFriendlyName(variant: FaultyVariant): string {
  return `Faulty ${variant}`;
}

interface DescriptionParts {
  namespace?: string;
  udn?: string | null;
  friendlyName?: string | null;
  padding?: string;
}

function description(prefix: string, parts: DescriptionParts): string {
  const ns = parts.namespace ?? 'urn:schemas-upnp-org:device-1-0';
  const name = parts.friendlyName === null ? '' : `\n    <friendlyName>${xmlEscape(parts.friendlyName ?? '')}</friendlyName>`;
  const udn = parts.udn === null ? '' : `\n    <UDN>${parts.udn ?? ''}</UDN>`;
  return `<?xml version="1.0"?>
<root xmlns="${ns}">
  <specVersion><major>1</major><minor>0</minor></specVersion>${parts.padding ?? ''}
  <device>
    <deviceType>${BASIC_DEVICE_TYPE}</deviceType>${name}
    <manufacturer>UPnP Explorer tests</manufacturer>
    <modelName>Faulty Device</modelName>${udn}
    <serviceList>
      <service>
        <serviceType>${SWITCH_POWER_TYPE}</serviceType>
        <serviceId>urn:upnp-org:serviceId:SwitchPower</serviceId>
        <SCPDURL>${prefix}/SwitchPower/scpd.xml</SCPDURL>
        <controlURL>${prefix}/SwitchPower/control</controlURL>
        <eventSubURL>${prefix}/SwitchPower/events</eventSubURL>
      </service>
      <service>
        <serviceType>${DIMMING_TYPE}</serviceType>
        <serviceId>urn:upnp-org:serviceId:Dimming</serviceId>
        <SCPDURL>${prefix}/Dimming/scpd.xml</SCPDURL>
        <controlURL>${prefix}/Dimming/control</controlURL>
        <eventSubURL>${prefix}/Dimming/events</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`;
}

/** Registers one variant's URLs; returns the description path. */
function serveVariant(http: HttpDeviceServer, variant: FaultyVariant): string {
  const prefix = `/faulty/${variant}`;
  const descPath = `${prefix}/description.xml`;
  const udn = faultyUdn(variant);
  const friendlyName = faultyFriendlyName(variant);
  const good = description(prefix, { udn, friendlyName });
  const plain = (status: number, text: string) => (_req: unknown, res: ServerResponse): void =>
    http.send(res, status, 'text/plain', text);

  if (variant !== 'bad-scpd') {
    // The SCPDs of the description-level variants are fine: only the description is at fault.
    http.serveDocument(`${prefix}/SwitchPower/scpd.xml`, SWITCH_POWER_SCPD);
    http.serveDocument(`${prefix}/Dimming/scpd.xml`, DIMMING_SCPD);
  }
  switch (variant) {
    case 'malformed-xml':
      http.serveDocument(descPath, good.replace('</device>', '</devcie>'));
      break;
    case 'truncated-xml':
      http.serveDocument(descPath, good.slice(0, Math.floor(good.length * 0.6)));
      break;
    case 'http-404':
      http.route(descPath, 'GET', plain(404, 'Not found\n'));
      break;
    case 'http-500':
      http.route(descPath, 'GET', plain(500, 'Internal Server Error\n'));
      break;
    case 'slow':
      // Never answer; the server's close() destroys the socket.
      http.route(descPath, 'GET', () => undefined);
      break;
    case 'stalled-body':
      http.route(descPath, 'GET', (_req, res) => {
        const body = Buffer.from(good, 'utf8');
        res.writeHead(200, { 'Content-Type': XML_CONTENT_TYPE, 'Content-Length': body.length });
        res.write(body.subarray(0, 100));
      });
      break;
    case 'huge': {
      let body: Buffer | undefined;
      http.serveDocument(descPath, () => {
        if (!body) {
          const base = Buffer.byteLength(description(prefix, { udn, friendlyName, padding: '\n  <!--  -->' }));
          const padding = `\n  <!-- ${'x'.repeat(HUGE_DESCRIPTION_BYTES - base)} -->`;
          body = Buffer.from(description(prefix, { udn, friendlyName, padding }), 'utf8');
        }
        return body;
      });
      break;
    }
    case 'missing-udn':
      http.serveDocument(descPath, description(prefix, { udn: null, friendlyName }));
      break;
    case 'missing-friendly-name':
      http.serveDocument(descPath, description(prefix, { udn, friendlyName: null }));
      break;
    case 'wrong-namespace':
      http.serveDocument(descPath, description(prefix, { udn, friendlyName, namespace: 'urn:schemas-example-com:not-a-device-1-0' }));
      break;
    case 'bad-scpd':
      http.serveDocument(descPath, good);
      http.serveDocument(`${prefix}/SwitchPower/scpd.xml`, SWITCH_POWER_SCPD.replace('</actionList>', '</actionLst>'));
      // Dimming/scpd.xml deliberately unregistered: 404.
      break;
  }
  http.serveControl(`${prefix}/SwitchPower/control`, SWITCH_POWER_TYPE);
  http.serveControl(`${prefix}/Dimming/control`, DIMMING_TYPE);
  http.serveEvents(`${prefix}/SwitchPower/events`);
  http.serveEvents(`${prefix}/Dimming/events`);
  return descPath;
}

export async function startFaultyDevices(opts: FaultyDevicesOptions = {}): Promise<FaultyDevices> {
  const variants = opts.variants ?? FAULTY_VARIANTS;
  const http = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server: opts.server });
  const ownResponder = !opts.ssdp;
  let responder: SsdpResponder;
  try {
    responder = opts.ssdp ?? await SsdpResponder.start({ ...opts, interfaceAddress: opts.interfaceAddress ?? '127.0.0.1' });
  } catch (err) {
    await http.close();
    throw err;
  }
  const devices = await Promise.all(variants.map(async (variant): Promise<FaultyDevice> => {
    const location = http.baseUrl + serveVariant(http, variant);
    const udn = faultyUdn(variant);
    const root = await responder.addRoot({
      root: { udn, deviceType: BASIC_DEVICE_TYPE, serviceTypes: [SWITCH_POWER_TYPE, DIMMING_TYPE] },
      location,
      maxAgeSeconds: opts.maxAgeSeconds,
      server: opts.server,
      answerSearch: opts.answerSearch,
      announce: opts.announce,
      notifyIntervalMs: opts.notifyIntervalMs,
    });
    return {
      variant, udn, location, friendlyName: faultyFriendlyName(variant), ssdp: root,
      stop: (): Promise<void> => root.remove(),
      goSilent: (): void => root.goSilent(),
      sendUpdate: (next?: number): Promise<void> => root.sendUpdate(next),
      announce: (): Promise<void> => root.sendAlive(),
    };
  }));
  let stopped: Promise<void> | undefined;
  return {
    devices,
    baseUrl: http.baseUrl,
    get: (variant: FaultyVariant): FaultyDevice => {
      const d = devices.find((x) => x.variant === variant);
      if (!d) throw new Error(`faulty variant ${variant} was not started`);
      return d;
    },
    stop: (): Promise<void> => (stopped ??= (async () => {
      await Promise.all(devices.map((d) => d.ssdp.remove()));
      if (ownResponder) await responder.close();
      await http.close();
    })()),
  };
}
