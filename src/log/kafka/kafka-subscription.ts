/**
 * One consumer-group member reading one topic: messages are cut into per-partition batches (size, bytes, wait),
 * each batch is marked in flight, handed to the handler (retried with backoff until it succeeds), then committed.
 * A partition whose previous owner died mid-batch starts with exactly that batch again (see kafka-inflight.ts).
 *
 * The client can end up quietly idle after a broker outage (a rejoin that failed, a commit that never answers, a
 * stream that stopped fetching), so every way out — a stream error, a consumer error, stalled heartbeats, a refused
 * commit, a watchdog that sees an owned partition with a backlog and no commits — leads to one restart: the member
 * and its stream are dropped, a new member joins, and reading resumes from the committed offsets.
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
import { partitionBacklog } from './kafka-lag.ts';

export interface KafkaSubscribeDeps {
  bootstrap: string[];
  clientId: string;
  admin: Admin;
  logger: Logger;
  topic: string;
  group: string;
  options: SubscribeOptions;
  handler: BatchHandler;
  /** An owned partition whose backlog has not moved for this long restarts the member (default 30 s). */
  stallMs?: number;
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

type Stream = Awaited<ReturnType<Consumer['consume']>>;

export function kafkaSubscribe(deps: KafkaSubscribeDeps): Subscription {
  const { topic, group, options, logger } = deps;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const stallMs = deps.stallMs ?? 30_000;
  const partitions = new Map<number, Pending>();
  let marks: Map<number, PartitionMarks> | undefined;
  let running = true;
  let draining: Promise<void> | undefined;
  let stream: Stream | undefined;
  /** Bumped by every restart: callbacks of an older member or stream see it and stand down. */
  let generation = 0;
  let restarting: Promise<void> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const makeConsumer = (): Consumer => {
    const c = new Consumer({
      groupId: group,
      clientId: deps.clientId,
      bootstrapBrokers: deps.bootstrap,
      // Kafka's floor is 6 s; a dead member's partitions move after this long.
      sessionTimeout: 10_000,
      ...CLIENT_TIMEOUTS,
      heartbeatInterval: 2_000,
      rebalanceTimeout: 30_000,
    });
    // A rebalance may move partitions away: what was buffered for them is the next owner's to read.
    c.on('consumer:group:join', () => {
      if (c !== consumer) return;
      marks = undefined;
      for (const p of [...partitions.keys()]) if (!owned(p)) partitions.delete(p);
    });
    // A rejoin that failed is reported here (unhandled, it would end the process) and leaves the member out of the
    // group for good; heartbeats that stall for a rebalance timeout mean the same.
    c.on('error', (err: Error) => {
      if (c === consumer) restart(`consumer error: ${err.message}`);
    });
    c.on('consumer:heartbeat:stalled', () => {
      if (c === consumer) restart('heartbeats stalled');
    });
    return c;
  };
  let consumer = makeConsumer();

  const owned = (partition: number) =>
    consumer.assignments?.some((a) => a.topic === topic && a.partitions.includes(partition)) ?? false;

  function close(p: Pending, redelivery: boolean) {
    if (p.records.length === 0) return;
    p.closed.push({ records: p.records, redelivery, leaderEpoch: p.leaderEpoch });
    p.records = [];
    p.bytes = 0;
  }

  async function onMessage(message: Message<Buffer, Buffer, Buffer, Buffer>, gen: number) {
    if (gen !== generation) return;
    let p = partitions.get(message.partition);
    if (!p) {
      while (!marks && running && gen === generation) {
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
      if (!marks || gen !== generation) return;
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

  /** Stores one batch and commits it; false when the commit did not go through (the caller restarts). */
  async function handle(
    partition: number,
    batch: { records: LogRecord[]; redelivery: boolean; leaderEpoch: number },
    gen: number,
  ): Promise<boolean> {
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
    for (let attempt = 0; ; attempt++) {
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
        logBatch.redelivery = true;
        // Stopped or restarted: the batch is read again from the committed offset, with the same boundaries
        // when its mark is down.
        if (!running || gen !== generation) return false;
      }
    }
    try {
      await withTimeout(
        consumer.commit({
          offsets: [{ topic, partition, offset: BigInt(last + 1), leaderEpoch: batch.leaderEpoch }],
        }),
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

  async function drain(gen: number) {
    const current = stream;
    current?.pause();
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
        if (!next || !running || gen !== generation) return;
        const [partition, p] = next;
        const batch = p.closed.shift()!;
        if (!owned(partition)) {
          partitions.delete(partition);
          continue;
        }
        let committed: boolean;
        try {
          committed = await handle(partition, batch, gen);
        } catch (err) {
          // Never skip a batch: it goes back to the front, and the next round tries again.
          p.closed.unshift(batch);
          throw err;
        }
        if (!committed) {
          if (running) restart('a commit did not go through');
          return;
        }
      }
    } finally {
      if (current === stream) current?.resume();
    }
  }

  const kick = () => {
    if (!draining && running && !restarting) {
      const gen = generation;
      draining = drain(gen)
        .catch((err) => logger.error({ err, topic }, 'kafka consumer loop failed'))
        .finally(() => {
          draining = undefined;
        });
    }
  };

  const timer = setInterval(kick, Math.max(10, Math.min(options.maxWaitMs, 100)));

  /** Joins the group and starts the message stream, retrying with a fresh member until it works. */
  const open = async (gen: number): Promise<void> => {
    for (let attempt = 0; running && gen === generation; attempt++) {
      if (attempt > 0) {
        await sleep(Math.min(10_000, 250 * 2 ** attempt));
        if (!running || gen !== generation) return;
        // A join that failed can leave the client half in the group; a new member starts clean.
        retire(consumer);
        consumer = makeConsumer();
      }
      try {
        const s = await withTimeout(
          consumer.consume({
            topics: [topic],
            mode: MessagesStreamModes.COMMITTED,
            fallbackMode: MessagesStreamFallbackModes.EARLIEST,
            autocommit: false,
            maxWaitTime: Math.max(10, Math.min(options.maxWaitMs, 500)),
            maxBytes,
          }),
          45_000,
          'joining the consumer group',
        );
        if (!running || gen !== generation) {
          void s.close().catch(() => undefined);
          return;
        }
        stream = s;
        break;
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, topic, group },
          'cannot join the consumer group yet; retrying',
        );
      }
    }
    const current = stream;
    if (!current || !running || gen !== generation) return;
    current.on('data', (message: Message<Buffer, Buffer, Buffer, Buffer>) => {
      if (gen !== generation) return;
      // Messages are taken in order, one at a time (the first of a partition may wait for its marks).
      queue = queue
        .then(() => onMessage(message, gen))
        .then(kick, (err) => logger.error({ err, topic }, 'message handling failed'));
    });
    current.on('error', (err: Error) => {
      if (gen === generation) restart(`stream error: ${err.message}`);
    });
    current.on('close', () => {
      if (gen === generation) restart('stream closed');
    });
  };

  /** Leaves the group in the background; a member that cannot leave is dropped by the broker after its session. */
  const retire = (old: Consumer, oldStream?: Stream) => {
    void (async () => {
      await withTimeout(oldStream?.close() ?? Promise.resolve(), 5_000, 'closing the stream').catch(
        () => undefined,
      );
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await withTimeout(old.close(true), 10_000, 'closing the consumer');
          return;
        } catch {
          await sleep(5_000);
        }
      }
    })();
  };

  function restart(why: string) {
    if (restarting || !running) return;
    const gen = ++generation;
    logger.warn({ topic, group, why }, 'restarting the kafka consumer from the committed offsets');
    restarting = (async () => {
      // The batch in hand is finished first (or given up when its handler keeps failing: it is read again).
      await draining;
      await queue;
      const oldStream = stream;
      stream = undefined;
      partitions.clear();
      marks = undefined;
      watch.reset();
      retire(consumer, oldStream);
      consumer = makeConsumer();
      await sleep(1_000);
      restarting = undefined;
      if (running && gen === generation) await open(gen);
    })().catch((err) => {
      restarting = undefined;
      logger.error({ err, topic }, 'kafka consumer restart failed');
    });
  }

  /**
   * The watchdog: an owned partition with a backlog whose committed offset has not moved for `stallMs`, while no
   * batch is being stored, means this member stopped reading; a partition stalled twice as long while this member
   * owns nothing at all means its view of the group is stale.
   */
  const watch = (() => {
    const seen = new Map<number, { committed: bigint; since: number }>();
    let checking = false;
    const check = async () => {
      if (checking || !running || restarting || !stream) return;
      checking = true;
      try {
        const backlog = await withTimeout(
          partitionBacklog(deps.admin, topic, group),
          10_000,
          'measuring lag',
        );
        const now = Date.now();
        let stalledFor = 0;
        let stalledMine = false;
        for (const [partition, b] of backlog) {
          const before = seen.get(partition);
          if (b.records === 0 || !before || before.committed !== b.committed) {
            seen.set(partition, { committed: b.committed, since: now });
            continue;
          }
          stalledFor = Math.max(stalledFor, now - before.since);
          if (owned(partition) && now - before.since >= stallMs) stalledMine = true;
        }
        if (draining || restarting || !running) return;
        const ownsNothing = !consumer.assignments?.some((a) => a.topic === topic && a.partitions.length > 0);
        if (stalledMine) restart(`an owned partition has had a backlog and no commits for ${stallMs} ms`);
        else if (ownsNothing && stalledFor >= 2 * stallMs)
          restart(
            `a partition has had a backlog and no commits for ${stalledFor} ms while this member owns none`,
          );
      } catch {
        // The broker is unreachable: the stream reports that on its own.
      } finally {
        checking = false;
      }
    };
    const interval = setInterval(() => void check(), Math.max(1_000, Math.min(10_000, stallMs / 3)));
    return {
      reset: () => seen.clear(),
      stop: () => clearInterval(interval),
    };
  })();

  const started = open(generation);

  return {
    async stop() {
      running = false;
      clearInterval(timer);
      watch.stop();
      await started;
      await restarting;
      await draining;
      await withTimeout(stream?.close() ?? Promise.resolve(), 5_000, 'closing the stream').catch(
        () => undefined,
      );
      await withTimeout(consumer.close(), 10_000, 'closing the consumer').catch(() => undefined);
    },
  };
}
