/**
 * The statements that generate seeded rows inside ClickHouse: `INSERT INTO … SELECT` over the planned days, every
 * random choice a few bits of `cityHash64(seed, visit, salt)` indexing a table from `tables.ts`. No row passes
 * through JS (building JSON there would cost more than everything the store does with it), and the hash makes the
 * rows a pure function of the seed (row order aside).
 *
 * Every value reaching the SQL text is either a number the seed code computed or a string passed through `str`.
 */
import { availableParallelism } from 'node:os';
import { STORED_COLUMNS, type StoredColumn } from '../store/event-columns.ts';
import { DAILY_TABLE, dailySelect, ROLLUP_TABLE, ROLLUP_VIEW, rollupSelect } from '../store/rollups.ts';
import { PROFILES_VIEW, profilesViewSelect } from '../store/sessions-profiles.ts';
import type { SeedDay } from './plan.ts';
import {
  type Agent,
  PAGE_BITS,
  PICK,
  PICK_BITS,
  type SeedTables,
  type Source,
  threshold,
  weightedTable,
} from './tables.ts';
import { DOWNLOAD_URLS, OUTBOUND_URLS } from './world.ts';

/** Marks seeded rows, so that a re-seed can find (and only ever delete) them. */
export const SEED_PROTOCOL = 'seed';
export const SEED_LOG_SOURCE = 'seed';
export const SEED_POSITION_PREFIX = 'seed-bin.';

/** A ClickHouse string literal. */
export function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function strs(values: readonly string[]): string {
  return `[${values.map(str).join(',')}]`;
}

function ints(values: readonly number[]): string {
  for (const v of values) if (!Number.isSafeInteger(v)) throw new Error(`seed: ${v} is not an integer`);
  return `[${values.join(',')}]`;
}

/** `bits` bits of hash `h` starting at bit `from`. */
function bits(h: string, from: number, count: number): string {
  const mask = 2 ** count - 1;
  return from === 0 ? `bitAnd(${h}, ${mask})` : `bitAnd(bitShiftRight(${h}, ${from}), ${mask})`;
}

/** Index into a 1-based table of 2^count entries. */
function pick(table: string, h: string, from: number, count = PICK_BITS): string {
  return `${table}[1 + ${bits(h, from, count)}]`;
}

/**
 * Settings of every seeding insert: no insert deduplication (a re-seed with the same seed writes identical blocks,
 * which the dedup window would otherwise silently drop), the materialized views run in parallel with the insert,
 * nothing is pre-merged on insert (the views read the same either way), and twice as many threads as the two cores
 * this was tuned on (inserts wait on fsync; the extra threads fill those gaps: +30 % measured). No Variant types:
 * an `if` mixing signed and unsigned branches would otherwise silently become a Variant, ten times slower.
 */
const THREADS = 2 * availableParallelism();
export const INSERT_SETTINGS = `SETTINGS insert_deduplicate = 0, deduplicate_blocks_in_dependent_materialized_views = 0, optimize_on_insert = 0, parallel_view_processing = 1, max_insert_threads = ${THREADS}, max_threads = ${THREADS}, use_variant_as_common_type = 0`;
/**
 * Visits into the fan-out: blocks of 400 000 visits (about a million events), each a part per table. Smaller blocks
 * measured slower (more parts, more per-block work in three views); larger ones no faster, and heavier on memory.
 */
const FANOUT_SETTINGS = `${INSERT_SETTINGS}, min_insert_block_size_rows = 400000, min_insert_block_size_bytes = 0`;

export interface SeedSqlOptions {
  project: string;
  seed: number;
  tables: SeedTables;
  /** Gaps between a returning visitor's visits, in visits. */
  returnGaps: number[];
  /** Nothing later than this instant (ms) is written: seeded data never lies in the future. */
  capMs: number;
  /** Event types that update user profiles; empty: all (as SIGHTLINE_PROFILE_EVENT_TYPES). */
  profileTypes: readonly string[];
}

/**
 * Rows of a chunk are numbered 0…n-1 by `numbers_mt` (small blocks, one stream per core: a few large arrays
 * expanded in one block ran three times slower, on one core). A row finds its day through buckets of 2^b rows,
 * each starting inside a known day; buckets are no larger than the smallest day, so a bucket touches at most two
 * days and one comparison settles which.
 */
export interface DayIndex {
  /** `WITH` entries: DAY_FIRST (chunk-local first row of each day, plus the total), BUCKET_DAY. */
  withs: string[];
  /** SQL: the 1-based day of row `x` within the chunk. */
  dayOf(x: string): string;
  rows: number;
}

export function dayIndex(counts: readonly number[]): DayIndex {
  const first: number[] = [];
  let total = 0;
  for (const c of counts) {
    first.push(total);
    total += c;
  }
  first.push(total);
  const smallest = Math.max(1, Math.min(...counts.filter((c) => c > 0)));
  const shift = Math.floor(Math.log2(smallest));
  const bucketDay: number[] = [];
  let day = 0;
  for (let start = 0; start < Math.max(total, 1); start += 2 ** shift) {
    while (first[day + 1] <= start && day < counts.length - 1) day++;
    bucketDay.push(day + 1);
  }
  return {
    withs: [`${ints(first)} AS DAY_FIRST`, `${ints(bucketDay)} AS BUCKET_DAY`],
    dayOf: (x) =>
      `(BUCKET_DAY[1 + bitShiftRight(${x}, ${shift})] + (${x} >= DAY_FIRST[BUCKET_DAY[1 + bitShiftRight(${x}, ${shift})] + 1]))`,
    rows: total,
  };
}

function dayColumns(days: readonly SeedDay[]): string[] {
  return [
    `${ints(days.map((d) => d.startMs))} AS DAY_START`,
    `${ints(days.map((d) => (d.weekend ? 1 : 0)))} AS DAY_WEEKEND`,
    `${ints(days.map((d) => d.spikeThreshold))} AS DAY_SPIKE`,
    `${ints(days.map((d) => d.spikeSource))} AS DAY_SPIKE_SOURCE`,
    `${ints(days.map((d) => (d.incident ? 1 : 0)))} AS DAY_INCIDENT`,
  ];
}

/**
 * A small integer as a LowCardinality index: string columns picked with it (`NAMES[lc]`) are then computed once per
 * distinct value and come out LowCardinality themselves. Picking strings row by row and letting the insert build
 * each LowCardinality column's dictionary cost three times as much as everything else the generator does.
 */
function lc(expr: string): string {
  return `toLowCardinality(toUInt16(${expr}))`;
}

/** Event types by kind: 1 page view, 2 outbound click, 3 download, then the funnel's own events. */
function kinds(t: SeedTables): string[] {
  const out = ['pageview', 'outbound', 'file_download'];
  for (const type of t.tailTypes) if (!out.includes(type)) out.push(type);
  return out;
}

/**
 * What a visit is, as columns: who (visitor, device, country, locale), when (`start_ms`, `step` between its events),
 * from where (`src`), and its shape (ordinary pages, funnel depth, extra event). Every event, session and profile
 * row of the visit follows from these.
 */
export const VISIT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['s', 'UInt64'],
  ['start_ms', 'Int64'],
  ['step', 'UInt32'],
  ['src', 'UInt16'],
  ['ci', 'UInt16'],
  ['ai', 'UInt16'],
  ['locale_i', 'UInt16'],
  ['uid', 'String'],
  ['sid', 'String'],
  ['vid', 'UInt64'],
  ['n_base', 'UInt64'],
  ['funnel', 'UInt8'],
  ['extra', 'UInt8'],
  ['has_extra', 'UInt64'],
  ['n_events', 'UInt64'],
  ['landing', 'UInt16'],
  ['plan', 'UInt8'],
  ['yearly', 'UInt8'],
  ['method', 'UInt8'],
  ['link', 'UInt8'],
];

/** The tables every statement of a run shares (`WITH … AS NAME`), whichever days it writes. */
function runTables(o: SeedSqlOptions): string[] {
  const t = o.tables;
  const json = (s: string) => JSON.stringify(s);
  const kindNames = kinds(t);
  return [
    `${ints(t.sourcePick)} AS SOURCE_PICK`,
    `${ints(t.bounceDesktop)} AS BOUNCE_DESKTOP`,
    `${ints(t.bounceMobile)} AS BOUNCE_MOBILE`,
    `${ints(t.signup)} AS SIGNUP`,
    `${ints(t.clockWeekday)} AS CLOCK_WEEKDAY`,
    `${ints(t.clockWeekend)} AS CLOCK_WEEKEND`,
    `${ints(o.returnGaps)} AS RETURN_GAPS`,
    `${ints(t.countryPick)} AS COUNTRY_PICK`,
    `${ints(t.agentPick)} AS AGENT_PICK`,
    `${ints(t.agentMobile)} AS AGENT_MOBILE`,
    `${ints(t.morePages)} AS MORE_PAGES`,
    `${ints(t.extraPick)} AS EXTRA_PICK`,
    `${ints(t.stepMs)} AS STEP_MS`,
    `${ints(t.tailLength)} AS TAIL_LENGTH`,
    `${ints(t.tailPages)} AS TAIL_PAGES`,
    `${ints(t.tailTypes.map((type) => kindNames.indexOf(type) + 1))} AS TAIL_KINDS`,
    `${ints(t.landing)} AS LANDING`,
    `${ints(t.browse)} AS BROWSE`,
    `${ints(t.planPick)} AS PLAN_PICK`,
    `${ints(t.methodPick)} AS METHOD_PICK`,
    `${strs(t.paths)} AS PATHS`,
    `${strs(t.titles.map(json))} AS TITLE_JSON`,
    `${strs(t.titles.map((title) => JSON.stringify({ title })))} AS PAGEVIEW_PROPS`,
  ];
}

/** The visits of `days` (their `WITH` tables and a SELECT of VISIT_COLUMNS and helpers, one row per visit). */
function visitsSql(days: readonly SeedDay[], o: SeedSqlOptions): { withs: string[]; select: string } {
  const t = o.tables;
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.visits));
  const withs = [...index.withs, ...dayColumns(days), ...runTables(o)];
  const select = `
      SELECT
        ${index.dayOf('number')} AS di, ${days[0].firstVisit} + number AS s,
        DAY_START[di] AS midnight, DAY_WEEKEND[di] AS weekend,
        cityHash64(${seed}, s, 1) AS h1, cityHash64(${seed}, s, 2) AS h2,
        cityHash64(${seed}, s, 3) AS h3, cityHash64(${seed}, s, 4) AS h4,
        if(${bits('h3', 32, PICK_BITS)} < DAY_SPIKE[di], DAY_SPIKE_SOURCE[di], ${pick('SOURCE_PICK', 'h1', 0)}) AS src,
        -- The k-th of the day's n visits starts at the (k + jitter)/n quantile of the daily curve (16 fraction bits).
        intDiv(((number - DAY_FIRST[di]) * 65536 + ${bits('h1', 24, 16)}) * ${PICK}, DAY_FIRST[di + 1] - DAY_FIRST[di]) AS q,
        1 + bitShiftRight(q, 16) AS b,
        if(weekend = 1, CLOCK_WEEKEND[b], CLOCK_WEEKDAY[b]) AS clock_from,
        if(weekend = 1, CLOCK_WEEKEND[b + 1], CLOCK_WEEKDAY[b + 1]) AS clock_to,
        toInt64(midnight + clock_from + intDiv((clock_to - clock_from) * bitAnd(q, 65535), 65536)) AS start_ms,
        ${pick('RETURN_GAPS', 'h3', 12)} AS gap,
        ${bits('h1', 52, PICK_BITS)} < ${t.returningThreshold} AND s >= gap AS returning,
        toUInt64(if(s >= gap, s - gap, 0)) AS earlier,
        if(returning, if(${bits('h3', 24, 8)} < ${t.loyalThreshold}, intDiv(earlier, ${t.loyalEvery}) * ${t.loyalEvery}, earlier), s) AS v,
        cityHash64(${seed}, v, 7) AS hv,
        ${pick('COUNTRY_PICK', 'hv', 0)} AS ci,
        ${pick('AGENT_PICK', 'hv', 12)} AS ai,
        if(${bits('hv', 24, PICK_BITS)} < ${t.englishThreshold} AND ci != ${t.usIndex}, 1, 1 + ci) AS locale_i,
        -- Ids count up with the visitor and the visit, which keeps the profile and session tables' sorting cheap.
        concat(leftPad(lower(hex(v)), 8, '0'), substring(lower(hex(hv)), 1, 8)) AS uid,
        concat(leftPad(lower(hex(s)), 8, '0'), substring(lower(hex(h4)), 1, 8)) AS sid,
        cityHash64(${str(o.project)}, uid) AS vid,
        ${bits('h1', 40, PICK_BITS)} < if(AGENT_MOBILE[ai] = 1, BOUNCE_MOBILE[src], BOUNCE_DESKTOP[src]) AS bounce,
        toUInt64(if(bounce, 1, 2 + ${pick('MORE_PAGES', 'h2', 0)})) AS n_base,
        if(bounce OR ${bits('h2', 12, PICK_BITS)} >= SIGNUP[src], 0,
          1 + if(${bits('h2', 24, PICK_BITS)} >= ${t.funnelContinue[0]}, 0,
          1 + if(${bits('h2', 36, PICK_BITS)} >= ${t.funnelContinue[1]}, 0,
          1 + (${bits('h2', 48, PICK_BITS)} < ${t.funnelContinue[2]})))) AS funnel,
        if(bounce, 0, ${pick('EXTRA_PICK', 'h3', 0)}) AS extra,
        toUInt64(extra > 0) AS has_extra,
        n_base + has_extra + TAIL_LENGTH[funnel + 1] AS n_events,
        ${pick('STEP_MS', 'h3', 44)} AS step,
        ${pick('LANDING', 'h4', 0, PAGE_BITS)} AS landing,
        PLAN_PICK[1 + ${bits('h4', 13, 8)}] AS plan,
        ${bits('h4', 21, PICK_BITS)} < ${t.yearlyThreshold} AS yearly,
        METHOD_PICK[1 + ${bits('h4', 33, 8)}] AS method,
        1 + ${bits('h4', 41, 8)} % ${OUTBOUND_URLS.length} AS link
      FROM numbers_mt(${index.rows})`;
  return { withs, select };
}

/** When the `e`-th event (0-based) of a visit happens, in ms: steps apart, each a little later than its slot. */
function eventTime(seed: number, e: string): string {
  return `(start_ms + (${e}) * step + intDiv(${bits(`cityHash64(${seed}, s, 1000 + (${e}))`, 0, PICK_BITS)} * step * 9, 40960))`;
}

/**
 * The page index shown at position `j` of a visit's ordinary pages: the landing page first, then picks from the
 * browse table; a pick equal to the page before becomes another popular page (the tracker drops a repeat view).
 */
function basePage(seed: number, j: string): string {
  const raw = `if((${j}) = 0, landing, ${pick('BROWSE', `cityHash64(${seed}, s, 500 + (${j}))`, 0, PAGE_BITS)})`;
  const prev = `if((${j}) <= 1, landing, ${pick('BROWSE', `cityHash64(${seed}, s, 499 + (${j}))`, 0, PAGE_BITS)})`;
  return `if((${j}) > 0 AND ${raw} = ${prev}, ${raw} % 20 + 1, ${raw})`;
}

const ms = (expr: string) => `fromUnixTimestamp64Milli(toInt64(${expr}), 'UTC')`;

/**
 * SELECT of the events of the visits in `visits` (a table or a subquery), each column named as in `events`, and the
 * columns it fills (in table order).
 */
function eventsSelect(o: SeedSqlOptions, visits: string): { columns: StoredColumn[]; sql: string } {
  const t = o.tables;
  const json = (s: string) => JSON.stringify(s);
  const kindNames = kinds(t);
  // Acquisition columns by index: 1 is a page after the first (internal referrer), 1 + n the n-th source.
  const acquisition = [t.internal, ...t.sources];
  const acq = (field: keyof Source) => `${strs(acquisition.map((a) => a[field]))}[acq]`;
  const agent = (field: keyof Agent) => `${strs(t.agents.map((a) => a[field]))}[agent]`;
  const title = 'TITLE_JSON[page]';
  const amount = `toString(if(yearly, ${ints(t.planYearly)}[plan], ${ints(t.planMonthly)}[plan]))`;
  const downloads = strs(DOWNLOAD_URLS.map((u) => json(`https://${t.host}${u}`)));
  // Page views are nine in ten events: their props are looked up whole; only the rest are assembled.
  const props = `if(kind = 1, PAGEVIEW_PROPS[page], multiIf(
        kind = 2, concat('{"title":', ${title}, ',"url":', ${strs(OUTBOUND_URLS.map(json))}[link], '}'),
        kind = 3, concat('{"title":', ${title}, ',"url":', ${downloads}[1 + link % ${DOWNLOAD_URLS.length}], '}'),
        kind = ${kindNames.indexOf('signup') + 1}, concat('{"title":', ${title}, ',"plan":"', ${strs(t.plans)}[plan], '","method":"', ${strs(t.methods)}[method], '"}'),
        concat('{"title":', ${title}, ',"plan":"', ${strs(t.plans)}[plan], '","billing":"', if(yearly, 'yearly', 'monthly'), '","amount":', ${amount}, ',"currency":"USD"}')))`;
  const profileKinds = kindNames.flatMap((k, i) => (o.profileTypes.includes(k) ? [i + 1] : []));
  const profile = o.profileTypes.length === 0 ? 'true' : `kind IN (${[0, ...profileKinds].join(', ')})`;
  // The screen class of the agent's device (src/process/adapters/screen-size.ts); a desktop is a laptop, or a
  // large desktop screen for one visitor in four.
  const screens = ['', 'Mobile', 'Tablet', 'Laptop', 'Desktop'];
  const screenOf = (a: Agent) => ({ mobile: 2, tablet: 3, desktop: 4 })[a.deviceType] ?? 1;
  const screen = `${ints(t.agents.map(screenOf))}[agent] + (${ints(t.agents.map((a) => (a.deviceType === 'desktop' ? 1 : 0)))}[agent] * (bitAnd(vid, 3) = 0))`;
  // Each column the seed fills, by name; the others keep their defaults (src/store/event-columns.ts).
  const columns: Partial<Record<StoredColumn, string>> = {
    event_id: `reinterpretAsUUID(concat(
      reinterpretAsFixedString(bitOr(bitAnd(he, 0xFFFFFFFFFFFF0FFF), 0x4000)),
      reinterpretAsFixedString(bitOr(bitAnd(intHash64(he), 0x3FFFFFFFFFFFFFFF), 0x8000000000000000))))`,
    project: str(o.project),
    tenant_id: "''",
    type: `${strs(kindNames)}[kind_lc]`,
    timestamp: ms('t_ms'),
    received_at: ms(`t_ms + 40 + ${bits('he', 12, 10)}`),
    user_id: 'uid',
    session_id: 'sid',
    visitor_id: 'vid',
    host: str(t.host),
    path: 'PATHS[page]',
    referrer: acq('referrer'),
    referrer_source: acq('referrerSource'),
    channel: acq('channel'),
    utm_source: acq('utmSource'),
    utm_medium: acq('utmMedium'),
    utm_campaign: acq('utmCampaign'),
    utm_term: acq('utmTerm'),
    utm_content: acq('utmContent'),
    locale: `${strs(['en-US', ...t.locales])}[locale_lc]`,
    country: `${strs(t.countries)}[country_lc]`,
    browser: agent('browser'),
    browser_version: agent('browserVersion'),
    os: agent('os'),
    os_version: agent('osVersion'),
    device_type: agent('deviceType'),
    device_vendor: agent('deviceVendor'),
    device_model: agent('deviceModel'),
    screen_size: `${strs(screens)}[${lc(screen)}]`,
    updates_profile: profile,
    protocol: str(SEED_PROTOCOL),
    props,
  };
  const names = STORED_COLUMNS.filter((name) => columns[name] !== undefined);
  const sql = `SELECT
  ${names.map((name) => `${columns[name]} AS ${name}`).join(',\n  ')}
FROM (
  SELECT *,
    e < n_base AS is_base,
    has_extra = 1 AND e = n_base AS is_extra,
    toUInt64(if(is_base OR is_extra, 0, e + 1 - n_base - has_extra)) AS tail,
    if(is_base, e, toUInt64(n_base - 1)) AS j,
    if(tail > 0, TAIL_PAGES[tail], ${basePage(o.seed, 'j')}) AS page,
    if(is_base, 1, if(is_extra, 1 + extra, TAIL_KINDS[tail])) AS kind,
    ${lc('kind')} AS kind_lc,
    ${lc('if(tail = 0 AND j = 0, 1 + src, 1)')} AS acq,
    cityHash64(${o.seed}, s, 1000 + e) AS he,
    ${eventTime(o.seed, 'e')} AS t_ms
  FROM (SELECT *, ${lc('ci')} AS country_lc, ${lc('ai')} AS agent, ${lc('locale_i')} AS locale_lc FROM ${visits})
  ARRAY JOIN range(n_events) AS e
)
WHERE t_ms <= ${Math.floor(o.capMs)}`;
  return { columns: names, sql };
}

/** Inserts the events of the visits of `days` into `events`, whose views then build profiles and rollups. */
export function eventsInsert(days: readonly SeedDay[], o: SeedSqlOptions): string {
  const visits = visitsSql(days, o);
  const select = eventsSelect(o, `(${visits.select})`);
  return `INSERT INTO events (${select.columns.join(', ')})
WITH ${visits.withs.join(',\n  ')}
${select.sql}
${INSERT_SETTINGS}`;
}

/**
 * The views on `events` that `profilesSelect` and the fan-out's rollup view stand in for, as the
 * store defines them (src/store/sessions-profiles.ts, src/store/rollups.ts). `viewsMirrored` (seed.ts) compares the
 * store's views with these as the engine formats them: a migration that changes a view no longer matches, and
 * seeding falls back to letting the views run — correct, slower — until these builders follow the change.
 */
export const MIRRORED_VIEWS: Record<string, string> = {
  [ROLLUP_VIEW]: rollupSelect('events'),
  [PROFILES_VIEW]: profilesViewSelect('events'),
};

/**
 * The visits in `visits` as `user_profiles` rows, one per visit (the table adds a visitor's visits up): what
 * `user_profiles_mv` makes of their events when every event type updates profiles.
 */
function profilesSelect(o: SeedSqlOptions, visits: string): string {
  const t = o.tables;
  const agent = (field: keyof Agent) => `${strs(t.agents.map((a) => a[field]))}[ai]`;
  const latest = (value: string) =>
    `initializeAggregation('argMaxIfState', ${value}, last_seen, toUInt8(${value} != ''))`;
  return `SELECT
  ${str(o.project)} AS project, uid AS user_id,
  ${ms(eventTime(o.seed, '0'))} AS first_seen,
  ${ms(eventTime(o.seed, 'n_events - 1'))} AS last_seen,
  n_events AS events,
  initializeAggregation('uniqState', sid) AS sessions,
  ${latest(`${strs(t.countries)}[ci]`)} AS country,
  ${latest(agent('deviceType'))} AS device_type,
  ${latest(agent('browser'))} AS browser,
  initializeAggregation('argMaxIfState', '', last_seen, toUInt8(0)) AS app_version,
  initializeAggregation('argMaxIfState', '', last_seen, toUInt8(0)) AS traits
FROM ${visits}`;
}

/**
 * The direct path's objects: visits go into a table that keeps nothing (Null engine), and three views fan each block
 * of visits out — into events and profiles (and the rollups from those events), each a staging copy of the real table, at the same time on
 * separate threads. The staging copies then hand their parts over whole (`MOVE PARTITION`): no view of the real
 * tables runs, and every visit is generated once.
 */
export const FANOUT = {
  visits: 'seed_visits',
  staging: {
    events: 'seed_staging_events',
    user_profiles: 'seed_staging_profiles',
    [ROLLUP_TABLE]: 'seed_staging_hourly',
    [DAILY_TABLE]: 'seed_staging_daily',
  },
  views: [
    'seed_visits_events',
    'seed_visits_profiles',
    'seed_staging_events_hourly',
    'seed_staging_hourly_daily',
  ],
} as const;

/** Statements that create the fan-out for a run (after `fanoutTeardown`, which also clears a crashed run's leftovers). */
export function fanoutSetup(o: SeedSqlOptions): string[] {
  const withs = `WITH ${runTables(o).join(',\n  ')}\n`;
  const { visits, staging, views } = FANOUT;
  return [
    `CREATE TABLE ${visits} (${VISIT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}) ENGINE = Null`,
    `CREATE TABLE ${staging.events} AS events`,
    `CREATE TABLE ${staging.user_profiles} AS user_profiles`,
    `CREATE MATERIALIZED VIEW ${views[0]} TO ${staging.events} AS ${withs}${eventsSelect(o, visits).sql}`,
    `CREATE MATERIALIZED VIEW ${views[1]} TO ${staging.user_profiles} AS ${withs}${profilesSelect(o, visits)}`,
    // Fed by the staged events as they arrive (views cascade), like the rollups' own view on events.
    `CREATE TABLE ${staging[ROLLUP_TABLE]} AS ${ROLLUP_TABLE}`,
    `CREATE MATERIALIZED VIEW ${views[2]} TO ${staging[ROLLUP_TABLE]} AS ${rollupSelect(staging.events)}`,
    `CREATE TABLE ${staging[DAILY_TABLE]} AS ${DAILY_TABLE}`,
    `CREATE MATERIALIZED VIEW ${views[3]} TO ${staging[DAILY_TABLE]} AS ${dailySelect(staging[ROLLUP_TABLE])}`,
  ];
}

export function fanoutTeardown(): string[] {
  return [
    ...FANOUT.views.map((v) => `DROP VIEW IF EXISTS ${v}`),
    `DROP TABLE IF EXISTS ${FANOUT.visits}`,
    ...Object.values(FANOUT.staging).map((t) => `DROP TABLE IF EXISTS ${t}`),
  ];
}

/** Inserts the visits of `days` into the fan-out; its views write their events and profiles. */
export function visitsInsert(days: readonly SeedDay[], o: SeedSqlOptions): string {
  const visits = visitsSql(days, o);
  const columns = VISIT_COLUMNS.map(([name]) => name).join(', ');
  return `INSERT INTO ${FANOUT.visits} (${columns})
WITH ${visits.withs.join(',\n  ')}
SELECT ${columns} FROM (${visits.select}
)
${FANOUT_SETTINGS}`;
}

/** Requests an nginx in front of the site answers: pages, assets, API calls. */
const ASSETS = [
  '/assets/app.3f9c2b1e.js',
  '/assets/app.8d1e4a77.css',
  '/assets/vendor.b71c09aa.js',
  '/favicon.ico',
  '/img/hero.webp',
  '/img/logo.svg',
  '/fonts/inter-var.woff2',
];
const API_CALLS: Array<[string, string]> = [
  ['GET', '/api/session'],
  ['GET', '/api/projects'],
  ['POST', '/api/signup'],
  ['POST', '/api/login'],
  ['GET', '/api/billing/plans'],
  ['POST', '/api/checkout'],
];
/** Status codes on a usual day and on an incident day, with weights. */
const STATUS_USUAL: Array<[number, number]> = [
  [200, 895],
  [304, 45],
  [301, 15],
  [404, 30],
  [401, 5],
  [499, 5],
  [500, 2],
  [502, 2],
  [503, 1],
];
const STATUS_INCIDENT: Array<[number, number]> = [
  [200, 800],
  [304, 40],
  [301, 12],
  [404, 28],
  [401, 5],
  [499, 25],
  [500, 30],
  [502, 40],
  [503, 20],
];
/** Application logs: service, level, message (`{ms}` and `{id}` filled in), weight on a usual / incident day. */
const APP_LOGS: Array<[string, string, string, number, number]> = [
  ['api', 'info', 'GET /api/projects 200 in {ms}ms', 300, 250],
  ['api', 'info', 'POST /api/login 200 in {ms}ms', 120, 100],
  ['api', 'info', 'user {id} signed in', 110, 90],
  ['api', 'info', 'invoice {id} created', 30, 25],
  ['api', 'debug', 'cache miss for project settings {id}', 40, 30],
  ['api', 'warn', 'slow query: {ms}ms SELECT * FROM subscriptions WHERE user_id = ?', 25, 60],
  ['api', 'warn', 'rate limit reached for API key k_{id}', 12, 20],
  ['api', 'error', 'payment failed for order {id}: card_declined', 6, 10],
  ['api', 'error', 'upstream timeout after {ms}ms: billing-service', 2, 60],
  ['api', 'error', 'unhandled rejection: ECONNRESET', 1, 30],
  ['worker', 'info', 'job send-welcome-email {id} completed in {ms}ms', 90, 70],
  ['worker', 'info', 'job sync-invoices completed in {ms}ms', 50, 40],
  ['worker', 'warn', 'job sync-invoices retry 1/5 after {ms}ms', 10, 40],
  ['worker', 'error', 'job sync-invoices {id} failed: timeout', 2, 30],
];

function weighted<T>(items: ReadonlyArray<T>, weight: (item: T) => number): number[] {
  return weightedTable(items.map(weight));
}

export interface SideSqlOptions {
  project: string;
  seed: number;
  tables: SeedTables;
  capMs: number;
}

/** Server logs of the same days: nginx access lines (the `combined` format and the fields its parser keeps) and app logs. */
export function logsInsert(days: readonly SeedDay[], o: SideSqlOptions): string {
  const t = o.tables;
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.logs));
  const requests = [
    ...t.paths.filter((p) => !p.startsWith('/checkout')).map((p) => ['GET', p] as const),
    ...ASSETS.map((p) => ['GET', p] as const),
    ...API_CALLS,
  ];
  const pageCount = t.paths.filter((p) => !p.startsWith('/checkout')).length;
  const requestWeights = requests.map((_, i) =>
    i < pageCount ? 6 / (i + 1) : i < pageCount + ASSETS.length ? 0.5 : 0.3,
  );
  const withs = [
    ...index.withs,
    ...dayColumns(days),
    `${ints(t.hoursWeekday)} AS HOURS_WEEKDAY`,
    `${ints(t.hoursWeekend)} AS HOURS_WEEKEND`,
    `${ints(weightedTable(requestWeights))} AS REQUEST_PICK`,
    `${strs(requests.map((r) => r[0]))} AS METHODS`,
    `${strs(requests.map((r) => r[1]))} AS REQUEST_PATHS`,
    `${ints(weighted(STATUS_USUAL, (s) => s[1]).map((i) => STATUS_USUAL[i - 1][0]))} AS STATUS_USUAL`,
    `${ints(weighted(STATUS_INCIDENT, (s) => s[1]).map((i) => STATUS_INCIDENT[i - 1][0]))} AS STATUS_INCIDENT`,
    `${ints(weighted(APP_LOGS, (l) => l[3]))} AS APP_USUAL`,
    `${ints(weighted(APP_LOGS, (l) => l[4]))} AS APP_INCIDENT`,
    `${ints(t.agentPick)} AS AGENT_PICK`,
    `${ints(t.sourcePick)} AS SOURCE_PICK`,
  ];
  const referrers = strs(['-', ...t.sources.map((s) => s.referrer || '-')]);
  // nginx writes request times in seconds with millisecond precision: 0.012.
  const seconds = (x: string) =>
    `concat(toString(intDiv(${x}, 1000)), '.', leftPad(toString(${x} % 1000), 3, '0'))`;
  const ms = `toString(5 + intDiv(${bits('g2', 0, 12)} * ${bits('g2', 0, 12)}, 4096) % 2500)`;
  return `INSERT INTO logs (timestamp, received_at, project, host, service, level, message, attributes, source)
WITH ${withs.join(',\n  ')}
SELECT
  fromUnixTimestamp64Milli(toInt64(t_ms), 'UTC') AS timestamp,
  fromUnixTimestamp64Milli(toInt64(t_ms + 300 + ${bits('g2', 40, 10)}), 'UTC') AS received_at,
  ${str(o.project)} AS project,
  if(nginx, if(${bits('g1', 60, 1)} = 1, 'web-1', 'web-2'), if(${bits('g2', 60, 1)} = 1, 'app-1', 'app-2')) AS host,
  if(nginx, 'nginx', ${strs(APP_LOGS.map((l) => l[0]))}[app]) AS service,
  if(nginx, multiIf(status >= 500, 'error', status >= 400, 'warn', 'info'), ${strs(APP_LOGS.map((l) => l[1]))}[app]) AS level,
  if(nginx,
    concat(ip, ' - - [', formatDateTime(fromUnixTimestamp64Milli(toInt64(t_ms), 'UTC'), '%d/%b/%Y:%H:%i:%S +0000', 'UTC'), '] "', method, ' ', req_path, ' HTTP/2.0" ', toString(status), ' ', toString(bytes), ' "', referrer, '" "', ua, '" ', ${seconds('duration')}, ' ', ${seconds('upstream')}),
    replaceOne(replaceOne(${strs(APP_LOGS.map((l) => l[2]))}[app], '{ms}', ${ms}), '{id}', toString(100000 + ${bits('g2', 12, 20)}))) AS message,
  if(nginx,
    if(referrer = '-',
      map('ip', ip, 'method', method, 'path', req_path, 'protocol', 'HTTP/2.0', 'status', toString(status), 'bytes', toString(bytes), 'user_agent', ua, 'duration_ms', toString(duration), 'upstream_ms', toString(upstream)),
      map('ip', ip, 'method', method, 'path', req_path, 'protocol', 'HTTP/2.0', 'status', toString(status), 'bytes', toString(bytes), 'user_agent', ua, 'referrer', referrer, 'duration_ms', toString(duration), 'upstream_ms', toString(upstream))),
    map('request_id', lower(hex(g1)), 'duration_ms', ${ms})) AS attributes,
  ${str(SEED_LOG_SOURCE)} AS source
FROM (
  SELECT
    ${index.dayOf('number')} AS di, ${days[0].firstLog} + number AS i,
    cityHash64(${seed}, i, 11) AS g1, cityHash64(${seed}, i, 12) AS g2,
    if(DAY_WEEKEND[di] = 1, ${pick('HOURS_WEEKEND', 'g1', 0)}, ${pick('HOURS_WEEKDAY', 'g1', 0)}) AS hour,
    DAY_START[di] + hour * 3600000 + intDiv(${bits('g1', 12, 16)} * 3600000, 65536) AS t_ms,
    ${bits('g1', 28, PICK_BITS)} < ${threshold(0.75)} AS nginx,
    if(DAY_INCIDENT[di] = 1, ${pick('APP_INCIDENT', 'g1', 40)}, ${pick('APP_USUAL', 'g1', 40)}) AS app,
    ${pick('REQUEST_PICK', 'g2', 0)} AS request,
    METHODS[request] AS method,
    REQUEST_PATHS[request] AS req_path,
    if(DAY_INCIDENT[di] = 1, ${pick('STATUS_INCIDENT', 'g2', 12)}, ${pick('STATUS_USUAL', 'g2', 12)}) AS status,
    if(status = 304 OR status >= 400, 0, 1500 + ${bits('g2', 24, 16)}) AS bytes,
    concat(${strs(['203.0.113.', '198.51.100.', '192.0.2.'])}[1 + ${bits('g1', 44, 8)} % 3], toString(1 + ${bits('g1', 52, 8)} % 254)) AS ip,
    ${strs(t.agents.map((a) => a.ua))}[${pick('AGENT_PICK', 'g1', 16)}] AS ua,
    if(${bits('g2', 52, 4)} < 10, '-', ${referrers}[${pick('SOURCE_PICK', 'g2', 40)} + 1]) AS referrer,
    2 + intDiv(${bits('g2', 28, 10)} * ${bits('g2', 28, 10)}, 2048) + if(status >= 500, 3000, 0) AS duration,
    if(duration > 2, duration - 1, 1) AS upstream
  FROM numbers_mt(${index.rows})
)
WHERE t_ms <= ${Math.floor(o.capMs)}
${INSERT_SETTINGS}`;
}

/** A few database changes a day in Maxwell's shape: sign-ups, orders, subscription changes, expired sessions. */
export function dbChangesInsert(days: readonly SeedDay[], o: SideSqlOptions): string {
  const seed = String(o.seed);
  const index = dayIndex(days.map((d) => d.changes));
  const plans = strs(o.tables.plans);
  const kinds: Array<[string, string, number]> = [
    ['users', 'insert', 35],
    ['users', 'update', 10],
    ['subscriptions', 'insert', 15],
    ['subscriptions', 'update', 15],
    ['orders', 'insert', 20],
    ['user_sessions', 'delete', 5],
  ];
  const withs = [
    ...index.withs,
    ...dayColumns(days),
    `${ints(weighted(kinds, (k) => k[2]))} AS KIND_PICK`,
    `${ints(o.tables.hoursWeekday)} AS HOURS_WEEKDAY`,
  ];
  const created = `formatDateTime(toDateTime(intDiv(t_ms, 1000), 'UTC'), '%Y-%m-%d %H:%i:%S', 'UTC')`;
  return `INSERT INTO db_changes (received_at, project, database, table, type, ts, xid, xoffset, commit, data, old, primary_key, position, server_id)
WITH ${withs.join(',\n  ')}
SELECT
  fromUnixTimestamp64Milli(toInt64(t_ms + 150), 'UTC') AS received_at,
  ${str(o.project)} AS project,
  'acme' AS database,
  ${strs(kinds.map((k) => k[0]))}[kind] AS table,
  ${strs(kinds.map((k) => k[1]))}[kind] AS type,
  toDateTime(intDiv(t_ms, 1000), 'UTC') AS ts,
  9000000 + i AS xid,
  0 AS xoffset,
  true AS commit,
  multiIf(
    kind = 1, concat('{"id":', toString(id), ',"email":"user', toString(id), '@example.com","plan":"free","created_at":"', ${created}, '"}'),
    kind = 2, concat('{"id":', toString(earlier), ',"email":"user', toString(earlier), '@example.com","plan":"free","last_login_at":"', ${created}, '"}'),
    kind = 3, concat('{"id":', toString(id), ',"user_id":', toString(earlier), ',"plan":"', ${plans}[plan], '","status":"active","started_at":"', ${created}, '"}'),
    kind = 4, concat('{"id":', toString(earlier), ',"user_id":', toString(earlier), ',"plan":"', ${plans}[plan], '","status":"', if(cancel, 'canceled', 'active'), '"}'),
    kind = 5, concat('{"id":', toString(id), ',"user_id":', toString(earlier), ',"amount":', toString(${ints(o.tables.planMonthly)}[plan]), ',"currency":"USD","status":"paid","created_at":"', ${created}, '"}'),
    concat('{"id":', toString(id), ',"user_id":', toString(earlier), '}')) AS data,
  multiIf(
    kind = 2, '{"last_login_at":null}',
    kind = 4, if(cancel, '{"status":"active"}', concat('{"plan":"', ${plans}[1 + plan % ${o.tables.plans.length}], '"}')),
    '') AS old,
  concat('[', toString(if(kind IN (2, 4), earlier, id)), ']') AS primary_key,
  concat(${str(SEED_POSITION_PREFIX)}, '000001:', toString(4 + i * 389)) AS position,
  1 AS server_id
FROM (
  SELECT
    ${index.dayOf('number')} AS di, ${days[0].firstChange} + number AS i,
    cityHash64(${seed}, i, 21) AS g,
    ${pick('HOURS_WEEKDAY', 'g', 0)} AS hour,
    DAY_START[di] + hour * 3600000 + intDiv(${bits('g', 12, 16)} * 3600000, 65536) AS t_ms,
    ${pick('KIND_PICK', 'g', 28)} AS kind,
    1000 + i AS id,
    1000 + ${bits('g', 40, 20)} % (i + 1) AS earlier,
    1 + ${bits('g', 60, 2)} % ${o.tables.plans.length} AS plan,
    ${bits('g', 62, 1)} = 1 AS cancel
  FROM numbers_mt(${index.rows})
)
WHERE t_ms <= ${Math.floor(o.capMs)}
${INSERT_SETTINGS}`;
}
