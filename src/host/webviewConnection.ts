// One policy for every webview's messages. A webview's script says 'ready' when it runs: the first
// time, and again each time VS Code reloads a hidden webview from scratch. Nothing is queued before
// that; on every 'ready' the owner sends its whole current state (snapshot), so a reloaded
// webview and a fresh one end up the same, and nothing is ever delivered twice. Messages from the
// webview are checked by the owner's guard before anything acts on them.
import type * as vscode from 'vscode';

export interface WebviewConnectionOwner<H, W> {
  /** Everything the webview needs to show the current state, in order (sent on each 'ready'). */
  snapshot(): readonly H[];
  /** A checked message other than 'ready'. */
  onMessage(message: W): void;
}

export class WebviewConnection<H, W extends { readonly type: string }> implements vscode.Disposable {
  private ready = false;
  private readonly listener: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    isMessage: (value: unknown) => value is W,
    owner: WebviewConnectionOwner<H, W>,
  ) {
    this.listener = webview.onDidReceiveMessage((raw: unknown) => {
      if (!isMessage(raw)) return;
      if (raw.type === 'ready') {
        this.ready = true;
        for (const m of owner.snapshot()) void this.webview.postMessage(m);
        return;
      }
      owner.onMessage(raw);
    });
  }

  /** Whether the webview's script is running and listening. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Sends now if the webview listens; otherwise the next snapshot carries it. */
  post(message: H): void {
    if (this.ready) void this.webview.postMessage(message);
  }

  /** The webview went away (the panel was disposed): nothing more is sent. */
  dispose(): void {
    this.ready = false;
    this.listener.dispose();
  }
}
