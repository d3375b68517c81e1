// Read-only editors for BrowseMetadata results, under the `upnp-didl:` scheme: the DIDL-Lite as the
// server sent it, indented for reading. Kept in memory (bounded), since the object may be gone by
// the time an editor is restored.
import * as vscode from 'vscode';
import { prettyXml } from '../../core/xml/pretty';

export const DIDL_SCHEME = 'upnp-didl';
const MAX_DOCUMENTS = 50;

export class MetadataDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly documents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly registration: vscode.Disposable;
  private counter = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(DIDL_SCHEME, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.documents.get(uri.toString()) ?? '<!-- This metadata is no longer in memory: run Show Metadata again. -->\n';
  }

  /** Opens `xml` in a read-only XML editor titled after the object. */
  async open(title: string, objectId: string, xml: string): Promise<void> {
    const name = `${title.replace(/[^\p{L}\p{N} ._-]+/gu, '_').trim().slice(0, 60) || 'object'}.didl.xml`;
    const uri = vscode.Uri.from({ scheme: DIDL_SCHEME, path: `/${name}`, query: new URLSearchParams({ id: objectId, n: String(++this.counter) }).toString() });
    this.documents.set(uri.toString(), (await prettyXml(xml)) ?? xml);
    while (this.documents.size > MAX_DOCUMENTS) this.documents.delete(this.documents.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    const shown = doc.languageId === 'xml' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'xml');
    await vscode.window.showTextDocument(shown, { preview: true, viewColumn: vscode.ViewColumn.Active });
  }

  dispose(): void {
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.documents.clear();
  }
}
