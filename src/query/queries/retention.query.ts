/**
 * Retention: people grouped by when they were first seen (day, week or month, in the request's time zone), and
 * the share of each cohort active again in each later period. People are user ids where known: anonymous visitor
 * ids rotate daily by design, so without a user id a person cannot be recognised on a later day. Filters apply to
 * both ends: a cohort is first seen doing what the filters match, and comes back doing it again.
 */

import { runStats } from '../run-stats.ts';
import { scopeFilter } from '../scope-filter.ts';
import { PERSON_KEY } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';
import { wallClock } from '../time-range.ts';

export const RETENTION_UNITS = ['day', 'week', 'month'] as const;
export type RetentionUnit = (typeof RETENTION_UNITS)[number];

const START_OF: Record<RetentionUnit, (date: string) => string> = {
  day: (date) => date,
  week: (date) => `toMonday(${date})`,
  month: (date) => `toStartOfMonth(${date})`,
};
const PERIOD_OF: Record<RetentionUnit, string> = {
  day: "dateDiff('day', cohort, d)",
  week: "intDiv(dateDiff('day', cohort, toMonday(d)), 7)",
  month: "dateDiff('month', cohort, toStartOfMonth(d))",
};

export interface Cohort {
  cohort: string;
  visitors: number;
  /** Period 0 is the cohort's own period (always 100 %); later periods up to the end of the range. */
  periods: Array<{ period: number; visitors: number; percentage: number }>;
}

/** Periods from a cohort's start to the range's last day (inclusive). */
function periodsUntilEnd(cohort: string, endMs: number, unit: RetentionUnit, tz: string): number {
  const last = wallClock(endMs - 1, tz);
  const [y, m, d] = cohort.split('-').map(Number);
  if (unit === 'month') return (last.year - y) * 12 + (last.month - m) + 1;
  const days = Math.round(
    (Date.UTC(last.year, last.month - 1, last.day) - Date.UTC(y, m - 1, d)) / 86_400_000,
  );
  return unit === 'day' ? days + 1 : Math.floor(days / 7) + 1;
}

export async function retentionQuery(q: StatsQuery, unit: RetentionUnit): Promise<Cohort[]> {
  const w = whereOf(q);
  const scope = scopeFilter(q.target, false);
  const rows = await runStats<{ cohort_day: string; period: number; visitors: number }>(
    q,
    `WITH firsts AS (
       SELECT ${PERSON_KEY} AS person, ${START_OF[unit]('toDate(min(timestamp), {tz:String})')} AS cohort
       FROM events
       WHERE ${scope.sql} AND NOT is_bot${q.filter.sql} AND timestamp < {to:DateTime64(3, 'UTC')}
       GROUP BY person
       HAVING min(timestamp) >= {from:DateTime64(3, 'UTC')}
     )
     SELECT toString(cohort) AS cohort_day, ${PERIOD_OF[unit]} AS period, uniqExact(person) AS visitors
     FROM (
       SELECT ${PERSON_KEY} AS person, toDate(timestamp, {tz:String}) AS d FROM events WHERE ${w.where}
     ) AS e
     INNER JOIN firsts USING (person)
     GROUP BY cohort_day, period
     ORDER BY cohort_day, period`,
    w.params,
  );
  const cohorts = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const periods = cohorts.get(r.cohort_day) ?? new Map<number, number>();
    periods.set(Number(r.period), Number(r.visitors));
    cohorts.set(r.cohort_day, periods);
  }
  return [...cohorts].map(([cohort, periods]) => {
    const size = periods.get(0) ?? 0;
    const count = periodsUntilEnd(cohort, q.range.endMs, unit, q.tz);
    return {
      cohort,
      visitors: size,
      periods: Array.from({ length: count }, (_, period) => {
        const visitors = periods.get(period) ?? 0;
        return { period, visitors, percentage: size ? Math.round((1000 * visitors) / size) / 10 : 0 };
      }),
    };
  });
}
