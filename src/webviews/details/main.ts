// The Details view (browser bundle, IIFE): lays out the host's model — sections of fields, tables
// and problems — with textContent only. Showing the same row again keeps the scroll position and
// briefly marks the cells of the live column (last evented values) that changed.
import { el } from '../dom';
import type { DetailsHostMessage, DetailsModel, DetailsSection, DetailsWebviewMessage } from '../../protocol/details';
import { isDetailsHostMessage } from '../../protocol/details';
import './details.css';

interface VsCodeApi {
  postMessage(message: DetailsWebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let shownRow: string | undefined;
/** The live column's values by table title and row name, to mark what changed. */
let liveValues = new Map<string, string>();

function showEmpty(message: string): void {
  shownRow = undefined;
  liveValues = new Map();
  app.replaceChildren(el('p', 'empty', message));
}

function show(rowId: string, model: DetailsModel): void {
  const sameRow = rowId === shownRow;
  const scroll = window.scrollY;
  const previous = sameRow ? liveValues : new Map<string, string>();
  liveValues = new Map();
  const header = el('header');
  header.append(el('h1', undefined, model.title));
  if (model.subtitle) header.append(el('p', 'subtitle', model.subtitle));
  const parts: HTMLElement[] = [header];
  for (const section of model.sections) parts.push(renderSection(section, previous, sameRow));
  app.replaceChildren(...parts);
  shownRow = rowId;
  window.scrollTo(0, sameRow ? scroll : 0);
}

function renderSection(section: DetailsSection, previous: Map<string, string>, sameRow: boolean): HTMLElement {
  const box = el('section');
  box.append(el('h2', undefined, section.title));
  switch (section.kind) {
    case 'fields': {
      const dl = el('dl');
      for (const f of section.fields) {
        const dd = el('dd', f.mono ? 'mono' : undefined, f.value);
        if (f.note) dd.append(el('span', 'note', ` ${f.note}`));
        dl.append(el('dt', undefined, f.name), dd);
      }
      box.append(dl);
      break;
    }
    case 'table': {
      const t = el('table');
      const head = el('tr');
      for (const c of section.columns) head.append(el('th', undefined, c));
      t.append(el('thead'));
      t.tHead!.append(head);
      const body = el('tbody');
      for (const row of section.rows) {
        const tr = el('tr');
        row.forEach((cell, i) => {
          const td = el('td', undefined, cell);
          if (i === section.live) {
            td.classList.add('live');
            const key = `${section.title}\u0000${row[0] ?? ''}`;
            liveValues.set(key, cell);
            const before = previous.get(key);
            if (sameRow && before !== undefined && before !== cell) td.classList.add('changed');
          }
          tr.append(td);
        });
        body.append(tr);
      }
      t.append(body);
      const wrap = el('div', 'table-wrap');
      wrap.append(t);
      box.append(wrap);
      if (section.omitted) box.append(el('p', 'note', `… and ${section.omitted} more not shown`));
      break;
    }
    case 'problems': {
      const ul = el('ul', 'problems');
      for (const p of section.problems) {
        const li = el('li', p.severity, p.message);
        li.prepend(el('strong', undefined, p.severity === 'error' ? 'Error: ' : 'Warning: '));
        ul.append(li);
      }
      box.append(ul);
      break;
    }
  }
  return box;
}

function onMessage(message: DetailsHostMessage): void {
  if (message.type === 'show') show(message.rowId, message.model);
  else showEmpty(message.message);
}

window.addEventListener('message', (event: MessageEvent) => {
  if (isDetailsHostMessage(event.data)) onMessage(event.data);
});
vscode.postMessage({ type: 'ready' });
