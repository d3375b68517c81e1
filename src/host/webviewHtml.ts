// The one page shell every webview uses: a strict CSP (nothing but our bundle's script, carrying a
// fresh random nonce, and our stylesheet), and an empty <main> the bundle fills from postMessage
// data. Device strings never go into this HTML.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface WebviewPageOptions {
  /** Bundle name under dist/webviews: `<bundle>.js` and `<bundle>.css`. */
  readonly bundle: string;
  readonly title: string;
  /** Also allow `data:` images (handed over by the host); never http: to the LAN. */
  readonly dataImages?: boolean;
  /** Extra attributes for <main>, e.g. `aria-live="polite"`. */
  readonly mainAttributes?: string;
}

export function webviewPage(webview: vscode.Webview, dist: vscode.Uri, o: WebviewPageOptions): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(dist, `${o.bundle}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(dist, `${o.bundle}.css`));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource}${o.dataImages ? ' data:' : ''}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<title>${o.title}</title>
</head>
<body>
<main id="app"${o.mainAttributes ? ' ' + o.mainAttributes : ''}><p class="loading status">Loading…</p></main>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/** An image fetched by the host as a data: URI for a webview (the only images they may show). */
export function imageDataUri(mime: string, data: Buffer): string {
  const type = /^image\/(jpeg|png|gif|webp|bmp)$/i.test(mime) ? mime.toLowerCase() : 'image/jpeg';
  return `data:${type};base64,${data.toString('base64')}`;
}
