// Owns the explorer's lifecycle in the host: starting the SSDP sockets, searches with progress in
// the Devices view (one at a time, cancellable), a quiet search every few minutes while the view
// is visible (announcements are the event stream, searching the polling that catches devices that
// rarely announce; nothing is searched while the view is hidden), and applying setting changes.
import { Feature } from './feature';
import { errorMessage } from '../core/util/errors';
import { showError, showWarning } from './text/notify';
import * as vscode from 'vscode';
import type { SearchResult, UpnpExplorer } from '../core/explorer';
import type { HostSettings } from './settings';
import { CONFIG_SECTION, readHostSettings } from './settings';
import { DEVICES_VIEW_ID } from './tree/devicesTreeProvider';

const SEARCHING_CONTEXT = 'upnpExplorer.searching';

export class DiscoveryController extends Feature {
  private running: { promise: Promise<SearchResult | undefined>; cts: vscode.CancellationTokenSource } | undefined;
  private current: HostSettings;
  private view: vscode.TreeView<unknown> | undefined;
  private periodic: ReturnType<typeof setInterval> | undefined;
  private lastSearchAt = 0;

  constructor(private readonly explorer: UpnpExplorer, private readonly log: vscode.LogOutputChannel) {
    super();
    this.current = readHostSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(CONFIG_SECTION)) void this.applySettings();
    }));
    // Once per session: the cap on devices bit (a very large network, or a flood of announcements).
    // The core warns once and waits a moment so the counts cover the burst; the guard keeps it one.
    let warnedLimit = false;
    this.disposables.push(toDisposable(explorer.onDidReachLimit((stats) => {
      if (warnedLimit) return;
      warnedLimit = true;
      const message = `UPnP Explorer keeps at most ${stats.limit} devices: ${stats.known} are known and ${stats.ignored} announcement${stats.ignored === 1 ? ' of another device was' : 's of other devices were'} ignored. A flood of announcements can cause this; on a very large network, raise the limit.`;
      void showWarning(message, 'Raise the Limit', 'Show Log').then((choice) => {
        if (choice === 'Raise the Limit') void vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.discovery.maxDevices`);
        else if (choice === 'Show Log') this.log.show();
      });
    })));
  }

  get settings(): HostSettings {
    return this.current;
  }

  /** Activation: open the sockets, then search if the user wants that. Never throws. */
  async startUp(): Promise<void> {
    if (await this.start() && this.current.searchOnStartup) await this.search();
  }

  /**
   * Runs an M-SEARCH (or joins the one already running). Resolves undefined when discovery
   * couldn't start or the search failed; the user has been told why.
   */
  search(): Promise<SearchResult | undefined> {
    if (this.running) return this.running.promise;
    const cts = new vscode.CancellationTokenSource();
    const promise = this.runSearch(cts).finally(() => {
      cts.dispose();
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', SEARCHING_CONTEXT, false);
    });
    this.running = { promise, cts };
    void vscode.commands.executeCommand('setContext', SEARCHING_CONTEXT, true);
    return promise;
  }

  cancelSearch(): void {
    this.running?.cts.cancel();
  }

  /** Searches again every `searchIntervalSeconds` while `view` is visible. */
  watchVisibility(view: vscode.TreeView<unknown>): void {
    this.view = view;
    this.disposables.push(view.onDidChangeVisibility(() => this.schedulePeriodic()));
    this.schedulePeriodic();
  }

  protected override onDispose(): void {
    this.running?.cts.cancel();
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
  }

  private schedulePeriodic(): void {
    if (this.periodic) clearInterval(this.periodic);
    this.periodic = undefined;
    const seconds = this.current.searchIntervalSeconds;
    if (seconds <= 0 || !this.view?.visible) return;
    this.periodic = setInterval(() => { void this.quietSearch(); }, seconds * 1000);
    // Coming back after a long while hidden: search now rather than a whole interval later.
    if (this.lastSearchAt > 0 && Date.now() - this.lastSearchAt > seconds * 1000) void this.quietSearch();
  }

  /** A search with no progress bar and no message: only the log says it happened. */
  private async quietSearch(): Promise<void> {
    if (this.running || !this.explorer.isStarted) return;
    this.lastSearchAt = Date.now();
    const cts = new vscode.CancellationTokenSource();
    const promise = this.explorer.search(undefined, cts.token).then((r) => r, (err: unknown) => {
      this.log.warn(`Periodic search failed: ${errorMessage(err)}`);
      return undefined;
    }).finally(() => {
      cts.dispose();
      this.running = undefined;
    });
    this.running = { promise, cts };
    await promise;
  }

  private async runSearch(cts: vscode.CancellationTokenSource): Promise<SearchResult | undefined> {
    this.lastSearchAt = Date.now();
    // Discovery may have failed at startup (no usable interface yet); try again on every search.
    if (!this.explorer.isStarted && !(await this.start())) return undefined;
    const { searchTarget } = this.current.explorer;
    try {
      const result = await vscode.window.withProgress(
        { location: { viewId: DEVICES_VIEW_ID }, title: `Searching for ${searchTarget}`, cancellable: true },
        (_progress, token) => {
          const link = token.onCancellationRequested(() => cts.cancel());
          return this.explorer.search(undefined, cts.token).finally(() => link.dispose());
        },
      );
      // The core logs the search summary; the user only hears about a search that found nothing
      // while the tree is empty too (devices may have come by their announcements meanwhile).
      const where = result.interfaces.join(', ') || 'no interface';
      if (result.responses === 0 && !result.cancelled && this.explorer.devices.length === 0) {
        vscode.window.setStatusBarMessage(`$(search) UPnP: no device answered on ${where}`, 5000);
      }
      return result;
    } catch (err) {
      const reason = errorMessage(err);
      this.log.error(`Search failed: ${reason}`);
      void this.showSetupError(`UPnP search failed: ${reason}`);
      return undefined;
    }
  }

  private async start(): Promise<boolean> {
    try {
      await this.explorer.start();
      const ifaces = this.explorer.activeInterfaces.map((i) => `${i.name} (${i.address})`).join(', ');
      this.log.info(`SSDP discovery listening on ${ifaces || 'no interface'}.`);
      return true;
    } catch (err) {
      const reason = errorMessage(err);
      this.log.error(`SSDP discovery could not start: ${reason}`);
      // Every attempt comes from activation or a user action (search, settings), so always answer it.
      void this.showSetupError(`UPnP discovery could not start: ${sentence(reason)} Devices can still be added by URL.`);
      return false;
    }
  }

  private async applySettings(): Promise<void> {
    this.current = readHostSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    this.schedulePeriodic();
    try {
      await this.explorer.updateSettings(this.current.explorer);
      this.log.info(`Settings applied: ${JSON.stringify(this.current.explorer)}`);
      if (!this.explorer.isStarted) await this.start();
    } catch (err) {
      const reason = errorMessage(err);
      this.log.error(`New settings could not be applied: ${reason}`);
      void this.showSetupError(`UPnP discovery could not use the new settings: ${reason}`);
    }
  }

  private async showSetupError(message: string): Promise<void> {
    const openSettings = 'Open Settings';
    const showLog = 'Show Log';
    const choice = await showError(message, openSettings, showLog);
    if (choice === openSettings) {
      await vscode.commands.executeCommand('workbench.action.openSettings', `${CONFIG_SECTION}.discovery.interfaces`);
    } else if (choice === showLog) {
      this.log.show();
    }
  }
}

function toDisposable(d: { dispose(): void }): vscode.Disposable {
  return new vscode.Disposable(() => d.dispose());
}


/** Ends a message with a full stop unless it already has closing punctuation. */
export function sentence(text: string): string {
  return /[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}
