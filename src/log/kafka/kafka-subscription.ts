/**
 * One consumer-group member reading one topic: messages are cut into per-partition batches (partition-batcher.ts),
 * each batch is marked in flight, handed to the handler (retried with backoff until it succeeds), then committed.
 * A partition whose previous owner died mid-batch starts with exactly that batch again (see kafka-inflight.ts).
 *
 * The client can end up quietly idle after a broker outage (a rejoin that failed, a commit that never answers, a
 * stream that stopped fetching), so every way out — a stream error, a consumer error, stalled heartbeats, a refused
 * commit, a watchdog that sees an owned partition with a backlog and no commits — leads to one restart: the member
 * and its stream are dropped, a new member joins, and reading resumes from the committed offsets. The states and
 * generations of that cycle are member-lifecycle.ts.
 */

import {
  type Admin,
  Consumer,
  type Message,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
} from '@platformatic/kafka';
import type { Logger } from '../../observe/logger.ts';
import { backoffDelay } from '../backoff.ts';
import type { BatchHandler, SubscribeOptions, Subscription } from '../event-log.ts';
import { storeBatch } from './batch-store.ts';
import { drainRound } from './drain-round.ts';
import { CLIENT_TIMEOUTS, retire, sleep, withTimeout } from './kafka-client.ts';
import { type PartitionMarks, readMarks } from './kafka-inflight.ts';
import { partitionBacklog } from './kafka-lag.ts';
import { MemberLifecycle } from './member-lifecycle.ts';
import { PartitionBatcher } from './partition-batcher.ts';
import { StallWatch } from './stall-watch.ts';

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

type Stream = Awaited<ReturnType<Consumer['consume']>>;
type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

export function kafkaSubscribe(deps: KafkaSubscribeDeps): Subscription {
  return new KafkaMember(deps);
}

class KafkaMember implements Subscription {
  readonly #deps: KafkaSubscribeDeps;
  readonly #maxBytes: number;
  readonly #life = new MemberLifecycle();
  readonly #batches: PartitionBatcher;
  readonly #watch: StallWatch;
  #consumer: Consumer;
  #stream: Stream | undefined;
  /** The previous owners' in-flight marks, read once per assignment (a rebalance forgets them). */
  #marks: Map<number, PartitionMarks> | undefined;
  /** Messages are taken in order, one at a time (the first of a partition may wait for its marks). */
  #queue: Promise<void> = Promise.resolve();
  #draining: Promise<void> | undefined;
  #restarting: Promise<void> | undefined;
  #checking = false;
  readonly #drainTimer: NodeJS.Timeout;
  readonly #watchTimer: NodeJS.Timeout;
  readonly #started: Promise<void>;

  constructor(deps: KafkaSubscribeDeps) {
    this.#deps = deps;
    const { maxWaitMs, maxRecords } = deps.options;
    this.#maxBytes = deps.options.maxBytes ?? 64 * 1024 * 1024;
    const stallMs = deps.stallMs ?? 30_000;
    this.#batches = new PartitionBatcher({ maxRecords, maxWaitMs, maxBytes: this.#maxBytes });
    this.#watch = new StallWatch(stallMs);
    this.#consumer = this.#makeConsumer();
    this.#drainTimer = setInterval(() => this.#kick(), Math.max(10, Math.min(maxWaitMs, 100)));
    this.#watchTimer = setInterval(() => void this.#check(), Math.max(1_000, Math.min(10_000, stallMs / 3)));
    this.#started = this.#open(this.#life.generation);
  }

  async stop(): Promise<void> {
    this.#life.stop();
    clearInterval(this.#drainTimer);
    clearInterval(this.#watchTimer);
    await this.#started;
    await this.#restarting;
    await this.#draining;
    await withTimeout(this.#stream?.close() ?? Promise.resolve(), 5_000, 'closing the stream').catch(
      () => undefined,
    );
    await withTimeout(this.#consumer.close(), 10_000, 'closing the consumer').catch(() => undefined);
    this.#life.stopped();
  }

  #makeConsumer(): Consumer {
    const c = new Consumer({
      groupId: this.#deps.group,
      clientId: this.#deps.clientId,
      bootstrapBrokers: this.#deps.bootstrap,
      // Kafka's floor is 6 s; a dead member's partitions move after this long.
      sessionTimeout: 10_000,
      ...CLIENT_TIMEOUTS,
      heartbeatInterval: 2_000,
      rebalanceTimeout: 30_000,
    });
    // A rebalance may move partitions away: what was buffered for them is the next owner's to read.
    c.on('consumer:group:join', () => {
      if (c !== this.#consumer) return;
      this.#marks = undefined;
      this.#batches.retain((p) => this.#owned(p));
    });
    // A rejoin that failed is reported here (unhandled, it would end the process) and leaves the member out of the
    // group for good; heartbeats that stall for a rebalance timeout mean the same.
    c.on('error', (err: Error) => {
      if (c === this.#consumer) this.#restart(`consumer error: ${err.message}`);
    });
    c.on('consumer:heartbeat:stalled', () => {
      if (c === this.#consumer) this.#restart('heartbeats stalled');
    });
    return c;
  }

  #owned(partition: number): boolean {
    const { topic } = this.#deps;
    return (
      this.#consumer.assignments?.some((a) => a.topic === topic && a.partitions.includes(partition)) ?? false
    );
  }

  /** Joins the group and starts the message stream, retrying with a fresh member until it works. */
  async #open(gen: number): Promise<void> {
    const { topic, group, logger, options } = this.#deps;
    for (let attempt = 0; this.#life.current(gen); attempt++) {
      if (attempt > 0) {
        await sleep(backoffDelay(attempt, { baseMs: 250, capMs: 10_000 }));
        if (!this.#life.current(gen)) return;
        // A join that failed can leave the client half in the group; a new member starts clean.
        retire(this.#consumer);
        this.#consumer = this.#makeConsumer();
      }
      try {
        const s = await withTimeout(
          this.#consumer.consume({
            topics: [topic],
            mode: MessagesStreamModes.COMMITTED,
            fallbackMode: MessagesStreamFallbackModes.EARLIEST,
            autocommit: false,
            maxWaitTime: Math.max(10, Math.min(options.maxWaitMs, 500)),
            maxBytes: this.#maxBytes,
          }),
          45_000,
          'joining the consumer group',
        );
        if (!this.#life.joined(gen)) {
          void s.close().catch(() => undefined);
          return;
        }
        this.#stream = s;
        break;
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, topic, group },
          'cannot join the consumer group yet; retrying',
        );
      }
    }
    const current = this.#stream;
    if (!current || !this.#life.current(gen)) return;
    current.on('data', (message: KafkaMessage) => {
      if (gen !== this.#life.generation) return;
      this.#queue = this.#queue
        .then(() => this.#onMessage(message, gen))
        .then(
          () => this.#kick(),
          (err) => logger.error({ err, topic }, 'message handling failed'),
        );
    });
    current.on('error', (err: Error) => {
      if (gen === this.#life.generation) this.#restart(`stream error: ${err.message}`);
    });
    current.on('close', () => {
      if (gen === this.#life.generation) this.#restart('stream closed');
    });
  }

  async #onMessage(message: KafkaMessage, gen: number): Promise<void> {
    if (gen !== this.#life.generation) return;
    const { admin, topic, group, logger } = this.#deps;
    if (!this.#batches.has(message.partition)) {
      while (!this.#marks && this.#life.current(gen)) {
        try {
          this.#marks = await withTimeout(readMarks(admin, group, topic), 20_000, 'reading in-flight marks');
        } catch (err) {
          logger.warn(
            { err: (err as Error).message, topic, group },
            'cannot read the in-flight marks yet; retrying',
          );
          await sleep(1_000);
        }
      }
      if (!this.#marks || gen !== this.#life.generation) return;
      const inflightEnd = this.#marks.get(message.partition)?.inflightEnd;
      const redelivered = this.#batches.start(message, inflightEnd, Date.now());
      if (redelivered)
        logger.info(
          { topic, partition: message.partition, from: Number(redelivered.from), to: Number(redelivered.to) },
          'redelivering the range in flight before the restart',
        );
    }
    this.#batches.add(message, Date.now());
  }

  #kick(): void {
    if (this.#draining || !this.#life.active) return;
    const { logger, topic } = this.#deps;
    this.#draining = this.#drain(this.#life.generation)
      .catch((err) => logger.error({ err, topic }, 'kafka consumer loop failed'))
      .finally(() => {
        this.#draining = undefined;
      });
  }

  /** Stores the closed batches one at a time (drain-round.ts); the stream is paused meanwhile. */
  #drain(gen: number): Promise<void> {
    return drainRound({
      batches: this.#batches,
      stream: () => this.#stream,
      current: () => this.#life.current(gen),
      owned: (p) => this.#owned(p),
      store: (taken) =>
        storeBatch(
          { ...this.#deps, consumer: () => this.#consumer, current: () => this.#life.current(gen) },
          taken.partition,
          taken.batch,
        ),
      refused: () => {
        if (this.#life.live) this.#restart('a commit did not go through');
      },
    });
  }

  #restart(why: string): void {
    const gen = this.#life.beginRestart();
    if (gen === undefined) return;
    const { topic, group, logger } = this.#deps;
    logger.warn({ topic, group, why }, 'restarting the kafka consumer from the committed offsets');
    this.#restarting = (async () => {
      // The batch in hand is finished first (or given up when its handler keeps failing: it is read again).
      await this.#draining;
      await this.#queue;
      const oldStream = this.#stream;
      this.#stream = undefined;
      this.#batches.clear();
      this.#marks = undefined;
      this.#watch.reset();
      retire(this.#consumer, oldStream);
      this.#consumer = this.#makeConsumer();
      await sleep(1_000);
      this.#restarting = undefined;
      if (this.#life.rejoin(gen)) await this.#open(gen);
    })().catch((err) => {
      this.#restarting = undefined;
      this.#life.rejoin(gen);
      logger.error({ err, topic }, 'kafka consumer restart failed');
    });
  }

  /** The watchdog (see stall-watch.ts); runs only while a stream is open and no restart is under way. */
  async #check(): Promise<void> {
    if (this.#checking || !this.#life.active || !this.#stream) return;
    const { admin, topic, group } = this.#deps;
    this.#checking = true;
    try {
      const backlog = await withTimeout(partitionBacklog(admin, topic, group), 10_000, 'measuring lag');
      const why = this.#watch.observe(
        backlog,
        Date.now(),
        (p) => this.#owned(p),
        () => !this.#consumer.assignments?.some((a) => a.topic === topic && a.partitions.length > 0),
      );
      if (this.#draining || !this.#life.active) return;
      if (why) this.#restart(why);
    } catch {
      // The broker is unreachable: the stream reports that on its own.
    } finally {
      this.#checking = false;
    }
  }
}
