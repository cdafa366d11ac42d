/**
 * The binlog's events gathered into what the source hands on: whole transactions (rows until the XID event, or the
 * COMMIT query of non-transactional tables) and standalone statements (DDL, grants), each with the position right
 * after it — the only kind of place a reader may resume from.
 */
import type ZongJi from '@vlasky/zongji';
import type { AnyBinlogEvent, ColumnSchema, RowsEvent } from '@vlasky/zongji';
import type { Logger } from '../../observe/logger.ts';
import type { BinlogPosition } from './binlog-position.ts';
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

const DML_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|XA\s|SAVEPOINT|RELEASE\s+SAVEPOINT)/i;

interface OpenTransaction {
  rows: SourceRow[];
  serverId?: number;
  ts: number;
}

export interface TransactionOptions {
  filter: TableFilter;
  /** The database's own server_id, for transactions the binlog does not name one for (MySQL without GTIDs). */
  databaseServerId?: number;
  logger: Logger;
}

export class TransactionAssembler {
  readonly #options: TransactionOptions;
  readonly #push: (item: SourceItem) => void;
  readonly #logger: Logger;
  #open: OpenTransaction | undefined;
  #gtid: string | undefined;
  #warnedStatements = 0;

  constructor(options: TransactionOptions, push: (item: SourceItem) => void) {
    this.#options = options;
    this.#logger = options.logger;
    this.#push = push;
  }

  /** Forgets a half-read transaction: the connection went, and the next one resumes before it. */
  dropOpen(): void {
    this.#open = undefined;
  }

  #here(zongji: ZongJi, event: AnyBinlogEvent): BinlogPosition {
    return {
      file: String(zongji.options.filename),
      position: event.nextPosition,
      ...(this.#gtid ? { gtid: this.#gtid } : {}),
    };
  }

  /** One binlog event: rows join the open transaction; a commit or a standalone statement is pushed. */
  onEvent(zongji: ZongJi, event: AnyBinlogEvent): void {
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
