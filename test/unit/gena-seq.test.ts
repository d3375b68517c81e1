// Event keys and TIMEOUT headers: the pure parts of GENA.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SEQ, SeqTracker, nextSeq, parseSeq, seqDistance } from '../../src/core/gena/seq';
import { describeTimeout, formatTimeoutHeader, parseTimeoutHeader } from '../../src/core/gena/timeout';

describe('SeqTracker', () => {
  test('0, 1, 2 in order: nothing missed', () => {
    const t = new SeqTracker();
    for (const s of [0, 1, 2]) assert.deepEqual(t.observe(s), { missed: 0, duplicate: false, restarted: false, ...(s === 0 ? {} : { expected: s }) });
    assert.equal(t.lastSeq, 2);
  });

  test('a gap reports how many events are missing', () => {
    const t = new SeqTracker();
    t.observe(0);
    t.observe(1);
    assert.deepEqual(t.observe(8), { missed: 6, duplicate: false, restarted: false, expected: 2 });
    assert.equal(t.observe(9).missed, 0);
  });

  test('a first event that is not 0 means earlier ones were missed', () => {
    assert.equal(new SeqTracker().observe(3).missed, 3);
  });

  test('repeats and late events are duplicates and do not move the position', () => {
    const t = new SeqTracker();
    t.observe(0);
    t.observe(1);
    t.observe(2);
    assert.deepEqual(t.observe(2), { missed: 0, duplicate: true, restarted: false, expected: 3 });
    assert.equal(t.observe(1).duplicate, true);
    assert.equal(t.lastSeq, 2);
    assert.equal(t.observe(3).missed, 0);
  });

  /** A tracker positioned at `seq`, as after a long-running subscription. */
  const at = (seq: number): SeqTracker => {
    const t = new SeqTracker();
    t.observe(seq);
    return t;
  };

  test('the key wraps from 4294967295 to 1, not 0', () => {
    const t = at(MAX_SEQ - 1);
    assert.deepEqual(t.observe(MAX_SEQ), { missed: 0, duplicate: false, restarted: false, expected: MAX_SEQ });
    assert.deepEqual(t.observe(1), { missed: 0, duplicate: false, restarted: false, expected: 1 });
    assert.equal(t.observe(2).missed, 0);
    assert.equal(t.lastSeq, 2);
  });

  test('0 after 4294967295 is a new series, not the wrap', () => {
    const t = at(MAX_SEQ);
    assert.equal(t.observe(0).restarted, true);
  });

  test('a gap across the wrap', () => {
    const t = at(MAX_SEQ - 2); // expects MAX_SEQ - 1 next
    assert.deepEqual(t.observe(3), { missed: 4, duplicate: false, restarted: false, expected: MAX_SEQ - 1 }); // MAX_SEQ-1, MAX_SEQ, 1, 2
    assert.equal(t.lastSeq, 3);
  });

  test('an old key right after the wrap is a late event, not four billion lost ones', () => {
    const t = at(MAX_SEQ);
    t.observe(1);
    assert.equal(t.observe(MAX_SEQ - 5).duplicate, true);
    assert.equal(t.lastSeq, 1);
  });

  test('a jump of more than half the cycle is taken as a late event', () => {
    const t = at(10);
    assert.equal(t.observe(MAX_SEQ - 10).duplicate, true);
    assert.equal(t.lastSeq, 10);
  });

  test('SEQ 0 again starts a new series', () => {
    const t = new SeqTracker();
    t.observe(0);
    t.observe(1);
    assert.deepEqual(t.observe(0), { missed: 0, duplicate: false, restarted: true, expected: 2 });
    assert.equal(t.observe(1).missed, 0);
  });

  test('reset forgets the series', () => {
    const t = new SeqTracker();
    t.observe(0);
    t.observe(5);
    t.reset();
    assert.equal(t.lastSeq, undefined);
    assert.equal(t.observe(0).restarted, false);
  });
});

describe('SEQ arithmetic and parsing', () => {
  test('nextSeq and seqDistance', () => {
    assert.equal(nextSeq(0), 1);
    assert.equal(nextSeq(41), 42);
    assert.equal(nextSeq(MAX_SEQ), 1);
    assert.equal(seqDistance(5, 5), 0);
    assert.equal(seqDistance(2, 8), 6);
    assert.equal(seqDistance(MAX_SEQ, 1), 1);
    assert.equal(seqDistance(0, 4), 4);
  });

  test('parseSeq accepts ui4 decimals only', () => {
    assert.equal(parseSeq('0'), 0);
    assert.equal(parseSeq(' 10 '), 10);
    assert.equal(parseSeq('4294967295'), MAX_SEQ);
    assert.equal(parseSeq('4294967296'), undefined);
    assert.equal(parseSeq('-1'), undefined);
    assert.equal(parseSeq('1e3'), undefined);
    assert.equal(parseSeq(''), undefined);
    assert.equal(parseSeq(undefined), undefined);
  });
});

describe('TIMEOUT headers', () => {
  test('every form devices send', () => {
    assert.deepEqual(parseTimeoutHeader('Second-300'), { kind: 'seconds', seconds: 300 });
    assert.deepEqual(parseTimeoutHeader('second-300'), { kind: 'seconds', seconds: 300 });
    assert.deepEqual(parseTimeoutHeader('SECOND-1800 '), { kind: 'seconds', seconds: 1800 });
    assert.deepEqual(parseTimeoutHeader('Seconds-60'), { kind: 'seconds', seconds: 60 });
    assert.deepEqual(parseTimeoutHeader('Second-infinite'), { kind: 'infinite' });
    assert.deepEqual(parseTimeoutHeader('second-INFINITE'), { kind: 'infinite' });
    assert.deepEqual(parseTimeoutHeader(undefined), { kind: 'missing' });
    assert.deepEqual(parseTimeoutHeader('  '), { kind: 'missing' });
    assert.deepEqual(parseTimeoutHeader('300'), { kind: 'invalid', text: '300' });
    assert.deepEqual(parseTimeoutHeader('Second-'), { kind: 'invalid', text: 'Second-' });
    assert.deepEqual(parseTimeoutHeader('Minute-5'), { kind: 'invalid', text: 'Minute-5' });
  });

  test('formatting', () => {
    assert.equal(formatTimeoutHeader(1800), 'Second-1800');
    assert.equal(formatTimeoutHeader('infinite'), 'Second-infinite');
    assert.equal(describeTimeout(300), '300 s');
    assert.equal(describeTimeout('infinite'), 'infinite');
  });
});
