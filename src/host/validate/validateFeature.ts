// Validate Device: the UDA 1.1 device-independent checks (src/core/validate) run against a device
// of the tree. Findings on the description and SCPDs become diagnostics on the read-only XML
// documents the extension already opens, at the offending element; everything goes into a
// markdown report that can be saved and attached to a bug. Run again from the notification or the
// menu; a device's diagnostics go when the device goes.
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice } from '../../core/registry/types';
import { errorMessage } from '../../core/util/errors';
import { oneLine } from '../../core/util/text';
import { countBySeverity } from '../../core/validate/model';
import type { Finding, ValidationReport } from '../../core/validate/model';
import { onDemand } from '../onDemand';
import type { ObservedNotify } from '../../core/validate/notifies';
import type { TrafficRecord } from '../../core/ssdp/traffic';
import { Feature } from '../feature';
import { deviceLabel } from '../text/labels';
import { showError, showInfo, showWarning } from '../text/notify';
import type { TreeNode } from '../tree/nodes';
import { xmlUri } from '../xmlDocumentProvider';

export class ValidateFeature extends Feature {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('upnp-validate');
  /** Diagnostic URIs per device key, to clear them with the device. */
  private readonly urisOf = new Map<string, vscode.Uri[]>();
  private readonly running = new Set<string>();
  /** The last report per device key (Open Report). */
  private readonly reports = new Map<string, ValidationReport>();

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly httpTimeoutMs: () => number,
    private readonly selection: () => readonly TreeNode[],
    /** What the SSDP Traffic view has recorded (its NOTIFYs are checked too). */
    private readonly recordedTraffic: () => readonly TrafficRecord[],
  ) {
    super();
    this.disposables.push(
      this.diagnostics,
      vscode.commands.registerCommand('upnpExplorer.validateDevice', (node?: TreeNode) => this.validate(node)),
      explorer.onDidRemoveDevice(({ device }) => this.clear(device.key)),
    );
  }

  /** The last report of a device (tests and the report command). */
  lastReport(deviceKey: string): ValidationReport | undefined {
    return this.reports.get(deviceKey);
  }

  private async validate(node?: TreeNode): Promise<void> {
    const device = await this.pick(node);
    if (!device) return;
    // Control sends requests to the device: only when the user says so.
    const how = await vscode.window.showQuickPick([
      { label: 'Discovery, description and SCPDs', detail: 'M-SEARCHes for each of its search targets, then its documents, SCPDs and icons as served.', control: false },
      { label: 'Also control and content', detail: 'Besides, per service, two SOAP requests the device must refuse (an unknown action: 401; one without its arguments: 402); per ContentDirectory, Browse down to a few items and GET their resources\' headers.', control: true },
      { label: 'Also control, content and eventing', detail: 'Besides, per evented service: subscribe, check the initial event, renew, unsubscribe, and renew once more (it must be refused).', control: true, eventing: true },
    ], { title: `Validate "${oneLine(deviceLabel(device), 60)}"`, placeHolder: 'What to check (UDA 1.1, device-independent)' });
    if (how) await this.run(device, how.control, 'eventing' in how);
  }

  private async run(device: DiscoveredDevice, control: boolean, eventing: boolean): Promise<void> {
    if (this.running.has(device.key)) {
      void showInfo(`"${oneLine(deviceLabel(device), 80)}" is being validated already.`);
      return;
    }
    this.running.add(device.key);
    const name = oneLine(deviceLabel(device), 80);
    let report: ValidationReport;
    // NOTIFYs: the ones the SSDP Traffic view recorded, and any that come while this runs. The
    // array is read when the discovery stage ends, so those heard meanwhile are in it.
    const notifies: ObservedNotify[] = this.recordedTraffic().filter(isNotify).map(observed);
    const recorded = notifies.length;
    const tap = this.explorer.onTraffic((r) => { if (isNotify(r) && notifies.length < MAX_NOTIFIES) notifies.push(observed(r)); });
    try {
      report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Validating "${name}" (SSDP answers, description, SCPDs, icons)…` }, () => onDemand().validateDevice(device.location, {
        timeoutMs: this.httpTimeoutMs(),
        notifies: { observed: notifies, source: recorded > 0 ? 'recorded by the SSDP Traffic view, and heard while validating' : 'heard while validating; the SSDP Traffic view records them when it is open' },
        control,
        content: control,
        ...(eventing ? { eventing: { interfaceAddress: device.localAddress && !device.localAddress.includes(':') ? device.localAddress : 'auto' } } : {}),
        // Searched from the interface the device was seen on (or the route's, for one added by URL).
        ...(device.location.startsWith('http://[') ? {} : { discovery: { interfaceAddress: device.localAddress && !device.localAddress.includes(':') ? device.localAddress : 'auto' } }),
      }));
    } catch (err) {
      void showError(`Could not validate "${name}": ${errorMessage(err)}`);
      return;
    } finally {
      tap.dispose();
      this.running.delete(device.key);
    }
    this.reports.set(device.key, report);
    const current = this.explorer.get(device.key) ?? device;
    this.publish(current, report);
    await this.openReport(report);
    const c = countBySeverity(report.findings);
    const text = `Validated "${name}": ${c.error} error${c.error === 1 ? '' : 's'}, ${c.warning} warning${c.warning === 1 ? '' : 's'}, ${c.info} note${c.info === 1 ? '' : 's'}.${report.findings.some((f) => f.at) ? ' Findings on its documents are in the Problems panel.' : ''}`;
    const choice = await (c.error > 0 ? showWarning(text, 'Run Again', 'Show Problems') : showInfo(text, 'Run Again', 'Show Problems'));
    if (choice === 'Run Again') await this.run(this.explorer.get(device.key) ?? current, control, eventing);
    if (choice === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  private async pick(node?: TreeNode): Promise<DiscoveredDevice | undefined> {
    const chosen = node ?? this.selection()[0];
    if (chosen && 'device' in chosen) {
      const d = this.explorer.get(chosen.device.key);
      if (d) return d;
    }
    const devices = this.explorer.devices;
    if (devices.length === 0) {
      void showInfo('No device to validate: discover one first, or add it by URL.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(devices.map((d) => ({ label: oneLine(deviceLabel(d), 120), description: d.location, device: d })), { title: 'Validate Device', placeHolder: 'The device to check against UDA 1.1' });
    return picked?.device;
  }

  /** Findings with a position become diagnostics on the description or SCPD document. */
  private publish(device: DiscoveredDevice, report: ValidationReport): void {
    this.clear(device.key);
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const f of report.findings) {
      if (!f.at) continue;
      const uri = this.documentUri(device, f.at.url);
      if (!uri) continue;
      const entry = byUri.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(toDiagnostic(f));
      byUri.set(uri.toString(), entry);
    }
    const uris: vscode.Uri[] = [];
    for (const { uri, list } of byUri.values()) {
      this.diagnostics.set(uri, list);
      uris.push(uri);
    }
    this.urisOf.set(device.key, uris);
  }

  private documentUri(device: DiscoveredDevice, url: string): vscode.Uri | undefined {
    if (url === device.location) return xmlUri(device);
    const service = device.services.find((s) => s.description.scpdUrl === url);
    return service ? xmlUri(device, service) : undefined;
  }

  private clear(deviceKey: string): void {
    for (const uri of this.urisOf.get(deviceKey) ?? []) this.diagnostics.delete(uri);
    this.urisOf.delete(deviceKey);
    this.reports.delete(deviceKey);
  }

  private async openReport(report: ValidationReport): Promise<void> {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: onDemand().reportMarkdown(report) });
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Active });
  }
}

const MAX_NOTIFIES = 10_000;

function isNotify(r: TrafficRecord): boolean {
  return r.kind === 'alive' || r.kind === 'byebye' || r.kind === 'update';
}

function observed(r: TrafficRecord): ObservedNotify {
  return { raw: r.raw, from: r.from, at: r.at };
}

function toDiagnostic(f: Finding): vscode.Diagnostic {
  const at = f.at!;
  const line = Math.max(0, at.line - 1);
  const column = Math.max(0, at.column - 1);
  const d = new vscode.Diagnostic(new vscode.Range(line, column, line, column + at.length), oneLine(f.message, 500),
    f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
  d.source = 'UPnP UDA 1.1';
  d.code = f.rule.id;
  return d;
}
