import { runStats } from '../run-stats.ts';
import { VISITOR_KEY } from '../stats-metrics.ts';
import type { StatsQuery } from '../stats-query.ts';
import { whereOf } from '../stats-query.ts';
import { rangeOf } from '../time-range.ts';
import { breakdownQuery } from './breakdown.query.ts';
import { bucketLabels } from './timeseries.query.ts';

export interface Realtime {
  /** Distinct visitors with an event in the last 5 minutes. */
  visitors: number;
  /** Events and visitors per minute over the last 30 minutes, oldest first, zero-filled. */
  minutes: Array<{ minute: string; events: number; visitors: number }>;
  pages: Array<{ value: string; visitors: number }>;
  sources: Array<{ value: string; visitors: number }>;
}

/** What is happening now: the realtime page polls this every few seconds. */
export async function realtimeQuery(q: Omit<StatsQuery, 'range'>, now = Date.now()): Promise<Realtime> {
  const range = rangeOf(now - 30 * 60_000, now + 1);
  const sq = { ...q, range };
  const w = whereOf(sq);
  const rows = await runStats<{ minute: string; events: number; visitors: number; recent: number }>(
    q,
    `SELECT formatDateTime(timestamp, '%Y-%m-%d %H:%i', {tz:String}) AS minute, count() AS events,
            uniqExact(${VISITOR_KEY}) AS visitors
     FROM events WHERE ${w.where}
     GROUP BY minute`,
    w.params,
  );
  const [current] = await runStats<{ visitors: number }>(
    q,
    `SELECT uniqExact(${VISITOR_KEY}) AS visitors FROM events WHERE ${w.where}`,
    whereOf(sq, rangeOf(now - 5 * 60_000, now + 1)).params,
  );
  const byMinute = new Map(rows.map((r) => [r.minute, r]));
  const top = async (dimension: string) =>
    (await breakdownQuery(sq, dimension, 10, 1, true)).map((r) => ({ value: r.value, visitors: r.visitors }));
  return {
    visitors: Number(current?.visitors ?? 0),
    minutes: bucketLabels(range, 'minute', q.tz)
      .slice(-30)
      .map((minute) => ({
        minute,
        events: Number(byMinute.get(minute)?.events ?? 0),
        visitors: Number(byMinute.get(minute)?.visitors ?? 0),
      })),
    pages: await top('page'),
    sources: await top('source'),
  };
}
