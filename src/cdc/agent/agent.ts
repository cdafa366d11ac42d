/**
 * The agent, wired: binlog source → Maxwell messages → batcher → spool (durable) → HTTP sink → checkpoint.
 *
 * Where reading starts, in order: after the last spooled batch (read but not yet delivered), else the checkpoint
 * (delivered), else --start-position, else a bootstrap's snapshot position, else the current end of the binlog.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ColumnSchema } from '@vlasky/zongji';
import type { Logger } from '../../observe/logger.ts';
import { Backoff, sleep } from './backoff.ts';
import { Batcher } from './batcher.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { BinlogSource, type SourceItem } from './binlog-source.ts';
import { BootstrapRegistry, bootstrapTables } from './bootstrap.ts';
import { Checkpoint } from './checkpoint.ts';
import { HttpTransport } from './http-transport.ts';
import { KafkaTransport } from './kafka-transport.ts';
import {
  type ColumnInfo,
  type ColumnMap,
  ddlMessage,
  type RowChange,
  transactionMessages,
} from './maxwell-format.ts';
import { createQueryPool } from './mysql-connection.ts';
import type { CdcOptions } from './options.ts';
import { PreflightError, preflight } from './preflight.ts';
import { Spool } from './spool.ts';
import { SpoolSender } from './spool-sender.ts';
import { lockStateDir } from './state-lock.ts';
import { SchemaCache, type TableSchema } from './table-schema.ts';

const SCHEMA_STATEMENT = /^\s*(CREATE|ALTER|DROP|RENAME|TRUNCATE)\s/i;
/** How long a stopping agent keeps delivering what it has spooled before it exits (the spool survives anyway). */
const DRAIN_ON_STOP_MS = 5000;

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

export async function runAgent(o: CdcOptions, logger: Logger, signal: AbortSignal): Promise<void> {
  await fs.mkdir(o.stateDir, { recursive: true, mode: 0o700 });
  const unlock = await lockStateDir(o.stateDir);
  const pool = createQueryPool(o.target);
  const stopping = new AbortController();
  const onAbort = () => stopping.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let source: BinlogSource | undefined;
  let sink: SpoolSender | undefined;
  let batcher: Batcher | undefined;
  let status: NodeJS.Timeout | undefined;
  try {
    const facts = await preflight(pool, o.target, o.serverId, logger);
    const checkpoint = await Checkpoint.open(o.stateDir);
    const spool = await Spool.open(path.join(o.stateDir, 'spool'), checkpoint.state.deliveredSeq);
    const registry = await BootstrapRegistry.open(o.stateDir);
    const schema = new SchemaCache(pool);
    const known = spool.lastEnd ?? checkpoint.state.binlog;
    if (known && o.startPosition)
      logger.warn(
        { checkpoint: formatPosition(known), ignored: formatPosition(o.startPosition) },
        '--start-position ignored: a checkpoint exists (move checkpoint.json and spool/ away to start elsewhere)',
      );
    let from: BinlogPosition | 'end' = known ?? o.startPosition ?? 'end';
    logger.info(
      {
        database: `${o.target.host}:${o.target.port}`,
        server: facts.version,
        central: o.kafka ? `kafka://${o.kafka.brokers.join(',')}/${o.kafka.topic}` : o.url,
        project: o.project,
        stateDir: o.stateDir,
        resumeAt: from === 'end' ? 'current end of the binlog' : formatPosition(from),
        spooled: spool.pendingMessages,
      },
      'sightline cdc starting',
    );

    const userAgent = `sightline-cdc/${process.env.npm_package_version ?? '0.1.0'}`;
    sink = new SpoolSender({
      transport: o.kafka
        ? new KafkaTransport({
            ...o.kafka,
            project: o.project,
            source: `${o.target.host}:${o.target.port}`,
            requestTimeoutMs: o.requestTimeoutMs,
            userAgent,
          })
        : new HttpTransport({
            url: o.url,
            project: o.project,
            key: o.key,
            requestTimeoutMs: o.requestTimeoutMs,
            userAgent,
          }),
      spool,
      checkpoint,
      stateDir: o.stateDir,
      logger,
      retryCapMs: o.retryMaxMs,
      maxRequestBytes: Math.max(o.batchBytes, 64 * 1024),
    });
    const sinkFailed = sink.start().then(
      () => undefined,
      (err: Error) => err,
    );
    batcher = new Batcher(
      {
        spool,
        logger,
        maxRows: o.batchRows,
        maxBytes: o.batchBytes,
        flushMs: o.flushMs,
        idleCheckpointMs: 5000,
        maxSpoolBytes: o.spoolMaxBytes,
        signal: stopping.signal,
      },
      known,
    );
    const drop = o.filter.dropsAnyColumn ? o.filter.dropsColumn.bind(o.filter) : undefined;

    const pending = o.bootstrap.filter((t) => {
      const done = registry.get(`${t.database}.${t.table}`);
      if (done && !o.forceBootstrap)
        logger.info(
          { table: `${t.database}.${t.table}`, completedAt: done.completedAt },
          'already bootstrapped; skipped (--force-bootstrap takes the snapshot again)',
        );
      return !done || o.forceBootstrap;
    });
    const stopped = new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      stopping.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    if (pending.length > 0) {
      const b = batcher;
      let snapshotAt: BinlogPosition | undefined;
      let snapshot: BinlogPosition | undefined;
      try {
        snapshot = await bootstrapTables({
          pool,
          tables: pending,
          schema,
          filter: o.filter,
          logger,
          progress: o.quiet ? undefined : process.stderr,
          signal: stopping.signal,
          emit: async (lines) => {
            // Bootstrap rows do not move the binlog position: their batches end where reading will start.
            const end = from !== 'end' ? from : snapshotAt;
            if (!end)
              throw new Error(
                'the database reports no binlog position (SHOW MASTER STATUS is empty): is log_bin on?',
              );
            await b.add(lines, end);
          },
          snapshotTaken: (position) => {
            snapshotAt = position;
          },
          completed: async (t, rows, position) => {
            await b.flush();
            await registry.record(`${t.database}.${t.table}`, {
              completedAt: new Date().toISOString(),
              rows,
              position: position ? formatPosition(position) : undefined,
            });
          },
        });
      } catch (err) {
        // A stop signal during the snapshot ends it early; it is taken again on the next start.
        if (stopping.signal.aborted) return;
        throw err;
      }
      if (from === 'end' && snapshot) from = snapshot;
    }

    source = new BinlogSource({
      target: o.target,
      replicaServerId: o.serverId,
      databaseServerId: facts.serverId,
      from,
      filter: o.filter,
      logger,
      heartbeatSeconds: o.heartbeatSeconds,
      reconnectCapMs: o.retryMaxMs,
    });
    const stopSource = () => void source?.stop();
    stopping.signal.addEventListener('abort', stopSource, { once: true });
    // A stop signal while connecting (the database is slow to answer) must not wait for the connection.
    await Promise.race([
      source.start().catch((err: Error) => {
        // The first connection failing is a setting to fix (privilege, binlog purged), reported like preflight's.
        throw new PreflightError(err.message);
      }),
      stopped,
    ]);
    if (stopping.signal.aborted) return;

    status = setInterval(() => {
      logger.info(
        {
          position:
            source?.position === 'end' ? undefined : formatPosition(source?.position as BinlogPosition),
          delivered: sink?.stats.deliveredMessages,
          spooledMessages: spool.pendingMessages,
          deliveryFailures: sink?.stats.failures,
          lastError: sink?.stats.lastError,
        },
        'cdc status',
      );
    }, 60_000);
    status.unref();

    // information_schema may be briefly unreachable (the database restarts while the binlog connection recovers):
    // the transaction waits and is retried, it is never sent without its key and JSON columns.
    const lookupBackoff = new Backoff({ baseMs: 200, capMs: o.retryMaxMs });
    const lookup = async (database: string, table: string): Promise<TableSchema | undefined> => {
      for (;;) {
        try {
          const found = await schema.get(database, table);
          lookupBackoff.reset();
          return found;
        } catch (err) {
          if (stopping.signal.aborted) return undefined;
          const delay = lookupBackoff.next();
          logger.warn(
            { table: `${database}.${table}`, err: (err as Error).message, retryInMs: delay },
            'cannot read the table definition; retrying',
          );
          await sleep(delay, stopping.signal);
        }
      }
    };
    const columnCache = new WeakMap<readonly ColumnSchema[], Map<TableSchema, ColumnMap>>();
    const consume = async () => {
      for await (const item of source as AsyncIterable<SourceItem>) {
        if (stopping.signal.aborted) break;
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
          await batcher?.add(wanted ? [JSON.stringify(message)] : [], item.end);
          continue;
        }
        const changes: RowChange[] = [];
        for (const row of item.rows) {
          const table = await lookup(row.database, row.table);
          if (!table) return; // stopping
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
        const messages = transactionMessages(
          changes,
          { xid: item.xid, position: formatPosition(item.end), serverId: item.serverId },
          drop,
        );
        await batcher?.add(
          messages.map((m) => JSON.stringify(m)),
          item.end,
        );
      }
    };
    const outcome = await Promise.race([
      consume().then(() => undefined),
      sinkFailed.then((err) => err ?? new Error('delivery stopped')),
    ]);
    if (outcome instanceof Error) throw outcome;
  } finally {
    clearInterval(status);
    signal.removeEventListener('abort', onAbort);
    stopping.abort();
    await source?.stop();
    // What was read is spooled before exiting; a few seconds are given to deliver it.
    await batcher
      ?.close()
      .catch((err) => logger.error({ err: (err as Error).message }, 'could not spool the last batch'));
    if (sink) {
      await sink.drained(AbortSignal.timeout(DRAIN_ON_STOP_MS));
      await sink.stop();
    }
    await pool.end().catch(() => undefined);
    await unlock();
  }
}
