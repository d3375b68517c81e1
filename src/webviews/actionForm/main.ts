// The action form webview (browser bundle, IIFE). Builds the form from the model the host sends,
// checks values with the core's own rules as the user types, and renders results. Every string
// from a device is put in the page with textContent, never as HTML.
import type {
  ActionFormModel, ExtraArgInput, FieldDescriptor, HistoryEntryView, HostMessage, OutputView, ResultView, WebviewMessage,
} from '../../protocol/actionForm';
import { el } from '../dom';
import { isHostMessage } from '../../protocol/actionForm';
import { validateValue } from '../../core/soap/types';
import './actionForm.css';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

interface FieldControl {
  readonly field: FieldDescriptor;
  readonly input: HTMLInputElement | HTMLTextAreaElement;
  readonly message: HTMLElement;
  /** Edited by the user, or filled by a re-run: its problems are shown (before, only after Send). */
  touched: boolean;
  value(): string;
  set(value: string): void;
}

interface ExtraRow {
  readonly row: HTMLElement;
  readonly prefix: HTMLInputElement;
  readonly namespaceUri: HTMLInputElement;
  readonly name: HTMLInputElement;
  readonly value: HTMLInputElement;
}

let form: ActionFormModel | undefined;
let controls: FieldControl[] = [];
let extraRows: ExtraRow[] = [];
let extrasList: HTMLElement;
let sendButton: HTMLButtonElement;
let cancelButton: HTMLButtonElement;
let statusLine: HTMLElement;
let resultSection: HTMLElement;
let historyList: HTMLElement;
let running = false;

// ---- small DOM helpers (text only) ----

function button(label: string, className: string, onClick: () => void, title?: string): HTMLButtonElement {
  const b = el('button', className, label);
  b.type = 'button';
  if (title) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}

// ---- form ----

function render(model: ActionFormModel, values: Readonly<Record<string, string>>, extras: readonly ExtraArgInput[], history: readonly HistoryEntryView[]): void {
  form = model;
  app.replaceChildren();
  document.title = model.title;

  const header = el('header', 'header');
  header.append(el('h1', undefined, model.actionName));
  const sub = el('p', 'subtitle');
  sub.append(el('span', undefined, model.serviceLabel), el('span', 'sep', ' · '), el('span', undefined, model.deviceLabel));
  header.append(sub, el('p', 'control-url', `POST ${model.controlUrl}`));
  app.append(header);

  const fieldsSection = el('section', 'fields');
  fieldsSection.setAttribute('aria-label', 'Arguments');
  if (model.fields.length === 0) fieldsSection.append(el('p', 'muted', 'This action takes no arguments.'));
  controls = model.fields.map((f) => fieldControl(f, values[f.name] ?? f.defaultValue));
  for (const c of controls) fieldsSection.append(c.input.closest('.field')!);
  app.append(fieldsSection);

  const extrasSection = el('section', 'extras');
  const extrasHead = el('div', 'section-head');
  extrasHead.append(el('h2', undefined, 'Vendor arguments'));
  extrasHead.append(button('Add argument', 'secondary', () => addExtraRow({ name: '', value: '', prefix: '', namespaceUri: '' }, true),
    'Add an argument the SCPD does not declare, e.g. leica:X_FromCP'));
  extrasSection.append(extrasHead);
  extrasSection.append(el('p', 'muted', 'Sent after the declared arguments, with their namespace declared on the action element. Saved for this action.'));
  extrasList = el('div', 'extras-list');
  extrasSection.append(extrasList);
  extraRows = [];
  for (const e of extras) addExtraRow(e, false);
  app.append(extrasSection);

  const bar = el('div', 'send-bar');
  sendButton = button('Send', 'primary', send, 'Send the request (Ctrl+Enter)');
  cancelButton = button('Cancel', 'secondary', () => vscode.postMessage({ type: 'cancel' }), 'Abort the request in flight');
  cancelButton.disabled = true;
  statusLine = el('span', 'status muted', navigator.platform.startsWith('Mac') ? '⌘+Enter to send' : 'Ctrl+Enter to send');
  statusLine.setAttribute('role', 'status');
  bar.append(sendButton, cancelButton, statusLine);
  app.append(bar);

  resultSection = el('section', 'result');
  resultSection.setAttribute('aria-label', 'Result');
  resultSection.hidden = true;
  app.append(resultSection);

  const historySection = el('section', 'history');
  historySection.append(el('h2', undefined, 'Recent invocations on this device'));
  historyList = el('div', 'history-list');
  historySection.append(historyList);
  app.append(historySection);
  renderHistory(history);

  for (const c of controls) check(c);
  controls[0]?.input.focus();
}

function fieldControl(field: FieldDescriptor, initial: string): FieldControl {
  const wrap = el('div', 'field');
  const id = `arg-${field.name}`;
  const label = el('label');
  label.htmlFor = id;
  label.append(el('span', 'name', field.name));
  if (field.dataType) label.append(el('span', 'type', field.dataType));
  const hint = el('div', 'hint', field.format ? `${field.hint}` : field.hint);
  hint.id = `${id}-hint`;
  const message = el('div', 'message');
  message.id = `${id}-msg`;
  message.setAttribute('aria-live', 'polite');

  let input: HTMLInputElement | HTMLTextAreaElement;
  let value: () => string;
  let set: (v: string) => void;
  if (field.input === 'checkbox') {
    const box = el('input');
    box.type = 'checkbox';
    value = (): string => (box.checked ? '1' : '0');
    set = (v: string): void => { box.checked = /^(1|true|yes)$/i.test(v.trim()); };
    input = box;
    const row = el('div', 'checkbox-row');
    row.append(box, label);
    wrap.append(row);
  } else {
    if (field.input === 'multiline') {
      const area = el('textarea');
      area.rows = 4;
      input = area;
    } else {
      const text = el('input');
      text.type = 'text';
      if (field.input === 'integer' || field.input === 'decimal') text.inputMode = field.input === 'integer' ? 'numeric' : 'decimal';
      if (field.allowedValues) {
        // A suggestion list, not a restriction: devices accept values their SCPD does not list.
        const list = el('datalist');
        list.id = `${id}-list`;
        for (const v of field.allowedValues) {
          const option = el('option');
          option.value = v;
          list.append(option);
        }
        text.setAttribute('list', list.id);
        wrap.append(list);
      }
      input = text;
    }
    input.spellcheck = false;
    input.autocomplete = 'off';
    const placeholder = field.format ?? field.example;
    if (placeholder) input.placeholder = field.format ? field.format : `e.g. ${placeholder}`;
    value = (): string => input.value;
    set = (v: string): void => { input.value = v; };
    wrap.append(label, input);
  }
  input.id = id;
  input.name = field.name;
  input.setAttribute('aria-describedby', `${hint.id} ${message.id}`);
  input.dataset.arg = field.name;
  wrap.append(hint, message);
  set(initial);
  const control: FieldControl = { field, input, message, touched: false, value: () => value(), set: (v) => set(v) };
  const touch = (): void => {
    control.touched = true;
    check(control);
  };
  input.addEventListener('input', touch);
  input.addEventListener('change', touch);
  return control;
}

/**
 * Whether a field may be sent; marks it invalid or shows its warnings once it was touched (a form
 * that opens does not greet the user in red), and every field after a Send.
 */
function check(c: FieldControl): boolean {
  const wrap = c.input.closest('.field')!;
  if (!c.field.variable) {
    c.message.textContent = '';
    wrap.classList.remove('invalid', 'warning');
    return true;
  }
  const result = validateValue(c.value(), c.field.variable);
  if (!c.touched) {
    c.message.textContent = '';
    c.input.removeAttribute('aria-invalid');
    wrap.classList.remove('invalid', 'warning');
    return result.ok;
  }
  if (!result.ok) {
    c.message.textContent = `${c.field.name} ${result.message}.`;
    wrap.classList.add('invalid');
    wrap.classList.remove('warning');
    c.input.setAttribute('aria-invalid', 'true');
    return false;
  }
  c.input.removeAttribute('aria-invalid');
  wrap.classList.remove('invalid');
  c.message.textContent = result.warnings.join(' ');
  wrap.classList.toggle('warning', result.warnings.length > 0);
  return true;
}

function addExtraRow(extra: ExtraArgInput, focus: boolean): void {
  const row = el('div', 'extra-row');
  const make = (label: string, value: string, placeholder: string, cls: string): HTMLInputElement => {
    const input = el('input', cls);
    input.type = 'text';
    input.value = value;
    input.placeholder = placeholder;
    input.spellcheck = false;
    input.setAttribute('aria-label', label);
    input.dataset.extra = cls;
    return input;
  };
  const prefix = make('Namespace prefix', extra.prefix, 'prefix', 'prefix');
  const namespaceUri = make('Namespace URI', extra.namespaceUri, 'namespace URI, e.g. urn:schemas-leica-com:leica', 'namespace');
  const name = make('Argument name', extra.name, 'name, e.g. X_FromCP', 'extra-name');
  const value = make('Argument value', extra.value, 'value', 'extra-value');
  const colon = el('span', 'colon', ':');
  const remove = button('Remove', 'secondary icon', () => {
    extraRows = extraRows.filter((r) => r.row !== row);
    row.remove();
  }, `Remove this vendor argument`);
  row.append(prefix, colon, name, el('span', 'equals', '='), value, namespaceUri, remove);
  extrasList.append(row);
  extraRows.push({ row, prefix, namespaceUri, name, value });
  if (focus) prefix.focus();
}

function currentExtras(): ExtraArgInput[] {
  return extraRows.map((r) => ({ prefix: r.prefix.value, namespaceUri: r.namespaceUri.value, name: r.name.value, value: r.value.value }));
}

function send(): void {
  if (!form || running) return;
  for (const c of controls) c.touched = true;
  const invalid = controls.filter((c) => !check(c));
  if (invalid.length > 0) {
    statusLine.textContent = invalid.length === 1 ? 'Fix the marked field first.' : `Fix the ${invalid.length} marked fields first.`;
    statusLine.classList.add('error');
    invalid[0]!.input.focus();
    return;
  }
  const values: Record<string, string> = {};
  for (const c of controls) values[c.field.name] = c.value();
  vscode.postMessage({ type: 'invoke', values, extras: currentExtras() });
}

function setRunning(on: boolean): void {
  running = on;
  sendButton.disabled = on;
  cancelButton.disabled = !on;
  statusLine.classList.remove('error');
  statusLine.textContent = on ? 'Sending…' : statusLine.textContent;
  app.classList.toggle('running', on);
}

// ---- result ----

function renderResult(result: ResultView, raw: string | undefined, elapsedMs: number | undefined): void {
  resultSection.hidden = false;
  resultSection.replaceChildren();
  resultSection.className = `result ${result.kind}`;
  const head = el('div', 'section-head');
  const title = el('h2');
  title.textContent = headline(result);
  head.append(title);
  if (elapsedMs !== undefined) head.append(el('span', 'muted', `${elapsedMs} ms`));
  resultSection.append(head);

  switch (result.kind) {
    case 'ok':
      if (result.outputs.length === 0) resultSection.append(el('p', 'muted', 'The action returned no values.'));
      else resultSection.append(outputTable(result.outputs));
      problems(result.problems);
      break;
    case 'fault': {
      const box = el('div', 'fault-box');
      box.setAttribute('role', 'alert');
      const dl = el('dl');
      const row = (k: string, v: string): void => { dl.append(el('dt', undefined, k), el('dd', undefined, v)); };
      row('errorCode', String(result.code));
      row('errorDescription', result.description || '(empty)');
      row('Meaning', result.meaning);
      row('HTTP status', String(result.httpStatus));
      box.append(dl);
      resultSection.append(box);
      problems(result.problems);
      break;
    }
    case 'failure':
    case 'cancelled':
    case 'invalid': {
      const p = el('p', 'failure-text', result.message);
      p.setAttribute('role', 'alert');
      resultSection.append(p);
      break;
    }
  }

  if (raw !== undefined) {
    const tools = el('div', 'raw-tools');
    const details = el('details', 'raw');
    details.append(el('summary', undefined, 'Raw exchange (request and response)'), el('pre', 'code', raw));
    tools.append(
      button('Open in Editor', 'secondary', () => vscode.postMessage({ type: 'openRaw' }), 'Open the raw HTTP exchange in an editor'),
      button('Copy as curl', 'secondary', () => vscode.postMessage({ type: 'copyCurl' }), 'Copy a curl command that repeats this request'),
    );
    resultSection.append(details, tools);
  }
}

function headline(result: ResultView): string {
  switch (result.kind) {
    case 'ok': return 'Result';
    case 'fault': return `UPnP error ${result.code}: ${result.description || result.meaning}`;
    case 'failure': return 'The request failed';
    case 'cancelled': return 'Cancelled';
    case 'invalid': return 'Not sent';
  }
}

function outputTable(outputs: readonly OutputView[]): HTMLTableElement {
  const table = el('table', 'outputs');
  const thead = el('thead');
  const hr = el('tr');
  for (const h of ['Argument', 'Type', 'Value']) hr.append(el('th', undefined, h));
  thead.append(hr);
  const tbody = el('tbody');
  for (const o of outputs) {
    const tr = el('tr');
    tr.dataset.arg = o.name;
    tr.append(el('th', 'name', o.name), el('td', 'type', o.dataType || '—'));
    const td = el('td', 'value');
    if (o.prettyXml !== undefined) {
      if (o.didlLines) {
        const summary = el('ul', 'didl');
        for (const line of o.didlLines) summary.append(el('li', line.startsWith('  ') ? 'sub' : undefined, line.trim()));
        td.append(summary);
      }
      const details = el('details', 'xml');
      details.open = !o.didlLines;
      details.append(el('summary', undefined, 'XML'), el('pre', 'code', o.prettyXml));
      td.append(details);
    } else if (o.value === '') {
      td.append(el('span', 'muted', '(empty)'));
    } else {
      td.append(el('span', 'text-value', o.value));
    }
    tr.append(td);
    tbody.append(tr);
  }
  table.append(thead, tbody);
  return table;
}

function problems(list: readonly string[]): void {
  if (list.length === 0) return;
  const ul = el('ul', 'problems');
  for (const p of list) ul.append(el('li', undefined, p));
  resultSection.append(el('h3', undefined, 'Departures from the specification'), ul);
}

// ---- history ----

function renderHistory(entries: readonly HistoryEntryView[]): void {
  historyList.replaceChildren();
  if (entries.length === 0) {
    historyList.append(el('p', 'muted', 'Nothing invoked on this device yet.'));
    return;
  }
  for (const e of entries) {
    const row = el('div', `history-row ${e.ok ? 'ok' : 'not-ok'}`);
    const text = el('div', 'history-text');
    const line = el('div');
    line.append(el('span', 'name', e.actionName), el('span', 'muted', ` ${e.serviceLabel} · ${new Date(e.at).toLocaleTimeString()} · `), el('span', 'summary', e.summary));
    text.append(line, el('div', 'muted args', e.argsText || 'no arguments'));
    row.append(text, button('Re-run', 'secondary', () => vscode.postMessage({ type: 'rerun', id: e.id }), `Run ${e.actionName} again with these values`));
    historyList.append(row);
  }
}

// ---- wiring ----

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message: unknown = event.data;
  if (!isHostMessage(message)) return;
  const m: HostMessage = message;
  switch (m.type) {
    case 'init':
      render(m.form, m.values, m.extras, m.history);
      break;
    case 'setValues':
      for (const c of controls) {
        if (Object.hasOwn(m.values, c.field.name)) {
          c.set(m.values[c.field.name]!);
          c.touched = true;
        }
        check(c);
      }
      extrasList.replaceChildren();
      extraRows = [];
      for (const e of m.extras) addExtraRow(e, false);
      break;
    case 'running':
      setRunning(true);
      break;
    case 'result':
      setRunning(false);
      statusLine.textContent = m.result.kind === 'ok' ? 'Done.' : headline(m.result);
      renderResult(m.result, m.raw, m.elapsedMs);
      break;
    case 'history':
      if (form) renderHistory(m.entries);
      break;
  }
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    send();
  }
});

vscode.postMessage({ type: 'ready' });
