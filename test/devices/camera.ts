// A simulated Leica Q3 (DLNA MediaServer) reproducing /work/shared/reference/leica-q3-dlna-capture.md:
// same description (absolute URLs, vendor fields), same path layout, SERVER header and max-age,
// and a ContentDirectory with the two captured photos that Browse and DestroyObject act on.

import { HttpDeviceServer, UpnpFault, rejectUnknownArgs, requireArgs } from './http-device';
import type { ActionArgs, EventPublisher } from './http-device';
import { advertise, makeHandle } from './device-handle';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import {
  CAMERA_DEFAULT_FRIENDLY_NAME, CAMERA_DEFAULT_UDN, CAMERA_PATHS, CAMERA_SERVER_HEADER, cameraDescription,
} from './camera-data/description';
import { CAMERA_SOURCE_PROTOCOL_INFO, CDS_SCPD, CMS_SCPD } from './camera-data/scpd';
import { capturedItems, didl, itemDidl, rootContainerDidl } from './camera-data/content';
import type { CameraItem } from './camera-data/content';

export const MEDIA_SERVER_TYPE = 'urn:schemas-upnp-org:device:MediaServer:1';
export const CONTENT_DIRECTORY_TYPE = 'urn:schemas-upnp-org:service:ContentDirectory:1';
export const CONNECTION_MANAGER_TYPE = 'urn:schemas-upnp-org:service:ConnectionManager:1';

export interface SimulatedCameraOptions extends CommonDeviceOptions {
  udn?: string;
  friendlyName?: string;
  /** TIMEOUT the camera grants, whatever is asked (the real one: 300 for 200 asked). */
  eventTimeoutSeconds?: number;
}

/** The camera's vendor state variables on ConnectionManager, evented as in the capture. */
export type CameraVendorVariable = 'X_Leica_Cam_Sync' | 'X_Leica_Cam_PRec' | 'X_Leica_Cam_VRec';

/** The vendor events of the capture, in the order they appear there. */
export const CAPTURED_VENDOR_EVENTS: ReadonlyArray<readonly [CameraVendorVariable, string]> = [
  ['X_Leica_Cam_Sync', 'lens_Update'],
  ['X_Leica_Cam_PRec', 'ok'],
  ['X_Leica_Cam_VRec', 'start'],
];

export interface SimulatedCamera extends SimulatedDevice {
  /** ContentDirectory SystemUpdateID; starts at 1 like the capture and grows on each change. */
  readonly systemUpdateId: number;
  /** Ids of the items currently on the card. */
  objectIds(): string[];
  /** http://host:port of the camera's HTTP server. */
  readonly baseUrl: string;
  /**
   * ConnectionManager eventing as captured: SUBSCRIBE (a body is fine) gets SID = the camera's
   * UDN and TIMEOUT Second-300 whatever was asked; the initial event (SEQ 0) carries
   * SourceProtocolInfo, SinkProtocolInfo and CurrentConnectionIDs.
   */
  readonly cmsEvents: EventPublisher;
  /** Sends one vendor event (SEQ +1) to every ConnectionManager subscriber; resolves once delivered. */
  sendVendorEvent(name: CameraVendorVariable, value: string): Promise<void>;
  /** The next event's SEQ jumps ahead by `count`, as if events had been lost. */
  skipEventSeq(count: number): void;
  /** Forgets every subscription, as the camera does when switched off and on: renewals get 412. */
  reboot(): void;
}

const BROWSE_ARGS = ['ObjectID', 'BrowseFlag', 'Filter', 'StartingIndex', 'RequestedCount', 'SortCriteria'];

function parseUi4(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UpnpFault(402, 'Invalid Args');
  const n = Number(text.trim());
  if (n > 0xffffffff) throw new UpnpFault(402, 'Invalid Args');
  return n;
}

export async function startSimulatedCamera(opts: SimulatedCameraOptions = {}): Promise<SimulatedCamera> {
  const udn = opts.udn ?? CAMERA_DEFAULT_UDN;
  const friendlyName = opts.friendlyName ?? CAMERA_DEFAULT_FRIENDLY_NAME;
  const server = opts.server ?? CAMERA_SERVER_HEADER;
  const http = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server });
  const baseUrl = http.baseUrl;
  const items: CameraItem[] = capturedItems();
  let systemUpdateId = 1;

  http.serveDocument(CAMERA_PATHS.description, cameraDescription(baseUrl, udn, friendlyName));
  http.serveDocument(CAMERA_PATHS.cdsScpd, CDS_SCPD);
  http.serveDocument(CAMERA_PATHS.cmsScpd, CMS_SCPD);
  // Only ConnectionManager eventing was captured; ContentDirectory's event URL stays without it.
  http.serveEvents(CAMERA_PATHS.cdsEvent);
  const cmsEvents = http.publishEvents(CAMERA_PATHS.cmsEvent, {
    sidFor: () => udn,
    grantSeconds: opts.eventTimeoutSeconds ?? 300,
    initialEvent: () => [
      ['SourceProtocolInfo', CAMERA_SOURCE_PROTOCOL_INFO],
      ['SinkProtocolInfo', ''],
      ['CurrentConnectionIDs', '0'],
    ],
  });

  http.serveControl(CAMERA_PATHS.cdsControl, CONTENT_DIRECTORY_TYPE, {
    Browse: (args: ActionArgs): ActionArgs => {
      requireArgs(args, BROWSE_ARGS);
      // The Leica app adds leica:X_FromCP (its own name); the camera accepts and ignores it.
      rejectUnknownArgs(args, [...BROWSE_ARGS, 'X_FromCP']);
      const start = parseUi4(args.StartingIndex);
      const requested = parseUi4(args.RequestedCount);
      const id = args.ObjectID;
      const item = items.find((i) => i.id === id);
      if (id !== '0' && !item) throw new UpnpFault(701, 'No such object');
      let fragments: string[];
      let total: number;
      if (args.BrowseFlag === 'BrowseMetadata') {
        fragments = [item ? itemDidl(item, baseUrl) : rootContainerDidl(items.length)];
        total = 1;
      } else if (args.BrowseFlag === 'BrowseDirectChildren') {
        if (item) throw new UpnpFault(710, 'No such container');
        const slice = items.slice(start, requested === 0 ? undefined : start + requested);
        fragments = slice.map((i) => itemDidl(i, baseUrl));
        total = items.length;
      } else {
        throw new UpnpFault(402, 'Invalid Args');
      }
      return {
        Result: didl(fragments),
        NumberReturned: String(fragments.length),
        TotalMatches: String(total),
        UpdateID: String(systemUpdateId),
      };
    },
    DestroyObject: (args: ActionArgs): ActionArgs => {
      requireArgs(args, ['ObjectID']);
      rejectUnknownArgs(args, ['ObjectID']);
      const index = items.findIndex((i) => i.id === args.ObjectID);
      if (args.ObjectID === '0') throw new UpnpFault(711, 'Restricted object');
      if (index < 0) throw new UpnpFault(701, 'No such object');
      items.splice(index, 1);
      systemUpdateId++;
      return {};
    },
    GetSearchCapabilities: (args): ActionArgs => { rejectUnknownArgs(args, []); return { SearchCaps: '' }; },
    GetSortCapabilities: (args): ActionArgs => { rejectUnknownArgs(args, []); return { SortCaps: '' }; },
    GetSystemUpdateID: (args): ActionArgs => { rejectUnknownArgs(args, []); return { Id: String(systemUpdateId) }; },
  });

  http.serveControl(CAMERA_PATHS.cmsControl, CONNECTION_MANAGER_TYPE, {
    GetProtocolInfo: (args): ActionArgs => {
      rejectUnknownArgs(args, []);
      return { Source: CAMERA_SOURCE_PROTOCOL_INFO, Sink: '' };
    },
    GetCurrentConnectionIDs: (args): ActionArgs => { rejectUnknownArgs(args, []); return { ConnectionIDs: '0' }; },
    GetCurrentConnectionInfo: (args): ActionArgs => {
      requireArgs(args, ['ConnectionID']);
      rejectUnknownArgs(args, ['ConnectionID']);
      if (args.ConnectionID.trim() !== '0') throw new UpnpFault(706, 'Invalid connection reference');
      return {
        RcsID: '-1', AVTransportID: '-1', ProtocolInfo: '', PeerConnectionManager: '',
        PeerConnectionID: '-1', Direction: 'Output', Status: 'OK',
      };
    },
  });

  const location = baseUrl + CAMERA_PATHS.description;
  let ssdp;
  try {
    ssdp = await advertise(opts, {
      root: { udn, deviceType: MEDIA_SERVER_TYPE, serviceTypes: [CONTENT_DIRECTORY_TYPE, CONNECTION_MANAGER_TYPE] },
      location,
      server,
      maxAgeSeconds: opts.maxAgeSeconds ?? 1800,
    });
  } catch (err) {
    await http.close();
    throw err;
  }
  const handle = makeHandle({ udn, location, friendlyName }, ssdp, () => http.close());
  return {
    ...handle,
    baseUrl,
    get systemUpdateId(): number { return systemUpdateId; },
    objectIds: (): string[] => items.map((i) => i.id),
    cmsEvents,
    sendVendorEvent: (name: CameraVendorVariable, value: string): Promise<void> => cmsEvents.notify([[name, value]]),
    skipEventSeq: (count: number): void => cmsEvents.skipSeq(count),
    reboot: (): void => cmsEvents.forgetAll(),
  };
}
