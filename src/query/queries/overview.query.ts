import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import { NO_FILTER, type SqlFilter } from '../stats-filters.ts';
import { VISITOR_KEY } from '../stats-metrics.ts';
import type { TimeRange } from '../time-range.ts';

export interface Overview {
  events: number;
  pageviews: number;
  visitors: number;
  sessions: number;
}

/** Bots are excluded from every number; visitors as `stats-metrics.ts` defines them. */
export async function overviewQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  timeoutMs: number,
  filter: SqlFilter = NO_FILTER,
): Promise<Overview> {
  const scope = scopeFilter(target, true);
  const rows = await store.query<Record<keyof Overview, string | number>>(
    `SELECT
       count() AS events,
       countIf(type = 'pageview') AS pageviews,
       uniqExact(${VISITOR_KEY}) AS visitors,
       uniqExactIf(session_id, session_id != '') AS sessions
     FROM events
     WHERE ${scope.sql} AND NOT is_bot${filter.sql}`,
    { ...scope.params, ...filter.params, from: range.start, to: range.end },
    { timeoutMs },
  );
  const r = rows[0];
  return {
    events: Number(r.events),
    pageviews: Number(r.pageviews),
    visitors: Number(r.visitors),
    sessions: Number(r.sessions),
  };
}
