// "UPnP: Open Event…": the recent events, whole, in read-only editors (`upnp-event:` scheme). The
// channel cuts long values and long events to fit; here the body is shown as the device sent it,
// indented, and each variable's value in full (LastChange and DIDL-Lite values indented too).
// Kept in memory and bounded: the last MAX_EVENTS events, at most MAX_CHARS of bodies in all.
import { showInfo } from '../text/notify';
import * as vscode from 'vscode';
import type { GenaEvent } from '../../core/gena/client';
import { prettyXml } from '../../core/xml/pretty';
import { oneLine, pickText } from '../../core/util/text';
import { formatClock, sourceText } from './format';
import type { EventSource } from './format';

export const EVENT_SCHEME = 'upnp-event';
const MAX_EVENTS = 30;
const MAX_CHARS = 16 * 1024 * 1024;

interface Kept {
  readonly id: number;
  readonly source: EventSource;
  readonly event: GenaEvent;
}

export class EventDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly kept: Kept[] = [];
  private chars = 0;
  private nextId = 1;
  private readonly rendered = new Map<string, string>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(EVENT_SCHEME, this);
  }

  /** Keeps an event (the oldest go once there are too many or too much). */
  keep(source: EventSource, event: GenaEvent): void {
    this.kept.push({ id: this.nextId++, source, event });
    this.chars += event.body.length;
    while (this.kept.length > MAX_EVENTS || (this.chars > MAX_CHARS && this.kept.length > 1)) {
      const old = this.kept.shift()!;
      this.chars -= old.event.body.length;
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.rendered.get(uri.toString()) ?? '<!-- This event is no longer in memory: only the most recent events are kept. -->\n';
  }

  /** Offers the recent events, newest first, and opens the one picked. */
  async pickAndOpen(): Promise<void> {
    if (this.kept.length === 0) {
      void showInfo('No events received yet. Subscribe to a service in the UPnP Devices view.');
      return;
    }
    type Item = vscode.QuickPickItem & { kept: Kept };
    const items: Item[] = [...this.kept].reverse().map((k) => ({
      label: pickText(`${formatClock(k.event.receivedAt)} ${sourceText(k.source)}`),
      description: `${k.event.seq === undefined ? 'no SEQ' : `SEQ ${k.event.seq}`} · ${k.event.variables.length} variable${k.event.variables.length === 1 ? '' : 's'} · ${k.event.body.length.toLocaleString('en-US')} characters`,
      detail: pickText(k.event.variables.slice(0, 5).map((v) => v.name).join(', ')),
      kept: k,
    }));
    const picked = await vscode.window.showQuickPick(items, { title: 'Open a Recent UPnP Event', matchOnDescription: true, matchOnDetail: true });
    if (picked) await this.open(picked.kept);
  }

  private async open(k: Kept): Promise<void> {
    const name = `${oneLine(k.source.serviceLabel, 60).replace(/[^\p{L}\p{N} ._-]+/gu, '_')}-SEQ${k.event.seq ?? 'x'}.event.xml`;
    const uri = vscode.Uri.from({ scheme: EVENT_SCHEME, path: `/${name}`, query: `n=${k.id}` });
    this.rendered.set(uri.toString(), await render(k));
    while (this.rendered.size > MAX_EVENTS) this.rendered.delete(this.rendered.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(uri);
    const shown = doc.languageId === 'xml' ? doc : await vscode.languages.setTextDocumentLanguage(doc, 'xml');
    await vscode.window.showTextDocument(shown, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.kept.length = 0;
    this.rendered.clear();
  }
}

/** The whole event: a header, the body indented, then every variable's value in full. */
async function render(k: Kept): Promise<string> {
  const { event } = k;
  const comment = (text: string): string => `<!-- ${oneLine(text, 2000).replace(/--/g, '- -')} -->`;
  const parts = [
    comment(`${sourceText(k.source)} · ${event.seq === undefined ? 'event without SEQ' : `event SEQ ${event.seq}`} · received ${new Date(event.receivedAt).toISOString()} · ${event.body.length} characters`),
    ...event.problems.map((p) => comment(`Problem: ${p}`)),
    comment('The body as sent, indented:'),
    (await prettyXml(event.body)) ?? event.body,
  ];
  for (const v of event.variables) {
    parts.push('', comment(`${v.name}: the whole value (${v.value.length} characters)`));
    parts.push((await prettyXml(v.value)) ?? v.value);
  }
  return `${parts.join('\n')}\n`;
}
