// A MediaRenderer driven as Play To needs it: its AVTransport, RenderingControl and
// ConnectionManager with their SCPDs; the actions it offers (those it lacks are disabled, not
// guessed at); every call returns the raw exchange for the history; faults carry the UPnP
// code and its meaning (701 Transition not available, 714 Illegal MIME-type, …). And the panel's
// state, followed from LastChange events (AVTransport's and RenderingControl's) and polls.
import type { ServiceDescription, ServiceScpd } from '../description/model';
import type { LastChangeEvent } from '../gena/propertyset';
import { invokeAction } from '../soap/invoke';
import type { InvokeResult } from '../soap/invoke';
import { parseDidlAsync } from './didl';
import { parseProtocolInfoList } from './playTo';
import type { ProtocolInfo } from './protocolInfo';

export interface RendererService {
  readonly service: ServiceDescription;
  readonly scpd?: ServiceScpd;
}

export interface RendererServices {
  readonly avTransport: RendererService;
  readonly renderingControl?: RendererService;
  readonly connectionManager?: RendererService;
}

const TYPE = {
  avTransport: /:service:AVTransport:\d+$/,
  renderingControl: /:service:RenderingControl:\d+$/,
  connectionManager: /:service:ConnectionManager:\d+$/,
};

/** A device's renderer services, when it has an AVTransport (the first of each). */
export function rendererServices(services: readonly RendererService[]): RendererServices | undefined {
  const find = (re: RegExp): RendererService | undefined => services.find((s) => re.test(s.service.serviceType));
  const avTransport = find(TYPE.avTransport);
  if (!avTransport) return undefined;
  const renderingControl = find(TYPE.renderingControl);
  const connectionManager = find(TYPE.connectionManager);
  return { avTransport, ...(renderingControl ? { renderingControl } : {}), ...(connectionManager ? { connectionManager } : {}) };
}

/** A call the renderer answered with a fault or could not be asked; the exchange is kept. */
export class RendererError extends Error {
  constructor(message: string, readonly result: InvokeResult | undefined, readonly code?: number, readonly meaning?: string) {
    super(message);
    this.name = 'RendererError';
  }
}

export type TransportAction = 'Play' | 'Pause' | 'Stop' | 'Seek' | 'Next' | 'Previous' | 'SetAVTransportURI' | 'SetNextAVTransportURI' | 'GetPositionInfo' | 'GetTransportInfo' | 'GetMediaInfo';

export interface CallOptions {
  readonly timeoutMs?: number;
  /** Each exchange, for the raw history (successes and faults alike). */
  readonly onExchange?: (service: RendererService, action: string, args: Readonly<Record<string, string>>, result: InvokeResult) => void;
}

export class RendererClient {
  constructor(readonly services: RendererServices, private readonly options: CallOptions = {}) {}

  /** Whether the renderer's SCPD declares `action` (no SCPD: the required AVTransport actions are assumed). */
  has(action: string, where: 'avTransport' | 'renderingControl' | 'connectionManager' = 'avTransport'): boolean {
    const s = this.services[where];
    if (!s) return false;
    if (!s.scpd) return where === 'avTransport' ? REQUIRED_AVT.includes(action) : where === 'connectionManager' ? action === 'GetProtocolInfo' : ['GetVolume', 'SetVolume', 'GetMute', 'SetMute'].includes(action);
    return s.scpd.actions.some((a) => a.name === action);
  }

  /** The Sink list of ConnectionManager's GetProtocolInfo (what the renderer says it plays). */
  async sinkProtocols(): Promise<ProtocolInfo[]> {
    if (!this.services.connectionManager) throw new RendererError('The renderer has no ConnectionManager, so it cannot say what it plays.', undefined);
    const out = await this.call('connectionManager', 'GetProtocolInfo', {});
    return parseProtocolInfoList(out['Sink'] ?? '');
  }

  setUri(uri: string, metadata: string): Promise<Record<string, string>> {
    return this.call('avTransport', 'SetAVTransportURI', { InstanceID: '0', CurrentURI: uri, CurrentURIMetaData: metadata });
  }

  setNextUri(uri: string, metadata: string): Promise<Record<string, string>> {
    return this.call('avTransport', 'SetNextAVTransportURI', { InstanceID: '0', NextURI: uri, NextURIMetaData: metadata });
  }

  play(speed = '1'): Promise<Record<string, string>> { return this.call('avTransport', 'Play', { InstanceID: '0', Speed: speed }); }
  pause(): Promise<Record<string, string>> { return this.call('avTransport', 'Pause', { InstanceID: '0' }); }
  stop(): Promise<Record<string, string>> { return this.call('avTransport', 'Stop', { InstanceID: '0' }); }
  next(): Promise<Record<string, string>> { return this.call('avTransport', 'Next', { InstanceID: '0' }); }
  previous(): Promise<Record<string, string>> { return this.call('avTransport', 'Previous', { InstanceID: '0' }); }

  /** Seek to a time (REL_TIME, H:MM:SS). */
  seek(seconds: number): Promise<Record<string, string>> {
    return this.call('avTransport', 'Seek', { InstanceID: '0', Unit: 'REL_TIME', Target: formatDuration(seconds) });
  }

  async transportInfo(): Promise<{ state: string; status: string; speed: string }> {
    const o = await this.call('avTransport', 'GetTransportInfo', { InstanceID: '0' });
    return { state: o['CurrentTransportState'] ?? '', status: o['CurrentTransportStatus'] ?? '', speed: o['CurrentSpeed'] ?? '' };
  }

  async positionInfo(): Promise<{ track: string; duration: string; metadata: string; uri: string; relTime: string }> {
    const o = await this.call('avTransport', 'GetPositionInfo', { InstanceID: '0' });
    return { track: o['Track'] ?? '', duration: o['TrackDuration'] ?? '', metadata: o['TrackMetaData'] ?? '', uri: o['TrackURI'] ?? '', relTime: o['RelTime'] ?? '' };
  }

  async mediaInfo(): Promise<{ uri: string; metadata: string; nextUri: string; duration: string }> {
    const o = await this.call('avTransport', 'GetMediaInfo', { InstanceID: '0' });
    return { uri: o['CurrentURI'] ?? '', metadata: o['CurrentURIMetaData'] ?? '', nextUri: o['NextURI'] ?? '', duration: o['MediaDuration'] ?? '' };
  }

  async volume(): Promise<number> {
    const o = await this.call('renderingControl', 'GetVolume', { InstanceID: '0', Channel: 'Master' });
    return Number(o['CurrentVolume']);
  }

  setVolume(volume: number): Promise<Record<string, string>> {
    return this.call('renderingControl', 'SetVolume', { InstanceID: '0', Channel: 'Master', DesiredVolume: String(Math.round(volume)) });
  }

  async mute(): Promise<boolean> {
    const o = await this.call('renderingControl', 'GetMute', { InstanceID: '0', Channel: 'Master' });
    return isTrue(o['CurrentMute'] ?? '');
  }

  setMute(mute: boolean): Promise<Record<string, string>> {
    return this.call('renderingControl', 'SetMute', { InstanceID: '0', Channel: 'Master', DesiredMute: mute ? '1' : '0' });
  }

  /** Invokes one action; resolves with its outputs by name, or throws a RendererError with the fault's meaning. */
  async call(where: keyof RendererServices, action: string, args: Record<string, string>): Promise<Record<string, string>> {
    const s = this.services[where];
    if (!s) throw new RendererError(`The renderer has no ${SERVICE_WORDS[where]}.`, undefined);
    const declared = s.scpd?.actions.find((a) => a.name === action);
    if (s.scpd && !declared) throw new RendererError(`The renderer's ${SERVICE_WORDS[where]} does not offer ${action}.`, undefined);
    // Without an SCPD, the arguments go in the order the standard lists them.
    const actionDecl = declared ?? { name: action, arguments: Object.keys(args).map((name) => ({ name, direction: 'in' as const, relatedStateVariable: '', retval: false })) };
    const result = await invokeAction({
      controlUrl: s.service.controlUrl,
      serviceType: s.service.serviceType,
      action: actionDecl,
      args,
      ...(this.options.timeoutMs !== undefined ? { timeoutMs: this.options.timeoutMs } : {}),
    });
    this.options.onExchange?.(s, action, args, result);
    const outcome = result.outcome;
    if (outcome.kind === 'ok') return Object.fromEntries(outcome.outputs.map((o) => [o.name, o.value]));
    if (outcome.kind === 'fault') {
      const e = outcome.upnpError;
      const said = e.description && e.description !== e.meaning ? ` ("${e.description}")` : '';
      throw new RendererError(`${action} failed: UPnP error ${e.code} ${e.meaning}${said}.`, result, e.code, e.meaning);
    }
    throw new RendererError(`${action} failed: ${outcome.message}`, result);
  }
}

const SERVICE_WORDS: Readonly<Record<keyof RendererServices, string>> = {
  avTransport: 'AVTransport',
  renderingControl: 'RenderingControl',
  connectionManager: 'ConnectionManager',
};

/** AVTransport:1's required actions (the optional ones must be in an SCPD to be used). */
const REQUIRED_AVT = ['SetAVTransportURI', 'GetMediaInfo', 'GetTransportInfo', 'GetPositionInfo', 'GetDeviceCapabilities', 'GetTransportSettings', 'Stop', 'Play', 'Seek', 'Next', 'Previous'];

function isTrue(v: string): boolean {
  return v === '1' || v.toLowerCase() === 'true' || v.toLowerCase() === 'yes';
}

/** Seconds from H+:MM:SS[.F+] (or the `NOT_IMPLEMENTED` some renderers send: undefined). */
export function parseDuration(value: string | undefined): number | undefined {
  const m = /^\s*(\d+):([0-5]?\d):([0-5]?\d)(?:\.(\d+)(?:\/(\d+))?)?\s*$/.exec(value ?? '');
  if (!m) return undefined;
  const fraction = m[4] === undefined ? 0 : m[5] !== undefined ? Number(m[4]) / Math.max(1, Number(m[5])) : Number(`0.${m[4]}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + fraction;
}

/** H:MM:SS, as Seek's REL_TIME wants it. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

// ---- what the Now Playing panel shows ----

export interface NowPlaying {
  /** TransportState as the renderer says it (PLAYING, PAUSED_PLAYBACK, STOPPED, TRANSITIONING, NO_MEDIA_PRESENT, …). */
  readonly transportState?: string;
  readonly transportStatus?: string;
  readonly uri?: string;
  readonly nextUri?: string;
  /** Title of the queued item (NextAVTransportURIMetaData, or what Play Next sent). */
  readonly nextTitle?: string;
  readonly title?: string;
  readonly artist?: string;
  readonly albumArtUri?: string;
  readonly upnpClass?: string;
  /** Seconds; undefined when unknown. */
  readonly duration?: number;
  readonly position?: number;
  /** CurrentTransportActions when the renderer says them (Play, Pause, Seek, …). */
  readonly actions?: readonly string[];
  readonly volume?: number;
  readonly mute?: boolean;
}

/** What a DIDL-Lite metadata value says of the current item (read in slices: it is the device's). */
export async function describeMetadata(metadata: string): Promise<Pick<NowPlaying, 'title' | 'artist' | 'albumArtUri' | 'upnpClass'>> {
  if (metadata.trim() === '' || metadata.trim() === 'NOT_IMPLEMENTED') return {};
  try {
    const o = (await parseDidlAsync(metadata.trim())).objects[0];
    if (!o) return {};
    const art = o.albumArtUris[0]?.uri;
    const image = o.resources.find((r) => r.protocolInfo.contentFormat.startsWith('image/'))?.uri;
    const artist = o.artist ?? o.creator;
    return { title: o.title, upnpClass: o.upnpClass, ...(artist ? { artist } : {}), ...(art ?? image ? { albumArtUri: (art ?? image)! } : {}) };
  } catch {
    return {};
  }
}

/**
 * The state after a LastChange event of AVTransport or RenderingControl (instance 0): only what
 * the event names changes. Volume and Mute are taken for the Master channel.
 */
export async function applyLastChange(state: NowPlaying, event: LastChangeEvent): Promise<NowPlaying> {
  const instance = event.instances.find((i) => i.instanceId === '0') ?? event.instances[0];
  if (!instance) return state;
  let next: NowPlaying = { ...state };
  for (const v of instance.variables) {
    const value = v.value;
    switch (v.name) {
      case 'TransportState': next = { ...next, transportState: value }; break;
      case 'TransportStatus': next = { ...next, transportStatus: value }; break;
      case 'AVTransportURI': case 'CurrentTrackURI':
        if (value !== '' || v.name === 'AVTransportURI') next = { ...next, uri: value };
        break;
      case 'NextAVTransportURI': next = { ...next, nextUri: value === 'NOT_IMPLEMENTED' ? '' : value }; break;
      case 'NextAVTransportURIMetaData': {
        const d = await describeMetadata(value);
        const { nextTitle: _n, ...rest } = next;
        next = d.title !== undefined ? { ...rest, nextTitle: d.title } : rest;
        break;
      }
      case 'AVTransportURIMetaData': case 'CurrentTrackMetaData': {
        const d = await describeMetadata(value);
        if (d.title !== undefined) next = { ...withoutItem(next), ...d };
        // The transport let go of its item (gmediarender, when a picture has been shown).
        else if (v.name === 'AVTransportURIMetaData' && value.trim() === '') next = withoutItem(next);
        break;
      }
      case 'CurrentTrackDuration': case 'CurrentMediaDuration': {
        const d = parseDuration(value);
        if (d !== undefined && (v.name === 'CurrentTrackDuration' || next.duration === undefined)) next = { ...next, duration: d };
        break;
      }
      case 'RelativeTimePosition': {
        const p = parseDuration(value);
        if (p !== undefined) next = { ...next, position: p };
        break;
      }
      // A comma inside an action's value is escaped (rygel: `X_DLNA_PS=1/16\,1/8\,…`).
      case 'CurrentTransportActions': next = { ...next, actions: value.split(/(?<!\\),/).map((a) => a.replace(/\\,/g, ',').trim()).filter((a) => a !== '') }; break;
      case 'Volume':
        if ((v.channel ?? 'Master') === 'Master' && /^\d+$/.test(value)) next = { ...next, volume: Number(value) };
        break;
      case 'Mute':
        if ((v.channel ?? 'Master') === 'Master') next = { ...next, mute: isTrue(value) };
        break;
    }
  }
  return next;
}

function withoutItem(s: NowPlaying): NowPlaying {
  const { title: _t, artist: _a, albumArtUri: _u, upnpClass: _c, ...rest } = s;
  return rest;
}
