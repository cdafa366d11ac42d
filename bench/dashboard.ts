/**
 * Dashboard query latency: the overview page's queries (the same functions the API runs) over N seeded events in
 * the embedded store. `node bench/dashboard.ts [--events 10000000] [--runs 7] [--json]`.
 *
 * Events are generated inside ClickHouse (INSERT … SELECT FROM numbers(N)): 30 days, visits of ~4 events, a long
 * tail of pages, channels, countries and devices fixed per visit, a signup goal — so the queries meet realistic
 * cardinalities. Each query runs `--runs` times after one warm-up; medians and p95 per query, and the whole page
 * (the sum of medians: the embedded store answers one query at a time).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { goalCondition } from '../src/query/goals.ts';
import { breakdownQuery } from '../src/query/queries/breakdown.query.ts';
import { goalsQuery } from '../src/query/queries/goals.query.ts';
import { overviewQuery } from '../src/query/queries/overview.query.ts';
import { timeseriesCounts, timeseriesQuery } from '../src/query/queries/timeseries.query.ts';
import { NO_FILTER } from '../src/query/stats-filters.ts';
import type { StatsQuery } from '../src/query/stats-query.ts';
import { rangeOf } from '../src/query/time-range.ts';
import { migrate } from '../src/store/migrate.ts';
import { openStore } from '../src/store/store.ts';
import { type DashboardReport, formatDashboard } from './dashboard-report.ts';
import { Progress } from './progress.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    runs: { type: 'string', default: '7' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'node bench/dashboard.ts [--events N (default 10000000)] [--runs R (default 7)] [--json]\n' +
      'Seeds N events into a temporary embedded store and times the overview page queries.\n',
  );
  process.exit(0);
}
const EVENTS = Number(values.events);
const RUNS = Number(values.runs);
if (!Number.isInteger(EVENTS) || EVENTS < 1000 || !Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write('--events must be a whole number ≥ 1000 and --runs ≥ 1\n');
  process.exit(2);
}

const DAY = 86_400_000;
const END = Date.UTC(2026, 0, 31);
const START = END - 30 * DAY;

const PAGES = Array.from({ length: 400 }, (_, i) =>
  i === 0 ? '/' : i < 20 ? `/docs/${i}` : i < 60 ? `/blog/post-${i}` : `/p/${i}`,
);
const list = (xs: readonly string[]) => `[${xs.map((x) => `'${x}'`).join(',')}]`;

/** Fixed per visit (`v`), varying per event (`n`); a squared uniform gives the long tail. */
export const GENERATE = `
INSERT INTO events (event_id, project, tenant_id, type, timestamp, received_at, user_id, session_id, visitor_id,
  host, path, referrer_source, channel, utm_source, country, browser, os, device_type, is_bot, protocol, props)
SELECT
  generateUUIDv4(number) AS event_id, 'bench', '', 
  if(number % 4 = 3 AND cityHash64(v, 7) % 5 = 0, 'signup', 'pageview') AS type,
  toDateTime64(${START / 1000} + intDiv(v * ${(30 * DAY) / 1000}, {visits:UInt64}) + (number % 4) * 45, 3, 'UTC') AS timestamp,
  timestamp, if(cityHash64(v, 1) % 5 = 0, concat('user-', toString(cityHash64(v, 2) % 50000)), '') AS user_id,
  concat('s', toString(v)) AS session_id, cityHash64(v, 3) % {visitors:UInt64} + 1 AS visitor_id,
  'bench.example', ${list(PAGES)}[1 + toUInt32(pow((cityHash64(number, 4) % 10000) / 10000, 3) * ${PAGES.length})] AS path,
  ['', 'Google', 'Twitter', 'Hacker News', 'GitHub', 'Newsletter'][1 + cityHash64(v, 5) % 6] AS referrer_source,
  ['Direct', 'Organic Search', 'Organic Social', 'Referral', 'Referral', 'Email'][1 + cityHash64(v, 5) % 6] AS channel,
  if(cityHash64(v, 5) % 6 = 5, 'newsletter', '') AS utm_source,
  ['US', 'DE', 'GB', 'FR', 'IN', 'BR', 'JP', 'CA', 'NL', 'ES'][1 + toUInt32(pow((cityHash64(v, 6) % 1000) / 1000, 2) * 10)] AS country,
  ['Chrome', 'Safari', 'Firefox', 'Edge'][1 + cityHash64(v, 8) % 4] AS browser,
  ['Windows', 'macOS', 'iOS', 'Android', 'Linux'][1 + cityHash64(v, 9) % 5] AS os,
  ['desktop', 'mobile', 'tablet'][1 + cityHash64(v, 10) % 3] AS device_type,
  false, 'bench', '{}'
FROM (SELECT number, intDiv(number, 4) AS v FROM numbers({events:UInt64}))`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-dashboard-bench-'));
const store = openStore({ url: 'chdb', dataDir: dir });
const progress = new Progress(!values.json);
try {
  await migrate(store);
  progress.phase(`seeding ${EVENTS.toLocaleString('en')} events`);
  const seedStart = performance.now();
  const visits = Math.ceil(EVENTS / 4);
  await store.command(
    GENERATE.replaceAll('{visits:UInt64}', String(visits))
      .replaceAll('{visitors:UInt64}', String(Math.ceil(visits / 2.5)))
      .replaceAll('{events:UInt64}', String(EVENTS)),
  );
  const seedSeconds = (performance.now() - seedStart) / 1000;
  // Settled, as background merges leave them: the events and their rollups.
  for (const table of ['events', 'events_hourly', 'events_daily'])
    await store.command(`OPTIMIZE TABLE ${table} FINAL`);

  const q: StatsQuery = {
    store,
    target: { project: 'bench' },
    range: rangeOf(START, END),
    tz: 'UTC',
    filter: NO_FILTER,
    goal: goalCondition([{ name: 'event:signup', kind: 'event', value: 'signup' }]),
    timeoutMs: 120_000,
  };
  const goals = [{ name: 'event:signup', kind: 'event' as const, value: 'signup' }];
  // What the overview page asks for on first load (its chart shows visitors, so it asks for the counts), then for
  // reference the chart of a visit-shape metric (bounce rate, duration), which needs every metric.
  const queries: Array<[string, () => Promise<unknown>, boolean]> = [
    ['overview (KPIs)', () => overviewQuery(q), true],
    ['chart (30 days, counts)', () => timeseriesCounts(q, 'day'), true],
    ['breakdown: pages', () => breakdownQuery(q, 'page', 9, 1, true), true],
    ['breakdown: channels', () => breakdownQuery(q, 'channel', 9, 1, true), true],
    ['breakdown: countries', () => breakdownQuery(q, 'country', 9, 1, true), true],
    ['breakdown: devices', () => breakdownQuery(q, 'device', 9, 1, true), true],
    ['breakdown: events', () => breakdownQuery(q, 'event', 9, 1, true), true],
    ['goals', () => goalsQuery(q, goals), true],
    ['chart, all metrics', () => timeseriesQuery(q, 'day'), false],
  ];
  const results: DashboardReport['results'] = [];
  for (const [i, [name, run, inPage]] of queries.entries()) {
    progress.phase(`query ${i + 1}/${queries.length}: ${name}`);
    await run();
    const times: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    results.push({ query: name, medianMs: percentile(times, 50), p95Ms: percentile(times, 95), inPage });
  }
  progress.done();
  const pageMs = results.filter((r) => r.inPage).reduce((n, r) => n + r.medianMs, 0);
  const report: DashboardReport = {
    events: EVENTS,
    runs: RUNS,
    seedSeconds,
    seedEventsPerSecond: EVENTS / seedSeconds,
    results,
    pageMs,
    targetMs: 300,
  };
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatDashboard(report));
} finally {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
