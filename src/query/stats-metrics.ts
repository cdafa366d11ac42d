/**
 * The metrics every stats query shares, computed in one SQL shape over `events` (bots excluded), grouped by any
 * expression: a constant for the overview, a time bucket for timeseries, a dimension for breakdowns.
 *
 * Visitors: the visitor id when the processor set one, else the user id, else the session.
 * Visits are sessions; bounce rate and visit duration describe the whole sessions that contain a matching event,
 * so a filter on one page still reports how those visits went (as Plausible does).
 */
import { SESSION_KEY, VISITOR_KEY } from '../store/event-keys.ts';
import { SAMPLE_KEY } from '../store/events-sample-key.ts';
import type { MetricNumbers } from './api-types.ts';
import type { GoalCondition } from './goals.ts';
import { sampleClause, scaled } from './sampling.ts';

export { SESSION_KEY, VISITOR_KEY };

/**
 * The visitor key a query counts: over a sample, the sample key itself — the 32-bit hash of VISITOR_KEY the sample
 * is drawn by, a materialised column of `events` and `visits` — one UInt32 read per row instead of three columns,
 * two of them strings. Two visitors of a sample share a key about once in 3 000 at 300 000 sampled visitors (the
 * key space of a 1/10 sample is 2³²/10), far below the sample's own error. Every exact read counts VISITOR_KEY.
 */
export function visitorKeyOf(sample: number | undefined): string {
  return sample !== undefined && sample > 1 ? SAMPLE_KEY : VISITOR_KEY;
}

/** People across days: the user id when known (anonymous visitor ids rotate daily by design). */
export const PERSON_KEY = `if(user_id != '', cityHash64('u', user_id), ${VISITOR_KEY})`;

/** The numbers of a period, as the API answers them. */
export type Metrics = MetricNumbers;

export const METRIC_NAMES = [
  'visitors',
  'visits',
  'pageviews',
  'events',
  'views_per_visit',
  'bounce_rate',
  'visit_duration',
] as const;

export const EMPTY_METRICS: Metrics = {
  visitors: 0,
  visits: 0,
  pageviews: 0,
  events: 0,
  views_per_visit: 0,
  bounce_rate: 0,
  visit_duration: 0,
};

export interface AggregateShape {
  /** SQL expression the rows are grouped by (read back as `value`). */
  group: string;
  /** WHERE of the counted events: scope, range, bots, filters. */
  where: string;
  /** WHERE of the sessions those events belong to: scope, range and bots only. */
  sessionWhere: string;
  goal?: GoalCondition;
  /** ORDER BY / LIMIT after the grouping. */
  tail?: string;
  /**
   * True when every event of a visit is counted in its group (no filters; grouped by nothing or by time): the
   * visit's shape is then known from the first pass, and the second scan for whole visits is skipped.
   */
  visitsWhole?: boolean;
  /** Read `SAMPLE 1/sample` (sampling.ts): the visits' own events are sampled alike, whole visitors at a time. */
  sample?: number;
}

/**
 * A visit's shape from its events, grouped by visit: pageviews (`pv`), events (`ev`) and seconds from the first to
 * the last (`dur`), each name after `prefix`.
 */
export function visitShapeColumns(prefix: string): string {
  return `countIf(type = 'pageview') AS ${prefix}pv, count() AS ${prefix}ev,
         intDiv(toUnixTimestamp64Milli(max(timestamp)) - toUnixTimestamp64Milli(min(timestamp)), 1000) AS ${prefix}dur`;
}

/**
 * Events are first folded per (group, session) — events without a session stay single — then joined with the
 * whole session's shape. Every input is a parameter of the caller; this only assembles fixed SQL text.
 */
export function aggregateSql(shape: AggregateShape): string {
  const goal = shape.goal ? `, max(${shape.goal.sql}) AS converted` : '';
  const conversions = shape.goal ? ',\n       uniqExactIf(vk, converted) AS conversions' : '';
  // Sessions are grouped by a 64-bit hash of their id (0 = no session): hashing beats comparing strings over
  // millions of rows; a collision between two of a project's sessions in one range is out of reach.
  const inner = `SELECT ${shape.group} AS g, ${SESSION_KEY} AS sid, any(${visitorKeyOf(shape.sample)}) AS vk,
         ${visitShapeColumns('')}${goal}
  FROM events${sampleClause(shape.sample)} WHERE ${shape.where}
  GROUP BY g, sid, if(sid = 0, event_id, toUUIDOrZero(''))`;
  // The visits' shape: from the groups themselves when they hold whole visits, else from a second scan (`s_`).
  const whole = shape.visitsWhole === true;
  const v = whole ? '' : 's_';
  const metrics = `SELECT g AS value,
       uniqExact(vk) AS visitors,
       countIf(sid != 0) AS visits,
       sum(pv) AS pageviews,
       sum(ev) AS events,
       countIf(sid != 0 AND ${v}pv = 1 AND ${v}ev = 1) AS bounces,
       sumIf(${v}dur, sid != 0) AS duration_sum,
       sumIf(${v}pv, sid != 0) AS visit_pageviews${conversions}
FROM (${inner}) AS e`;
  const visits = whole
    ? ''
    : `
LEFT JOIN (
  SELECT ${SESSION_KEY} AS sid, ${visitShapeColumns('s_')}
  FROM events${sampleClause(shape.sample)} WHERE ${shape.sessionWhere} AND session_id != ''
  GROUP BY sid
) AS s USING (sid)`;
  return `${metrics}${visits}
GROUP BY value
${shape.tail ?? ''}`;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** `sample`: the row was read from `SAMPLE 1/sample`; counts are scaled, rates and means kept as read. */
export function metricsOf(row: Record<string, unknown>, withGoals = false, sample?: number): Metrics {
  const visits = Number(row.visits ?? 0);
  const visitors = Number(row.visitors ?? 0);
  const metrics: Metrics = {
    visitors: scaled(visitors, sample),
    visits: scaled(visits, sample),
    pageviews: scaled(row.pageviews, sample),
    events: scaled(row.events, sample),
    views_per_visit: visits ? round(Number(row.visit_pageviews ?? 0) / visits, 2) : 0,
    bounce_rate: visits ? round((100 * Number(row.bounces ?? 0)) / visits, 1) : 0,
    visit_duration: visits ? Math.round(Number(row.duration_sum ?? 0) / visits) : 0,
  };
  if (withGoals) {
    const conversions = Number(row.conversions ?? 0);
    metrics.conversions = scaled(conversions, sample);
    metrics.conversion_rate = visitors ? round((100 * conversions) / visitors, 1) : 0;
  }
  return metrics;
}

/** Percent change per metric (null when the earlier value is 0: there is no meaningful ratio). */
export function changeOf(now: Metrics, before: Metrics): Record<string, number | null> {
  const change: Record<string, number | null> = {};
  for (const [name, value] of Object.entries(now)) {
    const was = before[name as keyof Metrics];
    if (typeof value !== 'number' || typeof was !== 'number') continue;
    // Rates change in points, counts in percent.
    if (name === 'bounce_rate' || name === 'conversion_rate') change[name] = round(value - was, 1);
    else change[name] = was === 0 ? null : round((100 * (value - was)) / was, 1);
  }
  return change;
}
