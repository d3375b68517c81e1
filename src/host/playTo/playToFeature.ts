// Play To: "Play on…" and "Play Next on…" on a content item (the tree and the thumbnails grid)
// send it to a MediaRenderer of the tree — the resource its Sink list accepts, or why none — and
// "Now Playing" on a renderer opens its panel. One panel per renderer; a renderer that leaves
// closes its panel with a word to the user.
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DeviceDescription } from '../../core/description/model';
import type { DiscoveredDevice } from '../../core/registry/types';
import { chooseResource, metadataForItem } from '../../core/av/playTo';
import type { ProtocolInfo } from '../../core/av/protocolInfo';
import { errorMessage } from '../../core/util/errors';
import { oneLine, pickText } from '../../core/util/text';
import { Feature } from '../feature';
import { showError, showInfo } from '../text/notify';
import { deviceLabel } from '../text/labels';
import type { ActionCommands } from '../actions/actionCommands';
import type { ContentCommands } from '../content/contentCommands';
import { objectOf } from '../content/contentNodes';
import { contentLabel } from '../content/format';
import type { EventsController } from '../events/eventsController';
import type { TreeNode } from '../tree/nodes';
import { NowPlayingPanel } from './nowPlayingPanel';
import type { RendererRef } from './nowPlayingPanel';

export const PLAY_TO_COMMANDS = {
  playOn: 'upnpExplorer.content.playOn',
  playNext: 'upnpExplorer.content.playNext',
  nowPlaying: 'upnpExplorer.nowPlaying',
} as const;

const AV_TRANSPORT = /:service:AVTransport:\d+$/;

/** Every (root or embedded) device of the tree that has an AVTransport. */
export function renderersOf(devices: readonly DiscoveredDevice[]): RendererRef[] {
  const out: RendererRef[] = [];
  for (const device of devices) {
    const root = device.description?.device;
    if (!root) continue;
    const walk = (d: DeviceDescription): void => {
      if (device.services.some((s) => s.deviceUdn === d.udn && AV_TRANSPORT.test(s.description.serviceType))) {
        out.push({ device, udn: d.udn, name: d === root ? deviceLabel(device) : d.friendlyName || deviceLabel(device) });
      }
      d.devices.forEach(walk);
    };
    walk(root);
  }
  return out;
}

export class PlayToFeature extends Feature {
  private readonly panels = new Map<string, NowPlayingPanel>();
  /** Sink lists by renderer, read once per panel (GetProtocolInfo). */
  private readonly sinks = new Map<string, ProtocolInfo[]>();
  private lastRenderer: string | undefined;

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly events: EventsController,
    private readonly actions: ActionCommands,
    private readonly content: ContentCommands,
    private readonly extensionUri: vscode.Uri,
    private readonly httpTimeoutMs: () => number,
    private readonly selection: () => readonly TreeNode[],
  ) {
    super();
    this.disposables.push(
      vscode.commands.registerCommand(PLAY_TO_COMMANDS.playOn, (arg?: unknown) => this.play(arg, false)),
      vscode.commands.registerCommand(PLAY_TO_COMMANDS.playNext, (arg?: unknown) => this.play(arg, true)),
      vscode.commands.registerCommand(PLAY_TO_COMMANDS.nowPlaying, (node?: TreeNode) => this.openFor(node)),
      explorer.onDidRemoveDevice(({ device }) => {
        for (const [key, panel] of this.panels) {
          if (panel.renderer.device.key !== device.key) continue;
          panel.dispose();
          this.panels.delete(key);
          void showInfo(`${panel.renderer.name} left the network; its Now Playing panel was closed.`);
        }
      }),
    );
  }

  /** The open panel of a renderer (tests). */
  panelOf(deviceKey: string, udn?: string): NowPlayingPanel | undefined {
    for (const p of this.panels.values()) if (p.renderer.device.key === deviceKey && (udn === undefined || p.renderer.udn === udn)) return p;
    return undefined;
  }

  private async play(arg: unknown, next: boolean): Promise<void> {
    const node = this.content.resolveNode(arg);
    if (!node) return;
    const item = objectOf(node);
    if (!item || item.kind !== 'item') {
      void showInfo('Play on… is for items (a photo, a song, a video), not folders.');
      return;
    }
    const title = contentLabel(item);
    const renderer = await this.pick(next ? `Play "${oneLine(title, 60)}" next on…` : `Play "${oneLine(title, 60)}" on…`, next);
    if (!renderer) return;
    const panel = this.open(renderer);
    if (!panel) return;
    let sinks: ProtocolInfo[];
    try {
      sinks = await this.sinksOf(renderer, panel);
    } catch (err) {
      void showError(`Could not ask ${renderer.name} what it plays (GetProtocolInfo): ${errorMessage(err)}`);
      return;
    }
    const choice = chooseResource(item, sinks);
    if (!choice.ok) {
      void showError(`${renderer.name} can't play "${oneLine(title, 80)}": ${choice.reason}`);
      return;
    }
    const metadata = metadataForItem(item, choice.resource);
    if (next) await panel.queueNext(choice.resource.uri, metadata, title);
    else await panel.playItem(choice.resource.uri, metadata, title);
    if (panel.lastError) void showError(`${renderer.name}: ${panel.lastError}`);
  }

  private async sinksOf(renderer: RendererRef, panel: NowPlayingPanel): Promise<ProtocolInfo[]> {
    const key = keyOf(renderer);
    const known = this.sinks.get(key);
    if (known) return known;
    const sinks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Asking ${renderer.name} what it plays…` }, () => panel.client.sinkProtocols());
    this.sinks.set(key, sinks);
    return sinks;
  }

  private async pick(title: string, next: boolean): Promise<RendererRef | undefined> {
    const all = renderersOf(this.explorer.devices);
    if (all.length === 0) {
      void showInfo('No MediaRenderer in the Devices tree (a device with an AVTransport service). Search again, or add one by URL.');
      return undefined;
    }
    type Item = vscode.QuickPickItem & { renderer: RendererRef; able: boolean };
    const items: Item[] = all.map((renderer) => {
      const avt = renderer.device.services.find((s) => s.deviceUdn === renderer.udn && AV_TRANSPORT.test(s.description.serviceType));
      const able = !next || !avt?.scpd || avt.scpd.actions.some((a) => a.name === 'SetNextAVTransportURI');
      return {
        label: pickText(renderer.name),
        description: pickText(`${renderer.device.description?.device.modelName ?? ''}${able ? '' : ' · no SetNextAVTransportURI: it has no queue'}`),
        detail: pickText(renderer.device.location),
        renderer,
        able,
      };
    });
    // The renderer used last comes first.
    items.sort((a, b) => Number(keyOf(b.renderer) === this.lastRenderer) - Number(keyOf(a.renderer) === this.lastRenderer));
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'The MediaRenderer to play it on' });
    if (!picked) return undefined;
    if (!picked.able) {
      void showInfo(`${picked.renderer.name} offers no SetNextAVTransportURI, so nothing can be queued on it. Use Play on… instead.`);
      return undefined;
    }
    this.lastRenderer = keyOf(picked.renderer);
    return picked.renderer;
  }

  /** Opens (or reveals) a renderer's panel; undefined (and an error shown) when it can't be driven. */
  private open(renderer: RendererRef): NowPlayingPanel | undefined {
    const key = keyOf(renderer);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    let panel: NowPlayingPanel;
    try {
      panel = new NowPlayingPanel(renderer, {
        events: this.events,
        httpTimeoutMs: this.httpTimeoutMs,
        current: (deviceKey) => this.explorer.get(deviceKey),
        record: (device, service, action, args, outcome, exchange) => { void this.actions.recordCall(device, service, action, args, outcome, exchange); },
      }, this.extensionUri);
    } catch (err) {
      void showError(errorMessage(err));
      return undefined;
    }
    this.panels.set(key, panel);
    panel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
      this.sinks.delete(key);
    });
    return panel;
  }

  private async openFor(node?: TreeNode): Promise<void> {
    const chosen = node ?? this.selection()[0];
    const all = renderersOf(this.explorer.devices);
    let renderer: RendererRef | undefined;
    if (chosen?.kind === 'device') {
      const udn = chosen.description?.udn;
      renderer = all.find((r) => r.device.key === chosen.device.key && (udn === undefined || r.udn === udn)) ?? all.find((r) => r.device.key === chosen.device.key);
    }
    renderer ??= await this.pick('Now Playing on…', false);
    if (renderer) this.open(renderer);
  }

  protected override onDispose(): void {
    for (const p of this.panels.values()) p.dispose();
    this.panels.clear();
  }
}

function keyOf(r: RendererRef): string {
  return `${r.device.key}|${r.udn}`;
}
