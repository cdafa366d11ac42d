/**
 * A change is one binlog row: (server_id, position, xoffset) names it for good. A sender that resends after a
 * crash — the agent killed between the server's 202 and its checkpoint write, Maxwell restarted from an older
 * position — repeats changes with the very same names, so repeats are dropped here, whether the first copy is
 * already stored or sits earlier in the same batch. Snapshot rows and DDL are left alone (a second bootstrap is
 * a deliberate copy), as are changes without a position (Maxwell without output_binlog_position).
 * Safe under re-delivery of a whole batch: what its first attempt stored is dropped, and its insert token would
 * have made that insert a no-op anyway.
 */
import { queryByKeys } from '../store/chunked-lookup.ts';
import type { Store } from '../store/store.ts';
import type { DbChangeRow } from './maxwell-message.ts';

const ROW_TYPES = new Set(['insert', 'update', 'delete']);

const keyOf = (r: Pick<DbChangeRow, 'database' | 'table' | 'type' | 'server_id' | 'position' | 'xoffset'>) =>
  [r.database, r.table, r.type, r.server_id, r.position, r.xoffset].join('\u0000');

const chSeconds = (s: number) => new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');

export async function dropRepeatedChanges(
  store: Store,
  rows: DbChangeRow[],
): Promise<{ kept: DbChangeRow[]; dropped: number }> {
  const isNamed = (r: DbChangeRow) => r.position !== '' && ROW_TYPES.has(r.type);
  const byProject = new Map<string, DbChangeRow[]>();
  for (const r of rows)
    if (isNamed(r)) {
      const list = byProject.get(r.project) ?? [];
      list.push(r);
      byProject.set(r.project, list);
    }
  if (byProject.size === 0) return { kept: rows, dropped: 0 };
  const stored = new Set<string>();
  for (const [project, named] of byProject) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of named) {
      if (r.ts < min) min = r.ts;
      if (r.ts > max) max = r.ts;
    }
    // A repeat carries its original `ts`, so the batch's own time range is where the first copy is.
    type Named = Pick<DbChangeRow, 'database' | 'table' | 'type' | 'server_id' | 'position' | 'xoffset'>;
    const found = await queryByKeys<Named>(
      store,
      `SELECT database, table, type, server_id, position, xoffset FROM db_changes
       WHERE project = {project:String}
         AND ts BETWEEN {from:DateTime('UTC')} AND {to:DateTime('UTC')}
         AND position IN {positions:Array(String)}`,
      { project, from: chSeconds(min), to: chSeconds(max) },
      'positions',
      [...new Set(named.map((r) => r.position))],
    );
    for (const f of found)
      stored.add(
        `${project}\u0000${keyOf({ ...f, server_id: Number(f.server_id), xoffset: Number(f.xoffset) })}`,
      );
  }
  const seen = new Set<string>();
  const kept = rows.filter((r) => {
    if (!isNamed(r)) return true;
    const key = `${r.project}\u0000${keyOf(r)}`;
    if (stored.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { kept, dropped: rows.length - kept.length };
}
