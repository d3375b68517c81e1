// A device definition's problems in the Problems panel, on the file each one is about, at the key
// (manifest: the JSON path located in the text) or the line (XML: where the parser stopped).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DefinitionProblem } from '../../device/index';
import { MANIFEST_FILE, deviceLib } from './deviceLib';

export class DefinitionDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('upnp-device');
  /** Files with diagnostics, per definition folder: cleared together. */
  private readonly filesOf = new Map<string, Set<string>>();

  /** Replaces the folder's diagnostics with `problems`. */
  async publish(folder: string, problems: readonly DefinitionProblem[]): Promise<void> {
    this.clear(folder);
    const byFile = new Map<string, DefinitionProblem[]>();
    for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
    const files = new Set<string>();
    for (const [file, list] of byFile) {
      const uri = vscode.Uri.file(path.join(folder, ...file.split('/')));
      const text = await readText(uri);
      const diagnostics = list.map((p) => {
        const d = new vscode.Diagnostic(rangeOf(p, text), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
        d.source = 'UPnP device';
        return d;
      });
      this.collection.set(uri, diagnostics);
      files.add(uri.toString());
    }
    this.filesOf.set(folder, files);
  }

  clear(folder: string): void {
    for (const uri of this.filesOf.get(folder) ?? []) this.collection.delete(vscode.Uri.parse(uri));
    this.filesOf.delete(folder);
  }

  dispose(): void {
    this.collection.dispose();
  }
}

async function readText(uri: vscode.Uri): Promise<string> {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (open) return open.getText();
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  } catch {
    return '';
  }
}

function rangeOf(p: DefinitionProblem, text: string): vscode.Range {
  const lineRange = (line: number, column = 1): vscode.Range => {
    const lines = text.split('\n');
    const l = Math.max(0, Math.min(lines.length - 1, line - 1));
    const content = (lines[l] ?? '').replace(/\r$/, '');
    const start = Math.max(0, Math.min(content.length, column - 1));
    return new vscode.Range(l, start, l, Math.max(start + 1, content.length));
  };
  if (p.line !== undefined) return lineRange(p.line, p.column);
  if (p.file === MANIFEST_FILE && p.path) {
    const span = deviceLib().locateJsonPath(text, p.path);
    if (span) {
      const start = offsetToPosition(text, span.start);
      const end = offsetToPosition(text, span.end);
      return new vscode.Range(start, end);
    }
  }
  return lineRange(1);
}

function offsetToPosition(text: string, offset: number): vscode.Position {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return new vscode.Position(line, offset - lineStart);
}
