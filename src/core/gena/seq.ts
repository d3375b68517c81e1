// Event keys (SEQ, UDA 1.1 §4.3.2): the initial event is 0, then 1, 2, … up to 4294967295, after
// which the key wraps to 1 (never back to 0, which only ever marks an initial event). A gap means
// events were lost on the way; a key seen before means the device re-sent one.

export const MAX_SEQ = 4294967295;

export interface SeqObservation {
  /** How many events are missing before this one (0 when none). */
  readonly missed: number;
  /** The key was seen already (a re-send, or an event that arrived late, out of order). */
  readonly duplicate: boolean;
  /** SEQ 0 again after other events: the device started a new series (rebooted, re-subscribed us). */
  readonly restarted: boolean;
  /** The key that was expected, when one was (undefined before the first event). */
  readonly expected?: number;
}

/** The key after `seq`: seq + 1, wrapping from 4294967295 to 1. */
export function nextSeq(seq: number): number {
  return seq >= MAX_SEQ ? 1 : seq + 1;
}

/**
 * How many keys lie from `from` (inclusive) up to `to` (exclusive), walking forward through the
 * cycle 1..4294967295 (0 is not part of the cycle; from 0 the walk starts at 1).
 */
export function seqDistance(from: number, to: number): number {
  if (from === 0) return to === 0 ? 0 : 1 + seqDistance(1, to);
  if (to >= from) return to - from;
  return MAX_SEQ - from + to; // from..MAX_SEQ, then 1..to-1
}

/** Whether `text` is a valid SEQ value (a ui4 in decimal). */
export function parseSeq(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d{1,10}\s*$/.test(text)) return undefined;
  const n = Number(text.trim());
  return n <= MAX_SEQ ? n : undefined;
}

/** Tracks one subscription's event keys. Pure: no timers, no I/O. */
export class SeqTracker {
  private last: number | undefined;
  /** Keys seen recently, to tell a re-send from a far-ahead key after a wrap. */
  private readonly recent: number[] = [];

  /** The last key accepted, if any. */
  get lastSeq(): number | undefined {
    return this.last;
  }

  /** Forgets everything: the next event starts a new series (a fresh subscription). */
  reset(): void {
    this.last = undefined;
    this.recent.length = 0;
  }

  observe(seq: number): SeqObservation {
    if (this.last === undefined) {
      this.remember(seq);
      // A series starts at 0; a first event with key n means n events never reached us.
      return { missed: seq === 0 ? 0 : seqDistance(0, seq), duplicate: false, restarted: false };
    }
    const expected = nextSeq(this.last);
    if (seq === expected) {
      this.remember(seq);
      return { missed: 0, duplicate: false, restarted: false, expected };
    }
    if (seq === 0) {
      this.reset();
      this.remember(0);
      return { missed: 0, duplicate: false, restarted: true, expected };
    }
    if (seq === this.last || this.recent.includes(seq)) {
      return { missed: 0, duplicate: true, restarted: false, expected };
    }
    const ahead = seqDistance(expected, seq);
    // More than half the cycle ahead is really behind: an old event arriving late.
    if (ahead > MAX_SEQ / 2) return { missed: 0, duplicate: true, restarted: false, expected };
    this.remember(seq);
    return { missed: ahead, duplicate: false, restarted: false, expected };
  }

  private remember(seq: number): void {
    this.last = seq;
    this.recent.push(seq);
    if (this.recent.length > 16) this.recent.shift();
  }
}
