/**
 * The dashboard at the scale of real sites: `sightline seed` fills a project with N events over D days, then a
 * running server (`sightline serve`, embedded store) answers the overview page — every call at once, as the
 * browser issues them — in the configurations users actually run: plain; goals; goals + channel filter; goals +
 * page filter + comparison. Each configuration: one warm-up page, then `--runs` pages; median and p95 of the whole
 * page, and each call's median. Also the store's bytes per event.
 *
 * `node bench/dashboard.ts [--events 10000000] [--days 30] [--runs 5] [--configs a,b] [--data DIR] [--json]`
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stampVisitGoals } from '../src/goals/visit-goal-backfill.ts';
import { parseGoals } from '../src/query/goal-spec.ts';
import { seed } from '../src/seed/seed.ts';
import { seededEvents } from '../src/seed/seeded-rows.ts';
import { migrate } from '../src/store/migrate.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { cleanupNow, removeDir, trackDir } from './cleanup.ts';
import { BENCH_GOALS, loadPage, PAGE_CONFIGS, type PageConfig, pageCalls } from './dashboard-page.ts';
import { type ConfigResult, type DashboardReport, formatDashboard } from './dashboard-report.ts';
import { Progress } from './progress.ts';
import { freePort, startServer } from './servers.ts';

const HELP = `node bench/dashboard.ts [options]

Seeds a project with \`sightline seed\` and times the dashboard's overview page through a running server.

  --events N      events to seed (default 10000000; the issue's scales are 10 M and 100 M)
  --days D        days they span, ending 2026-11-30: the range the page shows (default 30)
  --history H     days seeded before that range at the same rate (default: as many as --days), so the
                  previous period a comparison reads holds data, as on a real site; 0 seeds the range only
  --runs R        pages timed per configuration after one warm-up (default 5)
  --configs LIST  comma-separated, of: ${PAGE_CONFIGS.map((c) => c.name).join(', ')} (default all)
  --exact         also time every configuration with exact=1 (every event read, no sample)
  --data DIR      keep the seeded store in DIR and reuse it next time (seeding 100 M events takes a while);
                  default: a temporary folder, removed afterwards
  --json          print the report as JSON
`;

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' },
    days: { type: 'string', default: '30' },
    history: { type: 'string' },
    runs: { type: 'string', default: '5' },
    configs: { type: 'string' },
    exact: { type: 'boolean', default: false },
    data: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const EVENTS = Number(values.events);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const HISTORY = Number(values.history ?? values.days);
const fail = (message: string) => {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
};
if (!Number.isInteger(EVENTS) || EVENTS < 1000) fail('--events must be a whole number ≥ 1000');
if (!Number.isInteger(DAYS) || DAYS < 1 || DAYS > 400) fail('--days must be a whole number from 1 to 400');
if (!Number.isInteger(RUNS) || RUNS < 1) fail('--runs must be a whole number ≥ 1');
if (!Number.isInteger(HISTORY) || HISTORY < 0 || DAYS + HISTORY > 800)
  fail('--history must be a whole number ≥ 0 (with --days, at most 800 days in all)');
const chosen: PageConfig[] = values.configs
  ? values.configs.split(',').map((name) => {
      const config = PAGE_CONFIGS.find((c) => c.name === name.trim());
      if (!config) fail(`unknown configuration "${name}"`);
      return config as PageConfig;
    })
  : [...PAGE_CONFIGS];
// With --exact, each configuration a second time reading every event (what `?exact=1` costs).
const configs: PageConfig[] = values.exact
  ? chosen.flatMap((c) => [
      c,
      { ...c, name: `${c.name} exact`, description: `${c.description}; exact=1`, exact: true },
    ])
  : chosen;

const PROJECT = 'demo';
const END = '2026-11-30';
const dayBefore = (days: number) =>
  new Date(Date.parse(`${END}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
/** The range the page shows, and the first day seeded (the history before it). */
const FROM = dayBefore(DAYS);
const SEED_FROM = dayBefore(DAYS + HISTORY);
/** Events the whole seed holds: the range's rate over the history too. */
const SEEDED = Math.ceil(EVENTS / DAYS) * (DAYS + HISTORY);
const TOKEN = 'bench-admin-token-0123456789abcdef';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * The seed folds its visits in SQL, unstamped: the server's backfill stamps them with the goals in the background
 * (src/goals/visit-goal-backfill.ts), as it does after a migration. Done here first, so the page is timed as a
 * running site's is, whose processor stamps each visit as it writes it.
 */
async function stampGoals(store: Store, progress: Progress): Promise<void> {
  progress.phase('stamping the visits with the goals they reached');
  await stampVisitGoals(store, PROJECT, parseGoals(BENCH_GOALS(PROJECT)).get(PROJECT) ?? [], true);
}

async function seedStore(dir: string, progress: Progress): Promise<{ seconds: number; reused: boolean }> {
  const store = openStore({ url: 'chdb', dataDir: dir });
  try {
    await migrate(store);
    const existing = await seededEvents(store, PROJECT);
    // The seed's daily rhythm makes the count approximate: within 5 % of the plan is the same seed.
    if (
      existing.events > 0 &&
      Math.abs(existing.events - SEEDED) / SEEDED < 0.05 &&
      existing.first === SEED_FROM
    ) {
      await stampGoals(store, progress);
      return { seconds: 0, reused: true };
    }
    const started = performance.now();
    await seed(store, {
      project: PROJECT,
      days: DAYS + HISTORY,
      eventsPerDay: Math.ceil(EVENTS / DAYS),
      seed: 42,
      end: END,
      tz: 'UTC',
      replace: true,
      now: Date.parse(`${END}T23:59:59Z`),
      onProgress: (p) =>
        p.phase === 'visits'
          ? // The fold has no event count to go by: its slices say how far it is.
            progress.phase(`folding the events into visits${p.message ? `: ${p.message}` : ''}`)
          : progress.phase(
              `seeding ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')} events`,
              p.done > 0 ? ((p.total - p.done) * p.elapsedMs) / p.done / 1000 : undefined,
            ),
    });
    progress.phase('settling the parts (OPTIMIZE … FINAL)');
    for (const table of ['events', 'visits', 'user_profiles', 'events_hourly', 'events_daily'])
      await store.command(`OPTIMIZE TABLE ${table} FINAL`);
    await stampGoals(store, progress);
    return { seconds: (performance.now() - started) / 1000, reused: false };
  } finally {
    await store.close();
  }
}

async function storeSize(
  dir: string,
): Promise<{ tables: Record<string, number>; events: number; inRange: number }> {
  const store: Store = openStore({ url: 'chdb', dataDir: dir });
  try {
    const rows = await store.query<{ table: string; bytes: string }>(
      `SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts
       WHERE active AND database = currentDatabase() GROUP BY table`,
    );
    const [count] = await store.query<{ n: string; in_range: string }>(
      `SELECT count() AS n, countIf(timestamp >= toDateTime64({from:String}, 3, 'UTC')) AS in_range FROM events`,
      { from: FROM },
    );
    return {
      tables: Object.fromEntries(rows.map((r) => [r.table, Number(r.bytes)])),
      events: Number(count.n),
      inRange: Number(count.in_range),
    };
  } finally {
    await store.close();
  }
}

async function measure(dir: string, withGoals: boolean, todo: PageConfig[], progress: Progress) {
  const port = await freePort();
  const server = await startServer({
    name: 'sightline serve',
    args: [path.join(import.meta.dirname, '../src/cli/main.ts'), 'serve'],
    cwd: path.join(import.meta.dirname, '..'),
    env: {
      SIGHTLINE_DATA_DIR: dir,
      SIGHTLINE_PORT: String(port),
      SIGHTLINE_HOST: '127.0.0.1',
      SIGHTLINE_PROJECTS: PROJECT,
      SIGHTLINE_ADMIN_TOKEN: TOKEN,
      SIGHTLINE_GOALS: withGoals ? BENCH_GOALS(PROJECT) : '',
      SIGHTLINE_LOG_LEVEL: 'warn',
    },
    port,
    readyTimeoutMs: 120_000,
  });
  const results: ConfigResult[] = [];
  try {
    for (const config of todo) {
      const calls = pageCalls(config, {
        project: PROJECT,
        period: 'custom',
        from: FROM,
        to: END,
        tz: 'UTC',
        ...(config.exact ? { exact: '1' } : {}),
      });
      const pages: number[] = [];
      const perCall = new Map<string, { ms: number[]; statuses: Set<number> }>();
      for (let run = 0; run <= RUNS; run++) {
        progress.phase(`${config.name}: ${run === 0 ? 'warm-up page' : `page ${run} of ${RUNS}`}`);
        const started = performance.now();
        const answers = await loadPage(server.baseUrl, TOKEN, calls);
        if (run === 0) continue;
        pages.push(performance.now() - started);
        for (const a of answers) {
          const entry = perCall.get(a.name) ?? { ms: [], statuses: new Set<number>() };
          entry.ms.push(a.ms);
          entry.statuses.add(a.status);
          perCall.set(a.name, entry);
        }
      }
      pages.sort((a, b) => a - b);
      results.push({
        name: config.name,
        description: config.description,
        pageMedianMs: percentile(pages, 50),
        pageP95Ms: percentile(pages, 95),
        calls: [...perCall].map(([name, e]) => ({
          name,
          medianMs: percentile(
            e.ms.sort((a, b) => a - b),
            50,
          ),
          statuses: [...e.statuses],
        })),
      });
    }
  } finally {
    await server.stop();
  }
  return results;
}

const dir = values.data
  ? path.resolve(values.data)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-dash-'));
if (!values.data) trackDir(dir);
fs.mkdirSync(dir, { recursive: true });
const progress = new Progress(!values.json);
try {
  const seeded = await seedStore(dir, progress);
  const size = await storeSize(dir);
  const results: ConfigResult[] = [];
  const plain = configs.filter((c) => !c.goals);
  const goals = configs.filter((c) => c.goals);
  // Goals are server configuration (SIGHTLINE_GOALS): one server without, one with.
  if (plain.length > 0) results.push(...(await measure(dir, false, plain, progress)));
  if (goals.length > 0) results.push(...(await measure(dir, true, goals, progress)));
  progress.done();
  const total = Object.values(size.tables).reduce((a, b) => a + b, 0);
  const report: DashboardReport = {
    events: size.inRange,
    days: DAYS,
    historyDays: HISTORY,
    historyEvents: size.events - size.inRange,
    runs: RUNS,
    seedSeconds: seeded.seconds,
    seedEventsPerSecond: seeded.reused ? 0 : size.events / seeded.seconds,
    storeBytes: size.tables,
    bytesPerEvent: total / Math.max(1, size.events),
    configs: results,
    targetMs: EVENTS > 20_000_000 ? 1000 : 300,
  };
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatDashboard(report));
} finally {
  if (!values.data) removeDir(dir);
  cleanupNow();
}
