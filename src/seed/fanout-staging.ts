/** The fan-out's store side: whether it may stand in for the store's views, and handing its staged parts over. */
import type { Store } from '../store/store.ts';
import { FANOUT, MIRRORED_VIEWS } from './fanout-sql.ts';
import { str } from './sql-literals.ts';

/**
 * Moves every part the fan-out's staging tables hold into the real tables: events first, so that a run that dies
 * in between leaves visits without sessions, never sessions without events. Whole parts change tables; no view runs.
 */
export async function moveStaged(store: Store): Promise<void> {
  for (const [target, staging] of Object.entries(FANOUT.staging)) {
    const parts = await store.query<{ id: string }>(
      `SELECT DISTINCT partition_id AS id FROM system.parts
       WHERE database = currentDatabase() AND table = {table:String} AND active`,
      { table: staging },
    );
    for (const { id } of parts)
      await store.command(`ALTER TABLE ${staging} MOVE PARTITION ID ${str(id)} TO TABLE ${target}`);
  }
}

/** Parts one partition may collect while merges are paused (inserts slow down from 1000, fail from 3000). */
export const MAX_UNMERGED_PARTS = 300;

/** The most active parts any one partition of any table holds. */
export async function mostParts(store: Store): Promise<number> {
  const [row] = await store.query<{ n: string | number }>(
    `SELECT max(n) AS n FROM (SELECT count() AS n FROM system.parts
     WHERE database = currentDatabase() AND active GROUP BY table, partition_id)`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Whether the views on `events` are exactly those the seed's direct writes stand in for (`MIRRORED_VIEWS`): each
 * store view's SELECT compared with the code's, as the engine itself formats both (system.tables.as_select is
 * `formatQuerySingleLine` of the view's SELECT, with the database named).
 */
export async function viewsMirrored(store: Store): Promise<boolean> {
  const views = await store.query<{ name: string; sql: string; db: string }>(
    `SELECT name, as_select AS sql, database AS db FROM system.tables
     WHERE database = currentDatabase() AND name IN (
       SELECT arrayJoin(dependencies_table) FROM system.tables WHERE database = currentDatabase() AND name = 'events')`,
  );
  const expected = Object.entries(MIRRORED_VIEWS);
  if (views.length !== expected.length) return false;
  const params = Object.fromEntries(expected.map(([, text], i) => [`q${i}`, text]));
  const [formatted] = await store.query<Record<string, string>>(
    `SELECT ${expected.map((_, i) => `formatQuerySingleLine({q${i}:String}) AS q${i}`).join(', ')}`,
    params,
  );
  return expected.every(([name], i) =>
    views.some((v) => v.name === name && v.sql.replaceAll(`${v.db}.events`, 'events') === formatted[`q${i}`]),
  );
}
