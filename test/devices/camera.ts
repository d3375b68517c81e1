// A simulated Leica Q3 (DLNA MediaServer) reproducing the captured camera (its parts are in test/fixtures/leica, soap, gena, didl):
// same description (absolute URLs, vendor fields), same path layout, SERVER header and max-age,
// a ContentDirectory with the two captured photos (plus any number of generated ones) that Browse
// and DestroyObject act on, and the media behind every resource URL, sent as the camera sends it
// (camera-data/media.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpDeviceServer, UpnpFault, rejectUnknownArgs, requireArgs } from './http-device';
import type { ActionArgs, EventPublisher } from './http-device';
import { advertise, makeHandle } from './device-handle';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import {
  CAMERA_DEFAULT_FRIENDLY_NAME, CAMERA_DEFAULT_UDN, CAMERA_PATHS, CAMERA_SERVER_HEADER, cameraDescription,
} from './camera-data/description';
import { CAMERA_SOURCE_PROTOCOL_INFO, CDS_SCPD, CMS_SCPD } from './camera-data/scpd';
import { capturedItems, didl, generatedItems, itemDidl, rootContainerDidl } from './camera-data/content';
import type { CameraItem, CameraResource } from './camera-data/content';
import { JpegCache, bufferBody, dngBytes, dngChunks, mediaKindOf, sendMedia, smallOriginalSize } from './camera-data/media';

export const MEDIA_SERVER_TYPE = 'urn:schemas-upnp-org:device:MediaServer:1';
export const CONTENT_DIRECTORY_TYPE = 'urn:schemas-upnp-org:service:ContentDirectory:1';
export const CONNECTION_MANAGER_TYPE = 'urn:schemas-upnp-org:service:ConnectionManager:1';

export interface SimulatedCameraOptions extends CommonDeviceOptions {
  udn?: string;
  friendlyName?: string;
  /** TIMEOUT the camera grants, whatever is asked (the real one: 300 for 200 asked). */
  eventTimeoutSeconds?: number;
  /** Generated photos after the two captured ones (e.g. 10 000 for paging and thumbnail grids). */
  extraPhotos?: number;
  /**
   * Bytes served for each DNG original. Default: 256–384 KiB per item (fast tests; the captured
   * items still declare their real 72.9/82.5 MiB in DIDL-Lite, generated ones declare what is
   * served). 'declared' serves exactly the DIDL-Lite size; a number serves (and declares) that.
   */
  originalSize?: number | 'declared';
  /** Counting lies and paging faults of other servers, for pager tests (changeable with setBrowseQuirks). */
  browseQuirks?: CameraBrowseQuirks;
  /** Media sent at this many bytes per second (changeable with throttleMedia). */
  mediaBytesPerSecond?: number;
}

/** Ways the camera's Browse can misbehave like other servers do. */
export interface CameraBrowseQuirks {
  /** At most this many objects per Browse, whatever was asked (NumberReturned smaller than asked). */
  maxReturned?: number;
  /** TotalMatches reported instead of the truth (0 like minidlna's first Browse, or any wrong number). */
  totalMatches?: number;
  /** NumberReturned reported instead of the truth. */
  numberReturned?: number;
  /** Every page starts at index 0, whatever StartingIndex says. */
  ignoreStartingIndex?: boolean;
}

/** The camera's vendor state variables on ConnectionManager, evented as in the capture. */
export type CameraVendorVariable = 'X_Leica_Cam_Sync' | 'X_Leica_Cam_PRec' | 'X_Leica_Cam_VRec';

/** The vendor events of the capture, in the order they appear there. */
export const CAPTURED_VENDOR_EVENTS: ReadonlyArray<readonly [CameraVendorVariable, string]> = [
  ['X_Leica_Cam_Sync', 'lens_Update'],
  ['X_Leica_Cam_PRec', 'ok'],
  ['X_Leica_Cam_VRec', 'start'],
];

/** What the camera offers beyond a plain device handle. */
export interface CameraControls {
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
  /** Replaces the Browse quirks (undefined: honest again). */
  setBrowseQuirks(quirks: CameraBrowseQuirks | undefined): void;
  /** Media bytes per second from now on (undefined: unthrottled). */
  throttleMedia(bytesPerSecond: number | undefined): void;
  /** The exact bytes the camera serves at `path` (e.g. '/DO01010972.DNG'); undefined for an unknown path. */
  mediaBytes(path: string): Buffer | undefined;
  /** Browse requests answered so far (both flags). */
  readonly browseCount: number;
  /** Media GETs answered so far, by path, in order. */
  readonly mediaRequests: readonly string[];
}

export interface SimulatedCamera extends SimulatedDevice, CameraControls {}

/** The camera's HTTP side alone (no SSDP), safe to run outside a network namespace, e.g. in unit tests. */
export interface CameraServer extends CameraControls {
  readonly udn: string;
  readonly friendlyName: string;
  /** URL of the description. */
  readonly location: string;
  close(): Promise<void>;
}

const BROWSE_ARGS = ['ObjectID', 'BrowseFlag', 'Filter', 'StartingIndex', 'RequestedCount', 'SortCriteria'];

function parseUi4(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UpnpFault(402, 'Invalid Args');
  const n = Number(text.trim());
  if (n > 0xffffffff) throw new UpnpFault(402, 'Invalid Args');
  return n;
}

/** Starts the camera's HTTP server only: description, SCPDs, control, events and media; no SSDP. */
export async function startCameraServer(opts: SimulatedCameraOptions = {}): Promise<CameraServer> {
  const udn = opts.udn ?? CAMERA_DEFAULT_UDN;
  const friendlyName = opts.friendlyName ?? CAMERA_DEFAULT_FRIENDLY_NAME;
  const server = opts.server ?? CAMERA_SERVER_HEADER;
  const http = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server });
  const baseUrl = http.baseUrl;
  const originalOption = opts.originalSize;
  const servedOriginalSize = (id: string, declared: number): number =>
    originalOption === 'declared' ? declared : typeof originalOption === 'number' ? originalOption : smallOriginalSize(id);
  const items: CameraItem[] = [
    ...capturedItems(),
    ...generatedItems(opts.extraPhotos ?? 0, (id, ext) => {
      if (typeof originalOption === 'number') return originalOption;
      // 'declared': camera-like sizes (the captured photos' 72.9 MiB DNG and 29.1 MiB JPG).
      if (originalOption === 'declared') return ext === 'DNG' ? 76436480 : 30554112;
      return smallOriginalSize(id);
    }),
  ];
  const byId = new Map(items.map((i) => [i.id, i]));
  let systemUpdateId = 1;
  let quirks: CameraBrowseQuirks | undefined = opts.browseQuirks;
  let bytesPerSecond: number | undefined = opts.mediaBytesPerSecond;
  let browseCount = 0;
  const mediaRequests: string[] = [];
  const jpegs = new JpegCache();

  /** The body behind one resource of one item. */
  const mediaBody = (item: CameraItem, resource: CameraResource): { contentType: string; size: number; chunks: () => Iterable<Buffer> } | undefined => {
    const what = mediaKindOf(resource.path);
    if (!what) return undefined;
    if (what.kind === 'originalDng') {
      const size = servedOriginalSize(item.id, resource.size);
      return { contentType: 'application/octet-stream', size, chunks: () => dngChunks(item.id, size) };
    }
    const bytes = jpegs.get(what.kind, item.id);
    return { contentType: what.kind === 'originalJpg' ? 'application/octet-stream' : 'image/jpeg', ...bufferBody(bytes) };
  };
  const routeMedia = (item: CameraItem): void => {
    for (const resource of item.resources) {
      const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
        const current = byId.get(item.id);
        const body = current && mediaBody(current, resource);
        if (!current || !body) return http.send(res, 404, 'text/plain', 'Not found\n');
        if (req.method === 'GET') mediaRequests.push(resource.path);
        await sendMedia(res, current, body.contentType, body, req.method ?? 'GET', bytesPerSecond ? { bytesPerSecond } : {});
      };
      http.route(resource.path, 'GET', handler);
      http.route(resource.path, 'HEAD', handler);
    }
  };
  for (const item of items) routeMedia(item);

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
      browseCount++;
      const start = quirks?.ignoreStartingIndex ? 0 : parseUi4(args.StartingIndex);
      let requested = parseUi4(args.RequestedCount);
      if (args.BrowseFlag === 'BrowseDirectChildren' && quirks?.maxReturned !== undefined && (requested === 0 || requested > quirks.maxReturned)) requested = quirks.maxReturned;
      const id = args.ObjectID;
      const item = byId.get(id);
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
      const children = args.BrowseFlag === 'BrowseDirectChildren';
      return {
        Result: didl(fragments),
        NumberReturned: String((children ? quirks?.numberReturned : undefined) ?? fragments.length),
        TotalMatches: String((children ? quirks?.totalMatches : undefined) ?? total),
        UpdateID: String(systemUpdateId),
      };
    },
    DestroyObject: (args: ActionArgs): ActionArgs => {
      requireArgs(args, ['ObjectID']);
      rejectUnknownArgs(args, ['ObjectID']);
      const index = items.findIndex((i) => i.id === args.ObjectID);
      if (args.ObjectID === '0') throw new UpnpFault(711, 'Restricted object');
      if (index < 0) throw new UpnpFault(701, 'No such object');
      const [removed] = items.splice(index, 1);
      byId.delete(removed!.id);
      for (const r of removed!.resources) http.unroute(r.path);
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

  return {
    udn,
    friendlyName,
    location: baseUrl + CAMERA_PATHS.description,
    close: () => http.close(),
    baseUrl,
    get systemUpdateId(): number { return systemUpdateId; },
    objectIds: (): string[] => items.map((i) => i.id),
    cmsEvents,
    sendVendorEvent: (name: CameraVendorVariable, value: string): Promise<void> => cmsEvents.notify([[name, value]]),
    skipEventSeq: (count: number): void => cmsEvents.skipSeq(count),
    reboot: (): void => cmsEvents.forgetAll(),
    setBrowseQuirks: (q: CameraBrowseQuirks | undefined): void => { quirks = q; },
    throttleMedia: (bps: number | undefined): void => { bytesPerSecond = bps; },
    mediaBytes: (path: string): Buffer | undefined => {
      const what = mediaKindOf(path);
      const item = what && byId.get(what.id);
      const resource = item?.resources.find((r) => r.path === path);
      if (!item || !resource) return undefined;
      if (what.kind === 'originalDng') return dngBytes(item.id, servedOriginalSize(item.id, resource.size));
      return jpegs.get(what.kind, item.id);
    },
    get browseCount(): number { return browseCount; },
    mediaRequests,
  };
}

/** Starts the camera: its HTTP server (startCameraServer) announced over SSDP. Only inside a network namespace. */
export async function startSimulatedCamera(opts: SimulatedCameraOptions = {}): Promise<SimulatedCamera> {
  const camera = await startCameraServer(opts);
  let ssdp;
  try {
    ssdp = await advertise(opts, {
      root: { udn: camera.udn, deviceType: MEDIA_SERVER_TYPE, serviceTypes: [CONTENT_DIRECTORY_TYPE, CONNECTION_MANAGER_TYPE] },
      location: camera.location,
      server: opts.server ?? CAMERA_SERVER_HEADER,
      maxAgeSeconds: opts.maxAgeSeconds ?? 1800,
    });
  } catch (err) {
    await camera.close();
    throw err;
  }
  const handle = makeHandle({ udn: camera.udn, location: camera.location, friendlyName: camera.friendlyName }, ssdp, () => camera.close());
  // Object.assign keeps the camera's getters (systemUpdateId, browseCount) live; a spread would freeze them.
  return Object.assign(camera, handle);
}
