/**
 * Which counting metrics a `stats/breakdowns` request answers (`metrics=visitors,events`; all four by default, or
 * `counts`). A card's rows show visitors or events, never visits — and over the events, visits are what costs most
 * (every event's session id read and hashed), so the dashboard asks for what it shows.
 */
import type { BreakdownRow } from './api-types.ts';
import type { ParamProblem } from './errors.ts';

export const COUNT_METRICS = ['visitors', 'visits', 'pageviews', 'events'] as const;
export type CountMetric = (typeof COUNT_METRICS)[number];

const isCountMetric = (m: string): m is CountMetric => (COUNT_METRICS as readonly string[]).includes(m);

export function cardMetrics(raw: string | undefined, problems: ParamProblem[]): CountMetric[] {
  if (raw === undefined || raw === 'counts') return [...COUNT_METRICS];
  const asked = [...new Set(raw.split(',').map((m) => m.trim()))].filter((m) => m !== '');
  const unknown = asked.filter((m) => !isCountMetric(m));
  if (asked.length === 0 || unknown.length > 0)
    problems.push({
      param: 'metrics',
      message: `must be counts or a comma-separated list of ${COUNT_METRICS.join(', ')}${unknown.length > 0 ? ` (not ${unknown.join(', ')})` : ''}`,
    });
  return asked.filter(isCountMetric);
}

/** Each row with the asked metrics only (conversions, which goals add, stay). */
export function onlyMetrics(
  results: Record<string, BreakdownRow[]>,
  metrics: readonly CountMetric[],
): Record<string, BreakdownRow[]> {
  if (metrics.length === COUNT_METRICS.length) return results;
  const left = COUNT_METRICS.filter((m) => !metrics.includes(m));
  return Object.fromEntries(
    Object.entries(results).map(([dimension, rows]) => [
      dimension,
      rows.map((row) => {
        const kept = { ...row };
        for (const m of left) delete kept[m];
        return kept;
      }),
    ]),
  );
}
