// Hosting devices from workspace folders: New Device Definition…, Host Device, Stop Hosting,
// Emit Event…, the Hosted Devices view, the "UPnP Host" channel and the definitions' Problems.
//
// Hosting announces on a real network and serves workspace files, so it starts only from a
// user's action (or, when the user asked for it in the settings, again for what was hosted when
// the workspace last closed), only in a trusted workspace, only on the interfaces the setting
// allows, and says where it announces.
import * as os from 'node:os';
import * as path from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import * as vscode from 'vscode';
import { ipv6AddressesOf, selectInterfaces } from '../../core/ssdp/interfaces';
import { validateValue } from '../../core/soap/types';
import { errorMessage } from '../../core/util/errors';
import { oneLine } from '../../core/util/text';
import type { HostedDevice } from '../../device/index';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice } from '../../core/registry/types';
import { Feature } from '../feature';
import { deviceLabel } from '../text/labels';
import type { TreeNode } from '../tree/nodes';
import { gatherClone } from './cloneDevice';
import { MANIFEST_FILE, deviceLib } from './deviceLib';
import { CONFIG_SECTION } from '../settings';
import { honestChannel } from '../text/honestChannel';
import { showError, showInfo, showWarning } from '../text/notify';
import { DefinitionDiagnostics } from './definitionDiagnostics';
import { HostLog } from './hostLog';
import { HostedTreeProvider } from './hostedTree';
import type { HostedNode } from './hostedTree';
import { readHostingSettings } from './hostingSettings';

const STATE_KEY = 'upnpExplorer.hosting.folders';
/** Definition folders found in the workspace at most (for the context menus and the picker). */
const MAX_DEFINITIONS = 500;

export class HostingFeature extends Feature {
  private readonly running = new Map<string, HostedDevice>();
  private readonly starting = new Set<string>();
  private readonly log: HostLog;
  private readonly diagnostics = new DefinitionDiagnostics();
  readonly tree: HostedTreeProvider;
  /** Definition folders in the workspace (absolute paths). */
  private definitionFolders: string[] = [];
  private scanTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly explorer: UpnpExplorer,
    private readonly httpTimeoutMs: () => number,
    private readonly selection: () => readonly TreeNode[],
  ) {
    super();
    this.log = new HostLog(honestChannel(vscode.window.createOutputChannel('UPnP Host', { log: true })));
    this.tree = new HostedTreeProvider(() => [...this.running.values()]);
    this.disposables.push(
      this.log.channel,
      this.log,
      this.diagnostics,
      this.tree,
      vscode.commands.registerCommand('upnpExplorer.newDeviceDefinition', () => this.newDefinition()),
      vscode.commands.registerCommand('upnpExplorer.hostDevice', (arg?: unknown) => this.host(arg)),
      vscode.commands.registerCommand('upnpExplorer.stopHosting', (node?: HostedNode) => this.stop(node)),
      vscode.commands.registerCommand('upnpExplorer.emitEvent', (node?: HostedNode) => this.emitEvent(node)),
      vscode.commands.registerCommand('upnpExplorer.showHostLog', () => this.log.channel.show(true)),
      vscode.commands.registerCommand('upnpExplorer.copyHostedLocation', (node?: HostedNode) => this.copyLocation(node)),
      vscode.commands.registerCommand('upnpExplorer.revealHostedFolder', (node?: HostedNode) => this.revealFolder(node)),
      vscode.commands.registerCommand('upnpExplorer.cloneToWorkspace', (node?: TreeNode) => this.cloneToWorkspace(node)),
      vscode.workspace.onDidSaveTextDocument((doc) => this.checkSaved(doc)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleScan()),
    );
    if (vscode.workspace.isTrusted) this.scheduleScan();
    // After activation, never during it: finding definitions and restarting devices can wait.
    const restore = setTimeout(() => { void this.restore(); }, 1500);
    this.disposables.push({ dispose: () => clearTimeout(restore) });
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${MANIFEST_FILE}`);
    this.disposables.push(watcher, watcher.onDidCreate(() => this.scheduleScan()), watcher.onDidDelete((uri) => {
      this.diagnostics.clear(path.dirname(uri.fsPath));
      this.scheduleScan();
    }));
  }

  /** The devices hosted now (for tests through the command API, and deactivation). */
  get devices(): readonly HostedDevice[] {
    return [...this.running.values()];
  }

  /** byebye from every device, each within 2 s. */
  async stopAll(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((d) => Promise.race([d.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))])));
  }

  protected override onDispose(): void {
    if (this.scanTimer) clearTimeout(this.scanTimer);
    void this.stopAll();
  }

  // ---- New Device Definition… ----

  private async newDefinition(): Promise<void> {
    if (!this.trusted()) return;
    const picked = await vscode.window.showQuickPick(
      deviceLib().DEVICE_TEMPLATES.map((t) => ({ label: t.label, detail: t.detail, template: t })),
      { title: 'New Device Definition', placeHolder: 'Start from a template', matchOnDetail: true },
    );
    if (!picked) return;
    const folder = await this.chooseNewFolder(picked.template);
    if (!folder) return;
    try {
      await deviceLib().writeTemplate(picked.template, folder);
    } catch (err) {
      void showError(`Could not create the device definition: ${errorMessage(err)}`);
      return;
    }
    this.scheduleScan(0);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, ...picked.template.open.split('/'))));
    await vscode.window.showTextDocument(doc, { preview: false });
    const choice = await showInfo(`Created the device definition "${picked.template.label}" in ${vscode.workspace.asRelativePath(folder)}.`, 'Host Device');
    if (choice === 'Host Device') await this.host(folder);
  }

  private async chooseNewFolder(template: { readonly id: string; readonly label: string }): Promise<string | undefined> {
    const roots = vscode.workspace.workspaceFolders ?? [];
    let root: string | undefined;
    if (roots.length === 1) root = roots[0]!.uri.fsPath;
    else if (roots.length > 1) {
      const r = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Workspace folder for the new device definition' });
      root = r?.uri.fsPath;
      if (!root) return undefined;
    } else {
      const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Create the Device Here', title: 'Folder for the new device definition' });
      root = chosen?.[0]?.fsPath;
      if (!root) return undefined;
    }
    const base = `upnp-devices/${template.id}`;
    let suggestion = base;
    for (let n = 2; n < 100 && await exists(path.join(root, suggestion)); n++) suggestion = `${base}-${n}`;
    const rootDir = root;
    const name = await vscode.window.showInputBox({
      title: `New Device Definition: ${template.label}`,
      prompt: `Folder for the definition, relative to ${rootDir}`,
      value: suggestion,
      valueSelection: [suggestion.lastIndexOf('/') + 1, suggestion.length],
      ignoreFocusOut: true,
      validateInput: async (v) => {
        const t = v.trim().replace(/\/+$/, '');
        if (t === '') return 'Give the folder a name.';
        if (!deviceLib().isSafeRelativePath(t)) return 'A relative path inside the workspace folder, without "..".';
        if (await exists(path.join(rootDir, t)) && !(await isEmptyDir(path.join(rootDir, t)))) return 'That folder is not empty: the definition goes into a new or empty folder.';
        return undefined;
      },
    });
    if (name === undefined) return undefined;
    return path.join(rootDir, ...name.trim().replace(/\/+$/, '').split('/'));
  }

  // ---- Clone to Workspace ----

  private async cloneToWorkspace(node?: TreeNode): Promise<void> {
    if (!this.trusted()) return;
    const device = await this.deviceToClone(node);
    if (!device) return;
    const name = oneLine(device.description?.device.friendlyName ?? device.location, 80);
    const identity = await vscode.window.showQuickPick([
      { label: 'A new identity', detail: 'The clone gets its own UUID (kept in the folder): it can run beside the original.', keep: false },
      { label: `Keep ${device.udn ?? 'the original UUID'}`, detail: 'The clone answers as the original: control points that know the device take it for the original. Host it only while the original is off the network.', keep: true },
    ], { title: `Clone "${name}" to Workspace`, placeHolder: 'Which identity the clone announces' });
    if (!identity) return;
    const folder = await this.chooseNewFolder({ id: slug(name), label: `Clone of ${name}` });
    if (!folder) return;
    try {
      const input = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloning "${name}"…` }, () => gatherClone(device, this.context, identity.keep, this.httpTimeoutMs()));
      const { planClone, writeClone, loadDeviceDefinition } = deviceLib();
      const plan = planClone(input);
      await writeClone(plan, folder);
      const loaded = await loadDeviceDefinition(folder);
      await this.diagnostics.publish(folder, loaded.problems);
      this.scheduleScan(0);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(folder, 'README.md'))), { preview: false });
      const errors = loaded.problems.filter((p) => p.severity === 'error').length;
      const answers = input.answers.length;
      const message = `Cloned "${name}" to ${vscode.workspace.asRelativePath(folder)}: ${input.scpds.length} service${input.scpds.length === 1 ? '' : 's'}, ${input.icons.length} icon${input.icons.length === 1 ? '' : 's'}, ${answers} answer${answers === 1 ? '' : 's'} from the action history.`;
      if (errors > 0) {
        void showWarning(`${message} It has ${errors} problem${errors === 1 ? '' : 's'} to fix before it can be hosted.`, 'Show Problems').then((c) => { if (c) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
      } else {
        const choice = await showInfo(message, 'Host Device');
        if (choice === 'Host Device') await this.host(folder);
      }
    } catch (err) {
      void showError(`Could not clone "${name}": ${errorMessage(err)}`);
    }
  }

  private async deviceToClone(node?: TreeNode): Promise<DiscoveredDevice | undefined> {
    const chosen = node ?? this.selection()[0];
    if (chosen && 'device' in chosen) {
      const device = this.explorer.devices.find((d) => d.key === chosen.device.key);
      if (device) return device;
    }
    const described = this.explorer.devices.filter((d) => d.description);
    if (described.length === 0) {
      void showInfo('No described device to clone: discover one first.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(described.map((d) => ({ label: oneLine(deviceLabel(d), 120), description: d.location, device: d })), { title: 'Clone to Workspace', placeHolder: 'The device to clone' });
    return picked?.device;
  }

  // ---- Host Device ----

  private async host(arg?: unknown): Promise<HostedDevice | undefined> {
    if (!this.trusted()) return undefined;
    const folder = await this.folderOf(arg);
    if (!folder) return undefined;
    const already = this.running.get(folder);
    if (already) {
      void showInfo(`"${already.friendlyName}" is already hosted from ${vscode.workspace.asRelativePath(folder)}.`);
      return already;
    }
    if (this.starting.has(folder)) return undefined;
    this.starting.add(folder);
    try {
      return await this.start(folder, false);
    } finally {
      this.starting.delete(folder);
    }
  }

  /** Starts hosting `folder`; reports problems (quietly when restoring). */
  private async start(folder: string, quiet: boolean): Promise<HostedDevice | undefined> {
    // What the user has typed but not saved is what they mean to host.
    await Promise.all(vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file' && isInside(d.uri.fsPath, folder)).map((d) => d.save()));
    const settings = readHostingSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    const selection = selectInterfaces(settings.interfaces, false);
    for (const p of selection.problems) this.log.warn(`upnpExplorer.hosting.interfaces: ${p}`);
    const v4 = selection.selected.filter((i) => i.family === 4);
    // IPv6: every address of the chosen interfaces (named ones too, when they have no IPv4).
    const names = new Set([...v4.map((i) => i.name), ...settings.interfaces.filter((n) => os.networkInterfaces()[n] !== undefined)]);
    const v6 = settings.ipv6 ? ipv6AddressesOf(names) : [];
    if (settings.ipv6 && v6.length === 0) this.log.warn(`upnpExplorer.hosting.ipv6 is on, but ${[...names].join(', ') || 'no chosen interface'} has no IPv6 address; hosting on IPv4 only.`);
    const interfaces = [...v4, ...v6];
    const where = vscode.workspace.asRelativePath(folder);
    if (interfaces.length === 0) {
      const message = `Could not host ${where}: no interface to announce on.${selection.problems.length ? ` ${selection.problems.join(' ')}` : ''} Check the setting upnpExplorer.hosting.interfaces.`;
      this.log.warn(message);
      if (!quiet) void showError(message, 'Open Settings').then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'upnpExplorer.hosting.interfaces'); });
      return undefined;
    }
    let device: HostedDevice;
    let name = where;
    const { DefinitionError, HostedDevice } = deviceLib();
    try {
      device = await HostedDevice.start(folder, {
        interfaces,
        hostname: os.hostname(),
        user: safeUser(),
        log: (entry) => {
          this.log.write(name, entry);
          this.tree.touch();
        },
      });
    } catch (err) {
      if (err instanceof DefinitionError) {
        await this.diagnostics.publish(folder, err.problems);
        const errors = err.problems.filter((p) => p.severity === 'error');
        const first = errors[0];
        const message = `Could not host ${where}: ${errors.length === 1 ? 'the definition has an error' : `the definition has ${errors.length} errors`}${first ? ` (${first.file}: ${first.message})` : ''}.`;
        this.log.warn(message);
        if (!quiet) void showError(message, 'Show Problems').then((c) => { if (c) void vscode.commands.executeCommand('workbench.actions.view.problems'); });
      } else {
        const message = `Could not host ${where}: ${errorMessage(err)}`;
        this.log.warn(message);
        if (!quiet) void showError(message, 'Show Host Log').then((c) => { if (c) this.log.channel.show(true); });
      }
      return undefined;
    }
    name = oneLine(device.friendlyName, 80);
    await this.diagnostics.publish(folder, device.warnings);
    this.running.set(folder, device);
    await this.remember();
    const announced = device.ssdp.interfaces.map(({ iface }) => `${iface.name} ${iface.address}`).join(', ');
    this.log.info(`Hosting "${name}" from ${where} (${device.identity.udn}, ${device.identity.source === 'created' ? 'a new identity, kept in the folder' : device.identity.source === 'kept' ? 'its kept identity' : 'the identity in the manifest'}) on ${announced}: LOCATION ${[...new Set(device.ssdp.interfaces.map(({ iface }) => device.locationFor(iface.address)))].join(' ')}`);
    for (const p of device.ssdp.problems) this.log.warn(`[${name}] ${p}`);
    this.tree.refresh();
    if (!quiet) {
      void vscode.commands.executeCommand('upnpExplorer.hosted.focus').then(() => this.tree.view.reveal(this.tree.nodeOf(device), { expand: true, focus: false, select: false }), () => undefined);
      void showInfo(`Hosting "${name}" on ${announced}.`, 'Show Host Log', 'Stop Hosting').then((c) => {
        if (c === 'Show Host Log') this.log.channel.show(true);
        if (c === 'Stop Hosting') void this.stopDevice(device);
      });
    }
    return device;
  }

  private async folderOf(arg: unknown): Promise<string | undefined> {
    const given = arg instanceof vscode.Uri ? arg.fsPath : typeof arg === 'string' ? arg : undefined;
    if (given) {
      try {
        return (await stat(given)).isDirectory() ? given : path.dirname(given);
      } catch {
        void showError(`${given} does not exist.`);
        return undefined;
      }
    }
    await this.scan();
    const browse = { label: '$(folder-opened) Browse…', folder: undefined as string | undefined };
    const items = [
      ...this.definitionFolders.filter((f) => !this.running.has(f)).map((f) => ({ label: vscode.workspace.asRelativePath(f), description: f, folder: f as string | undefined })),
      browse,
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Host Device', placeHolder: 'A folder holding upnp-device.json (or a device description)' });
    if (!picked) return undefined;
    if (picked.folder) return picked.folder;
    const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Host This Device', title: 'Device definition folder' });
    return chosen?.[0]?.fsPath;
  }

  // ---- Stop Hosting ----

  private async stop(node?: HostedNode): Promise<void> {
    const device = node?.device ?? await this.pickRunning('Stop Hosting');
    if (device) await this.stopDevice(device);
  }

  private async stopDevice(device: HostedDevice): Promise<void> {
    const folder = [...this.running].find(([, d]) => d === device)?.[0];
    if (folder === undefined) return;
    this.running.delete(folder);
    this.tree.refresh();
    const where = device.ssdp.interfaces.map(({ iface }) => iface.name).join(', ');
    try {
      await device.stop();
      this.log.info(`Stopped hosting "${oneLine(device.friendlyName, 80)}" (byebye sent on ${where || 'no interface'}).`);
    } catch (err) {
      this.log.warn(`Stopping "${oneLine(device.friendlyName, 80)}": ${errorMessage(err)}`);
    }
    await this.remember();
  }

  private async pickRunning(title: string): Promise<HostedDevice | undefined> {
    const all = [...this.running.values()];
    if (all.length === 0) {
      void showInfo('No device is hosted.');
      return undefined;
    }
    if (all.length === 1) return all[0];
    const picked = await vscode.window.showQuickPick(all.map((d) => ({ label: oneLine(d.friendlyName, 120), description: vscode.workspace.asRelativePath(d.folder), device: d })), { title });
    return picked?.device;
  }

  // ---- Emit Event… ----

  private async emitEvent(node?: HostedNode): Promise<void> {
    const device = node?.device ?? await this.pickRunning('Emit Event');
    if (!device) return;
    const choices = device.definition.services.flatMap((s) => s.scpd.stateVariables.filter((v) => v.sendEvents).map((v) => ({
      label: v.name,
      description: `= ${oneLine(device.http.value(s.description.serviceId, v.name) ?? '', 60)}`,
      detail: `${s.description.serviceId} · ${v.dataType}${v.allowedValues?.length ? ` · one of ${v.allowedValues.join(', ')}` : ''} · ${device.http.subscriberCount(s.description.serviceId)} subscriber(s)`,
      service: s,
      variable: v,
    })));
    if (choices.length === 0) {
      void showInfo(`"${device.friendlyName}" has no evented state variable (sendEvents="yes").`);
      return;
    }
    const picked = choices.length === 1 ? choices[0] : await vscode.window.showQuickPick(choices, { title: `Emit Event from ${oneLine(device.friendlyName, 60)}`, placeHolder: 'The evented state variable to change', matchOnDetail: true });
    if (!picked) return;
    const serviceId = picked.service.description.serviceId;
    const value = await vscode.window.showInputBox({
      title: `Emit Event: ${picked.variable.name}`,
      prompt: `New value of ${picked.variable.name} (${picked.variable.dataType}); every subscriber of ${serviceId} is notified with its next SEQ.`,
      value: device.http.value(serviceId, picked.variable.name) ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => { const r = validateValue(v, picked.variable); return r.ok ? undefined : r.message; },
    });
    if (value === undefined) return;
    try {
      const delivered = await device.http.emit(serviceId, picked.variable.name, value);
      const subscribers = device.http.subscriberCount(serviceId);
      this.tree.touch();
      void showInfo(subscribers === 0
        ? `${picked.variable.name} = ${value}. No one is subscribed to ${serviceId}: new subscribers get it in their initial event.`
        : `${picked.variable.name} = ${value}: notified ${delivered} of ${subscribers} subscriber${subscribers === 1 ? '' : 's'}.`);
    } catch (err) {
      void showError(`Could not emit ${picked.variable.name}: ${errorMessage(err)}`);
    }
  }

  // ---- small commands ----

  private async copyLocation(node?: HostedNode): Promise<void> {
    const device = node?.device ?? await this.pickRunning('Copy LOCATION');
    if (!device) return;
    const location = node?.kind === 'interface' ? node.location : device.http.location;
    await vscode.env.clipboard.writeText(location);
    void vscode.window.setStatusBarMessage(`Copied ${location}`, 3000);
  }

  private async revealFolder(node?: HostedNode): Promise<void> {
    const device = node?.device ?? await this.pickRunning('Reveal Folder');
    if (device) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(device.folder));
  }

  // ---- trust, definitions in the workspace, Problems on save, restore ----

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void showWarning('Hosting a device serves files of this workspace on the network, so it needs a trusted workspace.', 'Manage Workspace Trust').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  private scheduleScan(delayMs = 1500): void {
    if (this.scanTimer) clearTimeout(this.scanTimer);
    this.scanTimer = setTimeout(() => { this.scanTimer = undefined; void this.scan(); }, delayMs);
  }

  /** Finds the definition folders of the workspace, for the Explorer's "Host Device" and the picker. */
  private async scan(): Promise<void> {
    if (!vscode.workspace.isTrusted || this.isDisposed) return;
    let manifests: vscode.Uri[] = [];
    try {
      manifests = await vscode.workspace.findFiles(`**/${MANIFEST_FILE}`, '**/node_modules/**', MAX_DEFINITIONS);
    } catch {
      return;
    }
    this.definitionFolders = manifests.filter((u) => u.scheme === 'file').map((u) => path.dirname(u.fsPath)).sort();
    const hostable: string[] = [];
    for (const folder of this.definitionFolders) {
      hostable.push(folder, path.join(folder, MANIFEST_FILE));
      try {
        const raw = Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.file(path.join(folder, MANIFEST_FILE)))).toString('utf8');
        hostable.push(path.join(folder, ...deviceLib().readManifest(JSON.parse(raw)).manifest.description.split('/')));
      } catch {
        hostable.push(path.join(folder, 'description.xml'));
      }
    }
    await vscode.commands.executeCommand('setContext', 'upnpExplorer.hostableResources', hostable);
  }

  private checkSaved(doc: vscode.TextDocument): void {
    if (doc.uri.scheme !== 'file' || !vscode.workspace.isTrusted) return;
    const folder = this.definitionFolders.filter((f) => isInside(doc.uri.fsPath, f)).sort((a, b) => b.length - a.length)[0];
    if (!folder) {
      if (path.basename(doc.uri.fsPath) === MANIFEST_FILE) this.scheduleScan(0);
      return;
    }
    void deviceLib().loadDeviceDefinition(folder).then((loaded) => this.diagnostics.publish(folder, loaded.problems));
    const device = this.running.get(folder);
    if (device) {
      void showInfo(`"${oneLine(device.friendlyName, 80)}" is hosted from the definition as it was at start; restart it to serve the change.`, 'Restart').then(async (c) => {
        if (c !== 'Restart' || this.running.get(folder) !== device) return;
        await this.stopDevice(device);
        await this.host(folder);
      });
    }
  }

  private async remember(): Promise<void> {
    await this.context.workspaceState.update(STATE_KEY, [...this.running.keys()]);
  }

  private async restore(): Promise<void> {
    if (!vscode.workspace.isTrusted || this.isDisposed) return;
    const settings = readHostingSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
    if (!settings.restoreOnStartup) return;
    const folders = this.context.workspaceState.get<unknown>(STATE_KEY);
    if (!Array.isArray(folders)) return;
    for (const folder of folders.filter((f): f is string => typeof f === 'string')) {
      if (this.running.has(folder) || !vscode.workspace.getWorkspaceFolder(vscode.Uri.file(folder))) continue;
      this.log.info(`Hosting ${vscode.workspace.asRelativePath(folder)} again (upnpExplorer.hosting.restoreOnStartup).`);
      await this.start(folder, true);
    }
  }
}

/** A folder name from a device name: letters, digits and dashes. */
function slug(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'device';
}

function isInside(file: string, folder: string): boolean {
  const rel = path.relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

async function isEmptyDir(p: string): Promise<boolean> {
  try {
    return (await readdir(p)).length === 0;
  } catch {
    return false;
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'user';
  }
}
