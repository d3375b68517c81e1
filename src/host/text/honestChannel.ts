// Output channels that print device strings as one honest line each, whatever a caller passes:
// every string argument of appendLine/append and of the log levels goes through `oneLine`, so a
// newline, U+2028, a bidi override or an escape sequence inside a device's name, error or event
// value can't start a forged line or reorder what the user reads.
import type * as vscode from 'vscode';
import { oneLine } from '../../core/util/text';

const WRITERS = new Set(['appendLine', 'append', 'trace', 'debug', 'info', 'warn', 'error']);
/** Longest line kept; event values are cut far sooner (see events/format.ts). */
const MAX_LINE_CHARS = 4000;

/** Wraps a channel so every line written through it is one honest line (see above). */
export function honestChannel<T extends vscode.OutputChannel>(channel: T): T {
  return new Proxy(channel, {
    get(target, property, receiver): unknown {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !WRITERS.has(property) || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args.map((a) => (typeof a === 'string' ? oneLine(a, MAX_LINE_CHARS) : a)));
    },
  });
}
