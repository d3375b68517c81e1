// Media browsing, wired as one feature: the Content rows of the Devices tree, their commands and
// the thumbnails grid, with the `upnpExplorer.browse.*` settings and the vendor Browse arguments
// saved by the action form.
import { Feature } from '../feature';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../../core/explorer';
import type { DiscoveredDevice, ServiceState } from '../../core/registry/types';
import type { SoapExtraArg } from '../../core/soap/envelope';
import { CONFIG_SECTION } from '../settings';
import type { TreeNode } from '../tree/nodes';
import { ContentCommands } from './contentCommands';
import { ContentTree } from './contentTree';
import { browseExtraArgs, extraArgsFromSetting, pageSizeFrom } from './format';
import { ACTION_FORM_VALUES_KEY, deviceIdOf, rememberedExtraArgs } from '../actions/rememberedForms';

export class ContentFeature extends Feature {
  readonly tree: ContentTree;
  readonly commands: ContentCommands;

  constructor(
    explorer: UpnpExplorer,
    context: vscode.ExtensionContext,
    httpTimeoutMs: () => number,
    /** The Devices view's selection, for commands run from a keybinding or the palette. */
    selection: () => readonly TreeNode[],
    /** "UPnP Results", shared with the action form: the decoded DIDL-Lite of every Browse. */
    results: vscode.OutputChannel,
  ) {
    super();
    const pageSize = (): number => pageSizeFrom(vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('browse.pageSize'));
    const extraArgs = (device: DiscoveredDevice, service: ServiceState): SoapExtraArg[] => {
      const udn = device.udn ?? device.description?.device.udn;
      const saved = rememberedExtraArgs(context.workspaceState.get<unknown>(ACTION_FORM_VALUES_KEY), { deviceId: deviceIdOf(device), serviceKey: service.key, actionName: 'Browse' });
      const configured = extraArgsFromSetting(vscode.workspace.getConfiguration(CONFIG_SECTION).get<unknown>('browse.extraArguments'), udn);
      return browseExtraArgs(saved, configured);
    };
    this.tree = new ContentTree(explorer, results, { httpTimeoutMs, pageSize, extraArgs });
    this.commands = new ContentCommands(this.tree, selection, results, context.extensionUri, httpTimeoutMs, pageSize);
    this.disposables.push(this.tree, this.commands);
  }
}
