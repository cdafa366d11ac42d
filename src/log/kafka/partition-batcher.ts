/**
 * The per-partition batching of a Kafka subscription, without Kafka: records are cut into batches by count, bytes
 * and age; a partition whose previous owner died mid-batch first re-reads exactly that range as one batch (its
 * end is the in-flight mark, see kafka-inflight.ts). Closed batches wait in order until the member stores them.
 * Time is passed in (`now`), so every decision here is deterministic and testable.
 */
import type { LogRecord } from '../event-log.ts';

export interface BatchLimits {
  maxRecords: number;
  maxBytes: number;
  maxWaitMs: number;
}

/** A closed batch of one partition, ready to be stored and committed. */
export interface ClosedBatch {
  records: LogRecord[];
  /** True when the range may have been stored before (re-read after a restart, or retried after a failure). */
  redelivery: boolean;
  /** The leader epoch of the batch's last record, sent with the commit. */
  leaderEpoch: number;
}

export interface IncomingRecord {
  partition: number;
  offset: bigint;
  value: Buffer;
  leaderEpoch: number;
}

interface PartitionState {
  records: LogRecord[];
  bytes: number;
  startedAt: number;
  leaderEpoch: number;
  closed: ClosedBatch[];
  /** Exclusive end of the range a previous owner had in flight, while it is being re-read. */
  inflightEnd?: bigint;
}

/** What the member does with a batch: where its in-flight mark goes (none when redelivered) and what it commits. */
export function inflightMarkFor(batch: ClosedBatch): bigint | undefined {
  return batch.redelivery ? undefined : BigInt(lastOffset(batch) + 1);
}

/** The commit that follows a stored batch: the next offset to read, with the batch's leader epoch. */
export function commitFor(batch: ClosedBatch): { offset: bigint; leaderEpoch: number } {
  return { offset: BigInt(lastOffset(batch) + 1), leaderEpoch: batch.leaderEpoch };
}

export interface TakenBatch {
  partition: number;
  batch: ClosedBatch;
  putBack: () => void;
}

export const firstOffset = (batch: ClosedBatch) => batch.records[0].offset;
export const lastOffset = (batch: ClosedBatch) => batch.records[batch.records.length - 1].offset;

export class PartitionBatcher {
  readonly #limits: BatchLimits;
  readonly #partitions = new Map<number, PartitionState>();

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  /** A partition is known once its first record arrived (and its in-flight mark was read). */
  has(partition: number): boolean {
    return this.#partitions.has(partition);
  }

  /**
   * Starts a partition at its first record. `inflightEnd` is the previous owner's mark: when the record lies
   * before it, the range up to it is re-read as one redelivered batch. Returns that range, if any, for logging.
   */
  start(
    first: IncomingRecord,
    inflightEnd: bigint | undefined,
    now: number,
  ): { from: bigint; to: bigint } | undefined {
    const p: PartitionState = {
      records: [],
      bytes: 0,
      startedAt: now,
      leaderEpoch: first.leaderEpoch,
      closed: [],
    };
    this.#partitions.set(first.partition, p);
    if (inflightEnd !== undefined && first.offset < inflightEnd) {
      p.inflightEnd = inflightEnd;
      return { from: first.offset, to: inflightEnd - 1n };
    }
    return undefined;
  }

  /** Adds a record of a started partition; closes the batch when it reaches a limit or the in-flight range's end. */
  add(record: IncomingRecord, now: number): void {
    const p = this.#partitions.get(record.partition);
    if (!p) throw new Error(`partition ${record.partition} was not started`);
    if (p.records.length === 0) p.startedAt = now;
    p.records.push({ offset: Number(record.offset), value: record.value });
    p.bytes += record.value.length;
    p.leaderEpoch = record.leaderEpoch;
    if (p.inflightEnd !== undefined) {
      if (record.offset + 1n >= p.inflightEnd) {
        close(p, true);
        p.inflightEnd = undefined;
      }
    } else if (p.records.length >= this.#limits.maxRecords || p.bytes >= this.#limits.maxBytes)
      close(p, false);
  }

  /**
   * The oldest closed batch of the first partition that has one, after closing open batches older than
   * `maxWaitMs` (an in-flight range is never cut by age: it must keep its boundaries). The batch is taken out;
   * `putBack` returns it to the front of its partition when it could not be handled (a batch is never skipped;
   * if the partition was dropped meanwhile, the batch goes with it).
   */
  next(now: number): TakenBatch | undefined {
    for (const [partition, p] of this.#partitions) {
      if (p.inflightEnd === undefined && p.records.length > 0 && now - p.startedAt >= this.#limits.maxWaitMs)
        close(p, false);
      if (p.closed.length > 0) {
        const batch = p.closed.shift()!;
        return { partition, batch, putBack: () => void p.closed.unshift(batch) };
      }
    }
    return undefined;
  }

  /** Batches waiting to be stored, per partition (for tests and diagnostics). */
  waiting(partition: number): number {
    return this.#partitions.get(partition)?.closed.length ?? 0;
  }

  /** Forgets a partition (it moved to another member, which reads it again from the committed offset). */
  drop(partition: number): void {
    this.#partitions.delete(partition);
  }

  /** Keeps only the partitions this member still owns after a rebalance. */
  retain(owned: (partition: number) => boolean): void {
    for (const p of [...this.#partitions.keys()]) if (!owned(p)) this.#partitions.delete(p);
  }

  clear(): void {
    this.#partitions.clear();
  }
}

function close(p: PartitionState, redelivery: boolean) {
  if (p.records.length === 0) return;
  p.closed.push({ records: p.records, redelivery, leaderEpoch: p.leaderEpoch });
  p.records = [];
  p.bytes = 0;
}
