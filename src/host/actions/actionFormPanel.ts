// One webview panel per action: the form generated from the SCPD, the result of the last
// invocation, and the device's recent invocations. The panel owns its disposables and its
// in-flight request; everything device-supplied reaches the webview as postMessage data.
import { WebviewConnection } from '../webviewConnection';
import { Feature } from '../feature';
import { toSoapExtraArgs } from './rememberedForms';
import { errorMessage } from '../../core/util/errors';
import * as vscode from 'vscode';
import { webviewPage } from '../webviewHtml';
import type { Action } from '../../core/description/model';
import type { ServiceState } from '../../core/registry/types';
import { InvokeError, formatExchange, invokeAction, toCurl } from '../../core/soap/invoke';
import type { RawExchange } from '../../core/soap/invoke';
import { validateArguments } from '../../core/soap/types';
import type { ActionFormModel, ExtraArgInput, HostMessage, ResultView, WebviewMessage } from '../../protocol/actionForm';
import { isWebviewMessage } from '../../protocol/actionForm';
import { extraArgProblems } from './formModel';
import { toResultView } from './resultView';

export const ACTION_FORM_VIEW_TYPE = 'upnpExplorer.actionForm';

/** What the panel needs from its owner (the controller): resolving, remembering, history. */
export interface ActionFormHost {
  readonly extensionUri: vscode.Uri;
  /** The action's current service and SCPD action, or a reason why it can't be invoked now. */
  resolve(actionKey: string): { service: ServiceState; action: Action } | string;
  timeoutMs(): number;
  remember(actionKey: string, values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[]): void;
  /** Records a call in the history; gives its entry id. */
  recorded(actionKey: string, values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[], result: ResultView, raw?: string): string | undefined;
  /** Opens a raw exchange read-only beside the form (`text` when the history no longer keeps it). */
  openRaw(historyId: string | undefined, text: string): Promise<void>;
  initialState(form: ActionFormModel): { values: Record<string, string>; extras: ExtraArgInput[] };
  historyFor(actionKey: string): HostMessage & { type: 'history' };
  rerun(historyId: string): void;
  showResultLines(form: ActionFormModel, result: ResultView): void;
}

export class ActionFormPanel extends Feature {
  private readonly connection: WebviewConnection<HostMessage, WebviewMessage>;
  /** Values put in the form from the history (re-run) and not yet recorded as sent. */
  private shownValues: { readonly values: Readonly<Record<string, string>>; readonly extras: readonly ExtraArgInput[] } | undefined;
  private inFlight: AbortController | undefined;
  private lastExchange: RawExchange | undefined;
  /** The history entry of the last call (its raw exchange is kept there). */
  private lastHistoryId: string | undefined;
  private lastResult: HostMessage | undefined;
  private readonly disposeListeners: Array<() => void> = [];

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private form: ActionFormModel,
    private readonly host: ActionFormHost,
  ) {
    super();
    const dist = vscode.Uri.joinPath(host.extensionUri, 'dist', 'webviews');
    panel.webview.options = { enableScripts: true, localResourceRoots: [dist, vscode.Uri.joinPath(host.extensionUri, 'media')] };
    this.connection = new WebviewConnection(panel.webview, isWebviewMessage, {
      snapshot: () => this.snapshot(),
      onMessage: (m) => this.onMessage(m),
    });
    panel.webview.html = this.html(dist);
    this.disposables.push(panel.onDidDispose(() => this.dispose()), this.connection);
  }

  get actionKey(): string {
    return this.form.actionKey;
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  /** The SCPD may have changed (device refreshed): the next 'ready' or init uses the new form. */
  update(form: ActionFormModel): void {
    this.form = form;
    this.panel.title = form.title;
  }

  /** Fills the form (re-run from history) and sends it. */
  async run(values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[]): Promise<void> {
    this.shownValues = { values, extras };
    this.post({ type: 'setValues', values, extras });
    await this.invoke(values, extras);
  }

  postHistory(): void {
    this.post(this.host.historyFor(this.form.actionKey));
  }

  protected override onDispose(): void {
    this.inFlight?.abort();
    this.panel.dispose();
    for (const l of this.disposeListeners.splice(0)) l();
  }

  private post(message: HostMessage): void {
    this.connection.post(message);
  }

  /** The form with the values to show, and the last result: what a (re)loaded webview needs. */
  private snapshot(): HostMessage[] {
    const { values, extras } = this.shownValues ?? this.host.initialState(this.form);
    const history = this.host.historyFor(this.form.actionKey).entries;
    const init: HostMessage = { type: 'init', form: this.form, values: { ...values }, extras: [...extras], history };
    return this.lastResult ? [init, this.lastResult] : [init];
  }

  private onMessage(message: WebviewMessage): void {
    switch (message.type) {
      case 'invoke':
        void this.invoke(message.values, message.extras);
        break;
      case 'cancel':
        this.inFlight?.abort();
        break;
      case 'openRaw':
        void this.openRaw();
        break;
      case 'copyCurl':
        void this.copyCurl();
        break;
      case 'rerun':
        this.host.rerun(message.id);
        break;
    }
  }

  private async invoke(values: Readonly<Record<string, string>>, rawExtras: readonly ExtraArgInput[]): Promise<void> {
    if (this.inFlight) return;
    const extras = rawExtras.filter((e) => e.name.trim() !== '' || e.value !== '' || e.prefix !== '' || e.namespaceUri !== '')
      .map((e) => ({ name: e.name.trim(), value: e.value, prefix: e.prefix.trim(), namespaceUri: e.namespaceUri.trim() }));
    this.host.remember(this.form.actionKey, values, extras);
    const resolved = this.host.resolve(this.form.actionKey);
    if (typeof resolved === 'string') {
      this.postResult({ type: 'result', result: { kind: 'invalid', message: resolved } });
      return;
    }
    const { service, action } = resolved;
    const scpd = service.scpd!;
    // The webview checks as the user types; this is the authority (and catches a stale form).
    const checks = validateArguments(action, scpd, values);
    const bad = checks.filter((c) => !c.result.ok).map((c) => `${c.name} ${c.result.ok ? '' : c.result.message}`);
    const extraProblems = extraArgProblems(extras, this.form);
    if (bad.length > 0 || extraProblems.length > 0) {
      this.postResult({ type: 'result', result: { kind: 'invalid', message: [...bad, ...extraProblems].join('\n') } });
      return;
    }
    const args: Record<string, string> = {};
    for (const c of checks) if (c.result.ok) args[c.name] = c.result.normalized;

    const controller = new AbortController();
    this.inFlight = controller;
    this.post({ type: 'running' });
    let message: HostMessage & { type: 'result' };
    try {
      const { outcome, exchange } = await invokeAction({
        controlUrl: service.description.controlUrl,
        serviceType: service.description.serviceType,
        action,
        args,
        extraArgs: toSoapExtraArgs(extras),
        timeoutMs: this.host.timeoutMs(),
        signal: controller.signal,
      });
      this.lastExchange = exchange;
      const result = await toResultView(outcome, action, scpd);
      message = { type: 'result', result, raw: formatExchange(exchange), elapsedMs: exchange.elapsedMs, startedAt: exchange.startedAt };
    } catch (err) {
      // InvokeError: the request could not be built. Anything else is a bug, but the form must
      // still leave its "Sending…" state and say what happened.
      const text = errorMessage(err);
      message = { type: 'result', result: err instanceof InvokeError ? { kind: 'invalid', message: text } : { kind: 'failure', reason: 'internal', message: `Unexpected error: ${text}` } };
    } finally {
      this.inFlight = undefined;
    }
    if (this.isDisposed) return;
    this.postResult(message);
    this.shownValues = undefined;
    this.lastHistoryId = this.host.recorded(this.form.actionKey, values, extras, message.result, message.raw);
    this.host.showResultLines(this.form, message.result);
  }

  private postResult(message: HostMessage & { type: 'result' }): void {
    this.lastResult = message;
    this.post(message);
  }

  private async openRaw(): Promise<void> {
    if (!this.lastExchange) return;
    await this.host.openRaw(this.lastHistoryId, formatExchange(this.lastExchange));
  }

  private async copyCurl(): Promise<void> {
    if (!this.lastExchange) return;
    await vscode.env.clipboard.writeText(toCurl(this.lastExchange));
    vscode.window.setStatusBarMessage('$(copy) Copied the request as a curl command', 3000);
  }

  private html(dist: vscode.Uri): string {
    return webviewPage(this.panel.webview, dist, { bundle: 'actionForm', title: 'UPnP action', mainAttributes: 'aria-live="polite"' });
  }
}
