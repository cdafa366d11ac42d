import {
  DAILY_TABLE,
  dailySelect,
  hourlySelect,
  ROLLUP_FEED,
  ROLLUP_FEED_VIEW,
  ROLLUP_TABLE,
  rollupSelect,
} from '../store/rollups.ts';
import { PROFILES_VIEW, profilesViewSelect } from '../store/sessions-profiles.ts';
import { eventsSelect } from './events-sql.ts';
import { FANOUT_SETTINGS } from './insert-settings.ts';
import type { SeedDay } from './plan.ts';
import { ms, str, strs } from './sql-literals.ts';
import type { Agent } from './tables.ts';
import { eventTime, runTables, type SeedSqlOptions, VISIT_COLUMNS, visitsSql } from './visits-sql.ts';

/**
 * The views on `events` that `profilesSelect` and the fan-out's rollup view stand in for, as the
 * store defines them (src/store/sessions-profiles.ts, src/store/rollups.ts). `viewsMirrored` (fanout-staging.ts) compares the
 * store's views with these as the engine formats them: a migration that changes a view no longer matches, and
 * seeding falls back to letting the views run — correct, slower — until these builders follow the change.
 */
export const MIRRORED_VIEWS: Record<string, string> = {
  [ROLLUP_FEED_VIEW]: rollupSelect('events'),
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
FROM ${visits}
WHERE uid != ''`;
}

/**
 * The direct path's objects: visits go into a table that keeps nothing (Null engine), and three views fan each block
 * of visits out — into events and profiles (and the rollups from those events), each a staging copy of the real table, at the same time on
 * separate threads. The staging copies then hand their parts over whole (`MOVE PARTITION`): no view of the real
 * tables runs, and every visit is generated once.
 */
export const FANOUT = {
  visits: 'seed_visits',
  /** The rollup rows on their way, as ROLLUP_FEED is (keeps nothing; not moved). */
  feed: 'seed_staging_feed',
  staging: {
    events: 'seed_staging_events',
    user_profiles: 'seed_staging_profiles',
    [ROLLUP_TABLE]: 'seed_staging_hourly',
    [DAILY_TABLE]: 'seed_staging_daily',
  },
  views: [
    'seed_visits_events',
    'seed_visits_profiles',
    'seed_staging_events_feed',
    'seed_staging_feed_hourly',
    'seed_staging_feed_daily',
  ],
} as const;

/** Statements that create the fan-out for a run (after `fanoutTeardown`, which also clears a crashed run's leftovers). */
export function fanoutSetup(o: SeedSqlOptions): string[] {
  const withs = `WITH ${runTables(o).join(',\n  ')}\n`;
  const { visits, feed, staging, views } = FANOUT;
  return [
    `CREATE TABLE ${visits} (${VISIT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}) ENGINE = Null`,
    `CREATE TABLE ${staging.events} AS events`,
    `CREATE TABLE ${staging.user_profiles} AS user_profiles`,
    `CREATE MATERIALIZED VIEW ${views[0]} TO ${staging.events} AS ${withs}${eventsSelect(o, visits).sql}`,
    `CREATE MATERIALIZED VIEW ${views[1]} TO ${staging.user_profiles} AS ${withs}${profilesSelect(o, visits)}`,
    // Fed by the staged events as they arrive (views cascade), like the rollups' own views on events.
    `CREATE TABLE ${feed} AS ${ROLLUP_FEED}`,
    `CREATE TABLE ${staging[ROLLUP_TABLE]} AS ${ROLLUP_TABLE}`,
    `CREATE TABLE ${staging[DAILY_TABLE]} AS ${DAILY_TABLE}`,
    `CREATE MATERIALIZED VIEW ${views[3]} TO ${staging[ROLLUP_TABLE]} AS ${hourlySelect(feed)}`,
    `CREATE MATERIALIZED VIEW ${views[4]} TO ${staging[DAILY_TABLE]} AS ${dailySelect(feed)}`,
    `CREATE MATERIALIZED VIEW ${views[2]} TO ${feed} AS ${rollupSelect(staging.events)}`,
  ];
}

export function fanoutTeardown(): string[] {
  return [
    ...FANOUT.views.map((v) => `DROP VIEW IF EXISTS ${v}`),
    `DROP TABLE IF EXISTS ${FANOUT.visits}`,
    `DROP TABLE IF EXISTS ${FANOUT.feed}`,
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
