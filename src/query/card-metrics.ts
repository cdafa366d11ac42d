/**
 * Which counting metrics a `stats/breakdowns` or `stats/timeseries` request answers (`metrics=visitors,events`;
 * all four by default, or `counts`). A card's rows show visitors or events, never visits — and over the events,
 * visits are what costs most (every event's session id read and hashed); the chart plots visitors, visits,
 * pageviews or events, never conversions — and with page goals those cost the most there. So the dashboard asks
 * for what it shows.
 */
import type { BreakdownRow } from './api-types.ts';
import type { ParamProblem } from './errors.ts';

export const COUNT_METRICS = ['visitors', 'visits', 'pageviews', 'events'] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

/** The chart's list may name `conversions` too (counted only when asked; `counts` includes them). */
export const CHART_METRICS = [...COUNT_METRICS, 'conversions'] as const;
export type ChartMetric = (typeof CHART_METRICS)[number];

/** A comma-separated list of `allowed` names (each once), or a 400 problem naming the strangers. */
function metricList<T extends string>(
  raw: string,
  allowed: readonly T[],
  problems: ParamProblem[],
  also: string,
): T[] {
  const asked = [...new Set(raw.split(',').map((m) => m.trim()))].filter((m) => m !== '');
  const known = (m: string): m is T => (allowed as readonly string[]).includes(m);
  const unknown = asked.filter((m) => !known(m));
  if (asked.length === 0 || unknown.length > 0)
    problems.push({
      param: 'metrics',
      message: `must be ${also} or a comma-separated list of ${allowed.join(', ')}${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`,
    });
  return asked.filter(known);
}

export function cardMetrics(raw: string | undefined, problems: ParamProblem[]): CountMetric[] {
  if (raw === undefined || raw === 'counts') return [...COUNT_METRICS];
  return metricList(raw, COUNT_METRICS, problems, 'counts');
}

/**
 * The chart's `metrics`: `all` (default: every metric, rates and averages included), `counts` (the four counts and
 * the goals' conversions), or a list of CHART_METRICS (those only).
 */
export function chartMetrics(raw: string | undefined, problems: ParamProblem[]): 'all' | ChartMetric[] {
  if (raw === undefined || raw === 'all') return 'all';
  if (raw === 'counts') return [...CHART_METRICS];
  return metricList(raw, CHART_METRICS, problems, 'all, counts');
}

/** Each row with the asked metrics only (conversions, which goals add, stay). */
export function onlyMetrics(
  results: Record<string, BreakdownRow[]>,
  metrics: readonly CountMetric[],
): Record<string, BreakdownRow[]> {
  if (metrics.length === COUNT_METRICS.length) return results;
  return Object.fromEntries(
    Object.entries(results).map(([dimension, rows]) => [
      dimension,
      rows.map((row) => withOnly(row, metrics)),
    ]),
  );
}

/** `row` without the counts not in `metrics` (other fields stay). */
export function withOnly<R extends object>(row: R, metrics: readonly string[]): R {
  const kept = { ...row } as Record<string, unknown>;
  for (const m of COUNT_METRICS) if (!metrics.includes(m)) delete kept[m];
  return kept as R;
}
