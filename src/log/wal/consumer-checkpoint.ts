/**
 * Where a consumer group stands in a topic, written atomically (temp file, fsync, rename, fsync dir).
 * `inflight` is the range handed to the handler and not yet committed: after a crash it is re-delivered with the
 * same boundaries, so the store's dedup token (built from them) recognises a batch it already has.
 */
import fs from 'node:fs';
import path from 'node:path';
import { syncDir } from './wal-segment.ts';

export interface Checkpoint {
  /** The next offset to deliver. */
  committed: number;
  inflight?: { first: number; last: number };
}

const GROUP = /^[a-zA-Z0-9._-]+$/;

export class CheckpointStore {
  readonly #dir: string;

  constructor(topicDir: string) {
    this.#dir = path.join(topicDir, 'consumers');
    fs.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  #file(group: string): string {
    if (!GROUP.test(group)) throw new TypeError(`consumer group "${group}" must match ${GROUP}`);
    return path.join(this.#dir, `${group}.json`);
  }

  read(group: string): Checkpoint | undefined {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.#file(group), 'utf8')) as Checkpoint;
      if (!Number.isSafeInteger(parsed.committed)) throw new Error('bad committed offset');
      return parsed;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`consumer checkpoint of "${group}" is unreadable: ${(err as Error).message}`);
    }
  }

  /** Groups that ever subscribed: a segment is deleted only once all of them are past it. */
  groups(): string[] {
    return fs
      .readdirSync(this.#dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
  }

  async write(group: string, checkpoint: Checkpoint): Promise<void> {
    const file = this.#file(group);
    const temp = `${file}.tmp`;
    const handle = await fs.promises.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(checkpoint));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
    await syncDir(this.#dir);
  }
}
