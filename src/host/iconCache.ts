// Device icons for the tree: the best small icon is downloaded once per URL and session (size-capped,
// checked to really be PNG/JPEG/GIF), stored as globalStorage/icons/<sha1>.<ext> and used as the
// row's iconPath. Any failure just leaves the codicon in place.
import { errorMessage } from '../core/util/errors';
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { DeviceDescription } from '../core/description/model';
import { fetchBytes } from '../core/http/fetch';
import type { Logger } from '../core/util/events';
import { pickDeviceIcon, sniffImage } from './iconChoice';

const MAX_ICON_BYTES = 256 * 1024;
const MAX_ICON_TIMEOUT_MS = 10_000;

type Entry = { readonly state: 'pending' | 'failed' } | { readonly state: 'ready'; readonly uri: vscode.Uri };

export class DeviceIconCache implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly changeEmitter = new vscode.EventEmitter<string>();
  /** Fires with an icon's URL when it finished downloading, so the devices showing it redraw. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly abort = new AbortController();

  constructor(
    private readonly directory: vscode.Uri,
    private readonly logger: Logger,
    private readonly timeoutMs: () => number,
  ) {}

  /** The URL of the icon a device shows (whether or not it is downloaded yet). */
  iconUrlOf(description: DeviceDescription): string | undefined {
    return pickDeviceIcon(description.icons)?.url;
  }

  /** The cached icon file, or undefined (then a download may start and onDidChange fires later). */
  iconFor(description: DeviceDescription): vscode.Uri | undefined {
    const icon = pickDeviceIcon(description.icons);
    if (!icon) return undefined;
    const entry = this.entries.get(icon.url);
    if (entry?.state === 'ready') return entry.uri;
    if (!entry) {
      this.entries.set(icon.url, { state: 'pending' });
      void this.download(icon.url);
    }
    return undefined;
  }

  /** Lets failed icons of a device be tried again (after "Refresh Device"). */
  forgetFailures(): void {
    for (const [url, entry] of this.entries) if (entry.state === 'failed') this.entries.delete(url);
  }

  dispose(): void {
    this.abort.abort();
    this.changeEmitter.dispose();
  }

  private async download(url: string): Promise<void> {
    try {
      const res = await fetchBytes(url, {
        timeoutMs: Math.min(this.timeoutMs(), MAX_ICON_TIMEOUT_MS),
        maxBytes: MAX_ICON_BYTES,
        signal: this.abort.signal,
      });
      const kind = sniffImage(res.body);
      if (!kind) throw new Error(`it is not a PNG, JPEG or GIF image (content-type ${res.headers['content-type'] ?? 'missing'})`);
      const file = vscode.Uri.joinPath(this.directory, `${createHash('sha1').update(res.body).digest('hex')}.${kind}`);
      await vscode.workspace.fs.createDirectory(this.directory);
      await vscode.workspace.fs.writeFile(file, res.body);
      if (this.abort.signal.aborted) return;
      this.entries.set(url, { state: 'ready', uri: file });
      this.changeEmitter.fire(url);
    } catch (err) {
      if (this.abort.signal.aborted) return;
      this.entries.set(url, { state: 'failed' });
      this.logger.debug(`Device icon ${url} not used: ${errorMessage(err)}`);
    }
  }
}
