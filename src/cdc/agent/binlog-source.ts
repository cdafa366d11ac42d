/**
 * The binlog, read as a replica through @vlasky/zongji, as a stream of whole transactions: rows are gathered until
 * the commit (the XID event carries the transaction id Maxwell reports) and only then handed on, together with the
 * position right after the commit — the only kind of place a reader may resume from.
 *
 * Losing the connection (server restart, KILL, network) is not an error to the consumer: the source reconnects with
 * capped exponential backoff and resumes right after the last transaction it handed on, dropping the half-read one,
 * so nothing is skipped or repeated. A silent network (half-open TCP) is caught by asking the server for heartbeats
 * and reconnecting when neither data nor heartbeat arrives.
 */
import ZongJi, { type AnyBinlogEvent, type ColumnSchema, type RowsEvent } from '@vlasky/zongji';
import type { Logger } from '../../observe/logger.ts';
import { Backoff } from './backoff.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import {
  BinlogUnavailableError,
  connectionOptions,
  describeMysqlError,
  isPermanentBinlogError,
  type MysqlTarget,
} from './mysql-connection.ts';
import type { TableFilter } from './table-filter.ts';

export interface SourceRow {
  type: 'insert' | 'update' | 'delete';
  database: string;
  table: string;
  /** Seconds since the epoch. */
  ts: number;
  data: Record<string, unknown>;
  before?: Record<string, unknown>;
  /** The table's columns as the binlog describes them for this event. */
  columnSchemas: readonly ColumnSchema[];
}

export type SourceItem =
  | {
      kind: 'transaction';
      rows: SourceRow[];
      xid?: number | string;
      serverId?: number;
      ts: number;
      end: BinlogPosition;
    }
  | {
      /** A statement logged as SQL (schema changes, grants, …); it ends any transaction and moves the position. */
      kind: 'statement';
      sql: string;
      schema: string;
      serverId?: number;
      ts: number;
      end: BinlogPosition;
    };

export interface BinlogSourceOptions {
  target: MysqlTarget;
  /** This reader's server id among the database's replicas. */
  replicaServerId: number;
  /** The database's own server_id, for messages when the binlog does not say (MySQL without GTIDs). */
  databaseServerId?: number;
  from: BinlogPosition | 'end';
  filter: TableFilter;
  logger: Logger;
  heartbeatSeconds?: number;
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
}

/** Transactions queued before reading pauses (the consumer is slower than the binlog). */
const HIGH_WATER = 500;
const LOW_WATER = 100;
const DML_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|XA\s|SAVEPOINT|RELEASE\s+SAVEPOINT)/i;

interface OpenTransaction {
  rows: SourceRow[];
  serverId?: number;
  ts: number;
}

export class BinlogSource implements AsyncIterable<SourceItem> {
  readonly #options: BinlogSourceOptions;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  #zongji: ZongJi | undefined;
  #open: OpenTransaction | undefined;
  /** The last GTID event read, if the server writes them. */
  #gtid: string | undefined;
  #queue: SourceItem[] = [];
  #wake: (() => void) | undefined;
  #paused = false;
  #stopped = false;
  #fatal: Error | undefined;
  #resumeFrom: BinlogPosition | 'end';
  #lastPacketAt = Date.now();
  #watchdog: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #warnedStatements = 0;
  #connects = 0;

  constructor(options: BinlogSourceOptions) {
    this.#options = options;
    this.#logger = options.logger;
    this.#resumeFrom = options.from;
    this.#backoff = new Backoff({
      baseMs: options.reconnectBaseMs ?? 500,
      capMs: options.reconnectCapMs ?? 30_000,
    });
  }

  /** Where the next transaction starts (after the last one handed on); 'end' until the first connection. */
  get position(): BinlogPosition | 'end' {
    return this.#resumeFrom;
  }

  /**
   * Connects and resolves with the position reading starts at. A failure here (wrong password, no privilege, no
   * binlog) rejects with a message naming the fix; later failures are retried.
   */
  start(): Promise<BinlogPosition> {
    return new Promise((resolve, reject) => {
      this.#connect({ resolve, reject });
      const period = (this.#options.heartbeatSeconds ?? 5) * 1000;
      this.#watchdog = setInterval(() => {
        if (this.#paused || !this.#zongji?.ready || this.#stopped) return;
        const silentMs = Date.now() - this.#lastPacketAt;
        if (silentMs > period * 4)
          this.#lost(new Error(`no binlog event or heartbeat for ${Math.round(silentMs / 1000)} s`));
      }, period);
      this.#watchdog.unref();
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watchdog);
    clearTimeout(this.#reconnectTimer);
    await this.#teardown();
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SourceItem> {
    for (;;) {
      const item = this.#queue.shift();
      if (item) {
        if (this.#paused && this.#queue.length <= LOW_WATER) {
          this.#paused = false;
          this.#lastPacketAt = Date.now();
          this.#zongji?.connection?.resume();
        }
        yield item;
        continue;
      }
      if (this.#fatal) throw this.#fatal;
      if (this.#stopped) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  #connect(first?: { resolve: (p: BinlogPosition) => void; reject: (e: Error) => void }): void {
    this.#connects++;
    const target = this.#options.target;
    const from = this.#resumeFrom;
    // mysql2's connection options also steer how zongji decodes values (dateStrings, timezone).
    const zongji = new ZongJi(connectionOptions(target) as ConstructorParameters<typeof ZongJi>[0]);
    this.#zongji = zongji;
    this.#open = undefined;
    zongji.on('ready', () => {
      this.#lastPacketAt = Date.now();
      // Queued before zongji's dump command on the same connection, so the server knows to send heartbeats
      // (nanoseconds) while the binlog is idle.
      const period = BigInt(this.#options.heartbeatSeconds ?? 5) * 1_000_000_000n;
      zongji.connection?.query(`SET @master_heartbeat_period = ${period}`, () => undefined);
      const at = { file: String(zongji.options.filename), position: Number(zongji.options.position) };
      if (from === 'end') this.#resumeFrom = at;
      this.#logger.info(
        { position: formatPosition(at), server: zongji.serverVersion, reconnect: this.#connects > 1 },
        'reading the binlog',
      );
      first?.resolve(at);
      first = undefined;
    });
    zongji.on('binlog', (event: AnyBinlogEvent) => {
      if (zongji !== this.#zongji) return;
      this.#lastPacketAt = Date.now();
      try {
        this.#onEvent(zongji, event);
      } catch (err) {
        this.#lost(err as Error);
      }
    });
    zongji.on('error', (err: Error) => {
      if (zongji !== this.#zongji || this.#stopped) return;
      if (first) {
        const reject = first.reject;
        first = undefined;
        void this.#teardown();
        reject(new Error(describeMysqlError(err, target)));
        return;
      }
      this.#lost(err);
    });
    zongji.start({
      serverId: this.#options.replicaServerId,
      ...(from === 'end' ? { startAtEnd: true } : { filename: from.file, position: from.position }),
      includeEvents: [
        'rotate',
        'tablemap',
        'writerows',
        'updaterows',
        'deleterows',
        'xid',
        'query',
        'mariadbgtid',
        'gtid',
        'anonymousgtid',
        'heartbeat',
      ],
    });
  }

  /** The connection is gone or unusable: drop the half-read transaction and reconnect after a backoff. */
  #lost(err: Error): void {
    if (this.#stopped || !this.#zongji) return;
    const target = this.#options.target;
    if (isPermanentBinlogError(err)) {
      this.#fatal = new BinlogUnavailableError(describeMysqlError(err, target));
      void this.#teardown();
      this.#wake?.();
      return;
    }
    const delay = this.#backoff.next();
    this.#logger.warn(
      {
        err: describeMysqlError(err, target),
        retryInMs: delay,
        attempt: this.#backoff.attempts,
        resumeAt: this.#resumeFrom === 'end' ? 'end' : formatPosition(this.#resumeFrom),
      },
      'binlog connection lost; reconnecting',
    );
    void this.#teardown();
    this.#paused = false;
    this.#reconnectTimer = setTimeout(() => {
      if (!this.#stopped) this.#connect();
    }, delay);
  }

  async #teardown(): Promise<void> {
    const zongji = this.#zongji;
    this.#zongji = undefined;
    this.#open = undefined;
    if (!zongji) return;
    zongji.removeAllListeners('binlog');
    zongji.removeAllListeners('error');
    // Errors of a connection being torn down are noise; without a listener EventEmitter would throw them.
    zongji.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      zongji.once('stopped', () => {
        clearTimeout(timer);
        resolve();
      });
      zongji.stop();
    });
  }

  #push(item: SourceItem): void {
    this.#queue.push(item);
    this.#resumeFrom = item.end;
    this.#backoff.reset();
    if (this.#queue.length >= HIGH_WATER) {
      // Also when already paused: zongji resumes the connection itself after fetching table metadata.
      this.#paused = true;
      this.#zongji?.connection?.pause();
    }
    this.#wake?.();
  }

  #here(zongji: ZongJi, event: AnyBinlogEvent): BinlogPosition {
    return {
      file: String(zongji.options.filename),
      position: event.nextPosition,
      ...(this.#gtid ? { gtid: this.#gtid } : {}),
    };
  }

  #onEvent(zongji: ZongJi, event: AnyBinlogEvent): void {
    const ts = Math.floor(event.timestamp / 1000);
    switch (event.getEventName()) {
      case 'mariadbgtid': {
        const e = event as Extract<AnyBinlogEvent, { getEventName(): 'mariadbgtid' }> & {
          domainId?: number;
          seqNo?: number | bigint | string;
        };
        this.#gtid = `${e.domainId ?? 0}-${e.serverId}-${e.seqNo}`;
        this.#open = { rows: [], serverId: e.serverId, ts };
        return;
      }
      case 'gtid':
      case 'anonymousgtid': {
        const gtid = (event as { gtid?: string }).gtid;
        if (gtid) this.#gtid = gtid;
        this.#open = { rows: [], serverId: this.#options.databaseServerId, ts };
        return;
      }
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.#onRows(event as RowsEvent & { rows: unknown[] }, ts);
        return;
      case 'xid': {
        const e = event as Extract<AnyBinlogEvent, { getEventName(): 'xid' }>;
        const open = this.#open ?? { rows: [], ts };
        this.#open = undefined;
        this.#push({
          kind: 'transaction',
          rows: open.rows,
          xid: e.xid,
          serverId: open.serverId ?? this.#options.databaseServerId,
          ts: open.ts,
          end: this.#here(zongji, event),
        });
        return;
      }
      case 'query':
        this.#onQuery(zongji, event as Extract<AnyBinlogEvent, { getEventName(): 'query' }>, ts);
        return;
      default:
        return;
    }
  }

  #onRows(event: RowsEvent & { rows: unknown[] }, ts: number): void {
    const table = event.tableMap[event.tableId];
    if (!table) return;
    const { parentSchema: database, tableName } = table;
    if (!this.#options.filter.includes(database, tableName)) return;
    this.#open ??= { rows: [], serverId: this.#options.databaseServerId, ts };
    const name = event.getEventName();
    const type = name === 'writerows' ? 'insert' : name === 'updaterows' ? 'update' : 'delete';
    for (const row of event.rows) {
      if (type === 'update') {
        const { before, after } = row as { before: Record<string, unknown>; after: Record<string, unknown> };
        this.#open.rows.push({
          type,
          database,
          table: tableName,
          ts,
          data: after,
          before,
          columnSchemas: table.columnSchemas,
        });
      } else
        this.#open.rows.push({
          type,
          database,
          table: tableName,
          ts,
          data: row as Record<string, unknown>,
          columnSchemas: table.columnSchemas,
        });
    }
  }

  #onQuery(zongji: ZongJi, event: Extract<AnyBinlogEvent, { getEventName(): 'query' }>, ts: number): void {
    const sql = event.query;
    if (/^\s*BEGIN\b/i.test(sql)) {
      this.#open = { rows: [], serverId: this.#open?.serverId ?? this.#options.databaseServerId, ts };
      return;
    }
    if (/^\s*(COMMIT|ROLLBACK)\s*$/i.test(sql)) {
      // Non-transactional tables (MyISAM, Aria) end their group with a COMMIT query instead of an XID; their
      // rows happened either way.
      const open = this.#open ?? { rows: [], ts };
      this.#open = undefined;
      this.#push({
        kind: 'transaction',
        rows: open.rows,
        serverId: open.serverId ?? this.#options.databaseServerId,
        ts: open.ts,
        end: this.#here(zongji, event),
      });
      return;
    }
    if (DML_STATEMENT.test(sql)) {
      // binlog_format is checked at start, but a session can switch itself to STATEMENT.
      if (this.#warnedStatements++ < 10)
        this.#logger.warn(
          { schema: event.schema, sql: sql.slice(0, 200) },
          'a change was logged as an SQL statement, not as rows (a session with binlog_format other than ROW): it is not captured',
        );
      if (this.#open) return;
    }
    if (this.#open && TRANSACTION_CONTROL.test(sql)) return;
    // Anything else outside rows (DDL, GRANT, …) stands alone in the binlog and moves the resume point.
    const open = this.#open;
    this.#open = undefined;
    if (open && open.rows.length > 0)
      this.#logger.warn(
        { sql: sql.slice(0, 200) },
        'a statement ended a transaction without a commit event; its rows are sent without an xid',
      );
    if (open && open.rows.length > 0)
      this.#push({
        kind: 'transaction',
        rows: open.rows,
        serverId: open.serverId,
        ts: open.ts,
        end: this.#here(zongji, event),
      });
    this.#push({
      kind: 'statement',
      sql,
      schema: event.schema,
      serverId: open?.serverId ?? this.#options.databaseServerId,
      ts,
      end: this.#here(zongji, event),
    });
  }
}
