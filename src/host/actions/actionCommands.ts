// The action form feature: "Invoke Action…" (from a tree row, its inline button or a quick pick
// over every known action), one reused panel per action, the values last used per action, the
// history of recent invocations per device, and the "UPnP Results" channel for DIDL-Lite.
import { Feature } from '../feature';
import { showInfo, showWarning } from '../text/notify';
import { oneLine, pickText } from '../../core/util/text';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { Action, DeviceDescription } from '../../core/description/model';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { ActionFormModel, ExtraArgInput, HostMessage, ResultView } from '../../protocol/actionForm';
import { deviceLabel, serviceLabel } from '../text/labels';
import type { TreeNode } from '../tree/nodes';
import { ACTION_FORM_VIEW_TYPE, ActionFormPanel } from './actionFormPanel';
import type { ActionFormHost } from './actionFormPanel';
import { buildFormModel, initialValues } from './formModel';
import { ACTION_FORM_VALUES_KEY, actionKeyOf, deviceIdOf, parseActionKey, readRememberedForms } from './rememberedForms';
import type { ActionRef, RememberedForm } from './rememberedForms';
import { HISTORY_KEY, RawExchanges, addHistoryEntry, allHistory, findHistoryEntry, historyAnswer, readHistoryStore, toHistoryView } from './history';
import type { HistoryEntry, HistoryStore } from './history';
import { argsText, resultSummary, toResultView } from './resultView';
import type { InvokeOutcome, RawExchange } from '../../core/soap/invoke';
import { formatExchange } from '../../core/soap/invoke';

export const INVOKE_ACTION_COMMAND = 'upnpExplorer.invokeAction';
export const INVOCATION_HISTORY_COMMAND = 'upnpExplorer.invocationHistory';
/** Read-only documents of raw exchanges: `upnp-raw:/<Action> <time>.http?id=<history id>`. */
export const RAW_SCHEME = 'upnp-raw';

/** Remembered form values are kept for this many actions (oldest dropped). */
const MAX_REMEMBERED_ACTIONS = 200;

export class ActionCommands extends Feature implements ActionFormHost {
  private readonly panels = new Map<string, ActionFormPanel>();
  private historyCounter = 0;
  /** This session's raw exchanges, by history entry (Invocation History opens them). */
  private readonly raws = new RawExchanges();
  private looseCounter = 0;

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly context: vscode.ExtensionContext,
    private readonly httpTimeoutMs: () => number,
    /** "UPnP Results": decoded DIDL-Lite from actions and from browsing (shared with the content tree). */
    private readonly results: vscode.OutputChannel,
  ) {
    super();
    this.disposables.push(
      vscode.commands.registerCommand(INVOKE_ACTION_COMMAND, (arg?: unknown) => this.invokeCommand(arg)),
      vscode.commands.registerCommand(INVOCATION_HISTORY_COMMAND, () => this.historyCommand()),
      vscode.workspace.registerTextDocumentContentProvider(RAW_SCHEME, {
        provideTextDocumentContent: (uri) => {
          const id = new URLSearchParams(uri.query).get('id') ?? '';
          return (this.raws.get(id) ?? 'This exchange is no longer kept (only the newest 100 calls of this session are).').replace(/\r\n/g, '\n');
        },
      }),
      explorer.onDidChangeDevice((d) => this.refreshForms(d)),
    );
  }

  get extensionUri(): vscode.Uri {
    return this.context.extensionUri;
  }

  protected override onDispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }

  // ---- commands ----

  private async invokeCommand(arg: unknown): Promise<void> {
    // From a tree row (click or inline button) the row is the argument; from the palette, pick.
    const node = isActionNode(arg) ? arg : undefined;
    if (node) {
      this.open(node.device, node.service, node.action);
      return;
    }
    const picked = await this.pickAction();
    if (picked) this.open(picked.device, picked.service, picked.action);
  }

  private async pickAction(): Promise<{ device: DiscoveredDevice; service: ServiceState; action: Action } | undefined> {
    type Item = vscode.QuickPickItem & { target?: { device: DiscoveredDevice; service: ServiceState; action: Action } };
    const items: Item[] = [];
    for (const device of this.explorer.devices) {
      for (const service of device.services) {
        if (!service.scpd) continue;
        const where = `${shortService(service)} — ${ownerLabel(device, service)}`;
        for (const action of service.scpd.actions) {
          const ins = action.arguments.filter((a) => a.direction === 'in').map((a) => a.name);
          items.push({ label: pickText(action.name), description: pickText(where), detail: pickText(ins.length ? `in: ${ins.join(', ')}` : 'no in-arguments'), target: { device, service, action } });
        }
      }
    }
    if (items.length === 0) {
      void showInfo('No actions known yet: discover or add a device whose services could be read.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(items, { title: 'Invoke UPnP Action', placeHolder: 'Action, service or device', matchOnDescription: true, matchOnDetail: true });
    return picked?.target;
  }

  private async historyCommand(): Promise<void> {
    const entries = allHistory(this.history());
    if (entries.length === 0) {
      void showInfo('No invocations yet. Invoke an action from the UPnP Devices view.');
      return;
    }
    type Item = vscode.QuickPickItem & { id: string };
    const rawButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('file-code'), tooltip: 'Open Raw Exchange' };
    const items: Item[] = entries.map((e) => ({
      id: e.id,
      label: `${e.ok ? '$(pass)' : '$(error)'} ${pickText(e.actionName)}`,
      description: pickText(`${e.serviceLabel} — ${e.deviceLabel} · ${e.summary}`),
      detail: pickText(`${new Date(e.at).toLocaleString()} · ${e.argsText || 'no arguments'}${this.raws.has(e.id) ? '' : ' · raw exchange not kept (an earlier session)'}`),
      ...(this.raws.has(e.id) ? { buttons: [rawButton] } : {}),
    }));
    const quick = vscode.window.createQuickPick<Item>();
    quick.title = 'UPnP Invocation History — pick one to run it again';
    quick.placeholder = 'Action, service or device ($(file-code) opens what was sent and answered)';
    quick.matchOnDescription = true;
    quick.matchOnDetail = true;
    // Opened from the palette while a webview (Now Playing, a form) had focus, VS Code may hand
    // focus back to the webview just after the picker shows, which would close it at once (seen in
    // a fresh-clone run). Escape still closes it.
    quick.ignoreFocusOut = true;
    quick.items = items;
    const picked = await new Promise<Item | undefined>((resolve) => {
      quick.onDidTriggerItemButton((e) => {
        quick.hide();
        void this.openRaw(e.item.id, undefined);
        resolve(undefined);
      });
      quick.onDidAccept(() => {
        resolve(quick.selectedItems[0]);
        quick.hide();
      });
      quick.onDidHide(() => { resolve(undefined); quick.dispose(); });
      quick.show();
    });
    if (picked) this.rerun(picked.id);
  }

  /**
   * Opens a call's raw exchange (HTTP request and answer) read-only beside the current editor: a
   * history entry's, or `text` when the history no longer keeps it.
   */
  async openRaw(id: string | undefined, text: string | undefined): Promise<void> {
    let key = id !== undefined && this.raws.has(id) ? id : undefined;
    if (key === undefined) {
      if (text === undefined) return;
      // A form's last call the history no longer keeps (100 newer ones came): kept again, apart.
      key = `loose-${(this.looseCounter++).toString(36)}`;
      this.raws.set(key, text);
    }
    const entry = id !== undefined ? findHistoryEntry(this.history(), id) : undefined;
    const at = entry ? new Date(entry.at) : new Date();
    const clock = [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join('.');
    const title = `${entry?.actionName ?? 'exchange'} ${clock}`;
    const uri = vscode.Uri.from({ scheme: RAW_SCHEME, path: `/${title.replace(/[\\/?#%]/g, '_')}.http`, query: new URLSearchParams({ id: key }).toString() });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  }

  // ---- panels ----

  private open(device: DiscoveredDevice, service: ServiceState, action: Action): ActionFormPanel | undefined {
    const latest = this.explorer.get(device.key) ?? device;
    const ref: ActionRef = { deviceId: deviceIdOf(latest), serviceKey: service.key, actionName: action.name };
    const key = actionKeyOf(ref);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const form = this.formFor(latest, service, action, key);
    if (!form) {
      void showWarning(`${action.name} can't be invoked: the service's description (SCPD) is not available.`);
      return undefined;
    }
    const webviewPanel = vscode.window.createWebviewPanel(ACTION_FORM_VIEW_TYPE, oneLine(form.title, 120), vscode.ViewColumn.Active, {
      enableScripts: true,
      // Keeps typed-but-unsent values and the last result while the tab is in the background.
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webviews')],
    });
    const panel = new ActionFormPanel(webviewPanel, form, this);
    this.panels.set(key, panel);
    panel.onDidDispose(() => this.panels.delete(key));
    return panel;
  }

  private formFor(device: DiscoveredDevice, service: ServiceState, action: Action, key: string): ActionFormModel | undefined {
    const latestService = device.services.find((s) => s.key === service.key) ?? service;
    if (!latestService.scpd) return undefined;
    const latestAction = latestService.scpd.actions.find((a) => a.name === action.name) ?? action;
    return buildFormModel({
      actionKey: key,
      action: latestAction,
      scpd: latestService.scpd,
      serviceType: latestService.description.serviceType,
      serviceLabel: shortService(latestService),
      deviceLabel: ownerLabel(device, latestService),
      controlUrl: latestService.description.controlUrl,
    });
  }

  /** A refreshed device may bring a changed SCPD: open forms follow it. */
  private refreshForms(device: DiscoveredDevice): void {
    for (const [key, panel] of this.panels) {
      const ref = parseActionKey(key);
      if (!ref || ref.deviceId !== deviceIdOf(device)) continue;
      const service = device.services.find((s) => s.key === ref.serviceKey);
      const action = service?.scpd?.actions.find((a) => a.name === ref.actionName);
      if (service && action) {
        const form = this.formFor(device, service, action, key);
        if (form) panel.update(form);
      }
    }
  }

  private findTarget(ref: ActionRef): { device: DiscoveredDevice; service: ServiceState; action: Action } | string {
    const device = this.explorer.devices.find((d) => deviceIdOf(d) === ref.deviceId);
    if (!device) return 'The device is no longer in the Devices view; search again or add it by URL.';
    const service = device.services.find((s) => s.key === ref.serviceKey);
    if (!service) return `${deviceLabel(device)} no longer offers this service.`;
    if (!service.scpd) return `The description (SCPD) of ${shortService(service)} is not available${service.scpdError ? `: ${service.scpdError}` : '.'}`;
    const action = service.scpd.actions.find((a) => a.name === ref.actionName);
    if (!action) return `${shortService(service)} no longer has an action named ${ref.actionName}.`;
    if (!service.description.controlUrl) return `${shortService(service)} has no control URL in the device description, so actions can't be sent.`;
    return { device, service, action };
  }

  // ---- ActionFormHost ----

  resolve(actionKey: string): { service: ServiceState; action: Action } | string {
    const ref = parseActionKey(actionKey);
    if (!ref) return 'Unknown action.';
    const found = this.findTarget(ref);
    return typeof found === 'string' ? found : { service: found.service, action: found.action };
  }

  timeoutMs(): number {
    return this.httpTimeoutMs();
  }

  initialState(form: ActionFormModel): { values: Record<string, string>; extras: ExtraArgInput[] } {
    const remembered = this.rememberedForms()[form.actionKey];
    return { values: initialValues(form, remembered?.values), extras: remembered?.extras ?? [] };
  }

  remember(actionKey: string, values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[]): void {
    const all: Record<string, RememberedForm> = { ...this.rememberedForms() };
    all[actionKey] = { values: { ...values }, extras: [...extras], at: Date.now() };
    const keys = Object.keys(all).sort((a, b) => all[b]!.at - all[a]!.at);
    for (const stale of keys.slice(MAX_REMEMBERED_ACTIONS)) delete all[stale];
    void this.context.workspaceState.update(ACTION_FORM_VALUES_KEY, all);
  }

  recorded(actionKey: string, values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[], result: ResultView, raw?: string): string | undefined {
    const ref = parseActionKey(actionKey);
    if (!ref) return undefined;
    const target = this.findTarget(ref);
    const entry: HistoryEntry = {
      id: `${Date.now().toString(36)}-${(this.historyCounter++).toString(36)}`,
      at: new Date().toISOString(),
      deviceId: ref.deviceId,
      deviceLabel: typeof target === 'string' ? ref.deviceId : ownerLabel(target.device, target.service),
      serviceKey: ref.serviceKey,
      serviceLabel: typeof target === 'string' ? ref.serviceKey : shortService(target.service),
      actionName: ref.actionName,
      values: { ...values },
      extras: [...extras],
      summary: resultSummary(result),
      ok: result.kind === 'ok',
      argsText: argsText(values, extras),
      ...(() => { const answer = historyAnswer(result); return answer ? { answer } : {}; })(),
    };
    if (raw !== undefined) this.raws.set(entry.id, raw);
    void this.context.workspaceState.update(HISTORY_KEY, addHistoryEntry(this.history(), entry));
    // Every open form of this device lists the device's history.
    for (const [key, panel] of this.panels) if (parseActionKey(key)?.deviceId === ref.deviceId) panel.postHistory();
    return entry.id;
  }

  /**
   * Puts a call made elsewhere (the Now Playing panel's SOAP) in the device's history, like one
   * made from a form.
   */
  async recordCall(device: DiscoveredDevice, service: ServiceState, action: Action, args: Readonly<Record<string, string>>, outcome: InvokeOutcome, exchange?: RawExchange): Promise<void> {
    const result = await toResultView(outcome, action, service.scpd);
    this.recorded(actionKeyOf({ deviceId: deviceIdOf(device), serviceKey: service.key, actionName: action.name }), args, [], result, exchange ? formatExchange(exchange) : undefined);
  }

  historyFor(actionKey: string): HostMessage & { type: 'history' } {
    const ref = parseActionKey(actionKey);
    const entries = ref ? (this.history()[ref.deviceId] ?? []) : [];
    return { type: 'history', entries: entries.map(toHistoryView) };
  }

  rerun(historyId: string): void {
    const entry = findHistoryEntry(this.history(), historyId);
    if (!entry) return;
    const target = this.findTarget(entry);
    if (typeof target === 'string') {
      void showWarning(`Can't run ${entry.actionName} again: ${target}`);
      return;
    }
    const panel = this.open(target.device, target.service, target.action);
    if (!panel) return;
    panel.reveal();
    void panel.run(entry.values, entry.extras);
  }

  showResultLines(form: ActionFormModel, result: ResultView): void {
    if (result.kind !== 'ok') return;
    const didl = result.outputs.filter((o) => o.didlLines);
    if (didl.length === 0) return;
    this.results.appendLine(`${new Date().toLocaleTimeString()} ${form.title}`);
    for (const o of didl) {
      this.results.appendLine(`  ${o.name}:`);
      for (const line of o.didlLines!) this.results.appendLine(`    ${line}`);
    }
    this.results.appendLine('');
  }

  // ---- state ----

  private history(): HistoryStore {
    return readHistoryStore(this.context.workspaceState.get<unknown>(HISTORY_KEY));
  }

  private rememberedForms(): Readonly<Record<string, RememberedForm>> {
    return readRememberedForms(this.context.workspaceState.get<unknown>(ACTION_FORM_VALUES_KEY));
  }
}

function isActionNode(value: unknown): value is TreeNode & { kind: 'action' } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'action'
    && 'action' in value && 'service' in value && 'device' in value;
}

/** `ContentDirectory` (the version only adds noise in a title). */
function shortService(service: ServiceState): string {
  return serviceLabel(service).replace(/:\d+$/, '');
}

/** The friendly name of the (possibly embedded) device that owns the service. */
function ownerLabel(device: DiscoveredDevice, service: ServiceState): string {
  const root = device.description?.device;
  const owner = root ? findDevice(root, service.deviceUdn) : undefined;
  return owner && owner !== root && owner.friendlyName ? owner.friendlyName : deviceLabel(device);
}

function findDevice(d: DeviceDescription, udn: string): DeviceDescription | undefined {
  if (d.udn === udn) return d;
  for (const child of d.devices) {
    const found = findDevice(child, udn);
    if (found) return found;
  }
  return undefined;
}
