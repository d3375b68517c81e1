// A Now Playing panel: one per MediaRenderer. It owns the renderer's client (every call goes into
// the device's action history), follows the renderer's LastChange events (it subscribes to
// AVTransport and RenderingControl while open, and unsubscribes what it subscribed when closed),
// polls GetPositionInfo while playing (and GetTransportInfo when there are no events), fetches the
// current item's art as a data: URI, and sends the webview the whole view state.
import * as vscode from 'vscode';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { Action } from '../../core/description/model';
import { RendererClient, RendererError, applyLastChange, describeMetadata, parseDuration, rendererServices } from '../../core/av/renderer';
import type { NowPlaying, RendererService } from '../../core/av/renderer';
import { fetchImage } from '../../core/av/download';
import { errorMessage } from '../../core/util/errors';
import { oneLine } from '../../core/util/text';
import type { InvokeOutcome, RawExchange } from '../../core/soap/invoke';
import type { ControlName, ControlState, NowPlayingHostMessage, NowPlayingView, NowPlayingWebviewMessage } from '../../protocol/nowPlaying';
import { controlStates } from './controls';
import { isNowPlayingWebviewMessage, transportStateLabel } from '../../protocol/nowPlaying';
import { WebviewConnection } from '../webviewConnection';
import { imageDataUri, webviewPage } from '../webviewHtml';
import type { EventsController } from '../events/eventsController';

export const NOW_PLAYING_VIEW_TYPE = 'upnpExplorer.nowPlaying';
const POLL_MS = 1000;
const ART_MAX_BYTES = 4 * 1024 * 1024;

/** What the panel needs from the rest of the extension. */
export interface NowPlayingHost {
  readonly events: EventsController;
  readonly httpTimeoutMs: () => number;
  /** The device as the registry has it now (undefined once it is gone). */
  current(deviceKey: string): DiscoveredDevice | undefined;
  /** Records a call in the device's action history. */
  record(device: DiscoveredDevice, service: ServiceState, action: Action, args: Readonly<Record<string, string>>, outcome: InvokeOutcome, exchange: RawExchange): void;
}

/** The renderer a panel drives: a (root or embedded) device of `device` with an AVTransport. */
export interface RendererRef {
  readonly device: DiscoveredDevice;
  readonly udn: string;
  readonly name: string;
}

export class NowPlayingPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  readonly client: RendererClient;
  private readonly connection: WebviewConnection<NowPlayingHostMessage, NowPlayingWebviewMessage>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly services: ServiceState[];
  private state: NowPlaying = {};
  private applying: Promise<void> = Promise.resolve();
  /** Events seen so far: a poll answered after an event must not overwrite it. */
  private eventCount = 0;
  private error: string | undefined;
  private busy: string | undefined;
  private eventsText = 'Subscribing to events…';
  private hasEvents = false;
  /** Services this panel subscribed (and so unsubscribes when closed). */
  private readonly subscribedHere: ServiceState[] = [];
  private poll: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  private art: { uri: string; data?: string } | undefined;
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(readonly renderer: RendererRef, private readonly host: NowPlayingHost, extensionUri: vscode.Uri) {
    this.services = renderer.device.services.filter((s) => s.deviceUdn === renderer.udn);
    const byService = new Map<RendererService, ServiceState>();
    const list: RendererService[] = this.services.map((s) => {
      const r: RendererService = { service: s.description, ...(s.scpd ? { scpd: s.scpd } : {}) };
      byService.set(r, s);
      return r;
    });
    const services = rendererServices(list);
    if (!services) throw new Error(`${renderer.name} has no AVTransport service: it is not a MediaRenderer.`);
    this.client = new RendererClient(services, {
      timeoutMs: host.httpTimeoutMs(),
      onExchange: (service, action, args, result) => {
        const state = byService.get(service);
        const device = host.current(renderer.device.key) ?? renderer.device;
        const declared = service.scpd?.actions.find((a) => a.name === action) ?? { name: action, arguments: [] };
        if (state) host.record(device, state, declared, args, result.outcome, result.exchange);
      },
    });
    const dist = vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');
    this.panel = vscode.window.createWebviewPanel(NOW_PLAYING_VIEW_TYPE, `Now Playing — ${oneLine(renderer.name, 60)}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [dist],
    });
    this.panel.webview.html = webviewPage(this.panel.webview, dist, { bundle: 'nowPlaying', title: 'Now Playing', dataImages: true, mainAttributes: 'aria-live="polite"' });
    this.connection = new WebviewConnection(this.panel.webview, isNowPlayingWebviewMessage, {
      snapshot: () => [{ type: 'state', view: this.view() }],
      onMessage: (m) => { void this.onMessage(m); },
    });
    this.disposables.push(
      this.connection,
      this.panel.onDidDispose(() => this.dispose()),
      host.events.onDidEvent((e) => {
        if (e.deviceKey !== renderer.device.key || !this.services.some((s) => s.key === e.serviceKey) || !e.event.lastChange) return;
        this.hasEvents = true;
        this.eventCount++;
        // One after another, each on the state the last one left (their DIDL-Lite is read in slices).
        const change = e.event.lastChange;
        this.applying = this.applying.then(async () => this.setState(await applyLastChange(this.state, change))).catch(() => undefined);
      }),
    );
    this.ready = this.start();
  }

  /** Settles when the panel has subscribed and read the renderer's state (Play on… waits for it). */
  readonly ready: Promise<void>;

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  /** Loads `uri` with its metadata and plays it (Play on…). */
  async playItem(uri: string, metadata: string, title: string): Promise<void> {
    // What the panel reads while it starts must not land after this play's events.
    await this.ready;
    await this.run(`Loading "${oneLine(title, 80)}"…`, async () => {
      await this.client.setUri(uri, metadata);
      this.setState({ ...this.state, uri, ...(await describeMetadata(metadata)) });
      await this.client.play();
      if (!this.hasEvents) await this.refreshTransport();
    });
  }

  /** Queues `uri` to play after the current item (Play Next). */
  async queueNext(uri: string, metadata: string, title: string): Promise<void> {
    await this.ready;
    await this.run(`Queueing "${oneLine(title, 80)}"…`, async () => {
      await this.client.setNextUri(uri, metadata);
      this.setState({ ...this.state, nextUri: uri, nextTitle: title });
    });
  }

  /** For tests and the command: the state shown. */
  get nowPlaying(): NowPlaying {
    return this.state;
  }

  get lastError(): string | undefined {
    return this.error;
  }

  private async start(): Promise<void> {
    // Subscribe to what sends events, unless the user already has (then leave it as it is).
    const wanted = this.services.filter((s) => /:service:(AVTransport|RenderingControl):\d+$/.test(s.description.serviceType) && s.description.eventSubUrl);
    const failures: string[] = [];
    for (const s of wanted) {
      if (this.host.events.statusOf(this.renderer.device.key, s.key)) { this.hasEvents = true; continue; }
      try {
        const info = await this.host.events.subscribe(this.renderer.device, s);
        if (this.disposed) {
          if (info) await this.host.events.unsubscribe(this.renderer.device.key, s.key);
          return;
        }
        if (info) { this.subscribedHere.push(s); this.hasEvents = true; }
      } catch (err) {
        failures.push(`${/AVTransport/.test(s.description.serviceType) ? 'AVTransport' : 'RenderingControl'}: ${errorMessage(err)}`);
      }
    }
    this.eventsText = failures.length === 0 && wanted.length > 0
      ? 'Following the renderer\'s events.'
      : `No events${failures.length ? ` (${failures.join('; ')})` : ' (the renderer offers none)'}: the state is polled every second.`;
    // What is loaded now, whatever the events say later.
    await this.refreshTransport();
    await this.quietly(async () => {
      if (this.client.has('GetMediaInfo')) {
        const m = await this.client.mediaInfo();
        const d = await describeMetadata(m.metadata);
        const duration = parseDuration(m.duration);
        this.setState({ ...this.state, ...(m.uri ? { uri: m.uri } : {}), ...(m.nextUri && m.nextUri !== 'NOT_IMPLEMENTED' ? { nextUri: m.nextUri } : {}), ...d, ...(duration !== undefined ? { duration } : {}) });
      }
    });
    await this.quietly(async () => { if (this.client.has('GetVolume', 'renderingControl')) this.setState({ ...this.state, volume: await this.client.volume() }); });
    await this.quietly(async () => { if (this.client.has('GetMute', 'renderingControl')) this.setState({ ...this.state, mute: await this.client.mute() }); });
    this.poll = setInterval(() => { void this.tick(); }, POLL_MS);
    this.update();
  }

  /** Position while playing; the transport too when no events come. */
  private async tick(): Promise<void> {
    if (this.polling || this.disposed) return;
    this.polling = true;
    try {
      if (!this.hasEvents) await this.refreshTransport();
      if (this.state.transportState === 'PLAYING' && this.client.has('GetPositionInfo')) await this.refreshPosition();
    } finally {
      this.polling = false;
    }
  }

  private async refreshTransport(): Promise<void> {
    await this.quietly(async () => {
      const before = this.eventCount;
      const t = await this.client.transportInfo();
      // An event that came while the answer was on its way is newer than the answer.
      if (this.eventCount === before) this.setState({ ...this.state, transportState: t.state, transportStatus: t.status });
    });
    if (this.state.transportState === 'PLAYING' || this.state.transportState === 'PAUSED_PLAYBACK') await this.refreshPosition();
  }

  private async refreshPosition(): Promise<void> {
    await this.quietly(async () => {
      const p = await this.client.positionInfo();
      const position = parseDuration(p.relTime);
      const duration = parseDuration(p.duration);
      const d = p.metadata ? await describeMetadata(p.metadata) : {};
      this.setState({ ...this.state, ...(position !== undefined ? { position } : {}), ...(duration !== undefined && duration > 0 ? { duration } : {}), ...(d.title !== undefined ? d : {}) });
    });
  }

  /** Polls and reads whose failure is not the user's business (the state stays as it was). */
  private async quietly(run: () => Promise<void>): Promise<void> {
    try {
      await run();
    } catch {
      // a renderer that can't say right now; the next event or poll will
    }
  }

  private async onMessage(m: NowPlayingWebviewMessage): Promise<void> {
    switch (m.type) {
      case 'control': {
        const run = { play: () => this.client.play(), pause: () => this.client.pause(), stop: () => this.client.stop(), next: () => this.client.next(), previous: () => this.client.previous() }[m.control];
        await this.run(undefined, async () => { await run(); if (!this.hasEvents) await this.refreshTransport(); });
        break;
      }
      case 'seek':
        await this.run(undefined, async () => { await this.client.seek(m.seconds); await this.refreshPosition(); });
        break;
      case 'volume':
        await this.run(undefined, async () => { await this.client.setVolume(m.volume); this.setState({ ...this.state, volume: Math.round(m.volume) }); });
        break;
      case 'mute':
        await this.run(undefined, async () => { await this.client.setMute(m.mute); this.setState({ ...this.state, mute: m.mute }); });
        break;
      case 'dismissError':
        this.error = undefined;
        this.update();
        break;
      default:
        break;
    }
  }

  /** Runs a user's request: its failure is shown in the panel with the fault's meaning. */
  private async run(busy: string | undefined, action: () => Promise<void>): Promise<void> {
    this.busy = busy;
    this.error = undefined;
    this.update();
    try {
      await action();
    } catch (err) {
      this.error = err instanceof RendererError ? err.message : `The renderer could not be reached: ${errorMessage(err)}`;
    } finally {
      this.busy = undefined;
      this.update();
    }
  }

  private setState(next: NowPlaying): void {
    if (this.disposed) return;
    this.state = next;
    this.loadArt();
    this.update();
  }

  private loadArt(): void {
    const uri = this.state.albumArtUri;
    if (!uri) { this.art = undefined; return; }
    if (this.art?.uri === uri) return;
    const art: { uri: string; data?: string } = { uri };
    this.art = art;
    void fetchImage(uri, { maxBytes: ART_MAX_BYTES, timeoutMs: this.host.httpTimeoutMs() }).then((image) => {
      if (this.art !== art || this.disposed) return;
      art.data = imageDataUri(image.mime, image.data);
      this.update();
    }, () => undefined);
  }

  private view(): NowPlayingView {
    const s = this.state;
    const state = s.transportState ?? '';
    return {
      renderer: this.renderer.name,
      transportState: state,
      stateLabel: transportStateLabel(state),
      ...(s.title !== undefined ? { title: s.title } : {}),
      ...(s.artist !== undefined ? { artist: s.artist } : {}),
      ...(this.art?.data ? { art: this.art.data } : {}),
      ...(s.uri ? { uri: s.uri } : {}),
      ...(s.nextUri ? { next: s.nextTitle ? `${s.nextTitle} (${s.nextUri})` : s.nextUri } : {}),
      ...(s.position !== undefined ? { position: s.position } : {}),
      ...(s.duration !== undefined ? { duration: s.duration } : {}),
      ...(s.volume !== undefined ? { volume: s.volume } : {}),
      ...(s.mute !== undefined ? { mute: s.mute } : {}),
      controls: this.controls(),
      events: this.eventsText,
      ...(this.error ? { error: this.error } : {}),
      ...(this.busy ? { busy: this.busy } : {}),
    };
  }

  private controls(): Record<ControlName, ControlState> {
    return controlStates(this.state, (action, where) => this.client.has(action, where));
  }

  private update(): void {
    if (!this.disposed) this.connection.post({ type: 'state', view: this.view() });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.poll) clearInterval(this.poll);
    // What this panel subscribed ends with it; a subscription the user made stays.
    for (const s of this.subscribedHere) void this.host.events.unsubscribe(this.renderer.device.key, s.key);
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }
}
