/**
 * One segment file of a topic, named by the offset of its first record (`00000000000000000042.wal`).
 * Only bytes that were fsync'd count (`size`, `count`); a failed write is cut back to them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { scanFrames } from './record-frame.ts';

const NAME = /^(\d{20})\.wal$/;

export function segmentName(base: number): string {
  return `${String(base).padStart(20, '0')}.wal`;
}

export function listSegmentBases(dir: string): number[] {
  return fs
    .readdirSync(dir)
    .map((f) => NAME.exec(f)?.[1])
    .filter((b): b is string => b !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export interface TailRepair {
  file: string;
  kept: number;
  droppedBytes: number;
  reason: 'partial' | 'corrupt' | undefined;
}

export class Segment {
  readonly base: number;
  readonly file: string;
  /** Records durable in this segment. */
  count: number;
  /** Bytes durable in this segment. */
  size: number;
  /**
   * When its first record was written (ms), for the age bound; undefined while empty. A segment found at start
   * counts from its file's creation (which is no later), or as already old where the file system keeps no such time.
   */
  firstAt: number | undefined;
  #handle: fs.promises.FileHandle;

  private constructor(
    base: number,
    file: string,
    handle: fs.promises.FileHandle,
    count: number,
    size: number,
  ) {
    this.base = base;
    this.file = file;
    this.#handle = handle;
    this.count = count;
    this.size = size;
  }

  static async create(dir: string, base: number): Promise<Segment> {
    const file = path.join(dir, segmentName(base));
    const handle = await fs.promises.open(file, 'wx+', 0o600);
    await syncDir(dir);
    return new Segment(base, file, handle, 0, 0);
  }

  /** Opens a segment written before, verifying every frame; a bad tail is cut off and reported. */
  static async open(dir: string, base: number): Promise<{ segment: Segment; repair?: TailRepair }> {
    const file = path.join(dir, segmentName(base));
    const bytes = fs.readFileSync(file);
    const scan = scanFrames(bytes);
    const handle = await fs.promises.open(file, 'r+');
    const segment = new Segment(base, file, handle, scan.frames.length, scan.validEnd);
    if (segment.count > 0) segment.firstAt = (await handle.stat()).birthtimeMs || 0;
    if (scan.validEnd === bytes.length) return { segment };
    await handle.truncate(scan.validEnd);
    await handle.datasync();
    return {
      segment,
      repair: {
        file,
        kept: scan.frames.length,
        droppedBytes: bytes.length - scan.validEnd,
        reason: scan.stop,
      },
    };
  }

  get next(): number {
    return this.base + this.count;
  }

  /**
   * Writes at the durable end; the caller syncs and then calls `commit`. Synchronous on purpose: a write into the
   * page cache takes microseconds, less than a thread-pool round trip, and leaves one hop (the fsync) per group.
   */
  writeNow(buf: Buffer, at: number): void {
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.#handle.fd, buf, done, buf.length - done, at + done);
  }

  sync(): Promise<void> {
    return this.#handle.datasync();
  }

  commit(bytes: number, records: number, at = Date.now()): void {
    if (records > 0) this.firstAt ??= at;
    this.size += bytes;
    this.count += records;
  }

  /** Cuts off bytes that were written but never made durable (after a failed write or sync). */
  async rollback(): Promise<void> {
    await this.#handle.truncate(this.size);
  }

  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.#handle.read(buf, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  async close(): Promise<void> {
    await this.#handle.close();
  }

  async remove(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
    await fs.promises.rm(this.file, { force: true });
  }
}

/** A new or renamed file is durable only once its directory entry is. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
