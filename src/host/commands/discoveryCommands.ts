// View-level commands: Search for Devices, Stop Search, Add Device by URL…, Show Log.
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import { showError } from '../text/notify';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveryController } from '../discovery';
import { sentence } from '../discovery';
import type { DevicesTreeProvider } from '../tree/devicesTreeProvider';
import { deviceLabel } from '../text/labels';
import { validateDescriptionUrl } from '../urls';

export class DiscoveryCommands extends Feature {

  constructor(
    private readonly explorer: UpnpExplorer,
    private readonly discovery: DiscoveryController,
    private readonly tree: DevicesTreeProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this.disposables.push(
      vscode.commands.registerCommand('upnpExplorer.search', async () => { await this.discovery.search(); }),
      vscode.commands.registerCommand('upnpExplorer.cancelSearch', () => this.discovery.cancelSearch()),
      vscode.commands.registerCommand('upnpExplorer.addDeviceByUrl', (url?: unknown) => this.addDeviceByUrl(typeof url === 'string' ? url : undefined)),
      vscode.commands.registerCommand('upnpExplorer.showLog', () => this.log.show()),
    );
  }


  /** Also callable with the URL as argument (tests, other extensions): then no input box. */
  private async addDeviceByUrl(given?: string): Promise<void> {
    const input = given ?? await vscode.window.showInputBox({
      title: 'Add Device by URL',
      prompt: 'URL of the device description (the LOCATION of its SSDP announcement)',
      placeHolder: 'http://192.168.1.20:49152/description.xml',
      ignoreFocusOut: true,
      validateInput: validateDescriptionUrl,
    });
    if (input === undefined) return;
    const url = input.trim();
    const invalid = validateDescriptionUrl(url);
    if (invalid) {
      void showError(invalid);
      return;
    }
    let device;
    try {
      device = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Fetching the device description from ${url}…` },
        () => this.explorer.addByUrl(url),
      );
    } catch (err) {
      void showError(`Could not add ${url}: ${sentence(errorMessage(err))}`);
      return;
    }
    if (device.status === 'error') {
      // One outcome: a device that could not be described is not added (no error row, no badge);
      // the message says why, and Try Again asks for the URL once more.
      if (device.source === 'manual') this.explorer.remove(device.key);
      this.log.warn(`Did not add ${url}: ${device.error ?? 'it could not be described'}`);
      const tryAgain = 'Try Again';
      const showLog = 'Show Log';
      const choice = await showError(`Could not add the device: ${sentence(device.error ?? `${url} could not be described`)}`, tryAgain, showLog);
      if (choice === tryAgain) await this.addDeviceByUrl();
      else if (choice === showLog) this.log.show();
      return;
    }
    this.log.info(`Added ${url} as "${deviceLabel(device)}".`);
    await this.tree.revealDevice(device.key).catch((err: unknown) => this.log.warn(`Could not reveal ${device.key}: ${errorMessage(err)}`));
  }
}
