// Recent invocations per device, kept in workspaceState. Bounded per device and in the number of
// devices, so a long session against many devices cannot grow the state without limit. Pure data
// functions (no `vscode`): the panel reads and writes the store through Memento itself.
import type { ExtraArgInput, HistoryEntryView } from '../../protocol/actionForm';
import { isExtraArgInput } from '../../protocol/actionForm';

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
    && Array.isArray(e.extras) && e.extras.every(isExtraArgInput);
}
