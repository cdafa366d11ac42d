/** One batch against a node:http receiver: permanent refusals, Retry-After, attempts, the rate limit. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { deliverBatch } from '../../src/forward/deliver-batch.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { type ForwardEvent, toForwardEvent } from '../../src/forward/forward-event.ts';
import { createForwardMetrics } from '../../src/forward/forward-metrics.ts';
import { TokenBucket } from '../../src/forward/token-bucket.ts';
import { blankRow } from '../../src/process/event-row.ts';
import { freePort } from '../support/free-port.ts';
import { Receiver } from './receiver.ts';

const receiver = new Receiver();
const arrivals: number[] = [];
let port = 0;

before(async () => {
  port = await freePort();
  await receiver.listen(port);
});
after(() => receiver.close());

function spec(over: Record<string, unknown> = {}) {
  return parseForwardConfig(
    JSON.stringify({
      destinations: [
        {
          name: 'd',
          type: 'webhook',
          url: `http://127.0.0.1:${port}/`,
          backoffMs: 5,
          backoffMaxMs: 20,
          ...over,
        },
      ],
    }),
  ).destinations[0];
}

const event = (): ForwardEvent => ({
  ...toForwardEvent(blankRow()),
  event_id: 'e1',
  received_at: new Date().toISOString(),
});

async function deliver(
  over: Record<string, unknown>,
  answers: (n: number) => ReturnType<Receiver['answer']>,
) {
  receiver.requests.length = 0;
  arrivals.length = 0;
  receiver.answer = (n) => {
    arrivals.push(Date.now());
    return answers(n);
  };
  const registry = new Registry();
  const s = spec(over);
  const metrics = createForwardMetrics(registry);
  const outcome = await deliverBatch([event()], {
    spec: s,
    bucket: new TokenBucket(s.ratePerSecond),
    metrics,
    signal: new AbortController().signal,
  });
  return { outcome, metrics: await registry.metrics() };
}

describe('deliverBatch', () => {
  it('a permanent refusal (400) is not retried', async () => {
    const { outcome, metrics } = await deliver({ maxAttempts: 5 }, () => ({ status: 400 }));
    assert.deepEqual(
      { delivered: outcome.delivered, attempts: outcome.attempts },
      { delivered: false, attempts: 1 },
    );
    assert.equal(receiver.requests.length, 1);
    assert.match(metrics, /sightline_forward_failed_attempts_total\{destination="d",reason="http_400"\} 1/);
  });

  it('a redirect is not followed (a POST turned GET would look delivered): permanent, with the new address', async () => {
    const { outcome } = await deliver({ maxAttempts: 5 }, () => ({
      status: 301,
      headers: { location: 'https://elsewhere.example/hook' },
    }));
    assert.equal(outcome.delivered, false);
    assert.equal(outcome.attempts, 1);
    assert.match(
      !outcome.delivered ? outcome.detail : '',
      /redirected to https:\/\/elsewhere\.example\/hook/,
    );
  });

  it('5xx is retried up to maxAttempts, then given up with the last reason', async () => {
    const { outcome } = await deliver({ maxAttempts: 3 }, () => ({ status: 502 }));
    assert.equal(outcome.delivered, false);
    assert.equal(outcome.attempts, 3);
    assert.equal(!outcome.delivered && outcome.reason, 'http_502');
    assert.equal(receiver.requests.length, 3);
  });

  it('429 waits at least Retry-After, then succeeds with the same body', async () => {
    const { outcome, metrics } = await deliver({ maxAttempts: 3 }, (n) =>
      n === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    assert.deepEqual(outcome, { delivered: true, attempts: 2 });
    assert.ok(arrivals[1] - arrivals[0] >= 950, `retried after ${arrivals[1] - arrivals[0]} ms`);
    assert.equal(receiver.requests[1].body, receiver.requests[0].body);
    assert.match(metrics, /sightline_forward_delivered_events_total\{destination="d"\} 1/);
  });

  it('the rate limit spaces requests: a second one in the same second waits for a token', async () => {
    const { outcome } = await deliver({ maxAttempts: 2, ratePerSecond: 1 }, (n) =>
      n === 0 ? { status: 500 } : { status: 200 },
    );
    assert.equal(outcome.delivered, true);
    assert.ok(arrivals[1] - arrivals[0] >= 900, `second request after ${arrivals[1] - arrivals[0]} ms`);
  });
});
