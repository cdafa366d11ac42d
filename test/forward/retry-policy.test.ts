import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, classifyStatus, parseRetryAfter, retryDelay } from '../../src/forward/retry-policy.ts';
import { TokenBucket } from '../../src/forward/token-bucket.ts';

describe('retries', () => {
  it('4xx other than 408/429 are permanent; 408, 429, 5xx are retried', () => {
    assert.equal(classifyStatus(200, null, '').ok, true);
    assert.equal(classifyStatus(204, null, '').ok, true);
    for (const status of [301, 302, 307, 400, 401, 403, 404, 413, 422]) {
      const r = classifyStatus(status, null, 'no');
      assert.equal(!r.ok && r.permanent, true, String(status));
    }
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const r = classifyStatus(status, null, '');
      assert.equal(!r.ok && !r.permanent, true, String(status));
    }
  });

  it('Retry-After in seconds or as a date; the delay is at least that', () => {
    assert.equal(parseRetryAfter('3'), 3000);
    assert.equal(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000), 5000);
    assert.equal(parseRetryAfter('soon'), undefined);
    const r = classifyStatus(429, '2', '');
    assert.ok(!r.ok);
    assert.equal(r.retryAfterMs, 2000);
    assert.equal(
      retryDelay(r, 1, 100, 1000, () => 0.5),
      2000,
    );
  });

  it('capped exponential backoff with full jitter', () => {
    assert.equal(
      backoffDelay(1, 100, 10_000, () => 0.999999),
      99,
    );
    assert.equal(
      backoffDelay(4, 100, 10_000, () => 0.999999),
      799,
    );
    assert.equal(
      backoffDelay(30, 100, 10_000, () => 0.999999),
      9999,
      'capped',
    );
    assert.equal(
      backoffDelay(5, 100, 10_000, () => 0),
      0,
      'full jitter reaches zero',
    );
    assert.equal(
      backoffDelay(3, 100, 10_000, () => 0.5),
      200,
    );
  });

  it('the token bucket allows a burst, then one request per 1/rate seconds', () => {
    const bucket = new TokenBucket(4);
    const t0 = Date.now();
    assert.equal(bucket.wait(t0), 0);
    return (async () => {
      for (let i = 0; i < 4; i++) await bucket.take();
      const next = bucket.wait();
      assert.ok(next > 0 && next <= 250, `waits ${next} ms for the 5th`);
    })();
  });
});
