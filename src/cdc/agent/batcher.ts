/**
 * Groups whole transactions into spool batches: a batch is written when it holds `maxRows` messages or `maxBytes`,
 * or when its oldest message has waited `flushMs` — a few hundred milliseconds of latency buys far fewer fsyncs and
 * requests under load. A transaction is never split between batches, so every batch ends at a resumable position.
 *
 * Transactions that produce no message (filtered tables, grants) still move the position; that is spooled as an
 * empty batch at most every `idleCheckpointMs`, so a restart does not re-read hours of uninteresting binlog.
 *
 * Back-pressure: while the spool holds more than `maxSpoolBytes` (the central server is down or slow), writing
 * waits — the binlog reader stops with it, and the database keeps the binlog until the agent catches up.
 */
import type { Logger } from '../../observe/logger.ts';
import { type BinlogPosition, comparePositions } from './binlog-position.ts';
import type { Spool } from './spool.ts';

export interface BatcherOptions {
  spool: Spool;
  logger: Logger;
  maxRows: number;
  maxBytes: number;
  flushMs: number;
  idleCheckpointMs: number;
  maxSpoolBytes: number;
  signal?: AbortSignal;
}

export class Batcher {
  readonly #o: BatcherOptions;
  #lines: string[] = [];
  #bytes = 0;
  #end: BinlogPosition | undefined;
  #spooledEnd: BinlogPosition | undefined;
  #oldestAt = 0;
  #lastFlushAt = Date.now();
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;
  #timer: NodeJS.Timeout;
  #waitingForRoom = false;

  constructor(options: BatcherOptions, spooledEnd?: BinlogPosition) {
    this.#o = options;
    this.#spooledEnd = spooledEnd;
    this.#timer = setInterval(() => this.#tick(), Math.max(20, Math.floor(options.flushMs / 2)));
    this.#timer.unref();
  }

  get pendingMessages(): number {
    return this.#lines.length;
  }

  /** Adds one transaction's messages (possibly none) ending at `end`. */
  async add(lines: readonly string[], end: BinlogPosition): Promise<void> {
    if (this.#failure) throw this.#failure;
    for (const line of lines) {
      this.#lines.push(line);
      this.#bytes += Buffer.byteLength(line) + 1;
    }
    this.#end = end;
    if (lines.length > 0 && this.#oldestAt === 0) this.#oldestAt = Date.now();
    if (this.#lines.length >= this.#o.maxRows || this.#bytes >= this.#o.maxBytes) await this.flush();
  }

  /** Writes what is pending to the spool (also an empty batch when only the position moved). */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#write());
    return this.#chain;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  #tick(): void {
    if (this.#failure) return;
    const now = Date.now();
    const due =
      this.#lines.length > 0
        ? now - this.#oldestAt >= this.#o.flushMs
        : this.#moved() && now - this.#lastFlushAt >= this.#o.idleCheckpointMs;
    if (due)
      this.flush().catch((err) => {
        this.#failure = err as Error;
      });
  }

  #moved(): boolean {
    return (
      this.#end !== undefined && (!this.#spooledEnd || comparePositions(this.#end, this.#spooledEnd) > 0)
    );
  }

  async #write(): Promise<void> {
    const end = this.#end;
    if (!end || (this.#lines.length === 0 && !this.#moved())) return;
    const lines = this.#lines;
    this.#lines = [];
    this.#bytes = 0;
    this.#oldestAt = 0;
    await this.#o.spool.append(lines, end);
    this.#spooledEnd = end;
    this.#lastFlushAt = Date.now();
    const { spool, maxSpoolBytes, logger, signal } = this.#o;
    if (spool.bytes > maxSpoolBytes) {
      if (!this.#waitingForRoom)
        logger.warn(
          { spoolBytes: spool.bytes, limit: maxSpoolBytes, batches: spool.batchCount },
          'the spool is full (the central server is not keeping up); reading the binlog pauses until it drains',
        );
      this.#waitingForRoom = true;
      await spool.waitForRoom(maxSpoolBytes, signal);
      if (!signal?.aborted) logger.info({ spoolBytes: spool.bytes }, 'spool below its limit; reading again');
      this.#waitingForRoom = false;
    }
  }
}
