/**
 * The log between collect and process. Implementations: `wal` (embedded, files on local disk)
 * and `kafka` (scale-out). Everything upstream of it only knows this interface.
 */

/** One record as stored on the log: opaque bytes (an encoded envelope), never parsed here. */
export type LogPayload = Buffer;

export interface LogRecord {
  /** Position of the record in its topic; strictly increasing, dense within one partition. */
  offset: number;
  value: LogPayload;
}

/** A contiguous run of records handed to a consumer; `first`..`last` are inclusive offsets. */
export interface LogBatch {
  topic: string;
  /** Partition the batch came from (always 0 for the WAL). */
  partition: number;
  first: number;
  last: number;
  records: LogRecord[];
  /**
   * True when the batch re-delivers a range that was handed out before a crash and may already be
   * (partly) in the store. Its boundaries are identical to the first delivery.
   */
  redelivery: boolean;
}

/** Resolves when the batch is safely in the sink; the log then commits past `batch.last`. */
export type BatchHandler = (batch: LogBatch) => Promise<void>;

export interface SubscribeOptions {
  /** Maximum records in one batch. */
  maxRecords: number;
  /** How long to wait for more records once the first one of a batch is available. */
  maxWaitMs: number;
  /** About how many payload bytes one batch may hold (default 64 MiB); at least one record is always delivered. */
  maxBytes?: number;
}

export interface Subscription {
  /** Stops delivering; resolves after the batch in flight (if any) was handled and committed. */
  stop(): Promise<void>;
}

export interface LogStats {
  /** Records appended but not yet committed by the slowest consumer group, per topic. */
  backlog: Record<string, number>;
  /** The same per consumer group (topic → group → records), for consumers that report their own lag. */
  groups?: Record<string, Record<string, number>>;
}

/** What a log can promise; roles decide from these, never from which log it is. */
export interface LogCapabilities {
  /**
   * Processes other than this one reach it: the roles may run apart, and outside writers (log shippers, Maxwell)
   * may feed topics of their own.
   */
  shared: boolean;
  /** A record may be on the log twice (a producer retry after a lost acknowledgement): check every event id. */
  mayDuplicate: boolean;
  /** Dead letters are also published to a topic (`DEAD_LETTERS_TOPIC`), for tools that watch a topic. */
  hasDeadLetterTopic: boolean;
}

export interface EventLog {
  readonly capabilities: LogCapabilities;
  /**
   * Resolves once every record is durable (fsync'd / acknowledged by all replicas). Rejects otherwise.
   * `keys` (one per record) keep related records in one partition where the log has partitions.
   */
  append(topic: string, records: LogPayload[], keys?: readonly (Buffer | undefined)[]): Promise<void>;
  /**
   * Delivers batches in order, one at a time. The consumer position of `group` advances only after the
   * handler resolved; a rejected handler is retried with the same batch (same boundaries).
   */
  subscribe(topic: string, group: string, options: SubscribeOptions, handler: BatchHandler): Subscription;
  /** True while appends can succeed. */
  ready(): Promise<boolean>;
  stats(): LogStats;
  /** Brings `stats()` up to date where it depends on a remote system (Kafka consumer lag). */
  refreshStats?(): Promise<void>;
  close(): Promise<void>;
}
