/** What every stats query is asked: whose rows, which time range, which filters and goals, within which budget. */

import type { Store } from '../store/store.ts';
import type { GoalCondition, GoalPageRows } from './goals.ts';
import type { Target } from './read-auth.ts';
import { sampleClause } from './sampling.ts';
import { scopeFilter } from './scope-filter.ts';
import { eventFilterSql, type SqlFilter } from './stats-filters.ts';
import { type AggregateShape, aggregateSql, type Metrics, metricsOf } from './stats-metrics.ts';
import type { TimeRange } from './time-range.ts';
import type { VisitGoalBits } from './visit-goal-bits.ts';

export interface StatsQuery {
  store: Store;
  target: Target;
  range: TimeRange;
  tz: string;
  filter: SqlFilter;
  goal?: GoalCondition;
  /**
   * The page rows of every page goal of the project (goals.ts): a rollup scope of the totals keeps these whatever
   * `goal` is, so the calls of one page read alike (rollup-scope.ts).
   */
  goalPageRows?: GoalPageRows;
  timeoutMs: number;
  /** Count every visitor exactly from the events, never from the rollups' estimates (rollup-scope.ts). */
  exact?: boolean;
  /** Read `SAMPLE 1/sample` of the events and scale the counts (sampling.ts); 1 or absent: every event. */
  sample?: number;
  /**
   * The project's visit goal bits, when every visit row the request reads holds them (visit-goal-currency.ts): each
   * goal's condition over those rows is then a bit test (goals.ts).
   */
  visitGoals?: VisitGoalBits;
}

export interface Where {
  where: string;
  sessionWhere: string;
  params: Record<string, string | number | string[]>;
}

/** The scope, the range (or `range`, for comparisons), bots out, the request's filters. */
export function whereOf(q: StatsQuery, range: TimeRange = q.range): Where {
  const scope = scopeFilter(q.target, true);
  const base = `${scope.sql} AND NOT is_bot`;
  return {
    where: `${base}${eventFilterSql(q.filter, q.sample)}`,
    sessionWhere: base,
    params: {
      ...scope.params,
      ...q.filter.params,
      ...(q.goal?.params ?? {}),
      from: range.start,
      to: range.end,
      tz: q.tz,
    },
  };
}

/**
 * The events a pass reads (`events [SAMPLE 1/N] WHERE …`) and the parameters that text uses — not the goals', which
 * each part brings with its own sums — so two calls over the same events name them alike (shared-pass.ts).
 */
export function eventRowsOf(q: StatsQuery): { sql: string; params: Where['params'] } {
  const w = whereOf({ ...q, goal: undefined });
  return { sql: `events${sampleClause(q.sample)} WHERE ${w.where}`, params: w.params };
}

/** Runs `aggregateSql` with `group` and returns one `Metrics` per group value. */
export async function aggregate(
  q: StatsQuery,
  group: string,
  options: {
    range?: TimeRange;
    tail?: string;
    params?: Record<string, string | number>;
    /** The grouping keeps visits whole (nothing or time): see AggregateShape.visitsWhole. */
    byTime?: boolean;
  } = {},
): Promise<Array<{ value: string } & Metrics>> {
  const w = whereOf(q, options.range);
  const shape: AggregateShape = {
    group,
    where: w.where,
    sessionWhere: w.sessionWhere,
    goal: q.goal,
    tail: options.tail,
    visitsWhole: options.byTime === true && q.filter.sql === '',
    sample: q.sample,
  };
  const rows = await q.store.query<Record<string, unknown>>(
    aggregateSql(shape),
    { ...w.params, ...(options.params ?? {}) },
    {
      timeoutMs: q.timeoutMs,
    },
  );
  return rows.map((r) => ({ value: String(r.value), ...metricsOf(r, q.goal !== undefined, q.sample) }));
}
