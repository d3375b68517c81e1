// The registry's expiry heap against a plain model: random sets, moves, deletes and pops must give
// the same items at the same times, and nothing is kept once deleted or popped.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryQueue } from '../../src/core/registry/expiryQueue';

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('ExpiryQueue', () => {
  it('pops due items in time order, like a sorted model, through 20,000 random operations', () => {
    const rnd = random(8);
    const queue = new ExpiryQueue<number>();
    const model = new Map<number, number>();
    let now = 0;
    for (let op = 0; op < 20_000; op++) {
      const r = rnd();
      const item = Math.floor(rnd() * 500);
      if (r < 0.5) {
        const at = now + Math.floor(rnd() * 1000);
        queue.set(item, at);
        model.set(item, at);
      } else if (r < 0.7) {
        queue.delete(item);
        model.delete(item);
      } else {
        now += Math.floor(rnd() * 50);
        const popped: [number, number][] = [];
        for (let due = queue.popDue(now); due; due = queue.popDue(now)) popped.push([due.item, due.at]);
        const expected = [...model].filter(([, at]) => at <= now);
        for (const [i] of expected) model.delete(i);
        // Same items; times never decrease (ties in any order).
        assert.deepEqual(popped.map(([i]) => i).sort((a, b) => a - b), expected.map(([i]) => i).sort((a, b) => a - b));
        for (let k = 1; k < popped.length; k++) assert.ok(popped[k - 1]![1] <= popped[k]![1]);
      }
      assert.equal(queue.size, model.size);
      if (op % 997 === 0) for (const [i, at] of model) assert.equal(queue.dueAt(i), at);
    }
  });

  it('moves an item earlier or later, and forgets deleted ones', () => {
    const q = new ExpiryQueue<string>();
    q.set('a', 30);
    q.set('b', 20);
    q.set('c', 10);
    q.set('c', 40);
    q.set('a', 5);
    q.delete('b');
    assert.equal(q.has('b'), false);
    assert.deepEqual([q.popDue(100)?.item, q.popDue(100)?.item, q.popDue(100)?.item], ['a', 'c', undefined]);
    assert.equal(q.size, 0);
  });
});
