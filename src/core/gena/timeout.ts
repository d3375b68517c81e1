// GENA TIMEOUT headers (UDA 1.1 §4.1.2): `Second-<n>` or the deprecated `Second-infinite`.
// Devices vary the case (`second-300`, gupnp's `Timeout:` name) and a few leave it out; the
// client must use what the device grants, so every form has to be read.

/** A subscription duration in seconds, or 'infinite' (no renewal needed). */
export type GenaTimeout = number | 'infinite';

export type TimeoutHeader =
  | { readonly kind: 'seconds'; readonly seconds: number }
  | { readonly kind: 'infinite' }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly text: string };

/** Reads a TIMEOUT header value; undefined or blank is 'missing'. */
export function parseTimeoutHeader(value: string | undefined): TimeoutHeader {
  if (value === undefined || value.trim() === '') return { kind: 'missing' };
  const m = /^\s*seconds?-\s*(\d{1,10}|infinite)\s*$/i.exec(value);
  if (!m) return { kind: 'invalid', text: value };
  if (m[1]!.toLowerCase() === 'infinite') return { kind: 'infinite' };
  return { kind: 'seconds', seconds: Number(m[1]) };
}

/** `Second-1800` for 1800, `Second-infinite` for 'infinite'. */
export function formatTimeoutHeader(timeout: GenaTimeout): string {
  return timeout === 'infinite' ? 'Second-infinite' : `Second-${Math.max(1, Math.round(timeout))}`;
}

/** "300 s", "infinite" — for messages. */
export function describeTimeout(timeout: GenaTimeout): string {
  return timeout === 'infinite' ? 'infinite' : `${timeout} s`;
}
