// Read-only editors showing the XML exactly as a device sent it (its description, or one SCPD),
// under the `upnp-xml:` scheme. Content is looked up in the explorer on every read, so "Refresh
// Device" updates open editors.
import { Feature } from './feature';
import * as vscode from 'vscode';
import type { UpnpExplorer } from '../core/explorer';
import type { DiscoveredDevice, ServiceState } from '../core/registry/types';
import { deviceLabel } from './text/labels';

export const XML_SCHEME = 'upnp-xml';

export class XmlDocumentProvider extends Feature implements vscode.TextDocumentContentProvider {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;

  constructor(private readonly explorer: UpnpExplorer) {
    super();
    this.disposables.push(
      this.changeEmitter,
      vscode.workspace.registerTextDocumentContentProvider(XML_SCHEME, this),
      explorer.onDidChangeDevice((device) => this.deviceChanged(device.key)),
      explorer.onDidRemoveDevice(({ device }) => this.deviceChanged(device.key)),
    );
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const { deviceKey, serviceKey } = parseXmlUri(uri);
    const device = deviceKey ? this.explorer.get(deviceKey) : undefined;
    if (!device) return xmlComment('This device is no longer in the UPnP Devices list.');
    if (serviceKey === undefined) {
      return device.descriptionXml ?? xmlComment(`No description received from ${device.location}${device.error ? `: ${device.error}` : '.'}`);
    }
    const service = device.services.find((s) => s.key === serviceKey);
    if (!service) return xmlComment('This service is no longer part of the device.');
    return service.scpdXml ?? xmlComment(`No SCPD received from ${service.description.scpdUrl || '(no SCPDURL)'}${service.scpdError ? `: ${service.scpdError}` : '.'}`);
  }

  /** Opens the description (no service) or a service's SCPD in a read-only XML editor. */
  async open(device: DiscoveredDevice, service?: ServiceState): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(xmlUri(device, service));
    const shown = doc.languageId === 'xml' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'xml');
    await vscode.window.showTextDocument(shown, { preview: true });
  }


  private deviceChanged(key: string): void {
    for (const doc of vscode.workspace.textDocuments) {
      if (doc.uri.scheme === XML_SCHEME && parseXmlUri(doc.uri).deviceKey === key) this.changeEmitter.fire(doc.uri);
    }
  }
}

/** `upnp-xml:/<device>/<device> — description.xml?device=<key>` or `…/<device> — <Service-1>.scpd.xml?device=…&service=…`. */
export function xmlUri(device: DiscoveredDevice, service?: ServiceState): vscode.Uri {
  const folder = safeSegment(deviceLabel(device));
  const params = new URLSearchParams({ device: device.key });
  // The tab shows the file name: it names the device, so two open descriptions can be told apart.
  let file = `${folder} — description.xml`;
  if (service) {
    params.set('service', service.key);
    file = `${folder} — ${safeSegment(service.description.serviceType.split(':').slice(-2).join('-'))}.scpd.xml`;
  }
  return vscode.Uri.from({ scheme: XML_SCHEME, path: `/${folder}/${file}`, query: params.toString() });
}

function parseXmlUri(uri: vscode.Uri): { deviceKey?: string; serviceKey?: string } {
  const params = new URLSearchParams(uri.query);
  return { deviceKey: params.get('device') ?? undefined, serviceKey: params.get('service') ?? undefined };
}

function safeSegment(text: string): string {
  return text.replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim().slice(0, 60) || 'device';
}

function xmlComment(text: string): string {
  // "--" may not appear inside an XML comment.
  return `<!-- ${text.replace(/--/g, '- -')} -->\n`;
}
