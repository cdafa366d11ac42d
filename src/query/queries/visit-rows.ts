/**
 * Stats read from the visit rows (src/store/visits.ts, src/store/visit-contents.ts) instead of the events, shared by
 * the overview, the chart, the cards and the goals list: which ranges the rows can answer, which rows, and the goal
 * events no visit row holds.
 */
import type { QueryParams } from '../../store/store.ts';
import { VISITS_TABLE } from '../../store/visits.ts';
import type { GoalCondition } from '../goals.ts';
import { rollupScope } from '../rollup-scope.ts';
import { runStats } from '../run-stats.ts';
import { sampleClause } from '../sampling.ts';
import { scopeFilter } from '../scope-filter.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';

/**
 * The visitors, pageviews and events of visit rows (`n_visitors`, `n_pageviews`, `n_events`), as (alias, sum) pairs:
 * one definition, so the parts of a shared pass (shared-pass.ts) that name them name the same sums.
 */
export function visitCountSumPairs(visitor: string): Array<[string, string]> {
  return [
    ['n_visitors', `uniqExactIf(${visitor}, sign = 1)`],
    ['n_pageviews', 'sum(sign * pageviews)'],
    ['n_events', 'sum(sign * events)'],
  ];
}

/**
 * The visits and their shape summed over visit rows by sign (cancelled versions drop out), as `metricsOf` reads them:
 * `visits`, `bounces`, `duration_sum` and `visit_pageviews`, each name after `prefix` — (alias, sum) pairs, for a
 * pass that names its columns (shared-pass.ts).
 */
export function visitShapeSumPairs(prefix = ''): Array<[string, string]> {
  return [
    [`${prefix}visits`, 'sum(sign)'],
    [`${prefix}bounces`, 'sum(sign * (pageviews = 1 AND events = 1))'],
    [
      `${prefix}duration_sum`,
      'sum(sign * intDiv(toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at), 1000))',
    ],
    [`${prefix}visit_pageviews`, 'sum(sign * pageviews)'],
  ];
}

/**
 * `FROM visits [SAMPLE] WHERE …` of the query: its scope, the visits starting in its range, bots out, its visit-level
 * filters; with the parameters of those, of the filters and of the goals. `arrayJoin`: an `ARRAY JOIN …` of the
 * rows (fixed text), before the conditions.
 */
export function visitRowsFrom(
  q: StatsQuery,
  arrayJoin = '',
): {
  sql: string;
  params: Record<string, string | number | string[]>;
} {
  const scope = scopeFilter(q.target, false);
  return {
    sql: `${VISITS_TABLE}${sampleClause(q.sample)} ${arrayJoin}
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
 * events count as conversions too, and no visit row holds them. The usual answer is none, found cheaply: events of
 * the goals' types are looked up by the key (it starts with the type: a few granules, every one of the range), and
 * pageviews are read only when the rollups count some without a visit (their `pageviews` less `visit_pageviews`).
 * A filter on a visit dimension leaves such events out anyway.
 */
export async function goalsWithoutVisit(
  q: StatsQuery,
  goal: GoalCondition,
  /** The rollups' pageviews without a visit over the range, when the caller read them already (`rollupCounts`). */
  pageviewsWithoutVisit?: number,
): Promise<boolean> {
  if (q.filter.sql !== '') return false;
  const w = whereOf(q);
  const any = async (condition: string, sample: number | undefined, params: QueryParams = {}) => {
    const [row] = await runStats<{ n: string }>(
      q,
      `SELECT count() AS n FROM events${sampleClause(sample)} PREWHERE session_id = '' WHERE ${w.where} AND ${condition}`,
      { ...w.params, ...params },
    );
    return Number(row?.n ?? 0) > 0;
  };
  if (goal.properties) return any(`(${goal.sql})`, q.sample);
  if (
    goal.events.length > 0 &&
    (await any(`type IN {without_visit_types:Array(String)} AND (${goal.sql})`, undefined, {
      without_visit_types: goal.events,
    }))
  )
    return true;
  if (goal.pages.length === 0) return false;
  if (pageviewsWithoutVisit === 0) return false;
  const scope = pageviewsWithoutVisit === undefined ? rollupScope({ ...q, goal: undefined }, '') : undefined;
  if (scope) {
    const [row] = await runStats<{ n: string }>(
      q,
      `SELECT sum(pageviews) - sum(visit_pageviews) AS n FROM ${scope.source} WHERE type = 'pageview'`,
      scope.params,
    );
    if (Number(row?.n ?? 0) === 0) return false;
  }
  return any(`type = 'pageview' AND (${goal.sql})`, q.sample);
}
