/**
 * One topic of the write-ahead log: its segments, the group-commit writer and positional reads.
 * Consumers only ever see records whose fsync completed (`next` advances after the sync).
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { logClosed, walWriteFailed } from '../errors.ts';
import { CheckpointStore } from './consumer-checkpoint.ts';
import { GroupCommit } from './group-commit.ts';
import { encodeFrames, FRAME_HEADER, scanFrames } from './record-frame.ts';
import { listSegmentBases, Segment } from './wal-segment.ts';

export interface WalLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface TopicOptions {
  segmentBytes: number;
  /** The offset a new topic starts at (default 0). */
  firstOffset?: number;
  /** Age (ms) of its first record at which the active segment is rolled, even on a quiet log; undefined: none. */
  maxSegmentAgeMs?: number;
  logger: WalLogger;
  onFsync?: (seconds: number, records: number) => void;
}

/** Where a reader stands: the segment (by base offset), the byte position in it, and the offset there. */
export interface Cursor {
  base: number;
  pos: number;
  offset: number;
}

const READ_CHUNK = 4 * 1024 * 1024;

export class WalTopic {
  readonly name: string;
  readonly dir: string;
  readonly checkpoints: CheckpointStore;
  /** Committed offset per consumer group, for retention and backlog. */
  readonly committed = new Map<string, number>();
  readonly #segments: Segment[];
  readonly #options: TopicOptions;
  readonly #writer: GroupCommit;
  readonly #waiters = new Set<() => void>();
  #ageTimer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(name: string, dir: string, segments: Segment[], options: TopicOptions) {
    this.name = name;
    this.dir = dir;
    this.#segments = segments;
    this.#options = options;
    this.checkpoints = new CheckpointStore(dir);
    for (const group of this.checkpoints.groups()) {
      const cp = this.checkpoints.read(group);
      if (cp) this.committed.set(group, cp.committed);
    }
    this.#writer = new GroupCommit((frames, records) => this.#writeDurably(frames, records));
    const maxAge = options.maxSegmentAgeMs;
    if (maxAge !== undefined) {
      // Checked twice per period: a record leaves the active segment within 1.5 × the age.
      this.#ageTimer = setInterval(() => this.#rollIfOld(), Math.max(50, Math.min(maxAge / 2, 60_000)));
      this.#ageTimer.unref();
    }
  }

  #aged(segment: Segment, now = Date.now()): boolean {
    const maxAge = this.#options.maxSegmentAgeMs;
    return maxAge !== undefined && segment.firstAt !== undefined && now - segment.firstAt >= maxAge;
  }

  /**
   * A quiet log would keep its last records in the active segment — which is never deleted — until enough new
   * bytes arrived to fill it: rolled once it is old, it is deleted as soon as every group is past it. The roll goes
   * through the writer (an empty write), so it never races an append.
   */
  #rollIfOld(): void {
    const active = this.#segments[this.#segments.length - 1];
    if (this.#closed || !this.#aged(active)) return;
    this.#writer
      .submit(Buffer.alloc(0), 0)
      .then(() => this.deleteConsumed())
      .catch((err) =>
        this.#options.logger.warn(
          { topic: this.name, err: (err as Error).message },
          'write-ahead log: an old segment could not be rolled',
        ),
      );
  }

  static async open(name: string, dir: string, options: TopicOptions): Promise<WalTopic> {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const segments: Segment[] = [];
    for (const base of listSegmentBases(dir)) {
      const { segment, repair } = await Segment.open(dir, base);
      if (repair)
        options.logger.warn(
          { topic: name, ...repair },
          'write-ahead log: torn or corrupt tail truncated (records before it are kept)',
        );
      segments.push(segment);
    }
    if (segments.length === 0) segments.push(await Segment.create(dir, options.firstOffset ?? 0));
    return new WalTopic(name, dir, segments, options);
  }

  /** The offset the next appended record will get (= one past the last durable record). */
  get next(): number {
    return this.#segments[this.#segments.length - 1].next;
  }

  /** The oldest offset still on disk. */
  get first(): number {
    return this.#segments[0].base;
  }

  append(records: readonly Buffer[]): Promise<void> {
    if (this.#closed) return Promise.reject(logClosed());
    if (records.length === 0) return Promise.resolve();
    return this.#writer.submit(encodeFrames(records), records.length);
  }

  async #writeDurably(frames: Buffer, records: number): Promise<void> {
    let segment = this.#segments[this.#segments.length - 1];
    try {
      if (segment.count > 0 && (segment.size >= this.#options.segmentBytes || this.#aged(segment))) {
        segment = await Segment.create(this.dir, segment.next);
        this.#segments.push(segment);
      }
      if (records === 0) return;
      const started = performance.now();
      segment.writeNow(frames, segment.size);
      await segment.sync();
      segment.commit(frames.length, records);
      this.#options.onFsync?.((performance.now() - started) / 1000, records);
    } catch (err) {
      // Never expose bytes whose sync failed: cut the file back to the durable size.
      await segment.rollback().catch(() => undefined);
      throw walWriteFailed(err);
    }
    for (const wake of this.#waiters) wake();
  }

  /** Resolves when records past `offset` exist and either `enough` are there or `maxWaitMs` passed since the first. */
  async waitFor(offset: number, enough: number, maxWaitMs: number, stopped: () => boolean): Promise<void> {
    const available = () => this.next - offset;
    if (available() < enough) {
      await new Promise<void>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const check = () => {
          if (stopped() || this.#closed || available() >= enough) return done();
          if (available() > 0 && timer === undefined) timer = setTimeout(done, maxWaitMs);
        };
        const done = () => {
          clearTimeout(timer);
          this.#waiters.delete(check);
          resolve();
        };
        this.#waiters.add(check);
        check();
      });
    }
  }

  /** Wakes waiting consumers (on stop/close). */
  wake(): void {
    for (const wake of this.#waiters) wake();
  }

  #segmentAt(base: number): Segment | undefined {
    return this.#segments.find((s) => s.base === base);
  }

  /** Finds the byte position of `offset`, scanning its segment from the start (once per subscription). */
  async locate(offset: number): Promise<Cursor> {
    const target = Math.max(offset, this.first);
    const segment =
      this.#segments.find((s) => target >= s.base && target < s.next) ??
      this.#segments[this.#segments.length - 1];
    let cursor: Cursor = { base: segment.base, pos: 0, offset: segment.base };
    while (cursor.offset < target) {
      const { records, next } = await this.read(cursor, target - cursor.offset, Number.POSITIVE_INFINITY);
      if (records.length === 0) break;
      cursor = next;
    }
    return cursor;
  }

  /** Reads up to `maxRecords` (and about `maxBytes`) durable records from the cursor, within one segment. */
  async read(
    cursor: Cursor,
    maxRecords: number,
    maxBytes: number,
  ): Promise<{ records: { offset: number; value: Buffer }[]; next: Cursor }> {
    let segment = this.#segmentAt(cursor.base) ?? this.#segments[0];
    let at = segment.base === cursor.base ? cursor : { base: segment.base, pos: 0, offset: segment.base };
    if (at.offset >= segment.next) {
      const later = this.#segments.find((s) => s.base > segment.base);
      if (!later) return { records: [], next: at };
      segment = later;
      at = { base: later.base, pos: 0, offset: later.base };
    }
    const durable = segment.size - at.pos;
    if (durable <= 0) return { records: [], next: at };
    let length = Math.min(
      durable,
      Math.max(READ_CHUNK, Number.isFinite(maxBytes) ? maxBytes + 64 * 1024 : 0),
    );
    let buf = await segment.read(at.pos, length);
    let scan = scanFrames(buf, 0, maxRecords, maxBytes);
    if (scan.frames.length === 0 && scan.stop === 'partial' && buf.length >= FRAME_HEADER) {
      // A record larger than the read chunk: read exactly that record.
      length = Math.min(durable, FRAME_HEADER + buf.readUInt32LE(0));
      buf = await segment.read(at.pos, length);
      scan = scanFrames(buf, 0, 1);
    }
    if (scan.frames.length === 0 && scan.stop === 'corrupt')
      throw new Error(`write-ahead log ${segment.file} is corrupt at byte ${at.pos} (changed after start?)`);
    const records = scan.frames.map((f, i) => ({ offset: at.offset + i, value: Buffer.from(f.payload) }));
    return {
      records,
      next: { base: segment.base, pos: at.pos + scan.validEnd, offset: at.offset + records.length },
    };
  }

  /** Deletes segments every known group has fully committed (never the active one). */
  async deleteConsumed(): Promise<void> {
    if (this.committed.size === 0) return;
    const floor = Math.min(...this.committed.values());
    while (this.#segments.length > 1 && this.#segments[0].next <= floor && this.#segments[1].base <= floor) {
      const segment = this.#segments.shift()!;
      await segment.remove();
      this.#options.logger.info(
        { topic: this.name, file: segment.file },
        'write-ahead log segment consumed and deleted',
      );
    }
  }

  backlog(): number {
    const floor = this.committed.size > 0 ? Math.min(...this.committed.values()) : this.first;
    return Math.max(0, this.next - floor);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ageTimer);
    await this.#writer.drain();
    this.wake();
    for (const segment of this.#segments) await segment.close().catch(() => undefined);
  }
}
