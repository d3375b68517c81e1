// Messages between the Details view (a webview under Devices) and the extension host, declared
// once and imported by both sides. No `vscode`, no DOM: plain data that survives postMessage.
//
// The host turns the selected row into a generic model (sections of name/value fields, tables and
// problem lists) and the webview only lays it out, every string with textContent: the view knows
// nothing of UPnP, and nothing a device sent ever becomes markup.

/** One name/value line. `mono` for identifiers and URLs (UDNs, types, LOCATION). */
export interface DetailsField {
  readonly name: string;
  readonly value: string;
  readonly mono?: boolean;
  /** Shown dimmed after the value, e.g. `(leica:X_FirmVersion)` or `at 14:03:07`. */
  readonly note?: string;
}

export interface FieldsSection {
  readonly kind: 'fields';
  readonly title: string;
  readonly fields: readonly DetailsField[];
}

/** A table; `live` marks the column whose cells change with events (highlighted briefly). */
export interface TableSection {
  readonly kind: 'table';
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly live?: number;
  /** Rows left out (the table shows at most MAX_TABLE_ROWS). */
  readonly omitted?: number;
}

export interface ProblemsSection {
  readonly kind: 'problems';
  readonly title: string;
  readonly problems: readonly { readonly severity: 'error' | 'warning'; readonly message: string }[];
}

export type DetailsSection = FieldsSection | TableSection | ProblemsSection;

export interface DetailsModel {
  /** The row's name, e.g. `Leica Q3-1234567`. */
  readonly title: string;
  /** What kind of row it is, e.g. `MediaServer:1 · root device`. */
  readonly subtitle: string;
  readonly sections: readonly DetailsSection[];
}

export const MAX_TABLE_ROWS = 2000;

// ---- host -> webview ----

/** Show this (replaces what is shown; the same row again keeps the scroll position). */
export interface ShowMessage {
  readonly type: 'show';
  /** The tree row's id: a change of row scrolls back to the top. */
  readonly rowId: string;
  readonly model: DetailsModel;
}

/** Nothing selected (or the row is gone). */
export interface EmptyMessage {
  readonly type: 'empty';
  readonly message: string;
}

export type DetailsHostMessage = ShowMessage | EmptyMessage;

// ---- webview -> host ----

export interface DetailsReadyMessage {
  readonly type: 'ready';
}

export type DetailsWebviewMessage = DetailsReadyMessage;

// ---- guards ----

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function isField(value: unknown): value is DetailsField {
  return isRecord(value) && typeof value.name === 'string' && typeof value.value === 'string'
    && (value.mono === undefined || typeof value.mono === 'boolean')
    && (value.note === undefined || typeof value.note === 'string');
}

function isSection(value: unknown): value is DetailsSection {
  if (!isRecord(value) || typeof value.title !== 'string') return false;
  switch (value.kind) {
    case 'fields':
      return Array.isArray(value.fields) && value.fields.every(isField);
    case 'table':
      return isStringArray(value.columns) && Array.isArray(value.rows) && value.rows.length <= MAX_TABLE_ROWS
        && value.rows.every(isStringArray)
        && (value.live === undefined || typeof value.live === 'number')
        && (value.omitted === undefined || typeof value.omitted === 'number');
    case 'problems':
      return Array.isArray(value.problems) && value.problems.every((p) => isRecord(p)
        && (p.severity === 'error' || p.severity === 'warning') && typeof p.message === 'string');
    default:
      return false;
  }
}

export function isDetailsModel(value: unknown): value is DetailsModel {
  return isRecord(value) && typeof value.title === 'string' && typeof value.subtitle === 'string'
    && Array.isArray(value.sections) && value.sections.every(isSection);
}

export function isDetailsHostMessage(value: unknown): value is DetailsHostMessage {
  if (!isRecord(value)) return false;
  if (value.type === 'show') return typeof value.rowId === 'string' && isDetailsModel(value.model);
  if (value.type === 'empty') return typeof value.message === 'string';
  return false;
}

export function isDetailsWebviewMessage(value: unknown): value is DetailsWebviewMessage {
  return isRecord(value) && value.type === 'ready';
}
