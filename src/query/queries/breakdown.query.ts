import type { Store } from '../../store/store.ts';
import { DIMENSIONS, PROP_PREFIX } from '../dimensions.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import { NO_FILTER, type SqlFilter } from '../stats-filters.ts';
import { METRICS_SQL, type Metrics, metricsOf } from '../stats-metrics.ts';
import type { TimeRange } from '../time-range.ts';

export async function breakdownQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  dimension: string,
  limit: number,
  page: number,
  timeoutMs: number,
  filter: SqlFilter = NO_FILTER,
): Promise<Array<{ value: string } & Metrics>> {
  const scope = scopeFilter(target, true);
  const params: Record<string, string | number> = {
    ...scope.params,
    ...filter.params,
    from: range.start,
    to: range.end,
    limit,
    offset: (page - 1) * limit,
  };
  let column = DIMENSIONS[dimension];
  if (!column) {
    column = 'JSONExtractString(props, {prop:String})';
    params.prop = dimension.slice(PROP_PREFIX.length);
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${column} AS value, ${METRICS_SQL}
     FROM events WHERE ${scope.sql} AND NOT is_bot${filter.sql}
     GROUP BY value
     ORDER BY visitors DESC, events DESC, value
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
    { timeoutMs },
  );
  return rows.map((r) => ({ value: String(r.value), ...metricsOf(r) }));
}
