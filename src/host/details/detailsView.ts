// The "Details" view under Devices: everything known about the selected row, laid out as a pane
// (GUPnP's Universal Control Point and Device Spy have one) instead of a tooltip that gets cut off.
// It follows the tree's selection; a device's row updates as it is re-announced (expiry counts
// down while the view is visible), a service's state variables as events arrive.
import { WebviewConnection } from '../webviewConnection';
import { Feature } from '../feature';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DetailsHostMessage, DetailsWebviewMessage } from '../../protocol/details';
import { isDetailsWebviewMessage } from '../../protocol/details';
import type { ServiceEventsView } from '../tree/devicesTreeProvider';
import type { TreeNode } from '../tree/nodes';
import { webviewPage } from '../webviewHtml';
import { detailsFor, withCurrentSnapshot } from './detailsModel';

export const DETAILS_VIEW_ID = 'upnpExplorer.details';
/** Events may stream in by the hundred per second: the pane redraws at most this often. */
const REDRAW_DELAY_MS = 150;
/**
 * A redraw may take at most this share of the host's time: a service with thousands of variables
 * (the SCPD caps allow ~10,000) takes 15-35 ms to lay out, so it is redrawn less often.
 */
const MAX_BUSY_SHARE = 0.1;
/** "Expires in …" and "last seen … ago" stay true while a device is shown. */
const CLOCK_MS = 1000;

export class DetailsView extends Feature implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private connection: WebviewConnection<DetailsHostMessage, DetailsWebviewMessage> | undefined;
  private node: TreeNode | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly explorer: UpnpExplorer,
    treeView: vscode.TreeView<TreeNode>,
    private readonly events: ServiceEventsView | undefined,
    private readonly extensionUri: vscode.Uri,
  ) {
    super();
    this.node = treeView.selection[0];
    this.disposables.push(
      vscode.window.registerWebviewViewProvider(DETAILS_VIEW_ID, this),
      // An emptied selection (Escape in the tree, a redraw) keeps the last row: the pane is for
      // reading, and blanking it whenever the tree loses its selection would only get in the way.
      treeView.onDidChangeSelection((e) => {
        if (e.selection.length === 0) return;
        this.node = e.selection[0];
        this.schedule(0);
      }),
      explorer.onDidChangeDevice((d) => {
        if (this.node?.device.key === d.key) this.schedule();
      }),
      explorer.onDidRemoveDevice(({ device }) => {
        if (this.node?.device.key === device.key) this.schedule(0);
      }),
    );
    if (events) {
      this.disposables.push(events.onDidChange((change) => {
        const n = this.node;
        if (!n || !('service' in n)) return;
        if (!change || (change.deviceKey === n.device.key && change.serviceKey === n.service.key)) this.schedule();
      }));
    }
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.connection?.dispose();
    const connection = new WebviewConnection<DetailsHostMessage, DetailsWebviewMessage>(view.webview, isDetailsWebviewMessage, {
      snapshot: () => [this.message()],
      onMessage: () => undefined,
    });
    this.connection = connection;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews');
    view.webview.options = { enableScripts: true, localResourceRoots: [dist] };
    view.webview.html = webviewPage(view.webview, dist, { bundle: 'details', title: 'Details', mainAttributes: 'aria-live="polite"' });
    view.onDidChangeVisibility(() => {
      this.updateClock();
      if (view.visible) this.post();
    }, undefined, this.disposables);
    view.onDidDispose(() => {
      this.view = undefined;
      connection.dispose();
      if (this.connection === connection) this.connection = undefined;
      this.updateClock();
    }, undefined, this.disposables);
    this.disposables.push(connection);
    this.updateClock();
  }

  protected override onDispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.clock) clearInterval(this.clock);
  }

  /** How long the last redraw took to build. */
  private lastBuildMs = 0;

  private schedule(delay = Math.max(REDRAW_DELAY_MS, this.lastBuildMs / MAX_BUSY_SHARE)): void {
    if (!this.view) return;
    if (this.timer && delay > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.post();
    }, delay);
    this.updateClock();
  }

  /** A one-second clock only while the view is visible and shows a root device. */
  private updateClock(): void {
    const wanted = this.view?.visible === true && this.node?.kind === 'device' && this.node.isRoot;
    if (wanted && !this.clock) this.clock = setInterval(() => this.post(), CLOCK_MS);
    else if (!wanted && this.clock) {
      clearInterval(this.clock);
      this.clock = undefined;
    }
  }

  private post(): void {
    if (!this.view?.visible || !this.connection?.isReady) return;
    const started = performance.now();
    const message = this.message();
    this.lastBuildMs = performance.now() - started;
    this.connection.post(message);
  }

  private message(): DetailsHostMessage {
    const node = this.node;
    if (!node) return { type: 'empty', message: 'Select a device, service, action, state variable or content item in Devices to see its details here.' };
    const current = withCurrentSnapshot(node, this.explorer);
    if (!current) return { type: 'empty', message: 'The selected device is no longer in the Devices list.' };
    const model = detailsFor(current, { now: Date.now(), events: this.events, formatTime: (t) => new Date(t).toLocaleTimeString() });
    if (!model) return { type: 'empty', message: 'Nothing more to show for this row.' };
    return { type: 'show', rowId: node.id, model };
  }
}
