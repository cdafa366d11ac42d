import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import type { TimeRange } from '../time-range.ts';

export interface Overview {
  events: number;
  pageviews: number;
  visitors: number;
  sessions: number;
}

/**
 * Visitors: the visitor id when the processor set one, else the user id, else the session — so clients that send
 * only sessions still count people rather than nothing. Bots are excluded from every number.
 */
export async function overviewQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  timeoutMs: number,
): Promise<Overview> {
  const scope = scopeFilter(target, true);
  const rows = await store.query<Record<keyof Overview, string | number>>(
    `SELECT
       count() AS events,
       countIf(type = 'pageview') AS pageviews,
       uniqExact(if(visitor_id != 0, toString(visitor_id), if(user_id != '', concat('u:', user_id), concat('s:', session_id)))) AS visitors,
       uniqExactIf(session_id, session_id != '') AS sessions
     FROM events
     WHERE ${scope.sql} AND NOT is_bot`,
    { ...scope.params, from: range.start, to: range.end },
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
