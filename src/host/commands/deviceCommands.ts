// Commands on tree rows (context menus): copy identifiers, open the raw XML, open the
// presentation page, refresh or remove a device. Invoked from a keybinding or the palette they
// act on the view's selection.
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import { showError, showInfo } from '../text/notify';
import { pickText } from '../../core/util/text';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { DeviceIconCache } from '../iconCache';
import type { DevicesTreeProvider } from '../tree/devicesTreeProvider';
import { DEVICES_VIEW_ID } from '../tree/devicesTreeProvider';
import { deviceLabel } from '../text/labels';
import type { DeviceNode, TreeNode } from '../tree/nodes';
import { isOpenableWebUrl } from '../urls';
import type { XmlDocumentProvider } from '../xmlDocumentProvider';
import { sentence } from '../discovery';

export class DeviceCommands extends Feature {

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly tree: DevicesTreeProvider,
    private readonly xml: XmlDocumentProvider,
    private readonly icons: DeviceIconCache,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    const register = (id: string, run: (node: TreeNode) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, (arg?: unknown) => {
        const node = isTreeNode(arg) ? arg : this.tree.view.selection[0];
        if (!node) {
          void showInfo('Select a device or service in the UPnP Devices view first.');
          return undefined;
        }
        return run(node);
      });
    this.disposables.push(
      register('upnpExplorer.copyLocation', (n) => copy('LOCATION', this.latest(n).location)),
      register('upnpExplorer.copyUdn', (n) => copy('UDN', deviceUdn(n))),
      register('upnpExplorer.copyUsn', (n) => this.copyUsn(this.latest(n))),
      register('upnpExplorer.copyDeviceType', (n) => copy('device type', deviceOf(n)?.description?.deviceType)),
      register('upnpExplorer.copyServiceType', (n) => copy('service type', serviceOf(n)?.description.serviceType)),
      register('upnpExplorer.openDescription', (n) => this.xml.open(this.latest(n))),
      register('upnpExplorer.openScpd', (n) => {
        const service = serviceOf(n);
        return service ? this.xml.open(this.latest(n), this.latestService(n, service)) : undefined;
      }),
      register('upnpExplorer.openPresentationPage', (n) => this.openPresentationPage(n)),
      register('upnpExplorer.refreshDevice', (n) => this.refresh(this.latest(n))),
      register('upnpExplorer.removeDevice', (n) => {
        this.explorer.remove(n.device.key);
        this.log.info(`Removed ${deviceLabel(n.device)} (${n.device.location}) from the list.`);
      }),
    );
  }


  /** Rows are snapshots; act on what the registry knows now. */
  private latest(node: TreeNode): DiscoveredDevice {
    return this.explorer.get(node.device.key) ?? node.device;
  }

  private latestService(node: TreeNode, service: ServiceState): ServiceState {
    return this.latest(node).services.find((s) => s.key === service.key) ?? service;
  }

  private async copyUsn(device: DiscoveredDevice): Promise<void> {
    if (device.usns.length <= 1) return copy('USN', device.usns[0]);
    const items = device.usns.map((usn) => ({ label: pickText(usn), usn }));
    const picked = await vscode.window.showQuickPick(items, { title: `Copy USN of ${deviceLabel(device)}`, placeHolder: 'This device announced several USNs' });
    if (picked) await copy('USN', picked.usn);
  }

  private async openPresentationPage(node: TreeNode): Promise<void> {
    const url = deviceOf(node)?.description?.presentationUrl;
    // Device-supplied: only ever open http(s) in the browser, never command:, file: or the like.
    if (!isOpenableWebUrl(url)) {
      void showInfo('This device has no http(s) presentation page.');
      return;
    }
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  private async refresh(device: DiscoveredDevice): Promise<void> {
    this.icons.forgetFailures();
    try {
      await vscode.window.withProgress(
        { location: { viewId: DEVICES_VIEW_ID }, title: `Refreshing ${deviceLabel(device)}` },
        () => this.explorer.refresh(device.key),
      );
    } catch (err) {
      void showError(`Could not refresh ${deviceLabel(device)}: ${sentence(errorMessage(err))}`);
      return;
    }
    const after = this.explorer.get(device.key);
    if (after?.status === 'error') {
      const showLog = 'Show Log';
      const choice = await showError(`${deviceLabel(after)}: ${sentence(after.error ?? 'unknown error')}`, showLog);
      if (choice === showLog) this.log.show();
    }
  }
}

async function copy(what: string, value: string | undefined): Promise<void> {
  if (!value) {
    void showInfo(`No ${what} known for this item.`);
    return;
  }
  await vscode.env.clipboard.writeText(value);
  vscode.window.setStatusBarMessage(`$(copy) Copied ${what}`, 3000);
}

function isTreeNode(value: unknown): value is TreeNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'id' in value && 'device' in value;
}

/** The (root or embedded) device a row belongs to. */
function deviceOf(node: TreeNode | undefined): DeviceNode | undefined {
  for (let n = node; n; n = n.parent) if (n.kind === 'device') return n;
  return undefined;
}

function serviceOf(node: TreeNode): ServiceState | undefined {
  for (let n: TreeNode | undefined = node; n; n = n.parent) if ('service' in n) return n.service;
  return undefined;
}

function deviceUdn(node: TreeNode): string | undefined {
  const d = deviceOf(node);
  if (!d) return undefined;
  return d.description?.udn ?? (d.isRoot ? d.device.udn : undefined);
}
