// Messages between a Now Playing panel (a webview per MediaRenderer) and the extension host,
// declared once and imported by both sides. No `vscode`, no DOM: plain data.
//
// The host owns the renderer (its SOAP calls, its events, the position poll) and sends the whole
// view state; the webview lays it out with textContent only and sends back what the user asked.

export type ControlName = 'play' | 'pause' | 'stop' | 'next' | 'previous' | 'seek' | 'volume' | 'mute';

export interface ControlState {
  /** The renderer offers it (its SCPD declares the action). Controls it lacks are shown disabled. */
  readonly offered: boolean;
  /** Allowed now (by CurrentTransportActions when the renderer says them, else by the state). */
  readonly enabled: boolean;
  /** Why it is disabled, for the tooltip. */
  readonly why?: string;
}

export interface NowPlayingView {
  readonly renderer: string;
  readonly transportState: string;
  /** TransportState in words ("Playing", "Paused", …). */
  readonly stateLabel: string;
  readonly title?: string;
  readonly artist?: string;
  /** data: URI of the current item's art or image, made by the host. */
  readonly art?: string;
  readonly uri?: string;
  readonly next?: string;
  /** Seconds. */
  readonly position?: number;
  readonly duration?: number;
  readonly volume?: number;
  readonly mute?: boolean;
  readonly controls: Readonly<Record<ControlName, ControlState>>;
  /** Events: subscribed, or why not (then the state is polled). */
  readonly events: string;
  /** The last error, with the fault's meaning ("Pause failed: UPnP error 701 Transition not available."). */
  readonly error?: string;
  /** A request is under way (buttons stay usable; the state says what happens). */
  readonly busy?: string;
}

// ---- host -> webview ----

export interface StateMessage {
  readonly type: 'state';
  readonly view: NowPlayingView;
}

export type NowPlayingHostMessage = StateMessage;

// ---- webview -> host ----

export type NowPlayingWebviewMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'control'; readonly control: Exclude<ControlName, 'seek' | 'volume' | 'mute'> }
  | { readonly type: 'seek'; readonly seconds: number }
  | { readonly type: 'volume'; readonly volume: number }
  | { readonly type: 'mute'; readonly mute: boolean }
  | { readonly type: 'dismissError' };

const SIMPLE = new Set(['play', 'pause', 'stop', 'next', 'previous']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function isNowPlayingWebviewMessage(v: unknown): v is NowPlayingWebviewMessage {
  if (!isRecord(v) || typeof v.type !== 'string') return false;
  switch (v.type) {
    case 'ready': case 'dismissError': return true;
    case 'control': return typeof v.control === 'string' && SIMPLE.has(v.control);
    case 'seek': return typeof v.seconds === 'number' && Number.isFinite(v.seconds) && v.seconds >= 0 && v.seconds < 1e7;
    case 'volume': return typeof v.volume === 'number' && Number.isFinite(v.volume) && v.volume >= 0 && v.volume <= 1000;
    case 'mute': return typeof v.mute === 'boolean';
    default: return false;
  }
}

export function isNowPlayingHostMessage(v: unknown): v is NowPlayingHostMessage {
  return isRecord(v) && v.type === 'state' && isRecord(v.view) && typeof v.view.renderer === 'string' && isRecord(v.view.controls);
}

/** TransportState in words. */
export function transportStateLabel(state: string): string {
  switch (state) {
    case 'PLAYING': return 'Playing';
    case 'PAUSED_PLAYBACK': return 'Paused';
    case 'PAUSED_RECORDING': return 'Recording paused';
    case 'STOPPED': return 'Stopped';
    case 'TRANSITIONING': return 'Loading…';
    case 'NO_MEDIA_PRESENT': return 'Nothing loaded';
    case 'RECORDING': return 'Recording';
    case '': return 'Unknown';
    default: return state;
  }
}
