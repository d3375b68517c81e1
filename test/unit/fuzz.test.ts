// A few seconds of fuzzing per reader of device input (test/fuzz/properties.ts): mutated captures
// must give a result or the reader's own error, within a time budget linear in their size.
// `npm run fuzz` runs the same properties for longer. A failure prints fast-check's seed and
// shrunk input; replay it with `FUZZ_SEED=<seed> npm run fuzz -- "<reader>"`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fuzz, targets } from '../fuzz/properties';

const SECONDS = Number(process.env['FUZZ_TEST_SECONDS'] ?? 2);

describe('fuzzing the readers of device input', () => {
  for (const target of targets()) {
    it(`${target.name}: mutated captures give a result or a clear error, in time`, async () => {
      const runs = await fuzz(target, { seconds: SECONDS });
      // Enough inputs were really tried (a reader stuck on one would fail its budget instead).
      assert.ok(runs >= 20, `only ${runs} inputs in ${SECONDS} s`);
    });
  }
});
