/**
 * Rollups of `events`: per project, tenant, dimension, value, event type and UTC day (`events_daily`) — event and
 * pageview counts, and the sets of visitors and visits as `uniqCombined64(14)` states (exact up to about 500 distinct
 * per row, then HyperLogLog with about 0.8 % error) — and the same per hour (`events_hourly`) for the dimensions
 * small enough to pay for it: the totals and the event types. Pages, a row per path per hour, made the hourly table
 * as large as the events it summed; they are kept per day only, and the hours at a range's edges are rolled up from
 * the events when read (src/query/rollup-scope.ts). The dashboard's unfiltered cards read a few thousand of these
 * rows instead of scanning millions of events (docs/BENCHMARKS.md has the figures).
 *
 * The rows come from one SELECT over events, defined here once and used four ways: by the materialized view that
 * rolls up every insert (into `events_rollup_feed`, a table that keeps nothing, whose two views write the hourly and
 * the daily rows), by the migrations' backfill, by `rebuildRollups` (the demo seed and erasures, which change events
 * past the views) and by the queries' edges.
 *
 * Bots are left out, as every stats query leaves them out. The event type is part of the key, so conversions of
 * event goals (visitors whose event was of the goal's type) come from the same rows.
 */
import { ROLLED_UP_COLUMNS } from './event-columns.ts';
import { SESSION_KEY, VISITOR_KEY } from './event-keys.ts';
import type { Migration } from './migration.ts';
import type { Store } from './store.ts';

export const ROLLUP_TABLE = 'events_hourly';
/** The view into `events_hourly` (from `events` until migration 027, from the feed since). */
export const ROLLUP_VIEW = 'events_hourly_mv';
/** Every insert's rollup rows, per hour and for every dimension, on their way to the hourly and daily tables. */
export const ROLLUP_FEED = 'events_rollup_feed';
/** The view on `events` that feeds it (what the seed's direct writes stand in for). */
export const ROLLUP_FEED_VIEW = 'events_rollup_mv';
/** The same rows summed per UTC day (fed by a view on `events_hourly`): long ranges merge 24 times fewer sets. */
export const DAILY_TABLE = 'events_daily';
export const DAILY_VIEW = 'events_daily_mv';
const UNIQ_FUNCTION = 'uniqCombined64';
const UNIQ_PRECISION = 14;
/** The state function of `visitors` and `visits`. */
export const ROLLUP_UNIQ = `${UNIQ_FUNCTION}(${UNIQ_PRECISION})`;
/** Its merge over the states, as queries read them (the same precision, or the merge is refused). */
export const ROLLUP_UNIQ_MERGE = `${UNIQ_FUNCTION}Merge(${UNIQ_PRECISION})`;
/** The merge of the states of the rows that pass a condition (conversions). */
export const ROLLUP_UNIQ_MERGE_IF = `${UNIQ_FUNCTION}MergeIf(${UNIQ_PRECISION})`;

/**
 * API dimension → events column, for every dimension rolled up (src/store/event-columns.ts: `rollup`). `''` holds
 * the totals. Only what the events answer per event is rolled up: pages and event types. Sources, places and
 * devices belong to the visit and are read from `visits` (src/store/visits.ts); their rollup rows were dropped by
 * migration 024.
 */
export const ROLLUP_COLUMNS: Readonly<Record<string, string>> = { '': "''", ...ROLLED_UP_COLUMNS };

/** The dimensions `events_hourly` keeps (the others only `events_daily`): a row per type per hour, not per path. */
export const HOURLY_DIMENSIONS: readonly string[] = ['', 'event'];
const HOURLY_ROWS = `dimension IN (${HOURLY_DIMENSIONS.map((d) => `'${d}'`).join(', ')})`;

/**
 * Rows per granule of the rollup tables (migration 029). A set of visitors takes kilobytes, so at ClickHouse's
 * default (8 192 rows, at most 10 MB) a granule held a day's pages, and a page goal — a row a day — had every granule
 * of its range read and every set in it decoded: 72 ms for the goals list at 10 M events. With granules of 128 rows
 * the key finds a goal's rows and skips the others (29–36 ms, docs/BENCHMARKS.md); the index holds a mark per 128
 * rows, a few hundred kilobytes even for a million rows.
 */
export const ROLLUP_GRANULARITY = 128;

/**
 * The time column of the hourly tables (and the feed) and of the daily one, and their sorting keys. The daily rows
 * are sorted by value before day (migration 030): a filter or goal on a page reads its rows of the range from one
 * or two granules instead of one per day (the page-filtered reads 24–32 → 11–21 ms at 10 M events), and reading all
 * pages of a range costs the same (docs/BENCHMARKS.md). The hourly rows are the totals and the event types only.
 */
const HOURS = {
  time: 'hour',
  type: "DateTime('UTC')",
  key: 'project, dimension, hour, tenant_id, value, type',
} as const;
const DAYS = { time: 'day', type: 'Date', key: 'project, dimension, value, day, tenant_id, type' } as const;
type Span = typeof HOURS | typeof DAYS;

function tableDdl(table: string, { time, type, key }: Span, engine?: 'Null'): string {
  return `CREATE TABLE IF NOT EXISTS ${table}
(
    project         LowCardinality(String),
    tenant_id       LowCardinality(String),
    dimension       LowCardinality(String),
    value           String,
    type            LowCardinality(String),
    ${time} ${type},
    events          SimpleAggregateFunction(sum, UInt64),
    pageviews       SimpleAggregateFunction(sum, UInt64),
    visit_pageviews SimpleAggregateFunction(sum, UInt64),
    visitors        AggregateFunction(${ROLLUP_UNIQ}, UInt64),
    visits          AggregateFunction(${ROLLUP_UNIQ}, UInt64)
)
${
  engine === 'Null'
    ? 'ENGINE = Null'
    : `ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(${time})
ORDER BY (${key})
SETTINGS index_granularity = ${ROLLUP_GRANULARITY}, non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1`
}`;
}

/** The rows of `source` (the feed, or a copy of it) that `events_hourly` keeps. */
export function hourlySelect(source: string): string {
  return `SELECT * FROM ${source} WHERE ${HOURLY_ROWS}`;
}

/** Hourly rows (of `source`, the hourly table or a copy of it) folded into UTC days. */
export function dailySelect(source: string): string {
  return `SELECT project, tenant_id, dimension, value, type, toDate(hour) AS day,
    sum(events) AS events, sum(pageviews) AS pageviews, sum(visit_pageviews) AS visit_pageviews,
    uniqCombined64MergeState(14)(visitors) AS visitors, uniqCombined64MergeState(14)(visits) AS visits
FROM ${source}
GROUP BY project, tenant_id, dimension, value, type, day`;
}

/**
 * The rollup rows of the events `source` holds (a table name, or a parenthesised subquery with an alias), per hour,
 * for `dimensions` (all by default). The keys and the hour are computed once per event, before ARRAY JOIN repeats
 * the row per dimension (a quarter cheaper).
 */
export function rollupSelect(
  source: string,
  dimensions: readonly string[] = Object.keys(ROLLUP_COLUMNS),
): string {
  const picked = dimensions.map((name) => [name, ROLLUP_COLUMNS[name]] as const);
  const dims = picked.map(([name, column]) => `('${name}', ${column})`).join(', ');
  const columns = new Set([
    'project',
    'tenant_id',
    'type',
    ...picked.map(([, c]) => c).filter((c) => c !== "''"),
  ]);
  return `SELECT project, tenant_id, d.1 AS dimension, d.2 AS value, type, hour,
    toUInt64(count()) AS events,
    toUInt64(countIf(type = 'pageview')) AS pageviews,
    toUInt64(countIf(type = 'pageview' AND sk != 0)) AS visit_pageviews,
    uniqCombined64State(14)(vk) AS visitors,
    uniqCombined64StateIf(14)(sk, sk != 0) AS visits
FROM (
  SELECT ${[...columns].join(', ')}, toStartOfHour(toDateTime(timestamp, 'UTC')) AS hour, ${VISITOR_KEY} AS vk, ${SESSION_KEY} AS sk
  FROM ${source} WHERE NOT is_bot
)
ARRAY JOIN [${dims}] AS d
GROUP BY project, tenant_id, dimension, value, type, hour`;
}

/**
 * Migration 011. The tables are emptied before the views and the backfill, so a migration interrupted half-way is
 * simply applied again and never counts an event twice (nothing else writes while migrations run at start). The
 * backfill's hourly rows reach the daily table through its view.
 */
export const ROLLUP_MIGRATION = {
  version: 11,
  name: '011_events_hourly (src/store/rollups.ts)',
  statements: [
    tableDdl(ROLLUP_TABLE, HOURS),
    tableDdl(DAILY_TABLE, DAYS),
    `TRUNCATE TABLE IF EXISTS ${ROLLUP_TABLE}`,
    `TRUNCATE TABLE IF EXISTS ${DAILY_TABLE}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROLLUP_VIEW} TO ${ROLLUP_TABLE} AS ${rollupSelect('events')}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DAILY_VIEW} TO ${DAILY_TABLE} AS ${dailySelect(ROLLUP_TABLE)}`,
    `INSERT INTO ${ROLLUP_TABLE} ${rollupSelect('events')}`,
  ],
};

/**
 * Migration 024: the hourly view narrowed to ROLLUP_COLUMNS, and the rows of the dimensions no longer rolled up
 * removed from both tables (rewritten parts, so the disk space comes back). Safe to run again.
 */
export const NARROW_ROLLUPS_MIGRATION = {
  version: 24,
  name: '024_rollups_pages_and_events (src/store/rollups.ts)',
  statements: [
    `DROP VIEW IF EXISTS ${ROLLUP_VIEW}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROLLUP_VIEW} TO ${ROLLUP_TABLE} AS ${rollupSelect('events')}`,
    ...[ROLLUP_TABLE, DAILY_TABLE].map(
      (table) =>
        `ALTER TABLE ${table} DELETE WHERE dimension NOT IN (${Object.keys(ROLLUP_COLUMNS)
          .map((d) => `'${d}'`)
          .join(', ')}) SETTINGS mutations_sync = 2`,
    ),
  ],
};

/**
 * Migration 027: pages kept per day only. Every insert's rollup rows go to the feed (a Null table), whose views write
 * the hourly rows of HOURLY_DIMENSIONS and the daily rows of all; the hourly page rows are removed (rewritten parts,
 * so the disk space comes back). Safe to run again; nothing writes events while migrations run at start.
 */
export const ROLLUP_FEED_MIGRATION = {
  version: 27,
  name: '027_rollup_pages_per_day (src/store/rollups.ts)',
  statements: [
    tableDdl(ROLLUP_FEED, HOURS, 'Null'),
    `DROP VIEW IF EXISTS ${ROLLUP_VIEW}`,
    `DROP VIEW IF EXISTS ${DAILY_VIEW}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROLLUP_VIEW} TO ${ROLLUP_TABLE} AS ${hourlySelect(ROLLUP_FEED)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DAILY_VIEW} TO ${DAILY_TABLE} AS ${dailySelect(ROLLUP_FEED)}`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${ROLLUP_FEED_VIEW} TO ${ROLLUP_FEED} AS ${rollupSelect('events')}`,
    `ALTER TABLE ${ROLLUP_TABLE} DELETE WHERE NOT ${HOURLY_ROWS} SETTINGS mutations_sync = 2`,
  ],
};

/** What `system.tables` says of `table` (ours): its DDL and its sorting key. */
async function tableOf(store: Store, table: string): Promise<{ ddl: string; key: string }> {
  const [row] = await store.query<{ ddl: string; key: string }>(
    `SELECT create_table_query AS ddl, sorting_key AS key FROM system.tables
     WHERE database = currentDatabase() AND name = {t:String}`,
    { t: table },
  );
  return { ddl: row?.ddl ?? '', key: row?.key ?? '' };
}

/** The rows per granule `table` was made with (8 192 unless it says otherwise). Table names are ours. */
export async function granularityOf(store: Store, table: string): Promise<number> {
  return Number(/index_granularity = (\d+)/.exec((await tableOf(store, table)).ddl)?.[1] ?? 8192);
}

interface RollupTable {
  table: string;
  view: string;
  span: Span;
  select: (source: string) => string;
}

const ROLLUP_TABLES: readonly RollupTable[] = [
  { table: ROLLUP_TABLE, view: ROLLUP_VIEW, span: HOURS, select: hourlySelect },
  { table: DAILY_TABLE, view: DAILY_VIEW, span: DAYS, select: dailySelect },
];

/**
 * Makes each rollup table again as its DDL says now, where `stale` finds it made otherwise (what a table was made
 * with — granules, sorting key — cannot be altered). Each is copied into a new table, the two swapped
 * (`EXCHANGE TABLES`) and its view made again; the tables are small (rows per path per day, not per event), so this
 * takes seconds. Safe to interrupt: a table already swapped is kept, a half-made copy is made again, and the view is
 * recreated either way. Nothing writes events while migrations run at start; on a ClickHouse server stop the
 * processors while it runs (between dropping and recreating a view, inserts would not reach its table).
 */
async function remakeRollupTables(
  store: Store,
  progress: (message: string) => void,
  stale: (store: Store, table: RollupTable) => Promise<string | undefined>,
): Promise<void> {
  for (const spec of ROLLUP_TABLES) {
    const { table, view, span, select } = spec;
    const copy = `${table}_remade`;
    const why = await stale(store, spec);
    if (why) {
      progress(`copying ${table} ${why}`);
      await store.command(`DROP TABLE IF EXISTS ${copy}`);
      await store.command(tableDdl(copy, span));
      await store.command(`DROP VIEW IF EXISTS ${view}`);
      // Two blocks of equal rows (other projects' quiet days) must both arrive: no dropping of repeated blocks.
      await store.exec(`INSERT INTO ${copy} SELECT * FROM ${table}`, {}, { insert_deduplicate: '0' });
      await store.command(`EXCHANGE TABLES ${table} AND ${copy}`);
    }
    await store.command(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view} TO ${table} AS ${select(ROLLUP_FEED)}`,
    );
    await store.command(`DROP TABLE IF EXISTS ${copy}`);
    // A copy an interrupted run of migration 029 left.
    await store.command(`DROP TABLE IF EXISTS ${table}_regranulated`);
  }
}

/** Migration 029: both rollup tables made again with granules of ROLLUP_GRANULARITY rows. */
export const ROLLUP_GRANULES_MIGRATION: Migration = {
  version: 29,
  name: '029_rollup_granules (src/store/rollups.ts)',
  statements: [],
  run: (store, progress) =>
    remakeRollupTables(store, progress, async (s, { table }) =>
      (await granularityOf(s, table)) === ROLLUP_GRANULARITY
        ? undefined
        : `into granules of ${ROLLUP_GRANULARITY} rows`,
    ),
};

/** Migration 030: the daily rows sorted by value before day (see DAYS). */
export const ROLLUP_PAGES_FIRST_MIGRATION: Migration = {
  version: 30,
  name: '030_rollup_pages_first (src/store/rollups.ts)',
  statements: [],
  run: (store, progress) =>
    remakeRollupTables(store, progress, async (s, { table, span }) =>
      (await tableOf(s, table)).key === span.key ? undefined : `sorted by (${span.key})`,
    ),
};

/**
 * Rolls up anew the UTC days that [fromMs, toMs) touches, for `project`, from what `events` holds now: for writers
 * that bypass the view. Whole days, because the daily rows cannot be cut. Run it while nothing else writes events
 * of that project (the seed runs against a stopped server).
 */
export async function rebuildRollups(
  store: Store,
  project: string,
  fromMs: number,
  toMs: number,
): Promise<void> {
  const day = 86_400_000;
  const from = Math.floor(fromMs / day) * day;
  const to = Math.ceil(toMs / day) * day;
  const params = { project, from: from / 1000, to: to / 1000 };
  const inRange = (column: string) =>
    `project = {project:String} AND ${column} >= toDateTime({from:UInt32}, 'UTC') AND ${column} < toDateTime({to:UInt32}, 'UTC')`;
  await store.exec(`DELETE FROM ${ROLLUP_TABLE} WHERE ${inRange('hour')}`, params);
  await store.exec(`DELETE FROM ${DAILY_TABLE} WHERE ${inRange('day')}`, params);
  // Through the feed: its views write the hourly and the daily rows, as for every insert.
  await store.exec(
    `INSERT INTO ${ROLLUP_FEED} ${rollupSelect(
      `(SELECT * FROM events WHERE project = {project:String}
          AND timestamp >= toDateTime64({from:UInt32}, 3, 'UTC') AND timestamp < toDateTime64({to:UInt32}, 3, 'UTC')) AS e`,
    )}`,
    params,
    // A rebuild equal to an earlier one (the same day rebuilt again) must not be dropped as a repeated block.
    { insert_deduplicate: '0' },
  );
}
