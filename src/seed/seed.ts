/**
 * `sightline seed`: synthetic demo traffic written straight into the store — visits, page views, a checkout
 * funnel, server logs and database changes — planned in JS (`plan.ts`) and generated inside ClickHouse (`*-sql.ts`).
 *
 * Seeded rows are marked (events.protocol = 'seed', logs.source = 'seed', db_changes.position = 'seed-bin.…') so
 * they can be told from real data: seeding refuses to run twice into one project unless asked to replace what it
 * seeded before, and never deletes anything it did not write.
 */
import { wallClock } from '../query/time-range.ts';
import { toClickHouseTime } from '../store/clickhouse-time.ts';
import { migrate } from '../store/migrate.ts';
import type { Store } from '../store/store.ts';
import { insertVisitsFromEvents } from '../store/visits.ts';
import { dbChangesInsert } from './db-changes-sql.ts';
import { eventsInsert } from './events-sql.ts';
import { fanoutSetup, fanoutTeardown, visitsInsert } from './fanout-sql.ts';
import { MAX_UNMERGED_PARTS, mostParts, moveStaged, viewsMirrored } from './fanout-staging.ts';
import { logsInsert } from './logs-sql.ts';
import { addDays, planDays, type SeedPlan } from './plan.ts';
import { SEED_LOG_SOURCE, SEED_POSITION_PREFIX, SEED_PROTOCOL } from './seed-markers.ts';
import { removeSeeded, seededEvents } from './seeded-rows.ts';
import { buildTables, returnGapTable } from './tables.ts';

export interface SeedOptions {
  project: string;
  days: number;
  /** Average events a day over the range (weekends, growth and noise move traffic between days). */
  eventsPerDay: number;
  seed: number;
  /** Last day, `YYYY-MM-DD` in `tz`; default today. */
  end?: string;
  /** Time zone of the visitors' daily rhythm and of `end`. */
  tz: string;
  /** Delete what an earlier seed wrote into this project first. */
  replace?: boolean;
  /** Seed even though the project has real (not seeded) events in the range. */
  force?: boolean;
  /** Host name of the made-up site; default `<project>.example.com`. */
  host?: string;
  /** As SIGHTLINE_STRIP_QUERY_PARAMS: the referrer step strips these from stored referrers. */
  stripParams?: readonly string[];
  /** As SIGHTLINE_PROFILE_EVENT_TYPES: which events feed user profiles (empty: all). */
  profileTypes?: readonly string[];
  /** The current time (ms); nothing later is written. Tests pin it. */
  now?: number;
  /** Events generated per insert statement. */
  chunkEvents?: number;
  /**
   * Let the materialized views build sessions and profiles from the inserted events, as ingestion does, instead of
   * writing them from the visits directly. Slower (the views group every event again); the tests compare both.
   */
  throughViews?: boolean;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  phase: 'replacing' | 'seeding' | 'visits' | 'done';
  /** Planned events written so far, of `total`. */
  done: number;
  total: number;
  elapsedMs: number;
  /** What the visits backfill is folding now (phase `visits`): slice n of N and its days. */
  message?: string;
}

export interface SeedResult {
  project: string;
  from: string;
  to: string;
  events: number;
  visits: number;
  visitors: number;
  logs: number;
  dbChanges: number;
  /** Rows of an earlier seed deleted first (with `replace`). */
  replaced: number;
  /** Sessions and profiles were written from the visits directly, not by the views (see `throughViews`). */
  direct: boolean;
  seconds: number;
  eventsPerSecond: number;
}

export class SeedError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Project names as SIGHTLINE_PROJECTS accepts them. */
export const PROJECT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/;
export const LIMITS = {
  days: { min: 1, max: 3660 },
  eventsPerDay: { min: 1, max: 100_000_000 },
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER },
};
/**
 * Events per insert statement. Larger statements keep both cores busy (the next block is generated while the views
 * of the last one run); 3 M measured 20 % faster than 1 M on two cores and needs well under 1 GB.
 */
const DEFAULT_CHUNK_EVENTS = 3_000_000;

function validate(o: SeedOptions): void {
  const bad = (code: string, message: string) => {
    throw new SeedError(code, message);
  };
  if (!PROJECT_NAME.test(o.project))
    bad(
      'SEED_ERR_PROJECT',
      `--project "${o.project}" is not a project name: letters, digits, . _ - (up to 64)`,
    );
  for (const [name, flag] of [
    ['days', '--days'],
    ['eventsPerDay', '--events-per-day'],
    ['seed', '--seed'],
  ] as const) {
    const value = o[name];
    const { min, max } = LIMITS[name];
    if (!Number.isSafeInteger(value) || value < min || value > max)
      bad('SEED_ERR_RANGE', `${flag} must be a whole number from ${min} to ${max.toLocaleString('en-US')}`);
  }
  if (o.days * o.eventsPerDay > 10_000_000_000)
    bad('SEED_ERR_RANGE', '--days × --events-per-day is over 10 billion events; seed less at a time');
}

function today(nowMs: number, tz: string): string {
  const w = wallClock(nowMs, tz);
  return `${w.year}-${String(w.month).padStart(2, '0')}-${String(w.day).padStart(2, '0')}`;
}

/** The plan a seed with these options would follow (also what `--dry-run` prints). */
export function planSeed(o: SeedOptions): {
  plan: SeedPlan;
  end: string;
  tables: ReturnType<typeof buildTables>;
} {
  validate(o);
  const now = o.now ?? Date.now();
  const end = o.end ?? today(now, o.tz);
  if (end > today(now, o.tz))
    throw new SeedError(
      'SEED_ERR_FUTURE',
      `--end ${end} is after today (${today(now, o.tz)} in ${o.tz}): seeded data never lies in the future`,
    );
  const tables = buildTables({
    host: o.host ?? `${o.project.toLowerCase()}.example.com`,
    stripParams: o.stripParams ?? [],
  });
  const plan = planDays({
    days: o.days,
    eventsPerDay: o.eventsPerDay,
    end,
    tz: o.tz,
    seed: o.seed,
    chunkEvents: o.chunkEvents ?? DEFAULT_CHUNK_EVENTS,
    tables,
  });
  return { plan, end, tables };
}

export async function seed(store: Store, o: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const now = o.now ?? started;
  const { plan, end, tables } = planSeed(o);
  const from = addDays(end, 1 - o.days);
  const first = plan.days[0];
  await migrate(store);

  const earlier = await seededEvents(store, o.project);
  if (earlier.events > 0 && !o.replace)
    throw new SeedError(
      'SEED_ERR_ALREADY_SEEDED',
      `project "${o.project}" already holds ${earlier.events.toLocaleString('en-US')} seeded events (${earlier.first} … ${earlier.last}); ` +
        'add --replace to delete them and seed again, or choose another --project',
    );
  const rangeEnd = Math.min(now, plan.days[plan.days.length - 1].startMs + 2 * 86_400_000);
  const [real] = await store.query<{ n: string | number }>(
    `SELECT count() AS n FROM events
     WHERE project = {project:String} AND protocol != {protocol:String}
       AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp <= {to:DateTime64(3, 'UTC')}`,
    {
      project: o.project,
      protocol: SEED_PROTOCOL,
      from: toClickHouseTime(first.startMs),
      to: toClickHouseTime(rangeEnd),
    },
  );
  const realEvents = Number(real?.n ?? 0);
  if (realEvents > 0 && !o.force)
    throw new SeedError(
      'SEED_ERR_REAL_DATA',
      `project "${o.project}" has ${realEvents.toLocaleString('en-US')} real (not seeded) events between ${from} and ${end}; ` +
        'demo data would mix with them in every chart. Choose another --project, or add --force to seed anyway',
    );

  const total = Math.round(plan.expectedEvents);
  const report = (phase: SeedProgress['phase'], done: number, message?: string) =>
    o.onProgress?.({ phase, done, total, elapsedMs: Date.now() - started, ...(message ? { message } : {}) });
  let replaced = 0;
  if (o.replace) {
    report('replacing', 0);
    replaced = await removeSeeded(store, o.project);
  }

  const sql = { project: o.project, seed: o.seed, tables, capMs: now };
  const events = {
    ...sql,
    returnGaps: returnGapTable(plan.visits / plan.days.length),
    profileTypes: o.profileTypes ?? [],
  };
  // Sessions and profiles straight from the visits (the fan-out in fanout-sql.ts), when this store's views are the ones it
  // mirrors, every event feeds profiles and no other process writes (the embedded store); otherwise the views run.
  const direct =
    !o.throughViews &&
    store.kind === 'chdb' &&
    events.profileTypes.length === 0 &&
    (await viewsMirrored(store));
  const seedStarted = Date.now();
  let done = 0;
  report('seeding', 0);
  // Background merges would rewrite each new part while the next is written: a third of the CPU on two cores.
  // Only the embedded store, which this process has to itself, pauses them; the server merges them later.
  let pauseMerges = store.kind === 'chdb';
  try {
    if (pauseMerges) await store.command('SYSTEM STOP MERGES');
    // A run that died leaves its fan-out behind: cleared first, then made anew.
    if (direct)
      for (const statement of [...fanoutTeardown(), ...fanoutSetup(events)]) await store.command(statement);
    for (const chunk of plan.chunks) {
      // A very large seed lets the merges run again before any partition nears ClickHouse's part limits.
      if (pauseMerges && (await mostParts(store)) > MAX_UNMERGED_PARTS) {
        await store.command('SYSTEM START MERGES');
        pauseMerges = false;
      }
      // Days that reach past now are cut at now, visits included: those few go through the views.
      const open = chunk.filter((d) => d.startMs + 30 * 3_600_000 > now);
      const closed = chunk.slice(0, chunk.length - open.length);
      if (direct && closed.length > 0) {
        await store.command(visitsInsert(closed, events));
        await moveStaged(store);
      } else if (closed.length > 0) await store.command(eventsInsert(closed, events));
      if (open.length > 0) await store.command(eventsInsert(open, events));
      await store.command(logsInsert(chunk, sql));
      await store.command(dbChangesInsert(chunk, sql));
      done += chunk.reduce((n, d) => n + d.expectedEvents, 0);
      report('seeding', Math.min(total, Math.round(done)));
    }
  } finally {
    if (direct) for (const statement of fanoutTeardown()) await store.command(statement);
    if (pauseMerges) await store.command('SYSTEM START MERGES');
  }
  // Visits as rows (src/store/visits.ts) are the processor's to keep; seeded events bypass it, so they are folded here.
  report('visits', total);
  await insertVisitsFromEvents(
    store,
    'project = {project:String} AND protocol = {protocol:String}',
    { project: o.project, protocol: SEED_PROTOCOL },
    (message) => report('visits', total, message),
  );
  const seconds = (Date.now() - seedStarted) / 1000;

  const [counts] = await store.query<Record<string, string | number>>(
    `SELECT
       (SELECT count() FROM events WHERE project = {project:String} AND protocol = {protocol:String}) AS events,
       (SELECT uniq(session_id) FROM events WHERE project = {project:String} AND protocol = {protocol:String}) AS visits,
       (SELECT uniq(visitor_id) FROM events WHERE project = {project:String} AND protocol = {protocol:String}) AS visitors,
       (SELECT count() FROM logs WHERE project = {project:String} AND source = {source:String}) AS logs,
       (SELECT count() FROM db_changes WHERE project = {project:String} AND startsWith(position, {position:String})) AS changes`,
    { project: o.project, protocol: SEED_PROTOCOL, source: SEED_LOG_SOURCE, position: SEED_POSITION_PREFIX },
  );
  report('done', total);
  return {
    project: o.project,
    from,
    to: end,
    events: Number(counts.events),
    visits: Number(counts.visits),
    visitors: Number(counts.visitors),
    logs: Number(counts.logs),
    dbChanges: Number(counts.changes),
    replaced,
    direct,
    seconds,
    eventsPerSecond: seconds > 0 ? Math.round(Number(counts.events) / seconds) : Number(counts.events),
  };
}
