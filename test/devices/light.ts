// A simulated light: root 'Simulated Light Bridge' (Basic:1, no services of its own, an icon)
// embedding a DimmableLight:1 with SwitchPower:1 and Dimming:1 (SCPDs from the gupnp capture).
// Unlike the camera it uses RELATIVE URLs and a <URLBase> whose path differs from the
// description's, so a control point that resolves against LOCATION instead of URLBase gets 404s.

import type { EventPublisher } from './http-device';
import { HttpDeviceServer, UpnpFault, rejectUnknownArgs, requireArgs, xmlEscape } from './http-device';
import type { ActionArgs } from './http-device';
import { advertise, makeHandle } from './device-handle';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import { DIMMING_SCPD, SWITCH_POWER_SCPD } from './light-data/scpd';
import { solidPng } from './png';

export const BASIC_DEVICE_TYPE = 'urn:schemas-upnp-org:device:Basic:1';
export const DIMMABLE_LIGHT_TYPE = 'urn:schemas-upnp-org:device:DimmableLight:1';
export const SWITCH_POWER_TYPE = 'urn:schemas-upnp-org:service:SwitchPower:1';
export const DIMMING_TYPE = 'urn:schemas-upnp-org:service:Dimming:1';

export const LIGHT_DEFAULT_UDN = 'uuid:5f1a0c6e-3b1d-4c55-9a57-1b2c3d4e5f60';
export const LIGHT_DEFAULT_EMBEDDED_UDN = 'uuid:5f1a0c6e-3b1d-4c55-9a57-1b2c3d4e5f61';
export const LIGHT_FRIENDLY_NAME = 'Simulated Light Bridge';
export const DIMMABLE_LIGHT_FRIENDLY_NAME = 'Simulated Dimmable Light';

/** Paths on the server; the URLBase is `/light/`, the description lives elsewhere on purpose. */
export const LIGHT_PATHS = {
  description: '/desc/light.xml',
  urlBase: '/light/',
  bridgeIcon: '/light/icons/bridge-32.png',
  lightIcon: '/light/icons/light-48.png',
  switchPowerScpd: '/light/SwitchPower/scpd.xml',
  switchPowerControl: '/light/SwitchPower/control',
  switchPowerEvents: '/light/SwitchPower/events',
  dimmingScpd: '/light/Dimming/scpd.xml',
  dimmingControl: '/light/Dimming/control',
  dimmingEvents: '/light/Dimming/events',
} as const;

export interface SimulatedLightOptions extends CommonDeviceOptions {
  udn?: string;
  embeddedUdn?: string;
  friendlyName?: string;
}

export interface LightState {
  target: boolean;
  status: boolean;
  loadLevelTarget: number;
  loadLevelStatus: number;
}

export interface SimulatedLight extends SimulatedDevice {
  readonly embeddedUdn: string;
  readonly baseUrl: string;
  /** A snapshot of the light's state variables. */
  state(): LightState;
  /** SwitchPower's and Dimming's subscribers and the events sent to them. */
  readonly switchPowerEvents: EventPublisher;
  readonly dimmingEvents: EventPublisher;
}

function lightDescription(baseUrl: string, udn: string, embeddedUdn: string, friendlyName: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion>
    <major>1</major>
    <minor>1</minor>
  </specVersion>
  <URLBase>${xmlEscape(baseUrl + LIGHT_PATHS.urlBase)}</URLBase>
  <device>
    <deviceType>${BASIC_DEVICE_TYPE}</deviceType>
    <friendlyName>${xmlEscape(friendlyName)}</friendlyName>
    <manufacturer>UPnP Explorer tests</manufacturer>
    <manufacturerURL>https://example.invalid/</manufacturerURL>
    <modelDescription>A bridge with one embedded dimmable light</modelDescription>
    <modelName>Simulated Light Bridge</modelName>
    <modelNumber>1.0</modelNumber>
    <serialNumber>SLB-0001</serialNumber>
    <UDN>${xmlEscape(udn)}</UDN>
    <iconList>
      <icon>
        <mimetype>image/png</mimetype>
        <width>32</width>
        <height>32</height>
        <depth>32</depth>
        <url>icons/bridge-32.png</url>
      </icon>
    </iconList>
    <deviceList>
      <device>
        <deviceType>${DIMMABLE_LIGHT_TYPE}</deviceType>
        <friendlyName>${DIMMABLE_LIGHT_FRIENDLY_NAME}</friendlyName>
        <manufacturer>UPnP Explorer tests</manufacturer>
        <modelName>Simulated Dimmable Light</modelName>
        <modelNumber>1.0</modelNumber>
        <UDN>${xmlEscape(embeddedUdn)}</UDN>
        <iconList>
          <icon>
            <mimetype>image/png</mimetype>
            <width>48</width>
            <height>48</height>
            <depth>32</depth>
            <url>icons/light-48.png</url>
          </icon>
        </iconList>
        <serviceList>
          <service>
            <serviceType>${SWITCH_POWER_TYPE}</serviceType>
            <serviceId>urn:upnp-org:serviceId:SwitchPower</serviceId>
            <SCPDURL>SwitchPower/scpd.xml</SCPDURL>
            <controlURL>SwitchPower/control</controlURL>
            <eventSubURL>SwitchPower/events</eventSubURL>
          </service>
          <service>
            <serviceType>${DIMMING_TYPE}</serviceType>
            <serviceId>urn:upnp-org:serviceId:Dimming</serviceId>
            <SCPDURL>Dimming/scpd.xml</SCPDURL>
            <controlURL>Dimming/control</controlURL>
            <eventSubURL>Dimming/events</eventSubURL>
          </service>
        </serviceList>
      </device>
    </deviceList>
  </device>
</root>
`;
}

/** Parses a UPnP boolean ("0"/"1"/"true"/"false"/"yes"/"no"). */
export function parseUpnpBoolean(text: string): boolean {
  const v = text.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no') return false;
  throw new UpnpFault(600, 'Argument Value Invalid');
}

function parseLoadLevel(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UpnpFault(600, 'Argument Value Invalid');
  const n = Number(text.trim());
  if (n > 100) throw new UpnpFault(601, 'Argument Value Out of Range');
  return n;
}

export async function startSimulatedLight(opts: SimulatedLightOptions = {}): Promise<SimulatedLight> {
  const udn = opts.udn ?? LIGHT_DEFAULT_UDN;
  const embeddedUdn = opts.embeddedUdn ?? LIGHT_DEFAULT_EMBEDDED_UDN;
  const friendlyName = opts.friendlyName ?? LIGHT_FRIENDLY_NAME;
  const http = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server: opts.server });
  const baseUrl = http.baseUrl;
  const state: LightState = { target: false, status: false, loadLevelTarget: 0, loadLevelStatus: 0 };

  http.serveDocument(LIGHT_PATHS.description, lightDescription(baseUrl, udn, embeddedUdn, friendlyName));
  http.serveDocument(LIGHT_PATHS.bridgeIcon, solidPng(32, [40, 90, 200, 255]), 'image/png');
  http.serveDocument(LIGHT_PATHS.lightIcon, solidPng(48, [255, 200, 0, 255]), 'image/png');
  http.serveDocument(LIGHT_PATHS.switchPowerScpd, SWITCH_POWER_SCPD);
  http.serveDocument(LIGHT_PATHS.dimmingScpd, DIMMING_SCPD);
  // Evented like a real light (gupnp-network-light): the initial event with every evented
  // variable, then Status / LoadLevelStatus whenever they change.
  const switchPowerEvents = http.publishEvents(LIGHT_PATHS.switchPowerEvents, { initialEvent: () => [['Status', state.status ? '1' : '0']] });
  const dimmingEvents = http.publishEvents(LIGHT_PATHS.dimmingEvents, { initialEvent: () => [['LoadLevelStatus', String(state.loadLevelStatus)]] });

  http.serveControl(LIGHT_PATHS.switchPowerControl, SWITCH_POWER_TYPE, {
    SetTarget: (args: ActionArgs): ActionArgs => {
      requireArgs(args, ['newTargetValue']);
      rejectUnknownArgs(args, ['newTargetValue']);
      state.target = parseUpnpBoolean(args.newTargetValue);
      const changed = state.status !== state.target;
      state.status = state.target; // a simulated bulb switches instantly
      // After the answer, as a device's moderated event would.
      if (changed) setImmediate(() => { void switchPowerEvents.notify([['Status', state.status ? '1' : '0']]); });
      return {};
    },
    GetTarget: (args): ActionArgs => { rejectUnknownArgs(args, []); return { RetTargetValue: state.target ? '1' : '0' }; },
    GetStatus: (args): ActionArgs => { rejectUnknownArgs(args, []); return { ResultStatus: state.status ? '1' : '0' }; },
  });
  http.serveControl(LIGHT_PATHS.dimmingControl, DIMMING_TYPE, {
    SetLoadLevelTarget: (args: ActionArgs): ActionArgs => {
      requireArgs(args, ['newLoadlevelTarget']);
      rejectUnknownArgs(args, ['newLoadlevelTarget']);
      state.loadLevelTarget = parseLoadLevel(args.newLoadlevelTarget);
      const changed = state.loadLevelStatus !== state.loadLevelTarget;
      state.loadLevelStatus = state.loadLevelTarget;
      if (changed) setImmediate(() => { void dimmingEvents.notify([['LoadLevelStatus', String(state.loadLevelStatus)]]); });
      return {};
    },
    GetLoadLevelTarget: (args): ActionArgs => { rejectUnknownArgs(args, []); return { retLoadlevelTarget: String(state.loadLevelTarget) }; },
    GetLoadLevelStatus: (args): ActionArgs => { rejectUnknownArgs(args, []); return { retLoadlevelStatus: String(state.loadLevelStatus) }; },
  });

  const location = baseUrl + LIGHT_PATHS.description;
  let ssdp;
  try {
    ssdp = await advertise(opts, {
      root: {
        udn,
        deviceType: BASIC_DEVICE_TYPE,
        serviceTypes: [],
        embedded: [{ udn: embeddedUdn, deviceType: DIMMABLE_LIGHT_TYPE, serviceTypes: [SWITCH_POWER_TYPE, DIMMING_TYPE] }],
      },
      location,
    });
  } catch (err) {
    await http.close();
    throw err;
  }
  const handle = makeHandle({ udn, location, friendlyName }, ssdp, () => http.close());
  return { ...handle, embeddedUdn, baseUrl, state: (): LightState => ({ ...state }), switchPowerEvents, dimmingEvents };
}
