/**
 * A consumer group's loop over one topic: deliver a batch, wait for the handler, commit, repeat — strictly in
 * order. The range of a batch is made durable *before* the handler runs; after a crash the same range is delivered
 * again (`redelivery`), so dedup tokens built from its boundaries match. A failing handler gets the same batch
 * again after a capped exponential backoff, until it succeeds or the subscription stops.
 */
import { backoffDelay } from '../backoff.ts';
import type { BatchHandler, LogBatch, SubscribeOptions, Subscription } from '../event-log.ts';
import type { Checkpoint } from './consumer-checkpoint.ts';
import type { WalLogger, WalTopic } from './wal-topic.ts';

const LOCAL_RETRY = { baseMs: 100, capMs: 5_000 };
/** Default byte bound of one batch, so a backlog of large records cannot exhaust memory. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export function startConsumer(
  topic: WalTopic,
  group: string,
  options: SubscribeOptions,
  handler: BatchHandler,
  logger: WalLogger,
): Subscription {
  let stopped = false;
  let wakeSleep: (() => void) | undefined;
  const isStopped = () => stopped;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** A checkpoint that cannot be written (disk full) is retried, never skipped: the position must not regress. */
  const save = async (checkpoint: Checkpoint) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await topic.checkpoints.write(group, checkpoint);
        topic.committed.set(group, checkpoint.committed);
        return;
      } catch (err) {
        const delay = backoffDelay(attempt, LOCAL_RETRY);
        logger.warn(
          { topic: topic.name, group, retryInMs: delay, err: (err as Error).message },
          'consumer checkpoint write failed; retrying',
        );
        await sleep(delay);
        if (stopped) throw err;
      }
    }
  };

  const deliver = async (batch: LogBatch): Promise<boolean> => {
    for (let attempt = 0; ; attempt++) {
      try {
        await handler(batch);
        return true;
      } catch (err) {
        if (stopped) return false;
        const delay = backoffDelay(attempt, { ...LOCAL_RETRY, jitter: [0.75, 1.25] });
        logger.warn(
          {
            topic: topic.name,
            group,
            first: batch.first,
            last: batch.last,
            attempt,
            retryInMs: Math.round(delay),
            err: (err as Error).message,
          },
          'batch handler failed; retrying the same batch',
        );
        await sleep(delay);
        if (stopped) return false;
        batch.redelivery = true;
      }
    }
  };

  const run = async () => {
    const known = topic.checkpoints.read(group);
    let checkpoint: Checkpoint = known ?? { committed: topic.first };
    if (!known) await save(checkpoint);
    if (checkpoint.committed < topic.first) {
      logger.warn(
        { topic: topic.name, group, committed: checkpoint.committed, first: topic.first },
        'consumer position is before the oldest segment; skipping ahead',
      );
      checkpoint = { committed: topic.first };
    }
    let cursor = await topic.locate(checkpoint.inflight?.first ?? checkpoint.committed);
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    while (!stopped) {
      let batch: LogBatch;
      let next = cursor;
      if (checkpoint.inflight) {
        const { first, last } = checkpoint.inflight;
        const read = await topic.read(cursor, last - first + 1, Number.POSITIVE_INFINITY);
        next = read.next;
        if (read.records.length === 0) {
          logger.warn(
            { topic: topic.name, group, first, last },
            'in-flight range is gone from the log; moving on',
          );
          checkpoint = { committed: Math.max(checkpoint.committed, topic.first) };
          await save(checkpoint);
          cursor = await topic.locate(checkpoint.committed);
          continue;
        }
        batch = { topic: topic.name, partition: 0, first, last, records: read.records, redelivery: true };
      } else {
        await topic.waitFor(cursor.offset, options.maxRecords, options.maxWaitMs, isStopped);
        if (stopped) break;
        const read = await topic.read(cursor, options.maxRecords, maxBytes);
        if (read.records.length === 0) {
          cursor = read.next;
          continue;
        }
        next = read.next;
        const first = read.records[0].offset;
        const last = read.records[read.records.length - 1].offset;
        checkpoint = { committed: checkpoint.committed, inflight: { first, last } };
        await save(checkpoint);
        batch = { topic: topic.name, partition: 0, first, last, records: read.records, redelivery: false };
      }
      if (!(await deliver(batch))) break;
      checkpoint = { committed: batch.last + 1 };
      await save(checkpoint);
      cursor = next;
      await topic.deleteConsumed();
    }
  };

  const running = run().catch((err) => {
    logger.warn({ topic: topic.name, group, err: (err as Error).message }, 'consumer stopped by an error');
  });

  return {
    async stop() {
      stopped = true;
      wakeSleep?.();
      topic.wake();
      await running;
    },
  };
}
