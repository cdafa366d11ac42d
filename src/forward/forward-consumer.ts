/**
 * One destination's consumer group (`forward-<name>`) on the events topic: map each batch, keep the events its
 * rules match, deliver them in chunks of `batchSize`, dead-letter a chunk that exhausted its attempts, and only
 * then let the log commit. A slow or down destination holds back nobody but its own group — not ingestion, not the
 * processor, not the other destinations.
 */
import { EVENTS_TOPIC } from '../contract/topics.ts';
import type { EventLog, LogBatch, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Store } from '../store/store.ts';
import { ForwardStopped } from './abortable-sleep.ts';
import { deliverBatch } from './deliver-batch.ts';
import type { DestinationSpec, RuleSpec } from './forward-config.ts';
import { writeDeadLetters } from './forward-dead-letters.ts';
import type { ForwardEvent } from './forward-event.ts';
import type { ForwardMapper } from './forward-mapping.ts';
import type { ForwardMetrics } from './forward-metrics.ts';
import { matcherFor } from './forward-rules.ts';
import { TokenBucket } from './token-bucket.ts';

export const forwardGroup = (destination: string) => `forward-${destination}`;

export interface ForwarderOptions {
  log: EventLog;
  store: Store;
  spec: DestinationSpec;
  rules: readonly RuleSpec[];
  map: ForwardMapper;
  metrics: ForwardMetrics;
  logger: Logger;
  maxWaitMs: number;
}

export interface Forwarder extends Subscription {
  readonly group: string;
  /** Sends events now, as the consumer would (retries, dead letters under `token`); used by aggregate pushes. */
  send(events: readonly ForwardEvent[], token: string): Promise<void>;
}

export function startForwarder(options: ForwarderOptions): Forwarder {
  const { spec, metrics, store } = options;
  const group = forwardGroup(spec.name);
  const logger = options.logger.child({ stage: 'forward', destination: spec.name });
  const stopping = new AbortController();
  const bucket = new TokenBucket(spec.ratePerSecond);
  const matches = matcherFor(spec.name, options.rules);
  const context = {
    spec,
    bucket,
    metrics,
    signal: stopping.signal,
    onRetry: (info: { attempt: number; reason: string; detail: string; delayMs: number }) =>
      logger.warn(info, 'delivery failed; retrying'),
  };

  const send = async (events: readonly ForwardEvent[], token: string) => {
    for (let start = 0, n = 0; start < events.length; start += spec.batchSize, n++) {
      const chunk = events.slice(start, start + spec.batchSize);
      const outcome = await deliverBatch(chunk, context);
      if (outcome.delivered) continue;
      await writeDeadLetters(store, spec.name, chunk, outcome, `${token}#${n}`);
      metrics.deadLettered.inc({ destination: spec.name }, chunk.length);
      logger.error(
        { events: chunk.length, attempts: outcome.attempts, reason: outcome.reason, detail: outcome.detail },
        'delivery given up; events written to forward_dead_letters (sightline forward retry re-sends them)',
      );
    }
  };

  const handle = async (batch: LogBatch) => {
    const events = (await options.map(batch.records)).filter(matches);
    try {
      await send(events, `${batch.topic}-${batch.partition}-${batch.first}-${batch.last}`);
    } catch (err) {
      // Stopping: the batch is not committed and comes back, whole, on the next start.
      if (!(err instanceof ForwardStopped))
        logger.warn({ err: (err as Error).message }, 'batch not finished; it will be delivered again');
      throw err;
    }
  };

  // A destination without rules only receives aggregate pushes: it needs no position on the log.
  const consumes = options.rules.some((r) => r.destination === spec.name);
  const subscription = consumes
    ? options.log.subscribe(
        EVENTS_TOPIC,
        group,
        { maxRecords: Math.min(5_000, spec.batchSize * 4), maxWaitMs: options.maxWaitMs },
        handle,
      )
    : undefined;
  const gauge = setInterval(() => {
    if (!subscription) return;
    const backlog = options.log.stats().groups?.[EVENTS_TOPIC]?.[group];
    if (backlog !== undefined) metrics.backlog.set({ destination: spec.name }, backlog);
  }, 1_000);
  gauge.unref();

  return {
    group,
    send,
    async stop() {
      clearInterval(gauge);
      // The log marks the subscription stopped first, so the delivery aborted next is not retried.
      const stopped = subscription?.stop();
      setImmediate(() => stopping.abort());
      await stopped;
    },
  };
}
