/**
 * The scale-out log: Apache Kafka through @platformatic/kafka. Appends resolve only after every in-sync replica
 * has the records (acks=all, idempotent producer), so the collector never acknowledges what Kafka could lose.
 * Consumers are group members; their offsets advance only after the store accepted a batch.
 */
import { Admin, ProduceAcks, Producer } from '@platformatic/kafka';
import type { Logger } from '../../observe/logger.ts';
import type {
  BatchHandler,
  EventLog,
  LogCapabilities,
  LogPayload,
  LogStats,
  SubscribeOptions,
  Subscription,
} from '../event-log.ts';
import { CLIENT_TIMEOUTS, withTimeout } from './kafka-client.ts';
import { groupLag } from './kafka-lag.ts';
import { kafkaSubscribe } from './kafka-subscription.ts';
import { ensureTopics, type TopicSettings } from './kafka-topics.ts';

export interface KafkaLogOptions extends TopicSettings {
  /** host:port of one or more brokers. */
  bootstrap: string[];
  clientId: string;
  /** Topics created at start when missing (logical names; see `names`). */
  topics: readonly string[];
  /** Logical topic → its name on the broker; a topic not listed is called by its logical name. */
  names?: Readonly<Record<string, string>>;
  logger: Logger;
  /** Wait this long for more records before a produce request goes out (batching). */
  lingerMs?: number;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
}

/** `kafka://host:9092,host2:9092` → brokers. */
export function parseKafkaUrl(url: string): string[] {
  const match = /^kafka:\/\/(.+)$/.exec(url.trim());
  if (!match) throw new Error(`"${url}" is not kafka://host:port[,host:port…]`);
  return match[1]
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Records gathered into one produce request at most. */
const MAX_BATCH = 2_000;

interface PendingAppend {
  topic: string;
  records: LogPayload[];
  keys: readonly (Buffer | undefined)[] | undefined;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class KafkaEventLog implements EventLog {
  /** Every role and outside writer reaches the brokers; a producer retry can append a record twice. */
  static readonly CAPABILITIES: LogCapabilities = Object.freeze({
    shared: true,
    mayDuplicate: true,
    hasDeadLetterTopic: true,
  });
  readonly capabilities = KafkaEventLog.CAPABILITIES;
  readonly #options: KafkaLogOptions;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly #admin: Admin;
  readonly #subscriptions = new Set<Subscription>();
  #pending: PendingAppend[] = [];
  #pendingRecords = 0;
  #timer: NodeJS.Timeout | undefined;
  /** topic → group → backlog, as last measured. */
  readonly #lag = new Map<string, Map<string, number>>();

  private constructor(options: KafkaLogOptions, admin: Admin) {
    this.#options = options;
    this.#admin = admin;
    this.#producer = new Producer({
      clientId: `${options.clientId}-producer`,
      bootstrapBrokers: options.bootstrap,
      acks: ProduceAcks.ALL,
      idempotent: true,
      // A broker restart takes a few seconds; the collector's request waits that long before answering 503.
      retries: 5,
      retryDelay: 250,
      // Envelopes are JSON-ish and compress well; lz4 costs little CPU on the collector.
      ...(options.compression && options.compression !== 'none' ? { compression: options.compression } : {}),
      timeout: 10_000,
      requestTimeout: 10_000,
    });
  }

  /** The broker's name for a logical topic. Metrics and groups keep the logical name. */
  #named(topic: string): string {
    return this.#options.names?.[topic] ?? topic;
  }

  static async open(options: KafkaLogOptions): Promise<KafkaEventLog> {
    const admin = new Admin({
      clientId: `${options.clientId}-admin`,
      bootstrapBrokers: options.bootstrap,
      ...CLIENT_TIMEOUTS,
    });
    // A broker that is restarting should not stop a role from starting: keep trying for a minute.
    let created: string[] = [];
    for (let attempt = 0; ; attempt++) {
      try {
        created = await ensureTopics(
          admin,
          options.topics.map((t) => options.names?.[t] ?? t),
          options,
        );
        break;
      } catch (err) {
        if (attempt >= 20)
          throw new Error(
            `Kafka at ${options.bootstrap.join(',')} is not reachable: ${(err as Error).message}`,
          );
        options.logger.warn({ err: (err as Error).message }, 'Kafka not reachable yet; retrying');
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }
    if (created.length > 0)
      options.logger.info({ topics: created, partitions: options.partitions }, 'kafka topics created');
    return new KafkaEventLog(options, admin);
  }

  /**
   * Appends are gathered for `lingerMs` (or until MAX_BATCH records) and sent as one produce request: under load a
   * request per HTTP call would spend its time in round trips. Every caller's promise settles with its batch's ack.
   */
  append(topic: string, records: LogPayload[], keys?: readonly (Buffer | undefined)[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ topic: this.#named(topic), records, keys, resolve, reject });
      this.#pendingRecords += records.length;
      if (this.#pendingRecords >= MAX_BATCH) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#options.lingerMs ?? 2);
    });
  }

  #flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    this.#pendingRecords = 0;
    if (batch.length === 0) return;
    const messages = batch.flatMap((a) =>
      a.records.map((value, i) => ({ topic: a.topic, value, ...(a.keys?.[i] ? { key: a.keys[i] } : {}) })),
    );
    this.#producer.send({ messages }).then(
      () => {
        for (const a of batch) a.resolve();
      },
      (err: unknown) => {
        for (const a of batch) a.reject(err);
      },
    );
  }

  subscribe(topic: string, group: string, options: SubscribeOptions, handler: BatchHandler): Subscription {
    const groups = this.#lag.get(topic) ?? new Map<string, number>();
    groups.set(group, 0);
    this.#lag.set(topic, groups);
    const subscription = kafkaSubscribe({
      bootstrap: this.#options.bootstrap,
      clientId: `${this.#options.clientId}-${group}`,
      admin: this.#admin,
      logger: this.#options.logger,
      topic: this.#named(topic),
      group,
      options,
      // The handler sees the logical name, as with the WAL.
      handler: (batch) => handler({ ...batch, topic }),
    });
    this.#subscriptions.add(subscription);
    return {
      stop: async () => {
        this.#subscriptions.delete(subscription);
        await subscription.stop();
      },
    };
  }

  async ready(): Promise<boolean> {
    try {
      await Promise.race([
        this.#admin.listTopics(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000)),
      ]);
      return true;
    } catch {
      return false;
    }
  }

  async refreshStats(): Promise<void> {
    const jobs: Promise<void>[] = [];
    for (const [topic, groups] of this.#lag)
      for (const group of groups.keys())
        jobs.push(
          withTimeout(groupLag(this.#admin, this.#named(topic), group), 5_000, 'measuring lag').then(
            (n) => void groups.set(group, n),
          ),
        );
    await Promise.all(jobs);
  }

  stats(): LogStats {
    const backlog: Record<string, number> = {};
    const byGroup: Record<string, Record<string, number>> = {};
    // The slowest group is the backlog that matters (the one that still needs the records).
    for (const [topic, groups] of this.#lag) {
      backlog[topic] = Math.max(0, ...groups.values());
      byGroup[topic] = Object.fromEntries(groups);
    }
    return { backlog, groups: byGroup };
  }

  async close(): Promise<void> {
    this.#flush();
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    await this.#producer.close().catch(() => undefined);
    await this.#admin.close().catch(() => undefined);
  }
}
