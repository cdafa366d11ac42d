/**
 * Re-sending dead letters: each destination's rows (oldest first) are delivered again with the destination's
 * current settings — format, rate limit, retries — and marked retried once the destination took them. Rows of
 * a destination that is no longer configured are left alone and reported.
 */
import { Registry } from 'prom-client';
import type { Store } from '../store/store.ts';
import { deliverBatch } from './deliver-batch.ts';
import type { ForwardConfig } from './forward-config.ts';
import { listDeadLetters, markRetried } from './forward-dead-letters.ts';
import type { ForwardEvent } from './forward-event.ts';
import { createForwardMetrics, type ForwardMetrics } from './forward-metrics.ts';
import { TokenBucket } from './token-bucket.ts';

export interface RetryOptions {
  destination?: string;
  sinceMs?: number;
  /** Most rows per destination in one run. */
  limit: number;
  metrics?: ForwardMetrics;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export interface RetryResult {
  /** Per destination: re-sent and accepted, still failing. */
  destinations: Record<string, { delivered: number; failed: number; reason?: string }>;
  /** Dead letters whose destination is not (or no longer) configured. */
  unknown: string[];
}

export async function retryDeadLetters(
  store: Store,
  forward: ForwardConfig,
  options: RetryOptions,
): Promise<RetryResult> {
  const metrics = options.metrics ?? createForwardMetrics(new Registry());
  const signal = options.signal ?? new AbortController().signal;
  const result: RetryResult = { destinations: {}, unknown: [] };
  const rows = await listDeadLetters(store, {
    ...(options.destination !== undefined ? { destination: options.destination } : {}),
    ...(options.sinceMs !== undefined ? { sinceMs: options.sinceMs } : {}),
    limit: options.limit,
  });
  const byDestination = new Map<string, typeof rows>();
  for (const row of rows) {
    const list = byDestination.get(row.destination) ?? [];
    list.push(row);
    byDestination.set(row.destination, list);
  }
  for (const [name, list] of byDestination) {
    const spec = forward.destinations.find((d) => d.name === name);
    if (!spec) {
      result.unknown.push(name);
      continue;
    }
    const tally: RetryResult['destinations'][string] = { delivered: 0, failed: 0 };
    result.destinations[name] = tally;
    const context = { spec, bucket: new TokenBucket(spec.ratePerSecond), metrics, signal };
    for (let start = 0; start < list.length; start += spec.batchSize) {
      const chunk = list.slice(start, start + spec.batchSize);
      const events = chunk.map((r) => JSON.parse(r.payload) as ForwardEvent);
      const outcome = await deliverBatch(events, context);
      if (outcome.delivered) {
        await markRetried(store, chunk);
        tally.delivered += chunk.length;
      } else {
        tally.failed += chunk.length;
        tally.reason = `${outcome.reason}: ${outcome.detail}`;
      }
      options.onProgress?.(
        `  ${name}: ${tally.delivered} delivered, ${tally.failed} still failing of ${list.length}`,
      );
    }
  }
  return result;
}
