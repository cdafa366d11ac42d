/**
 * `period=realtime|today|7d|30d|month|12mo|custom` (custom = `from`/`to`) and `compare=previous_period|year_over_year`
 * as the dashboards name them, resolved against "now" in the request's time zone.
 */
import type { ParamProblem } from './errors.ts';
import { parseTimeRange, rangeOf, startOfDay, type TimeRange, wallClock } from './time-range.ts';

export const PERIODS = ['realtime', 'today', '7d', '30d', 'month', '12mo', 'custom'] as const;
export type Period = (typeof PERIODS)[number];
export const COMPARISONS = ['previous_period', 'year_over_year'] as const;
export type Comparison = (typeof COMPARISONS)[number];

/** Without `period`, `from`/`to` mean custom and nothing at all means the last 30 days, as Plausible does. */
export const DEFAULT_PERIOD: Period = '30d';
const REALTIME_MS = 30 * 60_000;

/** `raw` as the schema passed it (one of PERIODS: src/query/query-params.ts); from/to need `custom`. */
export function parsePeriod(raw: Period | undefined, hasBounds: boolean, problems: ParamProblem[]): Period {
  if (raw === undefined) return hasBounds ? 'custom' : DEFAULT_PERIOD;
  if (raw !== 'custom' && hasBounds)
    problems.push({
      param: 'period',
      message: `"${raw}" cannot be combined with from/to (use period=custom)`,
    });
  return raw;
}

/**
 * The range of a period: whole local days that end with today (`7d` = today and the 6 days before), the current
 * calendar month, the 12 calendar months that end with this one, or the last 30 minutes for `realtime`.
 */
export function resolvePeriod(
  period: Period,
  from: string | undefined,
  to: string | undefined,
  tz: string,
  problems: ParamProblem[],
  now = Date.now(),
): TimeRange | undefined {
  if (period === 'custom') return parseTimeRange(from, to, tz, problems);
  if (period === 'realtime') return rangeOf(now - REALTIME_MS, now + 1);
  const w = wallClock(now, tz);
  const tomorrow = startOfDay(w.year, w.month, w.day + 1, tz);
  switch (period) {
    case 'today':
      return rangeOf(startOfDay(w.year, w.month, w.day, tz), tomorrow);
    case '7d':
      return rangeOf(startOfDay(w.year, w.month, w.day - 6, tz), tomorrow);
    case '30d':
      return rangeOf(startOfDay(w.year, w.month, w.day - 29, tz), tomorrow);
    case 'month':
      return rangeOf(startOfDay(w.year, w.month, 1, tz), startOfDay(w.year, w.month + 1, 1, tz));
    case '12mo':
      return rangeOf(startOfDay(w.year, w.month - 11, 1, tz), startOfDay(w.year, w.month + 1, 1, tz));
  }
}

export function parseComparison(raw: string | undefined, problems: ParamProblem[]): Comparison | undefined {
  if (raw === undefined || raw === 'off') return undefined;
  if (!COMPARISONS.includes(raw as Comparison)) {
    problems.push({ param: 'compare', message: `must be one of ${COMPARISONS.join(', ')}` });
    return undefined;
  }
  return raw as Comparison;
}

/**
 * The range a period is compared with: the same length just before it, or the same local dates a year earlier
 * (29 February falls back to the 28th).
 */
export function comparisonRange(range: TimeRange, mode: Comparison, tz: string): TimeRange {
  if (mode === 'previous_period') return rangeOf(2 * range.startMs - range.endMs, range.startMs);
  const shift = (ms: number) => {
    const w = wallClock(ms, tz);
    const day = w.month === 2 && w.day === 29 ? 28 : w.day;
    const midnight = startOfDay(w.year - 1, w.month, day, tz);
    return midnight + ((w.hour * 60 + w.minute) * 60 + w.second) * 1000 + (ms % 1000);
  };
  return rangeOf(shift(range.startMs), shift(range.endMs));
}
