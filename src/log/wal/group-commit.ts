/**
 * Group commit: appends that arrive while a write+fsync is in progress wait together and share the next single
 * fsync. Every waiter resolves only after the fsync that covers its bytes, or rejects with that write's error.
 */
interface Waiting {
  frames: Buffer;
  records: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export type DurableWrite = (frames: Buffer, records: number) => Promise<void>;

export class GroupCommit {
  readonly #write: DurableWrite;
  #queue: Waiting[] = [];
  #running: Promise<void> | undefined;

  constructor(write: DurableWrite) {
    this.#write = write;
  }

  submit(frames: Buffer, records: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ frames, records, resolve, reject });
      this.#running ??= this.#run();
    });
  }

  async #run(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#queue;
      this.#queue = [];
      const frames = group.length === 1 ? group[0].frames : Buffer.concat(group.map((w) => w.frames));
      let records = 0;
      for (const w of group) records += w.records;
      try {
        await this.#write(frames, records);
        for (const w of group) w.resolve();
      } catch (err) {
        for (const w of group) w.reject(err);
      }
    }
    this.#running = undefined;
  }

  /** Resolves when nothing is queued or being written. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
