import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import { NO_FILTER, type SqlFilter } from '../stats-filters.ts';
import { METRICS_SQL, type Metrics, metricsOf } from '../stats-metrics.ts';
import { type TimeRange, wallClock } from '../time-range.ts';

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Bucket labels in the request's time zone, the same in SQL and in the zero-fill below. */
const LABEL_SQL: Record<Interval, string> = {
  hour: "formatDateTime(timestamp, '%Y-%m-%d %H:00', {tz:String})",
  day: "formatDateTime(timestamp, '%Y-%m-%d', {tz:String})",
  week: "formatDateTime(toMonday(timestamp, {tz:String}), '%Y-%m-%d')",
  month: "formatDateTime(timestamp, '%Y-%m', {tz:String})",
};

/** Every bucket label of the range, in order (the zero-fill: buckets without events are present with zeros). */
export function bucketLabels(range: TimeRange, interval: Interval, tz: string): string[] {
  const labels: string[] = [];
  const pad = (n: number) => String(n).padStart(2, '0');
  // Hourly steps see every hour; for coarser buckets 6 h still lands in every local day, DST days included.
  const step = interval === 'hour' ? 3_600_000 : 3_600_000 * 6;
  for (let t = range.startMs; t < range.endMs; t += step) {
    const w = wallClock(t, tz);
    const day = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    let label: string;
    if (interval === 'hour') label = `${day} ${pad(w.hour)}:00`;
    else if (interval === 'day') label = day;
    else if (interval === 'month') label = `${w.year}-${pad(w.month)}`;
    else label = new Date(Date.UTC(w.year, w.month - 1, w.day - w.weekday)).toISOString().slice(0, 10);
    // Labels come in order; a repeated one (the hour that DST repeats) is the same bucket.
    if (labels[labels.length - 1] !== label) labels.push(label);
  }
  return labels;
}

export async function timeseriesQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  interval: Interval,
  tz: string,
  timeoutMs: number,
  filter: SqlFilter = NO_FILTER,
): Promise<Array<{ date: string } & Metrics>> {
  const scope = scopeFilter(target, true);
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${LABEL_SQL[interval]} AS date, ${METRICS_SQL}
     FROM events WHERE ${scope.sql} AND NOT is_bot${filter.sql}
     GROUP BY date`,
    { ...scope.params, ...filter.params, from: range.start, to: range.end, tz },
    { timeoutMs },
  );
  const byLabel = new Map(rows.map((r) => [String(r.date), metricsOf(r)]));
  return bucketLabels(range, interval, tz).map((date) => ({
    date,
    ...(byLabel.get(date) ?? { visitors: 0, visits: 0, pageviews: 0, events: 0 }),
  }));
}
