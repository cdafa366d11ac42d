import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBuckets } from '../../src/collect/rate-limit.ts';

describe('token bucket', () => {
  it('allows the burst, then refills at the rate', () => {
    const b = new TokenBuckets(10, 3);
    assert.deepEqual([b.take('a', 0), b.take('a', 0), b.take('a', 0)], [0, 0, 0]);
    assert.equal(b.take('a', 0), 1, 'empty: retry after a second (rounded up)');
    assert.equal(b.take('b', 0), 0, 'other clients have their own bucket');
    assert.equal(b.take('a', 100), 0, 'one token back after 100 ms at 10/s');
    assert.equal(b.take('a', 100), 1);
  });

  it('forgets idle clients so memory stays bounded', () => {
    const b = new TokenBuckets(10, 3);
    for (let i = 0; i < 1000; i++) b.take(`ip${i}`, 0);
    assert.equal(b.size, 1000);
    b.take('late', 20_000);
    assert.equal(b.size, 1);
  });
});
