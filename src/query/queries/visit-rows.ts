/**
 * Stats read from the visit rows (src/store/visits.ts, src/store/visit-contents.ts) instead of the events, shared by
 * the overview, the chart, the cards and the goals list: which ranges the rows can answer, which rows, and the goal
 * events no visit row holds.
 */
import { VISITS_TABLE } from '../../store/visits.ts';
import type { GoalCondition } from '../goals.ts';
import { runStats } from '../run-stats.ts';
import { sampleClause } from '../sampling.ts';
import { scopeFilter } from '../scope-filter.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';

/**
 * The visits and their shape summed over visit rows by sign (cancelled versions drop out), as `metricsOf` reads them:
 * `visits`, `bounces`, `duration_sum` and `visit_pageviews`, each name after `prefix`.
 */
export function visitShapeSums(prefix = ''): string {
  return `sum(sign) AS ${prefix}visits, sum(sign * (pageviews = 1 AND events = 1)) AS ${prefix}bounces,
            sum(sign * intDiv(toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at), 1000)) AS ${prefix}duration_sum,
            sum(sign * pageviews) AS ${prefix}visit_pageviews`;
}

/**
 * `FROM visits [SAMPLE] WHERE …` of the query: its scope, the visits starting in its range, bots out, its visit-level
 * filters; with the parameters of those, of the filters and of the goals.
 */
export function visitRowsFrom(q: StatsQuery): {
  sql: string;
  params: Record<string, string | number | string[]>;
} {
  const scope = scopeFilter(q.target, false);
  return {
    sql: `${VISITS_TABLE}${sampleClause(q.sample)}
     WHERE ${scope.sql} AND NOT is_bot
       AND started_at >= {from:DateTime64(3, 'UTC')} AND started_at < {to:DateTime64(3, 'UTC')}
       ${q.filter.visitSql ?? ''}`,
    params: {
      ...scope.params,
      ...q.filter.params,
      ...(q.goal?.params ?? {}),
      from: q.range.start,
      to: q.range.end,
    },
  };
}

/**
 * A sampled range, unfiltered or filtered by visit dimensions only (which keep whole visits): what `visits` answers
 * as the events would, over the same sample. Exact answers and event-level filters read the events.
 */
export function visitRowsAnswer(q: StatsQuery): boolean {
  if (!sampledRange(q)) return false;
  return q.filter.sql === '' || (q.filter.visitSql !== undefined && q.filter.eventSql === '');
}

/** A range read from a sample (never with `exact=1`). */
export function sampledRange(q: StatsQuery): boolean {
  return !q.exact && q.sample !== undefined && q.sample > 1;
}

/**
 * Whether an event of the range without a visit (sent server-side, without a session id) reached a goal: such
 * events count as conversions too, and no visit row holds them. Reading the session ids' lengths first makes the
 * usual answer — none — cheap. A filter on a visit dimension leaves them out anyway.
 */
export async function goalsWithoutVisit(q: StatsQuery, goal: GoalCondition): Promise<boolean> {
  if (q.filter.sql !== '') return false;
  const w = whereOf(q);
  const [row] = await runStats<{ n: string }>(
    q,
    `SELECT count() AS n FROM events${sampleClause(q.sample)} PREWHERE session_id = '' WHERE ${w.where} AND (${goal.sql})`,
    w.params,
  );
  return Number(row?.n ?? 0) > 0;
}
