import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, FULL_JITTER } from '../../src/log/backoff.ts';

describe('backoff', () => {
  const shape = { baseMs: 100, capMs: 1_000 };

  it('doubles per attempt up to the cap, without jitter by default', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5, 60].map((a) => backoffDelay(a, shape)),
      [100, 200, 400, 800, 1_000, 1_000, 1_000],
    );
  });

  it('draws the random factor from the jitter band', () => {
    assert.equal(
      backoffDelay(2, { ...shape, jitter: FULL_JITTER }, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(2, { ...shape, jitter: FULL_JITTER }, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(2, { ...shape, jitter: [0.5, 1] }, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(2, { ...shape, jitter: [0.75, 1.25] }, () => 1),
      500,
    );
  });
});
