/**
 * The agent's last step: follow the binlog from `from`, turn each transaction into Maxwell messages and hand them to
 * the batcher (→ spool → sink), until a stop signal or a delivery failure that retrying cannot fix.
 */
import type { ColumnSchema } from '@vlasky/zongji';
import type { OpenedAgent } from './agent-open.ts';
import { Backoff, sleep } from './backoff.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { BinlogSource } from './binlog-source.ts';
import type { SourceItem } from './binlog-transactions.ts';
import {
  type ColumnInfo,
  type ColumnMap,
  ddlMessage,
  type RowChange,
  transactionMessages,
} from './maxwell-format.ts';
import { PreflightError } from './preflight.ts';
import type { TableSchema } from './table-schema.ts';

const SCHEMA_STATEMENT = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\s/i;
const STATUS_EVERY_MS = 60_000;

/** Reads until stopped; throws what ended delivery (or the first connection's failure, as a PreflightError). */
export async function tailBinlog(a: OpenedAgent, from: BinlogPosition | 'end'): Promise<void> {
  const { o, stopping } = a;
  const source = new BinlogSource({
    target: o.target,
    replicaServerId: o.serverId,
    databaseServerId: a.facts.serverId,
    from,
    filter: o.filter,
    logger: a.logger,
    heartbeatSeconds: o.heartbeatSeconds,
    reconnectCapMs: o.retryMaxMs,
  });
  a.resources.source = source;
  stopping.addEventListener('abort', () => void source.stop(), { once: true });
  const stopped = new Promise<void>((resolve) => {
    if (stopping.aborted) resolve();
    stopping.addEventListener('abort', () => resolve(), { once: true });
  });
  // A stop signal while connecting (the database is slow to answer) must not wait for the connection.
  await Promise.race([
    source.start().catch((err: Error) => {
      // The first connection failing is a setting to fix (privilege, binlog purged), reported like preflight's.
      throw new PreflightError(err.message);
    }),
    stopped,
  ]);
  if (stopping.aborted) return;

  a.resources.status = setInterval(() => logStatus(a, source), STATUS_EVERY_MS);
  a.resources.status.unref();
  const outcome = await Promise.race([
    consume(a, source).then(() => undefined),
    a.sinkFailed.then((err) => err ?? new Error('delivery stopped')),
  ]);
  if (outcome instanceof Error) throw outcome;
}

function logStatus(a: OpenedAgent, source: BinlogSource): void {
  a.logger.info(
    {
      position: source.position === 'end' ? undefined : formatPosition(source.position as BinlogPosition),
      delivered: a.sink.stats.deliveredMessages,
      spooledMessages: a.spool.pendingMessages,
      deliveryFailures: a.sink.stats.failures,
      lastError: a.sink.stats.lastError,
    },
    'cdc status',
  );
}

async function consume(a: OpenedAgent, source: BinlogSource): Promise<void> {
  const { o, batcher, schema, stopping } = a;
  const lookup = tableLookup(a);
  const drop = o.filter.dropsAnyColumn ? o.filter.dropsColumn.bind(o.filter) : undefined;
  const columnCache = new WeakMap<readonly ColumnSchema[], Map<TableSchema, ColumnMap>>();
  for await (const item of source as AsyncIterable<SourceItem>) {
    if (stopping.aborted) break;
    if (item.kind === 'statement') {
      if (SCHEMA_STATEMENT.test(item.sql)) schema.invalidate();
      const message = o.outputDdl
        ? ddlMessage({
            sql: item.sql,
            schema: item.schema,
            ts: item.ts,
            position: formatPosition(item.end),
            serverId: item.serverId,
          })
        : undefined;
      const wanted =
        message !== undefined &&
        (typeof message.table === 'string'
          ? o.filter.includes(String(message.database), message.table)
          : o.filter.includesDatabase(String(message.database)));
      await batcher.add(wanted ? [JSON.stringify(message)] : [], item.end);
      continue;
    }
    const changes = await rowChanges(item, lookup, columnCache);
    if (!changes) return; // stopping
    const messages = transactionMessages(
      changes,
      { xid: item.xid, position: formatPosition(item.end), serverId: item.serverId },
      drop,
    );
    await batcher.add(
      messages.map((m) => JSON.stringify(m)),
      item.end,
    );
  }
}

type TransactionItem = Extract<SourceItem, { kind: 'transaction' }>;
type Lookup = (database: string, table: string) => Promise<TableSchema | undefined>;

/** The transaction's rows with their table's key and JSON columns; undefined when the agent stops meanwhile. */
async function rowChanges(
  item: TransactionItem,
  lookup: Lookup,
  columnCache: WeakMap<readonly ColumnSchema[], Map<TableSchema, ColumnMap>>,
): Promise<RowChange[] | undefined> {
  const changes: RowChange[] = [];
  for (const row of item.rows) {
    const table = await lookup(row.database, row.table);
    if (!table) return undefined;
    changes.push({
      type: row.type,
      database: row.database,
      table: row.table,
      ts: row.ts,
      data: row.data,
      before: row.before,
      columns: columnMap(columnCache, row.columnSchemas, table),
      primaryKey: table.primaryKey,
    });
  }
  return changes;
}

/**
 * information_schema may be briefly unreachable (the database restarts while the binlog connection recovers):
 * the transaction waits and is retried, it is never sent without its key and JSON columns.
 */
function tableLookup(a: OpenedAgent): Lookup {
  const backoff = new Backoff({ baseMs: 200, capMs: a.o.retryMaxMs });
  return async (database, table) => {
    for (;;) {
      try {
        const found = await a.schema.get(database, table);
        backoff.reset();
        return found;
      } catch (err) {
        if (a.stopping.aborted) return undefined;
        const delay = backoff.next();
        a.logger.warn(
          { table: `${database}.${table}`, err: (err as Error).message, retryInMs: delay },
          'cannot read the table definition; retrying',
        );
        await sleep(delay, a.stopping);
      }
    }
  };
}

/** Column types as the binlog event describes them, JSON-ness and key from the schema cache. */
function columnMap(
  cache: WeakMap<readonly ColumnSchema[], Map<TableSchema, ColumnMap>>,
  schemas: readonly ColumnSchema[],
  table: TableSchema,
): ColumnMap {
  let byTable = cache.get(schemas);
  if (!byTable) {
    byTable = new Map();
    cache.set(schemas, byTable);
  }
  let map = byTable.get(table);
  if (!map) {
    const columns = new Map<string, ColumnInfo>();
    for (const s of schemas) {
      const known = table.columns.get(s.COLUMN_NAME);
      columns.set(s.COLUMN_NAME, {
        type: String(s.COLUMN_TYPE || known?.type || '').toLowerCase(),
        json: known?.json ?? false,
      });
    }
    map = columns;
    byTable.set(table, map);
  }
  return map;
}
