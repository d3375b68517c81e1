// A simulated DLNA MediaRenderer:1 (AVTransport:1, RenderingControl:1, ConnectionManager:1) that
// events the way AV devices do: all AVTransport and RenderingControl changes travel in one
// evented variable, LastChange, an escaped `<Event>` document per instance (AVTransport:1 §2.3.1).
// SetAVTransportURI brings STOPPED with the track's DIDL-Lite metadata, Play brings PLAYING,
// SetVolume a per-channel Volume. Relative URLs, no URLBase: resolved against the description.

import { HttpDeviceServer, UpnpFault, rejectUnknownArgs, requireArgs, xmlEscape } from './http-device';
import type { ActionArgs, EventPublisher } from './http-device';
import { advertise, makeHandle } from './device-handle';
import type { CommonDeviceOptions, SimulatedDevice } from './device-handle';
import {
  AV_TRANSPORT_SCPD, AV_TRANSPORT_SCPD_WITH_QUEUE, RENDERER_CONNECTION_MANAGER_SCPD, RENDERER_SINK_PROTOCOL_INFO, RENDERING_CONTROL_SCPD,
} from './renderer-data/scpd';
import { parseUpnpBoolean } from './light';

export const MEDIA_RENDERER_TYPE = 'urn:schemas-upnp-org:device:MediaRenderer:1';
export const AV_TRANSPORT_TYPE = 'urn:schemas-upnp-org:service:AVTransport:1';
export const RENDERING_CONTROL_TYPE = 'urn:schemas-upnp-org:service:RenderingControl:1';
export const RENDERER_CONNECTION_MANAGER_TYPE = 'urn:schemas-upnp-org:service:ConnectionManager:1';
export const AVT_EVENT_NS = 'urn:schemas-upnp-org:metadata-1-0/AVT/';
export const RCS_EVENT_NS = 'urn:schemas-upnp-org:metadata-1-0/RCS/';

export const RENDERER_DEFAULT_UDN = 'uuid:0b7a3c2e-9d41-4f6a-8c55-2f1e0d9c8b70';
export const RENDERER_FRIENDLY_NAME = 'Simulated Renderer';

export const RENDERER_PATHS = {
  description: '/renderer/desc.xml',
  avtScpd: '/renderer/AVTransport/scpd.xml',
  avtControl: '/renderer/AVTransport/control',
  avtEvents: '/renderer/AVTransport/events',
  rcsScpd: '/renderer/RenderingControl/scpd.xml',
  rcsControl: '/renderer/RenderingControl/control',
  rcsEvents: '/renderer/RenderingControl/events',
  cmsScpd: '/renderer/ConnectionManager/scpd.xml',
  cmsControl: '/renderer/ConnectionManager/control',
  cmsEvents: '/renderer/ConnectionManager/events',
} as const;

export interface SimulatedRendererOptions extends CommonDeviceOptions {
  udn?: string;
  friendlyName?: string;
  /** false: the description has empty eventSubURLs, as renderers that send no events do. */
  events?: boolean;
  /** true: AVTransport offers SetNextAVTransportURI (a queue of one). */
  queue?: boolean;
}

export interface RendererState {
  transportState: string;
  uri: string;
  metadata: string;
  volume: number;
  mute: boolean;
  /** What SetNextAVTransportURI queued ('' for nothing). */
  nextUri: string;
  nextMetadata: string;
}

export interface SimulatedRenderer extends SimulatedDevice {
  readonly baseUrl: string;
  state(): RendererState;
  readonly avTransportEvents: EventPublisher;
  readonly renderingControlEvents: EventPublisher;
  readonly connectionManagerEvents: EventPublisher;
}

function rendererDescription(udn: string, friendlyName: string, events = true): string {
  const service = (type: string, id: string, name: string): string => `      <service>
        <serviceType>${type}</serviceType>
        <serviceId>urn:upnp-org:serviceId:${id}</serviceId>
        <SCPDURL>${name}/scpd.xml</SCPDURL>
        <controlURL>${name}/control</controlURL>
        <eventSubURL>${events ? `${name}/events` : ''}</eventSubURL>
      </service>
`;
  return `<?xml version="1.0" encoding="utf-8"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion>
    <major>1</major>
    <minor>0</minor>
  </specVersion>
  <device>
    <deviceType>${MEDIA_RENDERER_TYPE}</deviceType>
    <friendlyName>${xmlEscape(friendlyName)}</friendlyName>
    <manufacturer>UPnP Explorer tests</manufacturer>
    <modelName>Simulated Renderer</modelName>
    <modelNumber>1.0</modelNumber>
    <UDN>${xmlEscape(udn)}</UDN>
    <dlna:X_DLNADOC xmlns:dlna="urn:schemas-dlna-org:device-1-0">DMR-1.50</dlna:X_DLNADOC>
    <serviceList>
${service(AV_TRANSPORT_TYPE, 'AVTransport', 'AVTransport')}${service(RENDERING_CONTROL_TYPE, 'RenderingControl', 'RenderingControl')}${service(RENDERER_CONNECTION_MANAGER_TYPE, 'ConnectionManager', 'ConnectionManager')}    </serviceList>
  </device>
</root>
`;
}

type Change = readonly [name: string, value: string, channel?: string];

/** A LastChange `<Event>` for instance 0 (the value is escaped once more by the property set). */
export function lastChangeXml(namespace: string, changes: readonly Change[]): string {
  const vars = changes.map(([name, value, channel]) =>
    `<${name}${channel !== undefined ? ` channel="${xmlEscape(channel)}"` : ''} val="${xmlEscape(value)}"/>`).join('');
  return `<Event xmlns="${namespace}"><InstanceID val="0">${vars}</InstanceID></Event>`;
}

function instanceZero(args: ActionArgs): void {
  if (!/^\s*\d+\s*$/.test(args.InstanceID ?? '')) throw new UpnpFault(402, 'Invalid Args');
  if (Number(args.InstanceID) !== 0) throw new UpnpFault(718, 'Invalid InstanceID');
}

export async function startSimulatedRenderer(opts: SimulatedRendererOptions = {}): Promise<SimulatedRenderer> {
  const udn = opts.udn ?? RENDERER_DEFAULT_UDN;
  const friendlyName = opts.friendlyName ?? RENDERER_FRIENDLY_NAME;
  const http = await HttpDeviceServer.start({ host: opts.host ?? opts.interfaceAddress ?? '127.0.0.1', port: opts.port, server: opts.server });
  const baseUrl = http.baseUrl;
  const state: RendererState = { transportState: 'NO_MEDIA_PRESENT', uri: '', metadata: '', volume: 30, mute: false, nextUri: '', nextMetadata: '' };

  const transportActions = (): string => {
    switch (state.transportState) {
      case 'PLAYING': return 'Stop,Pause,Seek';
      case 'PAUSED_PLAYBACK': return 'Play,Stop,Seek';
      case 'STOPPED': return 'Play,Seek';
      default: return '';
    }
  };
  const avtAll = (): Change[] => [
    ['TransportState', state.transportState],
    ['TransportStatus', 'OK'],
    ['PlaybackStorageMedium', state.uri ? 'NETWORK' : 'NONE'],
    ['CurrentPlayMode', 'NORMAL'],
    ['TransportPlaySpeed', '1'],
    ['NumberOfTracks', state.uri ? '1' : '0'],
    ['CurrentTrack', state.uri ? '1' : '0'],
    ['AVTransportURI', state.uri],
    ['AVTransportURIMetaData', state.metadata],
    ['CurrentTrackURI', state.uri],
    ['CurrentTrackMetaData', state.metadata],
    ['CurrentTransportActions', transportActions()],
  ];
  const rcsAll = (): Change[] => [
    ['PresetNameList', 'FactoryDefaults'],
    ['Volume', String(state.volume), 'Master'],
    ['Mute', state.mute ? '1' : '0', 'Master'],
  ];

  http.serveDocument(RENDERER_PATHS.description, rendererDescription(udn, friendlyName, opts.events !== false));
  http.serveDocument(RENDERER_PATHS.avtScpd, opts.queue ? AV_TRANSPORT_SCPD_WITH_QUEUE : AV_TRANSPORT_SCPD);
  http.serveDocument(RENDERER_PATHS.rcsScpd, RENDERING_CONTROL_SCPD);
  http.serveDocument(RENDERER_PATHS.cmsScpd, RENDERER_CONNECTION_MANAGER_SCPD);
  const avTransportEvents = http.publishEvents(RENDERER_PATHS.avtEvents, {
    initialEvent: () => [['LastChange', lastChangeXml(AVT_EVENT_NS, avtAll())]],
  });
  const renderingControlEvents = http.publishEvents(RENDERER_PATHS.rcsEvents, {
    initialEvent: () => [['LastChange', lastChangeXml(RCS_EVENT_NS, rcsAll())]],
  });
  const connectionManagerEvents = http.publishEvents(RENDERER_PATHS.cmsEvents, {
    initialEvent: () => [['SourceProtocolInfo', ''], ['SinkProtocolInfo', RENDERER_SINK_PROTOCOL_INFO], ['CurrentConnectionIDs', '0']],
  });
  // Events go out after the action's answer, as a real device's moderated LastChange would.
  const avtChanged = (changes: Change[]): void => {
    setImmediate(() => { void avTransportEvents.notify([['LastChange', lastChangeXml(AVT_EVENT_NS, changes)]]); });
  };
  const rcsChanged = (changes: Change[]): void => {
    setImmediate(() => { void renderingControlEvents.notify([['LastChange', lastChangeXml(RCS_EVENT_NS, changes)]]); });
  };
  const setTransport = (next: string): void => {
    if (state.transportState === next) return;
    state.transportState = next;
    avtChanged([['TransportState', next], ['CurrentTransportActions', transportActions()]]);
  };

  http.serveControl(RENDERER_PATHS.avtControl, AV_TRANSPORT_TYPE, {
    SetAVTransportURI: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'CurrentURI', 'CurrentURIMetaData']);
      rejectUnknownArgs(args, ['InstanceID', 'CurrentURI', 'CurrentURIMetaData']);
      instanceZero(args);
      if (!/^https?:\/\//.test(args.CurrentURI.trim())) throw new UpnpFault(716, 'Resource not found');
      state.uri = args.CurrentURI.trim();
      state.metadata = args.CurrentURIMetaData;
      // A new URI while playing keeps playing; otherwise the transport is now STOPPED with media.
      if (state.transportState === 'NO_MEDIA_PRESENT') state.transportState = 'STOPPED';
      avtChanged([
        ['TransportState', state.transportState],
        ['NumberOfTracks', '1'],
        ['CurrentTrack', '1'],
        ['AVTransportURI', state.uri],
        ['AVTransportURIMetaData', state.metadata],
        ['CurrentTrackURI', state.uri],
        ['CurrentTrackMetaData', state.metadata],
        ['CurrentTransportActions', transportActions()],
      ]);
      return {};
    },
    GetMediaInfo: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      return {
        NrTracks: state.uri ? '1' : '0', MediaDuration: '', CurrentURI: state.uri, CurrentURIMetaData: state.metadata,
        NextURI: '', NextURIMetaData: '', PlayMedium: state.uri ? 'NETWORK' : 'NONE', RecordMedium: 'NOT_IMPLEMENTED', WriteStatus: 'NOT_IMPLEMENTED',
      };
    },
    GetTransportInfo: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      return { CurrentTransportState: state.transportState, CurrentTransportStatus: 'OK', CurrentSpeed: '1' };
    },
    GetPositionInfo: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      return {
        Track: state.uri ? '1' : '0', TrackDuration: '', TrackMetaData: state.metadata, TrackURI: state.uri,
        RelTime: '0:00:00', AbsTime: '0:00:00', RelCount: '2147483647', AbsCount: '2147483647',
      };
    },
    GetDeviceCapabilities: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      return { PlayMedia: 'NONE,NETWORK', RecMedia: 'NOT_IMPLEMENTED', RecQualityModes: 'NOT_IMPLEMENTED' };
    },
    GetTransportSettings: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      return { PlayMode: 'NORMAL', RecQualityMode: 'NOT_IMPLEMENTED' };
    },
    Play: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Speed']);
      rejectUnknownArgs(args, ['InstanceID', 'Speed']);
      instanceZero(args);
      if (args.Speed.trim() !== '1') throw new UpnpFault(717, 'Play speed not supported');
      if (state.transportState === 'NO_MEDIA_PRESENT') throw new UpnpFault(701, 'Transition not available');
      setTransport('PLAYING');
      return {};
    },
    Pause: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      if (state.transportState !== 'PLAYING') throw new UpnpFault(701, 'Transition not available');
      setTransport('PAUSED_PLAYBACK');
      return {};
    },
    Stop: (args): ActionArgs => {
      rejectUnknownArgs(args, ['InstanceID']);
      instanceZero(args);
      if (state.transportState === 'NO_MEDIA_PRESENT') throw new UpnpFault(701, 'Transition not available');
      setTransport('STOPPED');
      return {};
    },
    Seek: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Unit', 'Target']);
      rejectUnknownArgs(args, ['InstanceID', 'Unit', 'Target']);
      instanceZero(args);
      if (args.Unit !== 'REL_TIME' && args.Unit !== 'TRACK_NR') throw new UpnpFault(710, 'Seek mode not supported');
      if (state.transportState === 'NO_MEDIA_PRESENT') throw new UpnpFault(701, 'Transition not available');
      return {};
    },
    Next: (args): ActionArgs => { rejectUnknownArgs(args, ['InstanceID']); instanceZero(args); throw new UpnpFault(711, 'Illegal seek target'); },
    Previous: (args): ActionArgs => { rejectUnknownArgs(args, ['InstanceID']); instanceZero(args); throw new UpnpFault(711, 'Illegal seek target'); },
    ...(opts.queue ? {
      SetNextAVTransportURI: (args: ActionArgs): ActionArgs => {
        requireArgs(args, ['InstanceID', 'NextURI', 'NextURIMetaData']);
        rejectUnknownArgs(args, ['InstanceID', 'NextURI', 'NextURIMetaData']);
        instanceZero(args);
        if (!/^https?:\/\//.test(args.NextURI.trim())) throw new UpnpFault(716, 'Resource not found');
        state.nextUri = args.NextURI.trim();
        state.nextMetadata = args.NextURIMetaData;
        avtChanged([['NextAVTransportURI', state.nextUri], ['NextAVTransportURIMetaData', state.nextMetadata]]);
        return {};
      },
    } : {}),
  });

  const channel = (args: ActionArgs): void => {
    if (args.Channel !== 'Master') throw new UpnpFault(600, 'Argument Value Invalid');
  };
  http.serveControl(RENDERER_PATHS.rcsControl, RENDERING_CONTROL_TYPE, {
    ListPresets: (args): ActionArgs => { rejectUnknownArgs(args, ['InstanceID']); instanceZero(args); return { CurrentPresetNameList: 'FactoryDefaults' }; },
    SelectPreset: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'PresetName']);
      rejectUnknownArgs(args, ['InstanceID', 'PresetName']);
      instanceZero(args);
      if (args.PresetName !== 'FactoryDefaults') throw new UpnpFault(701, 'Invalid Name');
      state.volume = 30;
      state.mute = false;
      rcsChanged([['Volume', '30', 'Master'], ['Mute', '0', 'Master']]);
      return {};
    },
    GetVolume: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Channel']);
      rejectUnknownArgs(args, ['InstanceID', 'Channel']);
      instanceZero(args);
      channel(args);
      return { CurrentVolume: String(state.volume) };
    },
    SetVolume: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Channel', 'DesiredVolume']);
      rejectUnknownArgs(args, ['InstanceID', 'Channel', 'DesiredVolume']);
      instanceZero(args);
      channel(args);
      if (!/^\s*\d+\s*$/.test(args.DesiredVolume)) throw new UpnpFault(600, 'Argument Value Invalid');
      const v = Number(args.DesiredVolume);
      if (v > 100) throw new UpnpFault(601, 'Argument Value Out of Range');
      state.volume = v;
      rcsChanged([['Volume', String(v), 'Master']]);
      return {};
    },
    GetMute: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Channel']);
      rejectUnknownArgs(args, ['InstanceID', 'Channel']);
      instanceZero(args);
      channel(args);
      return { CurrentMute: state.mute ? '1' : '0' };
    },
    SetMute: (args): ActionArgs => {
      requireArgs(args, ['InstanceID', 'Channel', 'DesiredMute']);
      rejectUnknownArgs(args, ['InstanceID', 'Channel', 'DesiredMute']);
      instanceZero(args);
      channel(args);
      state.mute = parseUpnpBoolean(args.DesiredMute);
      rcsChanged([['Mute', state.mute ? '1' : '0', 'Master']]);
      return {};
    },
  });

  http.serveControl(RENDERER_PATHS.cmsControl, RENDERER_CONNECTION_MANAGER_TYPE, {
    GetProtocolInfo: (args): ActionArgs => { rejectUnknownArgs(args, []); return { Source: '', Sink: RENDERER_SINK_PROTOCOL_INFO }; },
    GetCurrentConnectionIDs: (args): ActionArgs => { rejectUnknownArgs(args, []); return { ConnectionIDs: '0' }; },
    GetCurrentConnectionInfo: (args): ActionArgs => {
      requireArgs(args, ['ConnectionID']);
      rejectUnknownArgs(args, ['ConnectionID']);
      if (args.ConnectionID.trim() !== '0') throw new UpnpFault(706, 'Invalid connection reference');
      return {
        RcsID: '0', AVTransportID: '0', ProtocolInfo: '', PeerConnectionManager: '',
        PeerConnectionID: '-1', Direction: 'Input', Status: 'OK',
      };
    },
  });

  const location = baseUrl + RENDERER_PATHS.description;
  let ssdp;
  try {
    ssdp = await advertise(opts, {
      root: { udn, deviceType: MEDIA_RENDERER_TYPE, serviceTypes: [AV_TRANSPORT_TYPE, RENDERING_CONTROL_TYPE, RENDERER_CONNECTION_MANAGER_TYPE] },
      location,
    });
  } catch (err) {
    await http.close();
    throw err;
  }
  const handle = makeHandle({ udn, location, friendlyName }, ssdp, () => http.close());
  return {
    ...handle,
    baseUrl,
    state: (): RendererState => ({ ...state }),
    avTransportEvents,
    renderingControlEvents,
    connectionManagerEvents,
  };
}
