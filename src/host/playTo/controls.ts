// Which Now Playing controls are offered and usable now. No `vscode`: unit-tested in plain Node.
// A control the renderer lacks (its SCPD has no such action) is disabled, not hidden; one it has
// is enabled by CurrentTransportActions when the renderer says them, else by the transport state.
import type { NowPlaying } from '../../core/av/renderer';
import type { ControlName, ControlState } from '../../protocol/nowPlaying';
import { transportStateLabel } from '../../protocol/nowPlaying';

export type Has = (action: string, where: 'avTransport' | 'renderingControl') => boolean;

export function controlStates(s: NowPlaying, has: Has): Record<ControlName, ControlState> {
  const state = s.transportState ?? '';
  const said = s.actions;
  const loaded = state !== '' && state !== 'NO_MEDIA_PRESENT';
  const control = (action: string, allowedNow: boolean, where: 'avTransport' | 'renderingControl' = 'avTransport', needs?: { ok: boolean; why: string }): ControlState => {
    if (!has(action, where)) return { offered: false, enabled: false, why: `The renderer does not offer ${action}.` };
    if (needs && !needs.ok) return { offered: true, enabled: false, why: needs.why };
    const enabled = where === 'avTransport' && said ? said.some((a) => a.toLowerCase() === action.toLowerCase()) : allowedNow;
    return { offered: true, enabled, ...(enabled ? {} : { why: `Not possible while ${transportStateLabel(state).toLowerCase()}.` }) };
  };
  return {
    play: control('Play', loaded && state !== 'PLAYING'),
    pause: control('Pause', state === 'PLAYING'),
    stop: control('Stop', loaded && state !== 'STOPPED'),
    next: control('Next', loaded),
    previous: control('Previous', loaded),
    seek: control('Seek', state === 'PLAYING' || state === 'PAUSED_PLAYBACK', 'avTransport', { ok: (s.duration ?? 0) > 0, why: 'The renderer has not said how long the item is.' }),
    volume: control('SetVolume', s.volume !== undefined, 'renderingControl'),
    mute: control('SetMute', true, 'renderingControl'),
  };
}
