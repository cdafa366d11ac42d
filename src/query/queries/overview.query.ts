import { changeOf, EMPTY_METRICS, type Metrics } from '../stats-metrics.ts';
import { aggregate, type StatsQuery } from '../stats-query.ts';
import type { TimeRange } from '../time-range.ts';

/** The metrics, plus `sessions` (= visits) as the first API named it. */
export type OverviewNumbers = Metrics & { sessions: number };

export type Overview = OverviewNumbers & {
  comparison?: { from: string; to: string; results: OverviewNumbers; change: Record<string, number | null> };
};

async function totals(q: StatsQuery, range?: TimeRange): Promise<OverviewNumbers> {
  const [row] = await aggregate(q, "''", { range, byTime: true });
  const metrics: Metrics = row
    ? (({ value: _value, ...m }) => m)(row)
    : { ...EMPTY_METRICS, ...(q.goal ? { conversions: 0, conversion_rate: 0 } : {}) };
  return { ...metrics, sessions: metrics.visits };
}

/** The KPI numbers of a range, and of the range it is compared with when asked. */
export async function overviewQuery(q: StatsQuery, compareWith?: TimeRange): Promise<Overview> {
  const results = await totals(q);
  if (!compareWith) return results;
  const before = await totals(q, compareWith);
  return {
    ...results,
    comparison: {
      from: new Date(compareWith.startMs).toISOString(),
      to: new Date(compareWith.endMs).toISOString(),
      results: before,
      change: changeOf(results, before),
    },
  };
}
