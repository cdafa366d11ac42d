import { ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import { rollupCountSumPairs, rollupScope } from '../rollup-scope.ts';
import { EMPTY_METRICS, type Metrics, visitorKeyOf } from '../stats-metrics.ts';
import { aggregate, type StatsQuery } from '../stats-query.ts';
import { type TimeRange, wallClock } from '../time-range.ts';
import { type BreakdownRow, countsBreakdown, countsRow } from './breakdown.query.ts';
import { passGroups } from './shared-pass.ts';
import { visitCountSumPairs, visitRowsAnswer, visitRowsFrom } from './visit-rows.ts';

export const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Bucket labels in the request's time zone, the same in SQL and in the zero-fill below. */
const LABEL_SQL: Record<Interval, string> = {
  minute: "formatDateTime(timestamp, '%Y-%m-%d %H:%i', {tz:String})",
  hour: "formatDateTime(timestamp, '%Y-%m-%d %H:00', {tz:String})",
  day: "formatDateTime(timestamp, '%Y-%m-%d', {tz:String})",
  week: "formatDateTime(toMonday(timestamp, {tz:String}), '%Y-%m-%d')",
  month: "formatDateTime(timestamp, '%Y-%m', {tz:String})",
};

/** The most buckets one answer may hold (a year of hours would be 8 784). */
export const MAX_BUCKETS = 1_500;

/** The interval a range gets when none is asked for, and whether an asked one is too fine for it. */
export function defaultInterval(range: TimeRange): Interval {
  const days = (range.endMs - range.startMs) / 86_400_000;
  if (days <= 1 / 12) return 'minute';
  return days <= 2 ? 'hour' : days > 366 ? 'month' : 'day';
}

export function bucketCount(range: TimeRange, interval: Interval): number {
  const size = {
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    week: 7 * 86_400_000,
    month: 28 * 86_400_000,
  };
  return Math.ceil((range.endMs - range.startMs) / size[interval]);
}

/** Every bucket label of the range, in order (the zero-fill: buckets without events are present with zeros). */
export function bucketLabels(range: TimeRange, interval: Interval, tz: string): string[] {
  const labels: string[] = [];
  const pad = (n: number) => String(n).padStart(2, '0');
  // Minute and hour steps see every bucket; for coarser ones 6 h still lands in every local day, DST included.
  const step = interval === 'minute' ? 60_000 : interval === 'hour' ? 3_600_000 : 3_600_000 * 6;
  const first = interval === 'minute' ? range.startMs - (range.startMs % 60_000) : range.startMs;
  for (let t = first; t < range.endMs; t += step) {
    const w = wallClock(t, tz);
    const day = `${w.year}-${pad(w.month)}-${pad(w.day)}`;
    let label: string;
    if (interval === 'minute') label = `${day} ${pad(w.hour)}:${pad(w.minute)}`;
    else if (interval === 'hour') label = `${day} ${pad(w.hour)}:00`;
    else if (interval === 'day') label = day;
    else if (interval === 'month') label = `${w.year}-${pad(w.month)}`;
    else label = new Date(Date.UTC(w.year, w.month - 1, w.day - w.weekday)).toISOString().slice(0, 10);
    // Labels come in order; a repeated one (the hour that DST repeats) is the same bucket.
    if (labels[labels.length - 1] !== label) labels.push(label);
  }
  return labels;
}

export type Point = { date: string } & Metrics;

export async function timeseriesQuery(
  q: StatsQuery,
  interval: Interval,
  range: TimeRange = q.range,
): Promise<Point[]> {
  const rows = await aggregate(q, LABEL_SQL[interval], { range, byTime: true });
  const byLabel = new Map(rows.map(({ value, ...m }) => [value, m]));
  const empty: Metrics = { ...EMPTY_METRICS, ...(q.goal ? { conversions: 0, conversion_rate: 0 } : {}) };
  return bucketLabels(range, interval, q.tz).map((date) => ({ date, ...(byLabel.get(date) ?? empty) }));
}

export type CountPoint = { date: string } & Omit<BreakdownRow, 'value'>;

/** Daily rows serve buckets of whole days when the zone is UTC throughout the range; hourly rows otherwise. */
function utcDays(range: TimeRange, tz: string, interval: Interval): 'days' | 'hours' {
  if (interval === 'hour') return 'hours';
  for (let t = range.startMs; t <= range.endMs; t += 3 * 3_600_000)
    if (wallClock(t, tz).hour !== new Date(t).getUTCHours()) return 'hours';
  return 'days';
}

/** Whether every local hour of `tz` in the range starts on a UTC hour (not so in India, Nepal, parts of Australia…). */
function bucketsOfWholeHours(range: TimeRange, tz: string): boolean {
  for (let t = range.startMs; t < range.endMs; t += 3 * 3_600_000)
    if (wallClock(t, tz).minute !== 0) return false;
  return wallClock(range.endMs, tz).minute === 0;
}

/** Buckets of whole days: a visit rarely crosses one, so a visit's events may count in the bucket it starts in. */
const WHOLE_DAYS: ReadonlySet<Interval> = new Set(['day', 'week', 'month']);

/**
 * The counts per bucket of a sampled range filtered by visit dimensions only (visit-rows.ts): from the matching
 * visit rows, each visit with all its events in the bucket it starts in — one pass over a sample of `visits`
 * instead of the events of the matching visits, shared with the KPIs' and the cards' when they wait for the store
 * together (shared-pass.ts).
 */
async function countsOfVisitRows(q: StatsQuery, interval: Interval): Promise<BreakdownRow[]> {
  const vk = visitorKeyOf(q.sample);
  const visits = visitRowsFrom(q);
  const rows = await passGroups(q, visits.sql, visits.params, {
    keys: [LABEL_SQL[interval].replaceAll('timestamp', 'started_at')],
    // The names and sums the cards' visit dimensions give them (visit-rows-breakdown.query.ts), so both read one.
    columns: [
      ...visitCountSumPairs(vk),
      ['n_visits', 'sum(sign)'],
      ...(q.goal?.visit
        ? ([['n_conversions', `uniqExactIf(${vk}, sign = 1 AND ${q.goal.visit})`]] as const)
        : []),
    ],
    having: () => 'n_visits > 0',
    // Every bucket (a visit starts in one of the range's).
    limit: bucketLabels(q.range, interval, q.tz).length,
    offset: 0,
    params: { tz: q.tz },
  });
  return rows.map((r) => countsRow(r, q.goal !== undefined, 'n_', q.sample));
}

/**
 * The counting metrics only (visitors, visits, pageviews, events, conversions) per bucket — what the main chart
 * needs for those metrics: from the hourly rollups when the query allows it (rollup-scope.ts), else one pass over
 * the events without the second one for the shape of whole visits.
 */
export async function timeseriesCounts(
  q: StatsQuery,
  interval: Interval,
  range: TimeRange = q.range,
  /** `visits: false`: the caller drops the visits, so neither the events' pass nor the rollups count them. */
  options: { visits?: boolean } = {},
): Promise<CountPoint[]> {
  const inRange = { ...q, range };
  const labels = bucketLabels(range, interval, q.tz);
  const time =
    interval === 'minute' || !bucketsOfWholeHours(range, q.tz) ? undefined : utcDays(range, q.tz, interval);
  const scope = time ? rollupScope(inRange, '', { time, goalPages: true }) : undefined;
  let rows: BreakdownRow[];
  const rowsOfVisits =
    !scope &&
    WHOLE_DAYS.has(interval) &&
    q.filter.sql !== '' &&
    (!q.goal || q.goal.visit !== undefined) &&
    visitRowsAnswer(inRange);
  if (rowsOfVisits) rows = await countsOfVisitRows(inRange, interval);
  else if (scope) {
    // The scope may hold the pageviews' page rows too (page goals): counts come from the totals' rows only. Read
    // with the KPIs and the goals list when they wait for the store together (a scope of UTC days is theirs).
    const found = await passGroups(q, scope.source, scope.params, {
      keys: [LABEL_SQL[interval].replaceAll('timestamp', 'hour')],
      columns: [
        ...rollupCountSumPairs(),
        ['n_visits', options.visits === false ? '0' : `${ROLLUP_UNIQ_MERGE_IF}(visits, dimension = '')`],
        ...(q.goal
          ? ([['n_conversions', `${ROLLUP_UNIQ_MERGE_IF}(visitors, ${q.goal.rollup})`]] as const)
          : []),
      ],
      having: () => '1',
      limit: labels.length,
      offset: 0,
      params: { tz: q.tz },
    });
    rows = found.map((r) => countsRow(r, q.goal !== undefined, 'n_'));
  } else
    rows = await countsBreakdown(
      inRange,
      LABEL_SQL[interval],
      { limit: 10 * MAX_BUCKETS, offset: 0 },
      options,
    );
  const byLabel = new Map(rows.map(({ value, ...counts }) => [value, counts]));
  const empty = {
    visitors: 0,
    visits: 0,
    pageviews: 0,
    events: 0,
    ...(q.goal ? { conversions: 0, conversion_rate: 0 } : {}),
  };
  return labels.map((date) => ({ date, ...(byLabel.get(date) ?? empty) }));
}
