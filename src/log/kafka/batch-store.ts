/**
 * What a member does with one closed batch: mark it in flight (so a crash redelivers exactly it), hand it to the
 * handler until that succeeds, then commit past it.
 */

import type { Admin, Consumer } from '@platformatic/kafka';
import type { Logger } from '../../observe/logger.ts';
import { backoffDelay } from '../backoff.ts';
import type { BatchHandler, LogBatch } from '../event-log.ts';
import { sleep, withTimeout } from './kafka-client.ts';
import { markInflight } from './kafka-inflight.ts';
import {
  type ClosedBatch,
  commitFor,
  firstOffset,
  inflightMarkFor,
  lastOffset,
} from './partition-batcher.ts';

export interface BatchStoreDeps {
  admin: Admin;
  logger: Logger;
  topic: string;
  group: string;
  handler: BatchHandler;
  /** The member's client at commit time. */
  consumer: () => Consumer;
  /** False once the member stopped or restarted: a failing batch is then left to be read again. */
  current: () => boolean;
}

/** Stores one batch and commits it; false when the commit did not go through (the caller restarts). */
export async function storeBatch(
  deps: BatchStoreDeps,
  partition: number,
  batch: ClosedBatch,
): Promise<boolean> {
  const { admin, topic, group, logger, handler } = deps;
  const first = firstOffset(batch);
  const last = lastOffset(batch);
  const logBatch: LogBatch = {
    topic,
    partition,
    first,
    last,
    records: batch.records,
    redelivery: batch.redelivery,
  };
  for (let attempt = 0; ; attempt++) {
    try {
      // The mark must be down before the store sees the batch; while Kafka is unreachable, keep trying — a
      // batch is never skipped (a later commit would move the group past it).
      const mark = inflightMarkFor(batch);
      if (mark !== undefined)
        await withTimeout(
          markInflight(admin, group, topic, partition, mark),
          20_000,
          'marking the batch in flight',
        );
      batch.redelivery = true;
      await handler(logBatch);
      break;
    } catch (err) {
      const wait = backoffDelay(attempt, { baseMs: 200, capMs: 30_000, jitter: [0.5, 1] });
      logger.warn(
        { err: (err as Error).message, topic, partition, first, last, retryInMs: Math.round(wait) },
        'batch handler failed; retrying the same batch',
      );
      await sleep(wait);
      logBatch.redelivery = true;
      // Stopped or restarted: the batch is read again from the committed offset, with the same boundaries
      // when its mark is down.
      if (!deps.current()) return false;
    }
  }
  try {
    const commit = commitFor(batch);
    await withTimeout(
      deps.consumer().commit({ offsets: [{ topic, partition, ...commit }] }),
      15_000,
      'committing the batch',
    );
    return true;
  } catch (err) {
    // The next reader of this partition (another member, or this one after the restart) starts at the batch's
    // first offset and redelivers [first, last] with these very boundaries. Going on to the partition's next
    // batch instead would move the mark past a range the group has not committed.
    logger.warn(
      { err: (err as Error).message, topic, partition, first, last },
      'commit refused; the batch will be redelivered from the committed offset',
    );
    return false;
  }
}
