/**
 * `--bootstrap db.table`: the rows a table already has, sent as Maxwell's bootstrap does — `bootstrap-start`, one
 * `bootstrap-insert` per row, `bootstrap-complete` — so a consumer that starts now can build the full table and
 * then follow its changes.
 *
 * All requested tables are read in one consistent snapshot (REPEATABLE READ, START TRANSACTION WITH CONSISTENT
 * SNAPSHOT), streamed row by row (a large table never sits in memory) through the same spool as the binlog, with a
 * progress bar on stderr. On MariaDB the snapshot's exact binlog position is known (binlog_snapshot_file/position):
 * a first run without a checkpoint reads the binlog from exactly there, so no change is missed or seen twice. On
 * MySQL the position is taken just before the snapshot: nothing is missed, a few changes may be seen twice.
 *
 * Finished bootstraps are remembered in `<state dir>/bootstraps.json`, so an agent restarted with the same flags
 * (a service) does not take the snapshot again; `--force-bootstrap` does. A bootstrap cut short by a crash has no
 * `bootstrap-complete` and is taken again from the start on the next run.
 */
import path from 'node:path';
import type { Connection as CallbackConnection } from 'mysql2';
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../../observe/logger.ts';
import { ProgressBar } from '../../observe/progress-bar.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { readJsonFile, writeFileDurably } from './durable-file.ts';
import { bootstrapMarker, bootstrapMessage } from './maxwell-format.ts';
import { currentBinlogEnd } from './mysql-connection.ts';
import type { TableFilter } from './table-filter.ts';
import type { SchemaCache } from './table-schema.ts';

export interface TableName {
  database: string;
  table: string;
}

export class BootstrapError extends Error {}

export function parseTableName(text: string): TableName {
  const parts = text.split('.');
  if (parts.length !== 2 || parts.some((p) => p === '' || /[*?`]/.test(p)))
    throw new BootstrapError(
      `--bootstrap "${text}" must name one table as db.table (no globs), e.g. shop.users`,
    );
  return { database: parts[0], table: parts[1] };
}

interface Done {
  completedAt: string;
  rows: number;
  position?: string;
}

/** Which tables were bootstrapped already (`bootstraps.json`). */
export class BootstrapRegistry {
  readonly #file: string;
  #done: Record<string, Done>;

  private constructor(file: string, done: Record<string, Done>) {
    this.#file = file;
    this.#done = done;
  }

  static async open(stateDir: string): Promise<BootstrapRegistry> {
    const file = path.join(stateDir, 'bootstraps.json');
    return new BootstrapRegistry(file, (await readJsonFile<Record<string, Done>>(file)) ?? {});
  }

  get(name: string): Done | undefined {
    return this.#done[name];
  }

  async record(name: string, done: Done): Promise<void> {
    this.#done = { ...this.#done, [name]: done };
    await writeFileDurably(this.#file, `${JSON.stringify(this.#done, null, 2)}\n`);
  }
}

export interface BootstrapOptions {
  pool: Pool;
  tables: readonly TableName[];
  schema: SchemaCache;
  filter: TableFilter;
  /** Takes a chunk of rendered messages (into the spool). */
  emit: (lines: string[]) => Promise<void>;
  /** Told the snapshot's binlog position before the first message is emitted. */
  snapshotTaken?: (position: BinlogPosition | undefined) => void;
  /** Called when a table's bootstrap-complete has been emitted (to flush and record it). */
  completed: (table: TableName, rows: number, position: BinlogPosition | undefined) => Promise<void>;
  logger: Logger;
  /** Progress bar target (stderr); none when quiet. */
  progress?: NodeJS.WritableStream & { isTTY?: boolean };
  signal?: AbortSignal;
}

const CHUNK = 500;
const quote = (name: string) => `\`${name.replaceAll('`', '``')}\``;

async function snapshotPosition(conn: PoolConnection, before: BinlogPosition | undefined) {
  // MariaDB reports the binlog position that matches the consistent snapshot exactly.
  const [rows] = await conn.query<RowDataPacket[]>("SHOW STATUS LIKE 'binlog_snapshot_%'");
  const status = new Map(rows.map((r) => [String(r.Variable_name).toLowerCase(), String(r.Value)]));
  const file = status.get('binlog_snapshot_file');
  const position = Number(status.get('binlog_snapshot_position'));
  if (file && Number.isSafeInteger(position) && position > 0)
    return { position: { file, position }, exact: true };
  return { position: before, exact: false };
}

/** Snapshots the tables; resolves with the snapshot's binlog position (where streaming can start). */
export async function bootstrapTables(o: BootstrapOptions): Promise<BinlogPosition | undefined> {
  for (const t of o.tables) {
    const why = o.filter.whyExcluded(t.database, t.table);
    if (why)
      throw new BootstrapError(`--bootstrap ${t.database}.${t.table}: the table is not captured (${why})`);
  }
  const conn = await o.pool.getConnection();
  let clean = false;
  try {
    const before = await currentBinlogEnd(conn);
    await conn.query("SET SESSION time_zone = '+00:00'");
    await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
    const snapshot = await snapshotPosition(conn, before);
    if (!snapshot.exact)
      o.logger.info(
        'this server does not report the snapshot position; the binlog is followed from just before it (a few changes may arrive twice)',
      );
    const [[now]] = await conn.query<RowDataPacket[]>('SELECT UNIX_TIMESTAMP() AS ts');
    const ts = Math.floor(Number(now.ts));
    const position = snapshot.position ? formatPosition(snapshot.position) : '';
    o.snapshotTaken?.(snapshot.position);
    for (const t of o.tables) {
      if (o.signal?.aborted) throw new BootstrapError('bootstrap interrupted');
      const name = `${t.database}.${t.table}`;
      const schema = await o.schema.get(t.database, t.table);
      if (schema.missing)
        throw new BootstrapError(
          `--bootstrap ${name}: no such table (or the user may not read it: GRANT SELECT)`,
        );
      const [[count]] = await conn.query<RowDataPacket[]>(
        `SELECT COUNT(*) AS n FROM ${quote(t.database)}.${quote(t.table)}`,
      );
      const total = Number(count.n);
      const bar = o.progress ? new ProgressBar(o.progress, 'rows') : undefined;
      const label = `Bootstrapping ${name}`;
      bar?.update(label, 0, total);
      o.logger.info({ table: name, rows: total, position }, 'bootstrap started');
      let seq = 0;
      await o.emit([
        JSON.stringify(bootstrapMarker('bootstrap-start', t.database, t.table, ts, seq++, position)),
      ]);
      const drop = o.filter.dropsAnyColumn ? o.filter.dropsColumn.bind(o.filter) : undefined;
      let lines: string[] = [];
      let done = 0;
      // The callback connection under the promise wrapper streams rows instead of buffering the whole result.
      const core = conn.connection as unknown as CallbackConnection;
      const stream = core.query(`SELECT * FROM ${quote(t.database)}.${quote(t.table)}`).stream();
      try {
        for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
          const change = {
            type: 'bootstrap-insert' as const,
            database: t.database,
            table: t.table,
            ts,
            data: row,
            columns: schema.columns,
            primaryKey: schema.primaryKey,
          };
          lines.push(JSON.stringify(bootstrapMessage(change, seq++, position, drop)));
          done++;
          if (lines.length >= CHUNK) {
            await o.emit(lines);
            lines = [];
            bar?.update(label, done, Math.max(total, done));
            if (o.signal?.aborted) throw new BootstrapError('bootstrap interrupted');
          }
        }
      } finally {
        stream.destroy();
      }
      lines.push(
        JSON.stringify(bootstrapMarker('bootstrap-complete', t.database, t.table, ts, seq++, position)),
      );
      await o.emit(lines);
      bar?.update(label, done, Math.max(total, done));
      bar?.stop();
      await o.completed(t, done, snapshot.position);
      o.logger.info({ table: name, rows: done }, 'bootstrap complete');
    }
    await conn.query('COMMIT');
    clean = true;
    return snapshot.position;
  } finally {
    // A result stream cut off mid-way leaves the connection unusable: it is closed, not returned to the pool.
    if (clean) conn.release();
    else conn.destroy();
  }
}
