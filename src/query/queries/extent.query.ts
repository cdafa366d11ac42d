/**
 * How many events a scope holds (bots out, as every stats query), and the first and latest one: whatever the period,
 * so a period without any can say where they are.
 */

import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';

export interface Extent {
  count: number;
  /** ISO 8601, UTC; null while there are none. */
  first: string | null;
  last: string | null;
}

export async function extentQuery(store: Store, target: Target, timeoutMs: number): Promise<Extent> {
  const scope = scopeFilter(target, false);
  const [row] = await store.query<{ n: string | number; first: string; last: string }>(
    `SELECT count() AS n, toString(min(timestamp)) AS first, toString(max(timestamp)) AS last
     FROM events WHERE ${scope.sql} AND NOT is_bot`,
    scope.params,
    { timeoutMs },
  );
  const count = Number(row?.n ?? 0);
  return {
    count,
    first: count > 0 && row ? isoFromClickHouse(row.first) : null,
    last: count > 0 && row ? isoFromClickHouse(row.last) : null,
  };
}
