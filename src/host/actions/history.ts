// Recent invocations per device, kept in workspaceState. Bounded per device and in the number of
// devices, so a long session against many devices cannot grow the state without limit. Pure data
// functions (no `vscode`): the panel reads and writes the store through Memento itself.
import type { ExtraArgInput, HistoryEntryView } from '../../protocol/actionForm';
import { isExtraArgInput } from '../../protocol/actionForm';

/** Where the history lives in workspaceState. */
export const HISTORY_KEY = 'upnpExplorer.actionForm.history';

export interface HistoryEntry {
  readonly id: string;
  /** ISO 8601. */
  readonly at: string;
  /** Root UDN, else the description URL: survives restarts, unlike the registry key. */
  readonly deviceId: string;
  readonly deviceLabel: string;
  /** ServiceState.key (`<deviceUdn>::<serviceId>`). */
  readonly serviceKey: string;
  readonly serviceLabel: string;
  readonly actionName: string;
  readonly values: Readonly<Record<string, string>>;
  readonly extras: readonly ExtraArgInput[];
  readonly summary: string;
  readonly ok: boolean;
  readonly argsText: string;
  /**
   * What the device answered, when small enough to keep (MAX_ANSWER_CHARS): Clone to Workspace
   * makes canned answers of it. Absent for failures and for entries of older versions.
   */
  readonly answer?: HistoryAnswer;
}

export type HistoryAnswer =
  | { readonly outputs: Readonly<Record<string, string>> }
  | { readonly fault: { readonly code: number; readonly description: string } };

/** Outputs longer than this in all are not kept in the history (workspaceState stays small). */
export const MAX_ANSWER_CHARS = 64 * 1024;

/** The answer to keep for an outcome; undefined when there is none or it is too big. */
export function historyAnswer(result: { readonly kind: string; readonly outputs?: ReadonlyArray<{ readonly name: string; readonly value: string }>; readonly code?: number; readonly description?: string }): HistoryAnswer | undefined {
  if (result.kind === 'ok' && result.outputs) {
    let size = 0;
    const outputs: Record<string, string> = {};
    for (const o of result.outputs) {
      size += o.name.length + o.value.length;
      if (size > MAX_ANSWER_CHARS) return undefined;
      outputs[o.name] = o.value;
    }
    return { outputs };
  }
  if (result.kind === 'fault' && typeof result.code === 'number') return { fault: { code: result.code, description: result.description ?? '' } };
  return undefined;
}

/** Entries by device id, newest first. */
export type HistoryStore = Readonly<Record<string, readonly HistoryEntry[]>>;

export interface HistoryLimits {
  readonly perDevice: number;
  readonly devices: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { perDevice: 25, devices: 20 };

/** A new store with `entry` first in its device's list; the oldest entries and devices are dropped past the limits. */
export function addHistoryEntry(store: HistoryStore, entry: HistoryEntry, limits: HistoryLimits = DEFAULT_HISTORY_LIMITS): HistoryStore {
  const next: Record<string, readonly HistoryEntry[]> = { ...store };
  next[entry.deviceId] = [entry, ...(store[entry.deviceId] ?? []).filter((e) => e.id !== entry.id)].slice(0, limits.perDevice);
  const devices = Object.keys(next).sort((a, b) => newest(next[b]!).localeCompare(newest(next[a]!)));
  for (const stale of devices.slice(limits.devices)) delete next[stale];
  return next;
}

function newest(entries: readonly HistoryEntry[]): string {
  return entries[0]?.at ?? '';
}

/** Every entry of every device, newest first. */
export function allHistory(store: HistoryStore): HistoryEntry[] {
  return Object.values(store).flat().sort((a, b) => b.at.localeCompare(a.at));
}

export function findHistoryEntry(store: HistoryStore, id: string): HistoryEntry | undefined {
  for (const entries of Object.values(store)) {
    const found = entries.find((e) => e.id === id);
    if (found) return found;
  }
  return undefined;
}

export function toHistoryView(entry: HistoryEntry): HistoryEntryView {
  return { id: entry.id, at: entry.at, actionName: entry.actionName, serviceLabel: entry.serviceLabel, summary: entry.summary, ok: entry.ok, argsText: entry.argsText };
}

/** Reads what workspaceState holds, dropping anything malformed (state written by another version). */
export function readHistoryStore(raw: unknown): HistoryStore {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const out: Record<string, HistoryEntry[]> = {};
  for (const [device, entries] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(entries)) continue;
    const good = entries.filter(isHistoryEntry);
    if (good.length > 0) out[device] = good;
  }
  return out;
}

function isHistoryEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const strings = ['id', 'at', 'deviceId', 'deviceLabel', 'serviceKey', 'serviceLabel', 'actionName', 'summary', 'argsText'];
  return strings.every((k) => typeof e[k] === 'string')
    && typeof e.ok === 'boolean'
    && typeof e.values === 'object' && e.values !== null && Object.values(e.values).every((v) => typeof v === 'string')
    && Array.isArray(e.extras) && e.extras.every(isExtraArgInput)
    && (e.answer === undefined || isHistoryAnswer(e.answer));
}

function isHistoryAnswer(value: unknown): value is HistoryAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  if (typeof a.outputs === 'object' && a.outputs !== null) return Object.values(a.outputs).every((v) => typeof v === 'string');
  if (typeof a.fault === 'object' && a.fault !== null) {
    const f = a.fault as Record<string, unknown>;
    return typeof f.code === 'number' && typeof f.description === 'string';
  }
  return false;
}

/**
 * The raw exchanges (HTTP request and answer as text) of this session's invocations, by history
 * entry id. Kept in memory only, and bounded: the newest `maxEntries`, each cut at `maxChars`,
 * at most `maxTotalChars` in all (the oldest go first).
 */
export class RawExchanges {
  private readonly byId = new Map<string, string>();
  private total = 0;

  constructor(private readonly limits: { readonly maxEntries: number; readonly maxChars: number; readonly maxTotalChars: number } = { maxEntries: 100, maxChars: 256 * 1024, maxTotalChars: 4 * 1024 * 1024 }) {}

  set(id: string, raw: string): void {
    this.delete(id);
    const kept = raw.length > this.limits.maxChars
      ? `${raw.slice(0, this.limits.maxChars)}\n\n[… ${(raw.length - this.limits.maxChars).toLocaleString('en-US')} more characters not kept]\n`
      : raw;
    this.byId.set(id, kept);
    this.total += kept.length;
    for (const [old, text] of this.byId) {
      if (this.byId.size <= this.limits.maxEntries && this.total <= this.limits.maxTotalChars) break;
      if (old === id) continue;
      this.byId.delete(old);
      this.total -= text.length;
    }
  }

  get(id: string): string | undefined {
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get size(): number {
    return this.byId.size;
  }

  get totalChars(): number {
    return this.total;
  }

  private delete(id: string): void {
    const text = this.byId.get(id);
    if (text === undefined) return;
    this.byId.delete(id);
    this.total -= text.length;
  }
}
