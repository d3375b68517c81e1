// A fleet of n generic root devices for benchmarks: one SSDP responder answers for all of them and
// one HTTP server serves them all under /dev/<i>/..., so 200 devices cost two UDP sockets and one
// TCP listener. Each device has its own UDN, description and two services (SwitchPower:1 and a
// vendor Counter:1) with working actions. URLs are host-relative paths (no URLBase), the third
// URL style next to the camera's absolute URLs and the light's relative ones.

import { HttpDeviceServer, UpnpFault, rejectUnknownArgs, requireArgs, xmlEscape } from './http-device';
import type { ActionArgs } from './http-device';
import { SsdpResponder } from './ssdp-responder';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import { SWITCH_POWER_SCPD } from './light-data/scpd';
import { parseUpnpBoolean, SWITCH_POWER_TYPE } from './light';

export const FLEET_DEVICE_TYPE = 'urn:schemas-upnp-explorer-test:device:FleetNode:1';
export const COUNTER_SERVICE_TYPE = 'urn:schemas-upnp-explorer-test:service:Counter:1';

const COUNTER_SCPD = `<?xml version="1.0"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <actionList>
    <action>
      <name>GetCount</name>
      <argumentList>
        <argument><name>CurrentCount</name><direction>out</direction><relatedStateVariable>Count</relatedStateVariable></argument>
      </argumentList>
    </action>
    <action>
      <name>Increment</name>
      <argumentList>
        <argument><name>Step</name><direction>in</direction><relatedStateVariable>A_ARG_TYPE_Step</relatedStateVariable></argument>
        <argument><name>NewCount</name><direction>out</direction><relatedStateVariable>Count</relatedStateVariable></argument>
      </argumentList>
    </action>
  </actionList>
  <serviceStateTable>
    <stateVariable sendEvents="yes"><name>Count</name><dataType>ui4</dataType><defaultValue>0</defaultValue></stateVariable>
    <stateVariable sendEvents="no">
      <name>A_ARG_TYPE_Step</name>
      <dataType>ui2</dataType>
      <allowedValueRange><minimum>1</minimum><maximum>100</maximum></allowedValueRange>
    </stateVariable>
  </serviceStateTable>
</scpd>
`;

export interface FleetOptions extends CommonDeviceOptions {
  /** Prefix of friendly names (default "Fleet Device"); devices are numbered from 1. */
  namePrefix?: string;
  /** 8 hex digits making this fleet's UDNs distinct from another fleet's (default "f1ee7000"). */
  udnPrefix?: string;
  /**
   * Give every device its own HTTP server on its own loopback address (127.1.x.y), as on a real
   * network where each device is a host; its SSDP answers and NOTIFYs then come from that address
   * too. Default: one server for the whole fleet.
   */
  hostPerDevice?: boolean;
}

/** Loopback address of device i (1-based) when each has its own host: 127.1.0.1, 127.1.0.2, … */
export function fleetDeviceHost(i: number): string {
  return `127.1.${Math.floor((i - 1) / 250)}.${((i - 1) % 250) + 1}`;
}

export interface Fleet {
  readonly devices: SimulatedDevice[];
  readonly baseUrl: string;
  /** Byebye for every device still talking, then closes the shared sockets. */
  stop(): Promise<void>;
}

function fleetDescription(i: number, udn: string, friendlyName: string): string {
  const p = `/dev/${i}`;
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>1</minor></specVersion>
  <device>
    <deviceType>${FLEET_DEVICE_TYPE}</deviceType>
    <friendlyName>${xmlEscape(friendlyName)}</friendlyName>
    <manufacturer>UPnP Explorer tests</manufacturer>
    <modelName>Fleet Node</modelName>
    <modelNumber>1</modelNumber>
    <serialNumber>FN-${String(i).padStart(4, '0')}</serialNumber>
    <UDN>${udn}</UDN>
    <serviceList>
      <service>
        <serviceType>${SWITCH_POWER_TYPE}</serviceType>
        <serviceId>urn:upnp-org:serviceId:SwitchPower</serviceId>
        <SCPDURL>${p}/SwitchPower/scpd.xml</SCPDURL>
        <controlURL>${p}/SwitchPower/control</controlURL>
        <eventSubURL>${p}/SwitchPower/events</eventSubURL>
      </service>
      <service>
        <serviceType>${COUNTER_SERVICE_TYPE}</serviceType>
        <serviceId>urn:upnp-explorer-test:serviceId:Counter</serviceId>
        <SCPDURL>${p}/Counter/scpd.xml</SCPDURL>
        <controlURL>${p}/Counter/control</controlURL>
        <eventSubURL>${p}/Counter/events</eventSubURL>
      </service>
    </serviceList>
  </device>
</root>
`;
}

export async function startFleet(n: number, opts: FleetOptions = {}): Promise<Fleet> {
  if (!Number.isInteger(n) || n < 0) throw new Error(`fleet size must be a non-negative integer, got ${n}`);
  const prefix = opts.udnPrefix ?? 'f1ee7000';
  if (!/^[0-9a-f]{8}$/.test(prefix)) throw new Error('udnPrefix must be 8 lowercase hex digits');
  const shared = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server: opts.server });
  const servers: HttpDeviceServer[] = [shared];
  const ownResponder = !opts.ssdp;
  let responder: SsdpResponder;
  try {
    responder = opts.ssdp ?? await SsdpResponder.start({ ...opts, interfaceAddress: opts.interfaceAddress ?? '127.0.0.1' });
  } catch (err) {
    await shared.close();
    throw err;
  }
  const baseUrl = shared.baseUrl;

  const devices = await Promise.all(Array.from({ length: n }, async (_, idx): Promise<SimulatedDevice> => {
    const i = idx + 1;
    const udn = `uuid:${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const friendlyName = `${opts.namePrefix ?? 'Fleet Device'} ${i}`;
    const p = `/dev/${i}`;
    const power = { target: false };
    let count = 0;
    let http = shared;
    if (opts.hostPerDevice) {
      http = await HttpDeviceServer.start({ host: fleetDeviceHost(i), server: opts.server });
      servers.push(http);
    }
    http.serveDocument(`${p}/description.xml`, fleetDescription(i, udn, friendlyName));
    http.serveDocument(`${p}/SwitchPower/scpd.xml`, SWITCH_POWER_SCPD);
    http.serveDocument(`${p}/Counter/scpd.xml`, COUNTER_SCPD);
    http.serveEvents(`${p}/SwitchPower/events`);
    http.serveEvents(`${p}/Counter/events`);
    http.serveControl(`${p}/SwitchPower/control`, SWITCH_POWER_TYPE, {
      SetTarget: (args: ActionArgs): ActionArgs => {
        requireArgs(args, ['newTargetValue']);
        rejectUnknownArgs(args, ['newTargetValue']);
        power.target = parseUpnpBoolean(args.newTargetValue);
        return {};
      },
      GetTarget: (): ActionArgs => ({ RetTargetValue: power.target ? '1' : '0' }),
      GetStatus: (): ActionArgs => ({ ResultStatus: power.target ? '1' : '0' }),
    });
    http.serveControl(`${p}/Counter/control`, COUNTER_SERVICE_TYPE, {
      GetCount: (): ActionArgs => ({ CurrentCount: String(count) }),
      Increment: (args: ActionArgs): ActionArgs => {
        requireArgs(args, ['Step']);
        rejectUnknownArgs(args, ['Step']);
        const step = Number(args.Step);
        if (!/^\d+$/.test(args.Step) || step < 1 || step > 100) throw new UpnpFault(601, 'Argument Value Out of Range');
        count += step;
        return { NewCount: String(count) };
      },
    });
    const location = `${http.baseUrl}${p}/description.xml`;
    const root = await responder.addRoot({
      root: { udn, deviceType: FLEET_DEVICE_TYPE, serviceTypes: [SWITCH_POWER_TYPE, COUNTER_SERVICE_TYPE] },
      location,
      ...(opts.hostPerDevice ? { speakFrom: fleetDeviceHost(i) } : {}),
      maxAgeSeconds: opts.maxAgeSeconds,
      server: opts.server,
      answerSearch: opts.answerSearch,
      announce: opts.announce,
      notifyIntervalMs: opts.notifyIntervalMs,
    });
    let stopped: Promise<void> | undefined;
    return {
      udn, location, friendlyName, ssdp: root,
      // Stopping one device withdraws it and its URLs; the shared sockets stay for the others.
      stop: (): Promise<void> => (stopped ??= (async () => {
        await root.remove();
        for (const path of [`${p}/description.xml`, `${p}/SwitchPower/scpd.xml`, `${p}/Counter/scpd.xml`,
          `${p}/SwitchPower/control`, `${p}/Counter/control`, `${p}/SwitchPower/events`, `${p}/Counter/events`]) {
          http.unroute(path);
        }
      })()),
      goSilent: (): void => root.goSilent(),
      sendUpdate: (next?: number): Promise<void> => root.sendUpdate(next),
      announce: (): Promise<void> => root.sendAlive(),
    };
  }));

  let stopped: Promise<void> | undefined;
  return {
    devices,
    baseUrl,
    stop: (): Promise<void> => (stopped ??= (async () => {
      await Promise.all(devices.map((d) => d.ssdp.remove()));
      if (ownResponder) await responder.close();
      await Promise.all(servers.map((server) => server.close()));
    })()),
  };
}
