/**
 * The one store surface the rest of Sightline uses: embedded chDB or a ClickHouse server, both through
 * `@clickhouse/client`. Every call states its settings in full, because chDB applies them as session-level
 * `SET`s that would otherwise leak into the next call (a stale dedup token would make the next insert vanish).
 */

import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type ClickHouseClient, type ClickHouseSettings, createClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { detachStdin } from './detach-stdin.ts';
import { insertFailed, storeRejected, storeTimeout, storeUnavailable } from './errors.ts';
import { toCompactJsonLines, toJsonLines } from './json-lines.ts';
import { assertPlainName } from './plain-name.ts';
import { RowBinaryError, toRowBinary } from './row-binary.ts';

export type QueryParams = Record<string, string | number | boolean | null | string[] | number[]>;

export interface QueryOptions {
  /** Server-side time budget; past it the query fails with STORE_ERR_TIMEOUT. */
  timeoutMs?: number;
  /**
   * Run with the engine's `readonly = 1`, which the statement cannot lift at its top level: SQL from outside (Explore,
   * the ClickHouse-compatible endpoint's readers). Checked by src/store/sql-guard.ts first, which refuses what
   * `readonly` does not stop.
   */
  readonly?: boolean;
}

export interface InsertOptions {
  /**
   * Every row sets these columns (and no others): sent as JSONCompactEachRow in this order instead of objects with
   * their default-valued fields left out (src/store/json-lines.ts).
   */
  columns?: readonly string[];
  /**
   * Each of `columns`' ClickHouse type, in the same order. With them the embedded store sends the rows as RowBinary
   * (src/store/row-binary.ts), which the engine reads several times faster than JSON lines; a server still gets JSON.
   */
  types?: readonly string[];
  /**
   * `false`: the engine stores the block as it comes (`optimize_on_insert = 0`) instead of first merging it with itself
   * as a background merge would (collapsing, replacing, aggregating). For tables whose blocks have nothing to merge.
   */
  mergeOnInsert?: boolean;
  /**
   * Runs beside the calls of the embedded store's session, in a second session of its own (inserts of this kind run
   * one at a time there): for an insert whose order against the one in flight does not matter. On two cores the
   * processor stores a batch's visit rows beside its last events this way (docs/BENCHMARKS.md). A server runs every
   * call at once anyway.
   */
  alongside?: boolean;
}

/**
 * A statement made when the store is about to run it, with its parameters (the `params` of the call are then unused):
 * the embedded store runs one call at a time, so what a caller adds while its call waits is in the statement
 * (src/query/queries/shared-pass.ts). A ClickHouse server runs each call at once, so it is made at once.
 */
export type LateStatement = () => { sql: string; params: QueryParams };

export interface Store {
  readonly kind: 'chdb' | 'server';
  /** Inserts rows as one block. `dedupToken` makes a repeated insert of the same block a no-op. Empty rows: no-op. */
  insert(table: string, rows: readonly object[], dedupToken: string, options?: InsertOptions): Promise<void>;
  query<T>(sql: string | LateStatement, params?: QueryParams, options?: QueryOptions): Promise<T[]>;
  /**
   * Any statement, answered as raw bytes in whatever FORMAT it names (the ClickHouse-compatible endpoint).
   * `settings` are limited to EXEC_SETTINGS.
   */
  exec(
    sql: string,
    params?: QueryParams,
    settings?: Record<string, string>,
    data?: Buffer,
    options?: Pick<QueryOptions, 'readonly'>,
  ): Promise<Buffer>;
  command(sql: string): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `chdb` or an http(s) URL of a ClickHouse server. */
  url: string;
  dataDir: string;
}

/**
 * Settings chDB would otherwise carry from one call to the next, at ClickHouse's defaults. Every setting a caller
 * may pass (including those the ClickHouse-compatible endpoint forwards, EXEC_SETTINGS) is listed here, so each
 * call starts from the same state.
 */
const NEUTRAL = {
  insert_deduplication_token: '',
  max_execution_time: 0,
  insert_deduplicate: 1 as const,
  deduplicate_blocks_in_dependent_materialized_views: 0 as const,
  date_time_input_format: 'basic' as const,
  output_format_json_quote_64bit_integers: 1 as const,
  max_result_rows: '0',
  result_overflow_mode: 'throw' as const,
  date_time_output_format: 'simple' as const,
};

/** The settings `exec` accepts from a caller (others are ignored: unknown ones could stick in chDB's session). */
export const EXEC_SETTINGS = Object.keys(NEUTRAL) as ReadonlyArray<keyof typeof NEUTRAL>;

/** NEUTRAL and the settings only Sightline's own calls change (`InsertOptions.mergeOnInsert`), back at their defaults. */
const RESET = { ...NEUTRAL, optimize_on_insert: 1 as const };

/** chDB's own insert path: the payload Buffer goes to the engine as is, settings in the statement's SETTINGS. */
interface RawInserter {
  rawInsert(params: {
    table: string;
    values: Buffer;
    format: 'JSONEachRow' | 'JSONCompactEachRow';
    columns?: string[];
    settings: Record<string, string | number>;
  }): Promise<unknown>;
}

const INSERT_SETTINGS = {
  insert_deduplicate: 1 as const,
  deduplicate_blocks_in_dependent_materialized_views: 1 as const,
  parallel_view_processing: 1 as const,
  date_time_input_format: 'best_effort' as const,
};

/**
 * The last setting a read-only call makes. chDB applies a call's settings as `SET`s in this order, and once
 * `readonly = 1` is on no setting can change, so it comes after every other one.
 */
const READONLY = { readonly: '1' };

/** A call waiting for the embedded store's session. */
interface Waiting {
  /** Made when it runs (a `LateStatement`): it may wait for plain reads. */
  late: boolean;
  /** A plain read (`query`): it may go before the late statements ahead of it, never before a write. */
  read: boolean;
  /** How many times plain calls went before it. */
  passed: number;
  /** When it may start on an idle store (`performance.now()`): a late statement lingers for what may join it. */
  ready: number;
  go: () => void;
}

/** How many plain reads a late statement lets go first, at most (a page has a dozen). */
const LATE_PATIENCE = 32;
/**
 * How long a late statement waits on an idle store for parts to join it: the calls of one dashboard page reach the
 * store within ~10 ms of each other here (docs/BENCHMARKS.md). A call alone pays it once.
 */
const LATE_LINGER_MS = 10;

/** A client for one read-only call, closed after it. */
type ReaderFactory = () => ClickHouseClient;

/** A second session of the embedded store, for inserts beside the main one (`InsertOptions.alongside`). */
interface Beside {
  raw: RawInserter;
  client: ClickHouseClient;
  queue: Promise<unknown>;
}

class ClickHouseStore implements Store {
  readonly kind: 'chdb' | 'server';
  readonly #client: ClickHouseClient;
  readonly #raw: RawInserter | undefined;
  readonly #openReader: ReaderFactory | undefined;
  /**
   * chDB runs one session; serialising keeps each call's SETs paired with its statement. The calls waiting, in
   * order: a late statement lets the plain calls behind it go first (see #next).
   */
  #waiting: Waiting[] = [];
  #busy = false;
  /** The timer that starts a lingering late statement (see #next). */
  #lingering: ReturnType<typeof setTimeout> | undefined;
  /** Read-only calls, one at a time, each in a session of its own (see #read). */
  #readQueue: Promise<unknown> = Promise.resolve();

  readonly #openBeside: (() => Omit<Beside, 'queue'>) | undefined;
  #beside: Beside | undefined;
  /** Where the embedded store's RowBinary inserts are written for the engine to read (see #insertRowBinary). */
  readonly #spool: string | undefined;

  constructor(
    kind: 'chdb' | 'server',
    client: ClickHouseClient,
    raw?: RawInserter,
    openReader?: ReaderFactory,
    openBeside?: () => Omit<Beside, 'queue'>,
    spool?: string,
  ) {
    this.kind = kind;
    this.#client = client;
    this.#raw = raw;
    this.#openReader = openReader;
    this.#openBeside = openBeside;
    this.#spool = spool;
  }

  /**
   * Rows as RowBinary, through a file in the spool folder: chDB's own insert call takes text formats only, and reading
   * the text was most of a large insert's time. The file is the insert's alone and removed after it, whatever the
   * outcome; the columns' names were checked by the encoder before they reach the statement.
   */
  async #insertRowBinary(
    table: string,
    rows: readonly object[],
    columns: ReadonlyArray<readonly [name: string, type: string]>,
    settings: ClickHouseSettings,
    alongside: boolean,
  ): Promise<void> {
    assertPlainName(table, 'table');
    const data = await toRowBinary(rows, columns);
    const spool = this.#spool as string;
    const file = path.join(spool, `${randomUUID()}.rowbinary`);
    await fs.promises.writeFile(file, data, { mode: 0o600 }).catch(async (err: NodeJS.ErrnoException) => {
      // The folder removed while the store runs (a tidy-up of the data dir): made again, not retried forever.
      if (err.code !== 'ENOENT') throw err;
      await fs.promises.mkdir(spool, { recursive: true, mode: 0o700 });
      await fs.promises.writeFile(file, data, { mode: 0o600 });
    });
    const insert = (client: ClickHouseClient) =>
      client.command({
        query: `INSERT INTO ${table} (${columns.map(([name]) => name).join(', ')})
          SELECT * FROM file({path:String}, 'RowBinary', {structure:String})`,
        query_params: { path: file, structure: fileStructure(columns) },
        clickhouse_settings: settings,
      });
    try {
      await (alongside && this.#openBeside
        ? this.#runBeside((session) => insert(session.client))
        : this.#run(() => insert(this.#client)));
    } finally {
      await fs.promises.rm(file, { force: true });
    }
  }

  /** Runs `op` with the second session, one at a time there (opened at its first use). */
  #runBeside<T>(op: (session: Omit<Beside, 'queue'>) => Promise<T>): Promise<T> {
    if (!this.#beside && this.#openBeside) this.#beside = { ...this.#openBeside(), queue: Promise.resolve() };
    const beside = this.#beside as Beside;
    const run = () => op(beside);
    const next = beside.queue.then(run, run);
    beside.queue = next.catch(() => undefined);
    return next;
  }

  #run<T>(op: () => Promise<T>, kind: 'late' | 'read' | 'write' = 'write'): Promise<T> {
    if (this.kind === 'server') return op();
    return new Promise<T>((resolve, reject) => {
      const go = () => {
        Promise.resolve()
          .then(op)
          .then(resolve, reject)
          .finally(() => {
            this.#busy = false;
            this.#next();
          });
      };
      const late = kind === 'late';
      this.#waiting.push({
        late,
        read: kind === 'read',
        passed: 0,
        ready: performance.now() + (late ? LATE_LINGER_MS : 0),
        go,
      });
      this.#next();
    });
  }

  /**
   * Starts the next waiting call. A late statement (a shared pass, src/query/queries/shared-pass.ts) gains from
   * waiting — what joins it meanwhile is read in the same pass — and a plain read cannot join anything, so a plain
   * read waiting right behind the late statements goes first (never before a write: a read issued after a write sees
   * it), and on an idle store a late statement lingers LATE_LINGER_MS after it came (anything waiting may go
   * meanwhile): the dashboard's calls for a page reach the store a few milliseconds apart. Each time reads pass it
   * counts, and after LATE_PATIENCE the late statement goes in its turn, however many more come.
   */
  #next(): void {
    if (this.#busy || this.#waiting.length === 0) return;
    let at = 0;
    const first = this.#waiting[0];
    if (first.late && first.passed < LATE_PATIENCE) {
      const wait = first.ready - performance.now();
      const plain = this.#waiting.findIndex((w) => !w.late);
      if (plain > 0 && (this.#waiting[plain].read || wait > 0)) {
        at = plain;
        for (const w of this.#waiting.slice(0, plain)) w.passed++;
      } else if (wait > 0) {
        this.#lingering ??= setTimeout(() => {
          this.#lingering = undefined;
          this.#next();
        }, Math.ceil(wait));
        return;
      }
    }
    const [call] = this.#waiting.splice(at, 1);
    this.#busy = true;
    call.go();
  }

  /**
   * A read-only call. chDB keeps `readonly = 1` for the rest of a session and then refuses every later `SET`, so each
   * read-only call opens a session of its own on the same data (about 1 ms), sets its limits, then `readonly`, and
   * closes it. A server takes the settings per request.
   */
  #read<T>(op: (client: ClickHouseClient) => Promise<T>): Promise<T> {
    const openReader = this.#openReader;
    if (!openReader) return op(this.#client);
    const run = async () => {
      const client = openReader();
      try {
        return await op(client);
      } finally {
        await client.close();
      }
    };
    const next = this.#readQueue.then(run, run);
    this.#readQueue = next.catch(() => undefined);
    return next;
  }

  async insert(
    table: string,
    rows: readonly object[],
    dedupToken: string,
    options: InsertOptions = {},
  ): Promise<void> {
    if (rows.length === 0) return;
    const raw = this.#raw;
    const columns = options.columns && [...options.columns];
    const merge = { optimize_on_insert: options.mergeOnInsert === false ? (0 as const) : (1 as const) };
    try {
      if (raw && columns && options.types && this.#spool !== undefined) {
        const types = options.types;
        if (types.length !== columns.length)
          throw new Error(`${table}: ${columns.length} columns but ${types.length} types`);
        await this.#insertRowBinary(
          table,
          rows,
          columns.map((c, i) => [c, types[i]] as const),
          { ...RESET, ...INSERT_SETTINGS, ...merge, insert_deduplication_token: dedupToken },
          options.alongside === true,
        );
        return;
      }
      if (raw) {
        const values = columns ? await toCompactJsonLines(rows, columns) : await toJsonLines(rows);
        const write = (inserter: RawInserter) =>
          inserter.rawInsert({
            table,
            values,
            format: columns ? 'JSONCompactEachRow' : 'JSONEachRow',
            columns,
            settings: { ...INSERT_SETTINGS, ...merge, insert_deduplication_token: dedupToken },
          });
        await (options.alongside && this.#openBeside
          ? this.#runBeside((session) => write(session.raw))
          : this.#run(() => write(raw)));
        return;
      }
      const clickhouse_settings = {
        ...RESET,
        ...INSERT_SETTINGS,
        ...merge,
        insert_deduplication_token: dedupToken,
      };
      if (columns)
        await this.#client.insert({
          table,
          values: rows.map((row) => columns.map((c) => (row as Record<string, unknown>)[c])),
          format: 'JSONCompactEachRow',
          columns: columns as [string, ...string[]],
          clickhouse_settings,
        });
      else
        await this.#client.insert({
          table,
          values: rows as object[],
          format: 'JSONEachRow',
          clickhouse_settings,
        });
    } catch (err) {
      // A value its column cannot take, found while encoding: the rows are at fault, as when the engine refuses them,
      // so the batch is split to quarantine them — not retried whole as if the store were away.
      if (err instanceof RowBinaryError) throw storeRejected(err);
      throw insertFailed(err);
    }
  }

  async query<T>(
    sql: string | LateStatement,
    params: QueryParams = {},
    options: QueryOptions = {},
  ): Promise<T[]> {
    const seconds = options.timeoutMs ? Math.max(1, Math.ceil(options.timeoutMs / 1000)) : 0;
    const run = async (client: ClickHouseClient) => {
      const statement = typeof sql === 'function' ? sql() : { sql, params };
      const result = await client.query({
        query: statement.sql,
        query_params: statement.params,
        format: 'JSONEachRow',
        clickhouse_settings: {
          ...RESET,
          max_execution_time: seconds,
          output_format_json_quote_64bit_integers: 0,
          ...(options.readonly ? READONLY : {}),
        },
      });
      return (await result.json()) as T[];
    };
    try {
      return await (options.readonly
        ? this.#read(run)
        : this.#run(() => run(this.#client), typeof sql === 'function' ? 'late' : 'read'));
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      if (/TIMEOUT_EXCEEDED|Timeout exceeded/i.test(message)) throw storeTimeout(err);
      throw storeUnavailable(err);
    }
  }

  async exec(
    sql: string,
    params: QueryParams = {},
    settings: Record<string, string> = {},
    data?: Buffer,
    options: Pick<QueryOptions, 'readonly'> = {},
  ): Promise<Buffer> {
    const allowed: Record<string, string> = {};
    for (const name of EXEC_SETTINGS) if (settings[name] !== undefined) allowed[name] = settings[name];
    const run = async (client: ClickHouseClient) => {
      const result = await client.exec({
        query: data ? `${sql}\n${data.toString('utf8')}` : sql,
        query_params: params,
        clickhouse_settings: {
          ...RESET,
          ...allowed,
          ...(options.readonly ? READONLY : {}),
        } as unknown as Record<string, string>,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    };
    if (options.readonly) {
      if (data) throw new Error('a read-only call takes no data');
      return this.#read(run);
    }
    return this.#run(() => run(this.#client));
  }

  async command(sql: string): Promise<void> {
    await this.#run(() => this.#client.command({ query: sql, clickhouse_settings: RESET }));
  }

  async ping(): Promise<boolean> {
    try {
      const result = await this.#run(() => this.#client.ping());
      return result.success;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // Late itself, so it runs after every call waiting, late ones included.
    await this.#run(async () => undefined, 'late');
    await this.#readQueue;
    if (this.#beside) {
      await this.#beside.queue;
      await this.#beside.client.close();
    }
    await this.#client.close();
  }
}

/**
 * The file's columns as `file()` reads them: a `LowCardinality` text read as plain text, which the insert then turns
 * into the column's dictionary a block at a time — read as `LowCardinality` row by row it took twice as long
 * (83 283 visit rows: 290 → 130 ms).
 */
function fileStructure(columns: ReadonlyArray<readonly [name: string, type: string]>): string {
  return columns
    .map(([name, type]) => `${name} ${type.replace(/LowCardinality\(([^()]*)\)/g, '$1')}`)
    .join(', ');
}

/** The data dir's folder of RowBinary inserts in flight (each file lives for one insert). */
export const INSERT_SPOOL = 'chdb-inserts';

/** Files older than this in the spool are a killed process's: nothing reads them any more. */
const SPOOL_LEFTOVER_MS = 60 * 60_000;

function openSpool(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const old = Date.now() - SPOOL_LEFTOVER_MS;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (fs.statSync(file).mtimeMs < old) fs.rmSync(file, { force: true });
  }
  return dir;
}

export function openStore(options: StoreOptions): Store {
  if (options.url === 'chdb') {
    detachStdin();
    const dir = path.join(options.dataDir, 'chdb');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // chdb's Connection type comes from its own copy of client-common; the shapes are the same.
    const clientOf = (connection: ReturnType<typeof createChdbConnection>) =>
      createClient({ connection } as unknown as Parameters<typeof createClient>[0]);
    const connection = createChdbConnection({ path: dir });
    return new ClickHouseStore(
      'chdb',
      clientOf(connection),
      connection.chdb as unknown as RawInserter,
      () => clientOf(createChdbConnection({ path: dir })),
      () => {
        const beside = createChdbConnection({ path: dir });
        return { raw: beside.chdb as unknown as RawInserter, client: clientOf(beside) };
      },
      openSpool(path.join(options.dataDir, INSERT_SPOOL)),
    );
  }
  const url = new URL(options.url);
  const database = url.pathname.replace(/^\//, '') || 'default';
  const client = createClient({
    url: `${url.protocol}//${url.host}`,
    username: decodeURIComponent(url.username) || 'default',
    password: decodeURIComponent(url.password),
    database,
    request_timeout: 60_000,
  });
  return new ClickHouseStore('server', client);
}
