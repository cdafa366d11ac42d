/**
 * How far delivery got, kept durably in `<state dir>/checkpoint.json`:
 *
 * - `binlog`: the position right after the last transaction the central server has acknowledged — where a reader
 *   with an empty spool resumes — with that transaction's GTID when the server writes GTIDs (`gtid`, also copied
 *   to the top level for operators);
 * - `deliveredSeq`: the last spool batch fully acknowledged (spool files up to it are leftovers of a crash between
 *   acknowledging and deleting, and are dropped on start);
 * - `partial`: a batch sent in several requests (too large for one) and how many of its messages are already
 *   acknowledged, so a restart sends only the rest.
 */
import path from 'node:path';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { readJsonFile, writeFileDurably } from './durable-file.ts';

export interface CheckpointState {
  binlog?: BinlogPosition;
  deliveredSeq: number;
  partial?: { seq: number; sent: number };
}

interface CheckpointFile extends CheckpointState {
  version: 1;
  /** Human-readable copies of `binlog`, for operators reading the file. */
  position?: string;
  gtid?: string;
  updatedAt: string;
}

export class Checkpoint {
  readonly file: string;
  #state: CheckpointState;

  private constructor(file: string, state: CheckpointState) {
    this.file = file;
    this.#state = state;
  }

  static async open(stateDir: string): Promise<Checkpoint> {
    const file = path.join(stateDir, 'checkpoint.json');
    const saved = await readJsonFile<Partial<CheckpointFile>>(file);
    if (saved === undefined) return new Checkpoint(file, { deliveredSeq: 0 });
    const binlog = saved.binlog;
    if (
      saved.version !== 1 ||
      !Number.isSafeInteger(saved.deliveredSeq) ||
      (binlog !== undefined && (typeof binlog.file !== 'string' || !Number.isSafeInteger(binlog.position)))
    )
      throw new Error(
        `${file} is not a checkpoint this agent wrote; move it away to start from --start-position (or the current end of the binlog)`,
      );
    return new Checkpoint(file, {
      binlog,
      deliveredSeq: saved.deliveredSeq as number,
      partial: saved.partial,
    });
  }

  get state(): Readonly<CheckpointState> {
    return this.#state;
  }

  async save(state: CheckpointState): Promise<void> {
    const body: CheckpointFile = {
      version: 1,
      ...state,
      ...(state.binlog ? { position: formatPosition(state.binlog) } : {}),
      ...(state.binlog?.gtid ? { gtid: state.binlog.gtid } : {}),
      updatedAt: new Date().toISOString(),
    };
    await writeFileDurably(this.file, `${JSON.stringify(body, null, 2)}\n`);
    this.#state = { ...state };
  }
}
