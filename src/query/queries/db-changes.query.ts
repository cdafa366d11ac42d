/** The Database changes page: change rates per table, the latest changes, and every version of one row. */
import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import type { Change } from '../api-types.ts';
import type { Target } from '../read-auth.ts';
import { runStats } from '../run-stats.ts';
import type { TimeRange } from '../time-range.ts';

// The shape the API answers, defined once with the other answers (the dashboard imports it too).
export type { Change } from '../api-types.ts';

interface ChangeQuery {
  store: Store;
  target: Target;
  range: TimeRange;
  timeoutMs: number;
}

const parse = (s: string) => {
  try {
    return s ? JSON.parse(s) : null;
  } catch {
    return s;
  }
};

function change(r: Record<string, string>): Change {
  return {
    ts: isoFromClickHouse(r.at),
    database: r.database,
    table: r.table,
    type: r.type,
    xid: Number(r.xid),
    data: parse(r.data),
    old: parse(r.old),
    position: r.position,
    ...(r.versions !== undefined ? { primary_key: parse(r.primary_key), versions: Number(r.versions) } : {}),
  };
}

const RANGE =
  "project = {project:String} AND ts >= toDateTime({from:DateTime64(3, 'UTC')}, 'UTC') AND ts < toDateTime({to:DateTime64(3, 'UTC')}, 'UTC')";

/** Per table: inserts, updates, deletes in the range and changes per minute. */
export async function changeRatesQuery(q: ChangeQuery) {
  const rows = await runStats<Record<string, string | number>>(
    q,
    `SELECT database, table, countIf(type = 'insert') AS inserts, countIf(type = 'update') AS updates,
            countIf(type = 'delete') AS deletes, count() AS changes, toString(max(ts)) AS last
     FROM db_changes WHERE ${RANGE} AND type IN ('insert', 'update', 'delete')
     GROUP BY database, table ORDER BY changes DESC LIMIT 500`,
    { project: q.target.project, from: q.range.start, to: q.range.end },
  );
  const minutes = Math.max(1, (q.range.endMs - q.range.startMs) / 60_000);
  return rows.map((r) => ({
    database: String(r.database),
    table: String(r.table),
    inserts: Number(r.inserts),
    updates: Number(r.updates),
    deletes: Number(r.deletes),
    changes: Number(r.changes),
    per_minute: Math.round((100 * Number(r.changes)) / minutes) / 100,
    last_change: isoFromClickHouse(String(r.last)),
  }));
}

/**
 * The latest changes, newest first; with `perRow`, the latest change of each row (rows named by their primary key;
 * changes sent without one are left out), so a table's current state reads at a glance — `type` then filters on
 * that latest change (`delete`: the rows deleted in the range).
 */
export async function latestChangesQuery(
  q: ChangeQuery,
  filter: { database?: string; table?: string; type?: string },
  limit: number,
  perRow = false,
): Promise<Change[]> {
  const parts = [RANGE];
  const params: Record<string, string | number> = {
    project: q.target.project,
    from: q.range.start,
    to: q.range.end,
    limit,
  };
  for (const k of ['database', 'table', 'type'] as const)
    if (filter[k]) {
      if (!perRow || k !== 'type') parts.push(`${k} = {${k}:String}`);
      params[k] = filter[k];
    }
  if (perRow) {
    // Aliases differ from the column names: ClickHouse would otherwise read `type` in WHERE as the aggregate.
    const last = (column: string) => `argMax(${column}, (ts, xid, xoffset)) AS last_${column}`;
    const rows = await runStats<Record<string, string>>(
      q,
      `SELECT toString(max(ts)) AS last_at, database, table, ${['type', 'xid', 'data', 'old', 'position'].map(last).join(', ')},
              primary_key, count() AS versions
       FROM db_changes
       WHERE ${parts.join(' AND ')} AND primary_key != '' AND type IN ('insert', 'update', 'delete', 'bootstrap-insert')
       GROUP BY database, table, primary_key
       ${filter.type ? 'HAVING last_type = {type:String}' : ''}
       ORDER BY last_at DESC, last_xid DESC LIMIT {limit:UInt32}`,
      params,
    );
    return rows.map((r) =>
      change({
        ...r,
        at: r.last_at,
        type: r.last_type,
        xid: r.last_xid,
        data: r.last_data,
        old: r.last_old,
        position: r.last_position,
      }),
    );
  }
  const rows = await runStats<Record<string, string>>(
    q,
    `SELECT toString(ts) AS at, database, table, type, xid, data, old, position FROM db_changes
     WHERE ${parts.join(' AND ')} ORDER BY ts DESC, xid DESC, xoffset DESC LIMIT {limit:UInt32}`,
    params,
  );
  return rows.map(change);
}

/**
 * Every version of one row, oldest first: the changes of `database.table` whose row data has all of `key`'s
 * column values (e.g. `{"id": 17}`), at any time.
 */
export async function rowHistoryQuery(
  q: Omit<ChangeQuery, 'range'>,
  database: string,
  table: string,
  key: Record<string, unknown>,
): Promise<Change[]> {
  const params: Record<string, string> = { project: q.target.project, database, table };
  const conditions = Object.entries(key).map(([column, value], i) => {
    params[`k${i}`] = column;
    params[`v${i}`] = JSON.stringify(value);
    return `JSONExtractRaw(data, {k${i}:String}) = {v${i}:String}`;
  });
  const rows = await runStats<Record<string, string>>(
    q,
    `SELECT toString(ts) AS at, database, table, type, xid, data, old, position FROM db_changes
     WHERE project = {project:String} AND database = {database:String} AND table = {table:String}
       AND ${conditions.join(' AND ')}
     ORDER BY ts, xid, xoffset LIMIT 10000`,
    params,
  );
  return rows.map(change);
}
