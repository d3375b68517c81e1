// The Now Playing panel (browser bundle, IIFE): lays out the host's view state with textContent
// only, and sends back the user's requests. The DOM is built once and updated in place, so focus
// and a slider being dragged survive the state updates that come with every event and poll.
import { el } from '../dom';
import type { ControlName, ControlState, NowPlayingView, NowPlayingWebviewMessage } from '../../protocol/nowPlaying';
import { isNowPlayingHostMessage } from '../../protocol/nowPlaying';
import './nowPlaying.css';

interface VsCodeApi {
  postMessage(message: NowPlayingWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

function clock(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor(s / 60) % 60).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s % 60).padStart(2, '0')}`;
}

// ---- the layout, built once ----
const renderer = el('p', 'renderer');
const art = el('img', 'art');
art.alt = '';
const noArt = el('div', 'art none', 'No picture');
const title = el('h1');
const artist = el('p', 'artist');
const state = el('span', 'state');
state.setAttribute('role', 'status');
const uri = el('p', 'uri');
const next = el('p', 'next');
const info = el('div', 'info');
info.append(title, artist, state, uri, next);
const item = el('div', 'item');
item.append(noArt, art, info);

const position = el('input');
position.type = 'range';
position.min = '0';
position.step = '1';
position.setAttribute('aria-label', 'Position');
const elapsed = el('span', 'time');
const total = el('span', 'time');
const positionRow = el('div', 'position');
positionRow.append(elapsed, position, total);
let seeking = false;
position.addEventListener('input', () => { seeking = true; elapsed.textContent = clock(Number(position.value)); });
position.addEventListener('change', () => { seeking = false; vscode.postMessage({ type: 'seek', seconds: Number(position.value) }); });

const buttons = el('div', 'buttons');
const button = (name: ControlName, label: string, primary = false): HTMLButtonElement => {
  const b = el('button', primary ? 'primary' : undefined, label);
  b.dataset.control = name;
  b.addEventListener('click', () => {
    if (name === 'play' || name === 'pause' || name === 'stop' || name === 'next' || name === 'previous') vscode.postMessage({ type: 'control', control: name });
  });
  buttons.append(b);
  return b;
};
const controls: Partial<Record<ControlName, HTMLButtonElement>> = {
  previous: button('previous', 'Previous'),
  play: button('play', 'Play', true),
  pause: button('pause', 'Pause'),
  stop: button('stop', 'Stop'),
  next: button('next', 'Next'),
};

const volume = el('input');
volume.type = 'range';
volume.min = '0';
volume.max = '100';
volume.setAttribute('aria-label', 'Volume');
let draggingVolume = false;
volume.addEventListener('input', () => { draggingVolume = true; volumeValue.textContent = volume.value; });
volume.addEventListener('change', () => { draggingVolume = false; vscode.postMessage({ type: 'volume', volume: Number(volume.value) }); });
const volumeValue = el('span', 'time');
const mute = el('button', undefined, 'Mute');
mute.addEventListener('click', () => vscode.postMessage({ type: 'mute', mute: mute.getAttribute('aria-pressed') !== 'true' }));
const volumeRow = el('div', 'volume');
volumeRow.append(el('span', undefined, 'Volume'), volume, volumeValue, mute);

const error = el('div', 'error');
error.setAttribute('role', 'alert');
const errorText = el('span');
const dismiss = el('button', undefined, 'Dismiss');
dismiss.addEventListener('click', () => vscode.postMessage({ type: 'dismissError' }));
error.append(errorText, dismiss);
const busy = el('p', 'busy');
const events = el('p', 'events');

let built = false;
function build(): void {
  app.replaceChildren(renderer, item, positionRow, buttons, volumeRow, busy, error, events);
  built = true;
}

function applyControl(e: HTMLButtonElement | HTMLInputElement, c: ControlState): void {
  e.disabled = !c.enabled;
  e.title = c.why ?? '';
}

function show(v: NowPlayingView): void {
  if (!built) build();
  renderer.textContent = `Now playing on ${v.renderer}`;
  title.textContent = v.title ?? (v.uri ? 'Untitled item' : 'Nothing loaded');
  artist.textContent = v.artist ?? '';
  artist.hidden = !v.artist;
  state.textContent = v.stateLabel;
  state.className = `state ${v.transportState}`;
  uri.textContent = v.uri ?? '';
  uri.hidden = !v.uri;
  next.textContent = v.next ? `Next: ${v.next}` : '';
  next.hidden = !v.next;
  if (v.art) {
    if (art.src !== v.art) art.src = v.art;
    art.hidden = false;
    noArt.hidden = true;
  } else {
    art.hidden = true;
    noArt.hidden = false;
  }
  applyControl(position, v.controls.seek);
  position.max = String(Math.max(1, Math.round(v.duration ?? 0)));
  if (!seeking) {
    position.value = String(Math.round(v.position ?? 0));
    elapsed.textContent = clock(v.position);
  }
  total.textContent = clock(v.duration);
  position.setAttribute('aria-valuetext', `${clock(v.position)} of ${clock(v.duration)}`);
  for (const [name, b] of Object.entries(controls) as Array<[ControlName, HTMLButtonElement]>) applyControl(b, v.controls[name]);
  applyControl(volume, v.controls.volume);
  if (!draggingVolume && v.volume !== undefined) {
    volume.value = String(v.volume);
    volumeValue.textContent = String(v.volume);
  }
  applyControl(mute, v.controls.mute);
  mute.setAttribute('aria-pressed', v.mute ? 'true' : 'false');
  busy.textContent = v.busy ?? '';
  busy.hidden = !v.busy;
  errorText.textContent = v.error ?? '';
  error.hidden = !v.error;
  events.textContent = v.events;
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isNowPlayingHostMessage(event.data)) show(event.data.view);
});
vscode.postMessage({ type: 'ready' });
