/**
 * One consumer-group member reading one topic: messages are cut into per-partition batches (size, bytes, wait),
 * each batch is marked in flight, handed to the handler (retried with backoff until it succeeds), then committed.
 * A partition whose previous owner died mid-batch starts with exactly that batch again (see kafka-inflight.ts).
 */
import {
  type Admin,
  Consumer,
  type Message,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import type { Logger } from '../../observe/logger.ts';
import type { BatchHandler, LogBatch, LogRecord, SubscribeOptions, Subscription } from '../event-log.ts';
import { markInflight, type PartitionMarks, readMarks } from './kafka-inflight.ts';

export interface KafkaSubscribeDeps {
  bootstrap: string[];
  clientId: string;
  admin: Admin;
  logger: Logger;
  topic: string;
  group: string;
  options: SubscribeOptions;
  handler: BatchHandler;
}

interface Pending {
  records: LogRecord[];
  bytes: number;
  startedAt: number;
  leaderEpoch: number;
  /** Closed batches wait here (an in-flight range closes exactly at its end). */
  closed: Array<{ records: LogRecord[]; redelivery: boolean; leaderEpoch: number }>;
  /** Exclusive end of the range a previous owner had in flight, while it is being re-read. */
  inflightEnd?: bigint;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A broker that comes back can leave a request unanswered; nothing in the loop may wait on one forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Client settings for every Kafka client Sightline makes: bounded waits, a few quick retries. */
export const CLIENT_TIMEOUTS = {
  timeout: 10_000,
  requestTimeout: 10_000,
  connectTimeout: 5_000,
  retries: 3,
  retryDelay: 500,
};

export function kafkaSubscribe(deps: KafkaSubscribeDeps): Subscription {
  const { topic, group, options, logger } = deps;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const consumer = new Consumer({
    groupId: group,
    clientId: deps.clientId,
    bootstrapBrokers: deps.bootstrap,
    // Kafka's floor is 6 s; a dead member's partitions move after this long.
    sessionTimeout: 10_000,
    ...CLIENT_TIMEOUTS,
    heartbeatInterval: 2_000,
    rebalanceTimeout: 30_000,
  });
  const partitions = new Map<number, Pending>();
  let marks: Map<number, PartitionMarks> | undefined;
  let running = true;
  let draining: Promise<void> | undefined;
  let stream: Awaited<ReturnType<typeof consumer.consume>> | undefined;

  const owned = (partition: number) =>
    consumer.assignments?.some((a) => a.topic === topic && a.partitions.includes(partition)) ?? false;

  // A rebalance may move partitions away: what was buffered for them is the next owner's to read.
  consumer.on('consumer:group:join', () => {
    marks = undefined;
    for (const p of [...partitions.keys()]) if (!owned(p)) partitions.delete(p);
  });

  function close(p: Pending, redelivery: boolean) {
    if (p.records.length === 0) return;
    p.closed.push({ records: p.records, redelivery, leaderEpoch: p.leaderEpoch });
    p.records = [];
    p.bytes = 0;
  }

  async function onMessage(message: Message<Buffer, Buffer, Buffer, Buffer>) {
    let p = partitions.get(message.partition);
    if (!p) {
      while (!marks && running) {
        try {
          marks = await withTimeout(readMarks(deps.admin, group, topic), 20_000, 'reading in-flight marks');
        } catch (err) {
          logger.warn(
            { err: (err as Error).message, topic, group },
            'cannot read the in-flight marks yet; retrying',
          );
          await sleep(1_000);
        }
      }
      if (!marks) return;
      const end = marks.get(message.partition)?.inflightEnd;
      p = { records: [], bytes: 0, startedAt: Date.now(), leaderEpoch: message.leaderEpoch, closed: [] };
      if (end !== undefined && message.offset < end) {
        p.inflightEnd = end;
        logger.info(
          { topic, partition: message.partition, from: Number(message.offset), to: Number(end) - 1 },
          'redelivering the range in flight before the restart',
        );
      }
      partitions.set(message.partition, p);
    }
    if (p.records.length === 0) p.startedAt = Date.now();
    p.records.push({ offset: Number(message.offset), value: message.value });
    p.bytes += message.value.length;
    p.leaderEpoch = message.leaderEpoch;
    if (p.inflightEnd !== undefined) {
      if (message.offset + 1n >= p.inflightEnd) {
        close(p, true);
        p.inflightEnd = undefined;
      }
    } else if (p.records.length >= options.maxRecords || p.bytes >= maxBytes) close(p, false);
  }

  async function handle(
    partition: number,
    batch: { records: LogRecord[]; redelivery: boolean; leaderEpoch: number },
  ) {
    const first = batch.records[0].offset;
    const last = batch.records[batch.records.length - 1].offset;
    const logBatch: LogBatch = {
      topic,
      partition,
      first,
      last,
      records: batch.records,
      redelivery: batch.redelivery,
    };
    for (let attempt = 0; running || attempt === 0; attempt++) {
      try {
        // The mark must be down before the store sees the batch; while Kafka is unreachable, keep trying — a
        // batch is never skipped (a later commit would move the group past it).
        if (!batch.redelivery)
          await withTimeout(
            markInflight(deps.admin, group, topic, partition, BigInt(last + 1)),
            20_000,
            'marking the batch in flight',
          );
        batch.redelivery = true;
        await deps.handler(logBatch);
        break;
      } catch (err) {
        const wait = Math.min(30_000, 200 * 2 ** Math.min(attempt, 8)) * (0.5 + Math.random() / 2);
        logger.warn(
          { err: (err as Error).message, topic, partition, first, last, retryInMs: Math.round(wait) },
          'batch handler failed; retrying the same batch',
        );
        await sleep(wait);
        if (!running) return;
      }
    }
    try {
      await consumer.commit({
        offsets: [{ topic, partition, offset: BigInt(last + 1), leaderEpoch: batch.leaderEpoch }],
      });
    } catch (err) {
      // Lost the partition in a rebalance: its next owner re-reads [first, last] with these very boundaries.
      logger.warn(
        { err: (err as Error).message, topic, partition, first, last },
        'commit refused; the next owner redelivers this batch',
      );
    }
  }

  async function drain() {
    stream?.pause();
    try {
      for (;;) {
        const now = Date.now();
        let next: [number, Pending] | undefined;
        for (const entry of partitions) {
          const p = entry[1];
          if (p.inflightEnd === undefined && p.records.length > 0 && now - p.startedAt >= options.maxWaitMs)
            close(p, false);
          if (p.closed.length > 0) {
            next = entry;
            break;
          }
        }
        if (!next || !running) return;
        const [partition, p] = next;
        const batch = p.closed.shift()!;
        if (!owned(partition)) {
          partitions.delete(partition);
          continue;
        }
        try {
          await handle(partition, batch);
        } catch (err) {
          // Never skip a batch: it goes back to the front, and the next round tries again.
          p.closed.unshift(batch);
          throw err;
        }
      }
    } finally {
      stream?.resume();
    }
  }

  const kick = () => {
    if (!draining && running)
      draining = drain()
        .catch((err) => logger.error({ err, topic }, 'kafka consumer loop failed'))
        .finally(() => {
          draining = undefined;
        });
  };

  const timer = setInterval(kick, Math.max(10, Math.min(options.maxWaitMs, 100)));

  /**
   * Opens the message stream; when it fails (a broker outage can end it for good), a new one starts from the
   * committed offsets, after the batch in hand (if any) was finished. Buffered, uncommitted messages are simply
   * read again.
   */
  let streamGeneration = 0;
  const open = async (): Promise<void> => {
    const generation = ++streamGeneration;
    for (let attempt = 0; running; attempt++) {
      try {
        stream = await consumer.consume({
          topics: [topic],
          mode: MessagesStreamModes.COMMITTED,
          fallbackMode: MessagesStreamFallbackModes.EARLIEST,
          autocommit: false,
          maxWaitTime: Math.max(10, Math.min(options.maxWaitMs, 500)),
          maxBytes,
        });
        break;
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, topic, group },
          'cannot join the consumer group yet; retrying',
        );
        await sleep(Math.min(10_000, 250 * 2 ** attempt));
      }
    }
    const current = stream;
    if (!current || !running) return;
    let queue = Promise.resolve();
    current.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (generation !== streamGeneration) return;
      // Messages are taken in order, one at a time (the first of a partition may wait for its marks).
      queue = queue
        .then(() => onMessage(message))
        .then(kick, (err) => logger.error({ err, topic }, 'message handling failed'));
    });
    let reopening = false;
    const reopen = (why: string) => {
      if (reopening || !running || generation !== streamGeneration) return;
      reopening = true;
      logger.warn({ topic, group, why }, 'kafka stream ended; reopening it from the committed offsets');
      void (async () => {
        await draining;
        await queue;
        partitions.clear();
        marks = undefined;
        await current.close().catch(() => undefined);
        await sleep(1_000);
        if (running) await open();
      })();
    };
    current.on('error', (err: Error) => {
      logger.warn({ err: err.message, topic, group }, 'kafka stream error');
      reopen(err.message);
    });
    current.on('close', () => reopen('closed'));
  };
  const started = open();

  return {
    async stop() {
      running = false;
      clearInterval(timer);
      await started;
      await draining;
      await stream?.close().catch(() => undefined);
      await consumer.close().catch(() => undefined);
    },
  };
}
