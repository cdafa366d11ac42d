/**
 * The embedded log: a folder per topic of CRC-framed segment files, group-committed with fdatasync, with durable
 * consumer checkpoints. `append` resolves only after the fsync that covers the records.
 */
import fs from 'node:fs';
import path from 'node:path';
import { logClosed } from '../errors.ts';
import type {
  BatchHandler,
  EventLog,
  LogCapabilities,
  LogPayload,
  LogStats,
  SubscribeOptions,
  Subscription,
} from '../event-log.ts';
import { startConsumer } from './wal-consumer.ts';
import { type WalLogger, WalTopic } from './wal-topic.ts';

export interface WalOptions {
  dir: string;
  /**
   * The offset a new topic starts at (default 0). `sightline replay` starts its temporary log elsewhere: inserts are
   * deduplicated by tokens made of offsets, and the live log's tokens (the same offsets) must not match its own.
   */
  firstOffset?: number;
  /** Size at which a new segment file starts (default 64 MiB). */
  segmentBytes?: number;
  /**
   * Age of the active segment's first record at which a new segment starts anyway (ms; default none), so a quiet
   * log's records leave the disk within about 1.5 × this once every consumer group is past them.
   */
  maxSegmentAgeMs?: number;
  logger?: WalLogger;
  /** Called after every group-commit fsync: its duration and how many records it made durable. */
  onFsync?: (seconds: number, records: number) => void;
}

const TOPIC = /^[a-zA-Z0-9._-]+$/;
const quiet: WalLogger = { warn: () => undefined, info: () => undefined };

export class WalEventLog implements EventLog {
  /** Local to one process (`sightline serve`); appends are written once, so nothing is duplicated. */
  static readonly CAPABILITIES: LogCapabilities = Object.freeze({
    shared: false,
    mayDuplicate: false,
    hasDeadLetterTopic: false,
  });
  readonly capabilities = WalEventLog.CAPABILITIES;
  readonly #dir: string;
  readonly #options: Required<Pick<WalOptions, 'segmentBytes' | 'logger'>> & WalOptions;
  readonly #topics = new Map<string, Promise<WalTopic>>();
  readonly #opened = new Map<string, WalTopic>();
  readonly #subscriptions = new Set<Subscription>();
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(options: WalOptions) {
    this.#dir = options.dir;
    this.#options = { segmentBytes: 64 * 1024 * 1024, logger: quiet, ...options };
  }

  /** Opens the log folder and every topic in it (repairing torn tails) before returning. */
  static async open(options: WalOptions): Promise<WalEventLog> {
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const log = new WalEventLog(options);
    for (const entry of fs.readdirSync(options.dir, { withFileTypes: true }))
      if (entry.isDirectory() && TOPIC.test(entry.name)) await log.#topic(entry.name);
    return log;
  }

  #topic(name: string): Promise<WalTopic> {
    if (!TOPIC.test(name)) throw new TypeError(`topic name "${name}" must match ${TOPIC}`);
    let topic = this.#topics.get(name);
    if (!topic) {
      topic = WalTopic.open(name, path.join(this.#dir, name), this.#options).then((t) => {
        this.#opened.set(name, t);
        return t;
      });
      this.#topics.set(name, topic);
    }
    return topic;
  }

  async append(topic: string, records: LogPayload[]): Promise<void> {
    if (this.#closed) throw logClosed();
    const t = this.#opened.get(topic) ?? (await this.#topic(topic));
    await t.append(records);
  }

  subscribe(topic: string, group: string, options: SubscribeOptions, handler: BatchHandler): Subscription {
    if (this.#closed) throw logClosed();
    let inner: Subscription | undefined;
    const ready = this.#topic(topic).then((t) => {
      inner = startConsumer(t, group, options, handler, this.#options.logger);
    });
    const subscription: Subscription = {
      stop: async () => {
        await ready;
        await inner?.stop();
        this.#subscriptions.delete(subscription);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async ready(): Promise<boolean> {
    if (this.#closed) return false;
    try {
      await fs.promises.access(this.#dir, fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  }

  stats(): LogStats {
    const backlog: Record<string, number> = {};
    const groups: Record<string, Record<string, number>> = {};
    for (const [name, topic] of this.#opened) {
      backlog[name] = topic.backlog();
      groups[name] = {};
      for (const [group, committed] of topic.committed)
        groups[name][group] = Math.max(0, topic.next - committed);
    }
    return { backlog, groups };
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      for (const s of [...this.#subscriptions]) await s.stop();
      for (const topic of this.#opened.values()) await topic.close();
    })();
    return this.#closing;
  }
}
