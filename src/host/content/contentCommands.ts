// Commands on Content rows: Refresh, Show Metadata (decoded lines + the DIDL-Lite in an editor),
// Download… (pick a resource, save dialog, cancellable progress, written whole or not at all),
// Delete… (DestroyObject behind a modal confirmation) and Show Thumbnails (the grid webview).
import { Feature } from '../feature';
import { errorMessage } from '../../core/util/errors';
import { showError, showInfo, showWarning } from '../text/notify';
import { oneLine, pickText } from '../../core/util/text';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DidlObject, DidlResource } from '../../core/av/didl';
import { didlObjectLines } from '../../core/av/didl';
import { downloadToFile } from '../../core/av/download';
import { describeResource, formatSize, resourceLabel } from '../../core/av/resources';
import type { TreeNode } from '../tree/nodes';
import { deviceLabel } from '../text/labels';
import type { ContentNode } from './contentNodes';
import { containerIdOf, isContentNode, objectOf } from './contentNodes';
import type { ContentTree } from './contentTree';
import { canDelete, contentLabel, defaultFileName } from './format';
import { MetadataDocuments } from './metadataDocuments';
import { ThumbnailsPanels } from './thumbnailsPanel';
import type { TileAction } from '../../protocol/thumbnails';
import { isTileContext } from '../../protocol/thumbnails';

export const CONTENT_COMMANDS = {
  refresh: 'upnpExplorer.content.refresh',
  showMetadata: 'upnpExplorer.content.showMetadata',
  download: 'upnpExplorer.content.download',
  delete: 'upnpExplorer.content.delete',
  showThumbnails: 'upnpExplorer.content.showThumbnails',
  copyUrl: 'upnpExplorer.content.copyUrl',
} as const;

/** The command a thumbnail tile's action runs. */
const TILE_COMMANDS: Record<TileAction, string> = {
  download: CONTENT_COMMANDS.download,
  metadata: CONTENT_COMMANDS.showMetadata,
  delete: CONTENT_COMMANDS.delete,
  copyUrl: CONTENT_COMMANDS.copyUrl,
};

export class ContentCommands extends Feature {
  private readonly documents = new MetadataDocuments();
  private readonly thumbnails: ThumbnailsPanels;
  /** Where the last download went: the next save dialog starts there. */
  private lastFolder: vscode.Uri | undefined;

  constructor(
    private readonly tree: ContentTree,
    private readonly selection: () => readonly TreeNode[],
    private readonly results: vscode.OutputChannel,
    extensionUri: vscode.Uri,
    private readonly httpTimeoutMs: () => number,
    pageSize: () => number,
  ) {
    super();
    this.thumbnails = new ThumbnailsPanels(tree, extensionUri, httpTimeoutMs, pageSize,
      (row, action) => vscode.commands.executeCommand(TILE_COMMANDS[action], row));
    const register = (id: string, run: (node: ContentNode) => unknown): vscode.Disposable =>
      vscode.commands.registerCommand(id, (arg?: unknown) => {
        const node = this.resolveNode(arg);
        return node ? run(node) : undefined;
      });
    this.disposables.push(
      this.documents,
      this.thumbnails,
      // An open grid follows a deletion made from the tree.
      tree.onDidRemoveObject((e) => this.thumbnails.objectRemoved(e.containerRowId, e.objectId)),
      register(CONTENT_COMMANDS.refresh, (n) => this.tree.refresh(n)),
      register(CONTENT_COMMANDS.showMetadata, (n) => this.showMetadata(n)),
      register(CONTENT_COMMANDS.download, (n) => this.download(n)),
      register(CONTENT_COMMANDS.delete, (n) => this.delete(n)),
      register(CONTENT_COMMANDS.showThumbnails, (n) => this.thumbnails.open(n)),
      register(CONTENT_COMMANDS.copyUrl, (n) => this.copyUrl(n)),
    );
  }


  /**
   * The Content row a command is for: a row of the tree, a tile of a thumbnails grid (its context
   * menu), or the selection; undefined (the user is told why) when there is none.
   */
  resolveNode(arg: unknown): ContentNode | undefined {
    if (isTileContext(arg)) {
      const row = this.thumbnails.rowFor(arg.panel, arg.tileKey);
      if (!row) void showInfo('That item is no longer in the thumbnails grid.');
      return row;
    }
    const node = isContentNode(arg) ? arg : this.selection().find(isContentNode);
    if (!node) void showInfo('Select an item or folder under Content in the UPnP Devices view first.');
    return node;
  }

  private async showMetadata(node: ContentNode): Promise<void> {
    const object = objectOf(node);
    const id = object?.id ?? containerIdOf(node);
    if (id === undefined) return;
    const client = this.tree.clientFor(node);
    if (typeof client === 'string') {
      void showError(client);
      return;
    }
    const title = object ? contentLabel(object) : 'Content';
    let result;
    try {
      result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `BrowseMetadata ${title}` },
        () => client.browseMetadata(id),
      );
    } catch (err) {
      void showError(`Could not read the metadata of "${title}": ${errorMessage(err)}`);
      return;
    }
    const c = this.results;
    c.appendLine(`${new Date().toLocaleTimeString()} BrowseMetadata ${deviceLabel(node.device)} › ${title} (ObjectID ${id})`);
    if (result.object) for (const line of didlObjectLines(result.object)) c.appendLine(`  ${line}`);
    else c.appendLine('  (the server returned no object)');
    c.appendLine('');
    c.show(true);
    await this.documents.open(title, id, result.resultXml);
  }

  private async download(node: ContentNode): Promise<void> {
    const object = objectOf(node);
    if (!object) return;
    const title = contentLabel(object);
    if (object.resources.length === 0) {
      void showInfo(`"${title}" has no resource to download.`);
      return;
    }
    const resource = await this.pickResource(object, `Download "${oneLine(title, 100)}"`);
    if (!resource) return;
    const fileName = defaultFileName(object, resource);
    const folder = this.lastFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(folder, fileName),
      title: `Download ${resourceLabel(resource)} of "${title}"`,
      saveLabel: 'Download',
    });
    if (!target) return;
    if (target.scheme !== 'file') {
      void showError(`Downloads can only be saved to a local folder, not ${target.scheme}: locations.`);
      return;
    }
    this.lastFolder = vscode.Uri.file(path.dirname(target.fsPath));
    const name = path.basename(target.fsPath);
    const controller = new AbortController();
    let outcome: { bytes: number } | undefined;
    try {
      outcome = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Downloading ${name}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let shownPercent = 0;
          return downloadToFile(resource.uri, target.fsPath, {
            signal: controller.signal,
            timeoutMs: this.httpTimeoutMs(),
            expectedSize: resource.size,
            onProgress: (p) => {
              const total = p.total ?? resource.size;
              const percent = total ? Math.min(100, (100 * p.bytes) / total) : 0;
              progress.report({
                increment: percent - shownPercent,
                message: total ? `${formatSize(p.bytes)} of ${formatSize(total)}` : formatSize(p.bytes),
              });
              shownPercent = percent;
            },
          });
        },
      );
    } catch (err) {
      if (controller.signal.aborted) {
        void showInfo(`Download of ${name} cancelled; nothing was written.`);
      } else {
        void showError(`Could not download "${title}" (${resourceLabel(resource)}): ${errorMessage(err)}`);
      }
      return;
    }
    this.results.appendLine(`${new Date().toLocaleTimeString()} Downloaded ${resource.uri} → ${target.fsPath} (${formatSize(outcome.bytes)})`);
    await this.offerOpen(target, name, outcome.bytes);
  }

  /** Copies the URL of one of the item's resources (which one, when it has several). */
  private async copyUrl(node: ContentNode): Promise<void> {
    const object = objectOf(node);
    if (!object) return;
    const title = contentLabel(object);
    if (object.resources.length === 0) {
      void showInfo(`"${title}" has no resource, so no URL to copy.`);
      return;
    }
    const resource = await this.pickResource(object, `Copy the URL of "${oneLine(title, 100)}"`);
    if (!resource) return;
    await vscode.env.clipboard.writeText(resource.uri);
    vscode.window.setStatusBarMessage(`$(copy) Copied the URL of ${resourceLabel(resource)} of "${oneLine(title, 60)}"`, 5000);
  }

  private async pickResource(object: DidlObject, title: string): Promise<DidlResource | undefined> {
    if (object.resources.length === 1) return object.resources[0];
    type Item = vscode.QuickPickItem & { resource: DidlResource };
    const items: Item[] = object.resources.map((r) => ({
      label: pickText(capitalize(resourceLabel(r))),
      description: pickText(describeResource(r)),
      detail: pickText(r.uri),
      resource: r,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Which version? (original, large, thumbnail…)',
      matchOnDescription: true,
    });
    return picked?.resource;
  }

  private async offerOpen(target: vscode.Uri, name: string, bytes: number): Promise<void> {
    const actions: string[] = ['Open'];
    // The OS file manager only exists where the extension runs next to the user's desktop.
    const local = vscode.env.remoteName === undefined && vscode.env.uiKind === vscode.UIKind.Desktop;
    const inWorkspace = vscode.workspace.getWorkspaceFolder(target) !== undefined;
    const reveal = local ? 'Reveal in File Explorer' : inWorkspace ? 'Reveal in Explorer' : undefined;
    if (reveal) actions.push(reveal);
    const choice = await showInfo(`Downloaded ${name} (${formatSize(bytes)}).`, ...actions);
    if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', target);
    else if (choice === reveal) await vscode.commands.executeCommand(local ? 'revealFileInOS' : 'revealInExplorer', target);
  }

  private async delete(node: ContentNode): Promise<void> {
    const object = objectOf(node);
    if (!object) return;
    const title = contentLabel(object);
    if (!canDelete(object)) {
      void showInfo(`The server marks "${title}" as restricted: it can't be deleted.`);
      return;
    }
    const answer = await showWarning(
      `Delete "${title}" (id ${object.id}) from ${deviceLabel(node.device)}?`,
      { modal: true, detail: 'DestroyObject removes it from the device itself. This cannot be undone.' },
      'Delete',
    );
    if (answer !== 'Delete') return;
    const client = this.tree.clientFor(node);
    if (typeof client === 'string') {
      void showError(`Could not delete "${title}": ${client}`);
      return;
    }
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Deleting ${title}` }, () => client.destroyObject(object.id));
    } catch (err) {
      void showError(`Could not delete "${title}": ${errorMessage(err)}`);
      return;
    }
    this.results.appendLine(`${new Date().toLocaleTimeString()} DestroyObject ${deviceLabel(node.device)} › ${title} (ObjectID ${object.id}): deleted`);
    this.tree.removed(node);
    vscode.window.setStatusBarMessage(`$(trash) Deleted "${title}"`, 5000);
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
