/**
 * Rows of an aggregating table made anew from the events that remain, with the very SELECT of the materialized view
 * that fills it (read back from system.tables, so there is no second copy of it to drift apart).
 */
import type { QueryParams, Store } from '../store/store.ts';

/** Rebuilt rows equal to rows inserted before must not be dropped as a repeated block. */
export const NO_DEDUP = { insert_deduplicate: '0' };

export async function rebuildFromView(
  store: Store,
  view: string,
  table: string,
  where: string,
  params: QueryParams,
): Promise<void> {
  const [def] = await store.query<{ select: string }>(
    'SELECT as_select AS select FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
    { view },
  );
  if (!def?.select) throw new Error(`the view ${view} is missing; run "sightline migrate"`);
  const columns = await store.query<{ name: string }>(
    `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String}
     ORDER BY position`,
    { table },
  );
  const list = columns.map((c) => `\`${c.name}\``).join(', ');
  await store.exec(
    `INSERT INTO ${table} (${list}) SELECT ${list} FROM (${def.select}) WHERE ${where}`,
    params,
    NO_DEDUP,
  );
}
