// The Now Playing panel's controls (src/host/playTo/controls.ts): what the renderer lacks is
// disabled with the reason; CurrentTransportActions decides when the renderer says them, the
// transport state otherwise; Seek needs a duration; volume and mute follow RenderingControl.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { controlStates } from '../../src/host/playTo/controls';
import type { Has } from '../../src/host/playTo/controls';

const all: Has = () => true;
const enabled = (c: ReturnType<typeof controlStates>): string[] => Object.entries(c).filter(([, v]) => v.enabled).map(([k]) => k).sort();

describe('Now Playing controls', () => {
  it('follows the transport state when the renderer does not say its actions', () => {
    assert.deepEqual(enabled(controlStates({ transportState: 'PLAYING', duration: 200, volume: 30 }, all)), ['mute', 'next', 'pause', 'previous', 'seek', 'stop', 'volume']);
    assert.deepEqual(enabled(controlStates({ transportState: 'PAUSED_PLAYBACK', duration: 200 }, all)), ['mute', 'next', 'play', 'previous', 'seek', 'stop']);
    assert.deepEqual(enabled(controlStates({ transportState: 'STOPPED' }, all)), ['mute', 'next', 'play', 'previous']);
    assert.deepEqual(enabled(controlStates({ transportState: 'NO_MEDIA_PRESENT' }, all)), ['mute']);
  });

  it('lets CurrentTransportActions decide when the renderer says them', () => {
    const c = controlStates({ transportState: 'PLAYING', actions: ['Stop', 'Pause'], duration: 10 }, all);
    assert.deepEqual(enabled(c), ['mute', 'pause', 'stop']);
    assert.equal(c.next.why, 'Not possible while playing.');
  });

  it('disables, with the reason, what the renderer lacks, and Seek without a duration', () => {
    const has: Has = (action, where) => where === 'avTransport' ? ['Play', 'Stop', 'Seek'].includes(action) : false;
    const c = controlStates({ transportState: 'PLAYING', volume: 20 }, has);
    assert.deepEqual({ ...c.pause }, { offered: false, enabled: false, why: 'The renderer does not offer Pause.' });
    assert.deepEqual({ ...c.volume }, { offered: false, enabled: false, why: 'The renderer does not offer SetVolume.' });
    assert.deepEqual({ ...c.seek }, { offered: true, enabled: false, why: 'The renderer has not said how long the item is.' });
    assert.equal(c.stop.enabled, true);
  });
});
