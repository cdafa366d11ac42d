/**
 * One batch to one destination: wait for the rate limit, send, and on a retryable failure wait (capped
 * exponential backoff, full jitter, Retry-After) and send the same bytes again, up to `maxAttempts`.
 * The outcome is either delivered or given up with the last reason — the caller dead-letters the latter.
 */
import { abortableSleep, ForwardStopped } from './abortable-sleep.ts';
import { formatBatch } from './destination.ts';
import type { DestinationSpec } from './forward-config.ts';
import type { ForwardEvent } from './forward-event.ts';
import type { ForwardMetrics } from './forward-metrics.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { type AttemptResult, classifyStatus, retryDelay } from './retry-policy.ts';
import type { TokenBucket } from './token-bucket.ts';

export interface DeliveryContext {
  spec: DestinationSpec;
  bucket: TokenBucket;
  metrics: ForwardMetrics;
  signal: AbortSignal;
  random?: () => number;
  onRetry?: (info: { attempt: number; reason: string; detail: string; delayMs: number }) => void;
}

export type DeliveryOutcome =
  | { delivered: true; attempts: number }
  | { delivered: false; attempts: number; reason: string; detail: string };

export async function sendOnce(
  url: string,
  request: OutgoingRequest,
  timeoutMs: number,
  stop: AbortSignal,
): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      // A followed 301/302 turns the POST into a GET whose 200 would pass for a delivery.
      redirect: 'manual',
      signal: AbortSignal.any([timeout, stop]),
    });
    const text = await res.text().catch(() => '');
    const location = res.headers.get('location');
    return classifyStatus(
      res.status,
      res.headers.get('retry-after'),
      location ? `redirected to ${location}` : text,
    );
  } catch (err) {
    if (stop.aborted) throw new ForwardStopped();
    if (timeout.aborted)
      return { ok: false, permanent: false, reason: 'timeout', detail: `no answer within ${timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return {
      ok: false,
      permanent: false,
      reason: 'network',
      detail: cause?.code ?? cause?.message ?? (err as Error).message,
    };
  }
}

export async function deliverBatch(
  events: readonly ForwardEvent[],
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const { spec, metrics } = context;
  const request = formatBatch(events, spec);
  const labels = { destination: spec.name };
  for (let attempt = 1; ; attempt++) {
    await context.bucket.take(context.signal);
    const started = process.hrtime.bigint();
    const result = await sendOnce(spec.url, request, spec.timeoutMs, context.signal);
    if (result.ok) {
      metrics.requestSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      metrics.delivered.inc(labels, events.length);
      const now = Date.now();
      for (const e of events) metrics.lagSeconds.observe(labels, (now - Date.parse(e.received_at)) / 1000);
      return { delivered: true, attempts: attempt };
    }
    metrics.failedAttempts.inc({ ...labels, reason: result.reason });
    if (result.permanent || attempt >= spec.maxAttempts)
      return { delivered: false, attempts: attempt, reason: result.reason, detail: result.detail };
    const delayMs = retryDelay(result, attempt, spec.backoffMs, spec.backoffMaxMs, context.random);
    context.onRetry?.({ attempt, reason: result.reason, detail: result.detail, delayMs });
    await abortableSleep(delayMs, context.signal);
  }
}
