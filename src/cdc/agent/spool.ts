/**
 * The agent's local spool: every batch of Maxwell messages is written here (durably) before it is sent, and removed
 * once the central server acknowledged it. A central outage therefore loses nothing — the spool grows, the binlog
 * keeps being read, and the batches go out in order when the server is back — and a crashed agent finds what it
 * had read but not yet delivered.
 *
 * One file per batch, `<seq>.ndjson`: a header line `{"seq", "end", "count"}` (`end` is the binlog position right
 * after the batch's last transaction), then one message per line, exactly the bytes that will be POSTed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BinlogPosition } from './binlog-position.ts';
import { removeFileDurably, writeFileDurably } from './durable-file.ts';

export interface SpoolBatch {
  seq: number;
  /** Resume point after this batch. */
  end: BinlogPosition;
  count: number;
  bytes: number;
  file: string;
}

interface Header {
  seq: number;
  end: BinlogPosition;
  count: number;
}

const NAME = /^(\d{12})\.ndjson$/;

async function readHeader(file: string): Promise<Header> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    const newline = text.indexOf('\n');
    const header = JSON.parse(newline >= 0 ? text.slice(0, newline) : text) as Header;
    if (!Number.isSafeInteger(header.seq) || typeof header.end?.file !== 'string')
      throw new Error('header lacks seq or end');
    return header;
  } catch (err) {
    throw new Error(
      `spool file ${file} is unreadable (${(err as Error).message}); spool files are written atomically, so it was changed by hand or the disk is damaged — move it away to continue (its changes are then missing centrally)`,
    );
  } finally {
    await handle.close();
  }
}

export class Spool {
  readonly dir: string;
  readonly #batches: SpoolBatch[] = [];
  #bytes = 0;
  #nextSeq: number;
  #lastEnd: BinlogPosition | undefined;
  #waiters: Array<() => void> = [];

  private constructor(dir: string, nextSeq: number) {
    this.dir = dir;
    this.#nextSeq = nextSeq;
  }

  /**
   * Opens (creating) the spool folder. Batches up to `deliveredSeq` were acknowledged before a crash kept them
   * from being deleted: they are removed now, so nothing is sent twice.
   */
  static async open(dir: string, deliveredSeq: number): Promise<Spool> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const names = (await fs.readdir(dir)).sort();
    const found: SpoolBatch[] = [];
    for (const name of names) {
      const file = path.join(dir, name);
      if (name.endsWith('.tmp')) {
        // A batch whose write never completed: its transactions are read again from the binlog.
        await fs.rm(file, { force: true });
        continue;
      }
      const match = NAME.exec(name);
      if (!match) continue;
      const seq = Number(match[1]);
      if (seq <= deliveredSeq) {
        await removeFileDurably(file);
        continue;
      }
      const header = await readHeader(file);
      const { size } = await fs.stat(file);
      found.push({ seq, end: header.end, count: header.count, bytes: size, file });
    }
    const spool = new Spool(dir, Math.max(deliveredSeq, found.at(-1)?.seq ?? 0) + 1);
    for (const batch of found) spool.#add(batch);
    return spool;
  }

  #add(batch: SpoolBatch): void {
    this.#batches.push(batch);
    this.#bytes += batch.bytes;
    this.#lastEnd = batch.end;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Bytes waiting to be delivered. */
  get bytes(): number {
    return this.#bytes;
  }

  get batchCount(): number {
    return this.#batches.length;
  }

  get pendingMessages(): number {
    return this.#batches.reduce((n, b) => n + b.count, 0);
  }

  /** Where the binlog reader resumes when the spool holds batches (they are ahead of the checkpoint). */
  get lastEnd(): BinlogPosition | undefined {
    return this.#lastEnd;
  }

  async append(lines: readonly string[], end: BinlogPosition): Promise<SpoolBatch> {
    const seq = this.#nextSeq++;
    const header: Header = { seq, end, count: lines.length };
    const content = `${[JSON.stringify(header), ...lines].join('\n')}\n`;
    const file = path.join(this.dir, `${String(seq).padStart(12, '0')}.ndjson`);
    await writeFileDurably(file, content);
    const batch: SpoolBatch = { seq, end, count: lines.length, bytes: Buffer.byteLength(content), file };
    this.#add(batch);
    return batch;
  }

  oldest(): SpoolBatch | undefined {
    return this.#batches[0];
  }

  /** The batch's messages, one JSON text each. */
  async read(batch: SpoolBatch): Promise<string[]> {
    const text = await fs.readFile(batch.file, 'utf8');
    const lines = text.split('\n');
    // Line 0 is the header; the file ends with a newline.
    return lines.slice(1, 1 + batch.count);
  }

  async remove(batch: SpoolBatch): Promise<void> {
    if (this.#batches[0] !== batch) throw new Error('spool batches are removed in order');
    await removeFileDurably(batch.file);
    this.#batches.shift();
    this.#bytes -= batch.bytes;
    this.#wake();
  }

  /** Resolves when there is a batch to send (at once if there is one), or when `signal` aborts. */
  async waitForBatch(signal?: AbortSignal): Promise<void> {
    while (this.#batches.length === 0 && !signal?.aborted) await this.#next(signal);
  }

  /** Resolves when the spool holds at most `maxBytes` (the reader's back-pressure), or when `signal` aborts. */
  async waitForRoom(maxBytes: number, signal?: AbortSignal): Promise<void> {
    while (this.#bytes > maxBytes && !signal?.aborted) await this.#next(signal);
  }

  #next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
