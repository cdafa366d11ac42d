import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import { NO_FILTER, type SqlFilter } from '../stats-filters.ts';
import { METRICS_SQL, type Metrics, metricsOf } from '../stats-metrics.ts';
import type { TimeRange } from '../time-range.ts';

export const INTERVALS = ['hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Bucket labels in the request's time zone, the same in SQL and in the zero-fill below. */
const LABEL_SQL: Record<Interval, string> = {
  hour: "formatDateTime(timestamp, '%Y-%m-%d %H:00', {tz:String})",
  day: "formatDateTime(timestamp, '%Y-%m-%d', {tz:String})",
  week: "formatDateTime(toMonday(timestamp, {tz:String}), '%Y-%m-%d')",
  month: "formatDateTime(timestamp, '%Y-%m', {tz:String})",
};

function wallClock(ms: number, format: Intl.DateTimeFormat) {
  const parts = format.formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { y: get('year'), m: get('month'), d: get('day'), h: get('hour'), weekday: get('weekday') };
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Every bucket label of the range, in order (the zero-fill: buckets without events are present with zeros). */
export function bucketLabels(range: TimeRange, interval: Interval, tz: string): string[] {
  const labels: string[] = [];
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    weekday: 'short',
  });
  const step = interval === 'hour' ? 3_600_000 : 3_600_000 * 6;
  for (let t = range.startMs; t < range.endMs; t += step) {
    const w = wallClock(t, format);
    let label: string;
    if (interval === 'hour') label = `${w.y}-${w.m}-${w.d} ${w.h}:00`;
    else if (interval === 'day') label = `${w.y}-${w.m}-${w.d}`;
    else if (interval === 'month') label = `${w.y}-${w.m}`;
    else {
      const back = WEEKDAYS.indexOf(w.weekday);
      const monday = new Date(Date.UTC(Number(w.y), Number(w.m) - 1, Number(w.d) - back));
      label = monday.toISOString().slice(0, 10);
    }
    if (labels[labels.length - 1] !== label && !labels.includes(label)) labels.push(label);
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
