/** The Logs page: newest matching lines, volume per level over time, and the values worth filtering by. */

import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import type { LogLine } from '../api-types.ts';
import type { Target } from '../read-auth.ts';
import { runStats } from '../run-stats.ts';
import type { TimeRange } from '../time-range.ts';
import { bucketLabels, type Interval } from './timeseries.query.ts';

export interface LogFilter {
  /** Words that must all appear in the message (case-insensitive). */
  text?: string;
  levels?: string[];
  services?: string[];
  hosts?: string[];
}

interface LogQuery {
  store: Store;
  target: Target;
  range: TimeRange;
  filter: LogFilter;
  timeoutMs: number;
}

function where(q: LogQuery): { sql: string; params: Record<string, string | string[]> } {
  const parts = [
    'project = {project:String}',
    "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}",
  ];
  const params: Record<string, string | string[]> = {
    project: q.target.project,
    from: q.range.start,
    to: q.range.end,
  };
  const words = (q.filter.text ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
  if (words.length > 0) {
    parts.push(
      'arrayAll(p -> p > 0, multiSearchAllPositionsCaseInsensitive(message, {words:Array(String)}))',
    );
    params.words = words;
  }
  if (q.filter.levels?.length) {
    parts.push('level IN {levels:Array(String)}');
    params.levels = q.filter.levels;
  }
  if (q.filter.services?.length) {
    parts.push('service IN {services:Array(String)}');
    params.services = q.filter.services;
  }
  if (q.filter.hosts?.length) {
    parts.push('host IN {hosts:Array(String)}');
    params.hosts = q.filter.hosts;
  }
  return { sql: parts.join(' AND '), params };
}

export async function logLinesQuery(q: LogQuery, limit: number): Promise<LogLine[]> {
  const w = where(q);
  const rows = await runStats<Record<string, unknown>>(
    q,
    `SELECT toString(timestamp) AS ts, level, service, host, message, source, attributes
     FROM logs WHERE ${w.sql}
     ORDER BY timestamp DESC LIMIT {limit:UInt32}`,
    { ...w.params, limit },
  );
  return rows.map((r) => ({
    timestamp: isoFromClickHouse(String(r.ts)),
    level: String(r.level),
    service: String(r.service),
    host: String(r.host),
    message: String(r.message),
    source: String(r.source),
    attributes: (r.attributes ?? {}) as Record<string, string>,
  }));
}

/** How many lines match (what a log-count alert compares). */
export async function logCountQuery(q: LogQuery): Promise<number> {
  const w = where(q);
  const [row] = await runStats<{ n: number }>(q, `SELECT count() AS n FROM logs WHERE ${w.sql}`, w.params);
  return Number(row?.n ?? 0);
}

const BUCKET_SQL: Record<Interval, string> = {
  minute: "formatDateTime(timestamp, '%Y-%m-%d %H:%i', {tz:String})",
  hour: "formatDateTime(timestamp, '%Y-%m-%d %H:00', {tz:String})",
  day: "formatDateTime(timestamp, '%Y-%m-%d', {tz:String})",
  week: "formatDateTime(toMonday(timestamp, {tz:String}), '%Y-%m-%d')",
  month: "formatDateTime(timestamp, '%Y-%m', {tz:String})",
};

/** Lines per bucket and level, zero-filled. */
export async function logVolumeQuery(
  q: LogQuery,
  interval: Interval,
  tz: string,
): Promise<{ levels: string[]; results: Array<{ date: string; counts: Record<string, number> }> }> {
  const w = where(q);
  const rows = await runStats<{ date: string; level: string; n: number }>(
    q,
    `SELECT ${BUCKET_SQL[interval]} AS date, level, count() AS n FROM logs WHERE ${w.sql} GROUP BY date, level`,
    { ...w.params, tz },
  );
  const levels = [...new Set(rows.map((r) => r.level))].sort();
  const by = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const counts = by.get(r.date) ?? {};
    counts[r.level] = Number(r.n);
    by.set(r.date, counts);
  }
  return {
    levels,
    results: bucketLabels(q.range, interval, tz).map((date) => ({
      date,
      counts: Object.fromEntries(levels.map((l) => [l, by.get(date)?.[l] ?? 0])),
    })),
  };
}

/** The most frequent services, hosts and levels of the range (for the filter lists). */
export async function logFacetsQuery(
  q: LogQuery,
): Promise<Record<'services' | 'hosts' | 'levels', string[]>> {
  const w = where({ ...q, filter: {} });
  const top = async (column: string) =>
    (
      await runStats<{ v: string }>(
        q,
        `SELECT ${column} AS v FROM logs WHERE ${w.sql} GROUP BY v ORDER BY count() DESC LIMIT 50`,
        w.params,
      )
    ).map((r) => r.v);
  return { services: await top('service'), hosts: await top('host'), levels: await top('level') };
}
