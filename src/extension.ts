// Entry point: builds the explorer and wires one Disposable per feature. Nothing else lives here.
import * as vscode from 'vscode';
import { UpnpExplorer } from './core/explorer';
import { ActionCommands } from './host/actions/actionCommands';
import { DeviceCommands } from './host/commands/deviceCommands';
import { DiscoveryCommands } from './host/commands/discoveryCommands';
import { ContentFeature } from './host/content/contentFeature';
import { DiscoveryController } from './host/discovery';
import { EventCommands } from './host/events/eventCommands';
import { EventsController } from './host/events/eventsController';
import { DeviceIconCache } from './host/iconCache';
import { CONFIG_SECTION, readHostSettings } from './host/settings';
import { DetailsView } from './host/details/detailsView';
import { DevicesTreeProvider } from './host/tree/devicesTreeProvider';
import { XmlDocumentProvider } from './host/xmlDocumentProvider';
import { HostingFeature } from './host/hosting/hostingFeature';
import { PlayToFeature } from './host/playTo/playToFeature';
import { ValidateFeature } from './host/validate/validateFeature';
import { TrafficView } from './host/traffic/trafficView';
import { honestChannel } from './host/text/honestChannel';

let explorer: UpnpExplorer | undefined;
let events: EventsController | undefined;
let hosting: HostingFeature | undefined;

export function activate(context: vscode.ExtensionContext): void {
  // Device strings reach these channels: every line is written as one honest line.
  const log = honestChannel(vscode.window.createOutputChannel('UPnP', { log: true }));
  // Decoded DIDL-Lite from invoked actions and from browsing the content tree.
  const results = honestChannel(vscode.window.createOutputChannel('UPnP Results'));
  context.subscriptions.push(log, results);

  const settings = readHostSettings(vscode.workspace.getConfiguration(CONFIG_SECTION));
  // The LogOutputChannel is the core's Logger: levels are set from the channel's own menu.
  const upnp = new UpnpExplorer(settings.explorer, log);
  explorer = upnp;

  const discovery = new DiscoveryController(upnp, log);
  const icons = new DeviceIconCache(vscode.Uri.joinPath(context.globalStorageUri, 'icons'), log, () => discovery.settings.explorer.httpTimeoutMs);
  const gena = new EventsController(upnp, log);
  events = gena;
  // The selection getter runs only when a command does, after `tree` exists.
  const content: ContentFeature = new ContentFeature(upnp, context, () => discovery.settings.explorer.httpTimeoutMs, () => tree.view.selection, results);
  const tree: DevicesTreeProvider = new DevicesTreeProvider(upnp, icons, gena, content.tree);
  const xml = new XmlDocumentProvider(upnp);
  discovery.watchVisibility(tree.view);
  const actions = new ActionCommands(upnp, context, () => discovery.settings.explorer.httpTimeoutMs, results);
  const traffic = new TrafficView(upnp, async (udn) => {
    const device = upnp.devices.find((d) => d.udn?.toLowerCase() === udn.toLowerCase());
    if (!device) return false;
    await tree.revealDevice(device.key);
    return true;
  });
  context.subscriptions.push(
    discovery,
    icons,
    tree,
    xml,
    new DiscoveryCommands(upnp, discovery, tree, log),
    new DeviceCommands(upnp, tree, xml, icons, log),
    actions,
    gena,
    new EventCommands(upnp, gena, tree),
    content,
    new DetailsView(upnp, tree.view, gena, context.extensionUri),
    traffic,
    new ValidateFeature(upnp, () => discovery.settings.explorer.httpTimeoutMs, () => tree.view.selection, () => traffic.records),
    new PlayToFeature(upnp, gena, actions, content.commands, context.extensionUri, () => discovery.settings.explorer.httpTimeoutMs, () => tree.view.selection),
  );
  // The device side: nothing is hosted until the user asks (or asked, with restoreOnStartup).
  hosting = new HostingFeature(context, upnp, () => discovery.settings.explorer.httpTimeoutMs, () => tree.view.selection);
  context.subscriptions.push(hosting);

  // Not awaited: activation must not wait for the MX window; failures are reported by the controller.
  void discovery.startUp();
}

/**
 * VS Code waits for the returned promise: every subscription gets its UNSUBSCRIBE and every
 * hosted device sends byebye (each bounded, 2 s).
 */
export function deactivate(): Promise<void> | undefined {
  const closing = [events?.close(), hosting?.stopAll()].filter((p): p is Promise<void> => p !== undefined);
  events = undefined;
  hosting = undefined;
  explorer?.dispose();
  explorer = undefined;
  return closing.length > 0 ? Promise.all(closing).then(() => undefined) : undefined;
}
