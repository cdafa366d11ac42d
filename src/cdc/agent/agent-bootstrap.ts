/**
 * The agent's second step: snapshot the --bootstrap tables not yet done (bootstrap.ts reads them), before the
 * binlog is followed. Done once per table, remembered in the state folder.
 */

import type { OpenedAgent } from './agent-open.ts';
import { type BinlogPosition, formatPosition } from './binlog-position.ts';
import { bootstrapTables } from './bootstrap.ts';

/**
 * Returns where the binlog is read from afterwards (a first run starts at the snapshot's position), or undefined
 * when a stop signal ended the snapshot early (it is taken again on the next start).
 */
export async function bootstrapPending(a: OpenedAgent): Promise<BinlogPosition | 'end' | undefined> {
  const { o, logger, registry, batcher } = a;
  const pending = o.bootstrap.filter((t) => {
    const done = registry.get(`${t.database}.${t.table}`);
    if (done && !o.forceBootstrap)
      logger.info(
        { table: `${t.database}.${t.table}`, completedAt: done.completedAt },
        'already bootstrapped; skipped (--force-bootstrap takes the snapshot again)',
      );
    return !done || o.forceBootstrap;
  });
  if (pending.length === 0) return a.from;
  const from = a.from;
  let snapshotAt: BinlogPosition | undefined;
  let snapshot: BinlogPosition | undefined;
  try {
    snapshot = await bootstrapTables({
      pool: a.pool,
      tables: pending,
      schema: a.schema,
      filter: o.filter,
      logger,
      progress: o.quiet ? undefined : process.stderr,
      signal: a.stopping,
      emit: async (lines) => {
        // Bootstrap rows do not move the binlog position: their batches end where reading will start.
        const end = from !== 'end' ? from : snapshotAt;
        if (!end)
          throw new Error(
            'the database reports no binlog position (SHOW MASTER STATUS is empty): is log_bin on?',
          );
        await batcher.add(lines, end);
      },
      snapshotTaken: (position) => {
        snapshotAt = position;
      },
      completed: async (t, rows, position) => {
        await batcher.flush();
        await registry.record(`${t.database}.${t.table}`, {
          completedAt: new Date().toISOString(),
          rows,
          position: position ? formatPosition(position) : undefined,
        });
      },
    });
  } catch (err) {
    if (a.stopping.aborted) return undefined;
    throw err;
  }
  return from === 'end' && snapshot ? snapshot : from;
}
