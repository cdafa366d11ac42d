/**
 * User profiles, aggregated as events arrive (a materialized view on `events` into an AggregatingMergeTree, and
 * `user_profiles_view` that merges the states), and `sessions_view`, the visits as the first API named them. The
 * SELECTs are defined here once: the migrations create the views from them, and the seed checks that the store's
 * views are still these before it writes the tables directly (src/seed/fanout-staging.ts `viewsMirrored`).
 *
 * Sessions were an AggregatingMergeTree of their own until migration 025: `visits` (src/store/visits.ts) holds the
 * same visits as rows, so `sessions_view` now reads those (one row per live visit). Bounce: one pageview and no
 * other (engagement) event.
 *
 * Profiles per (project, user_id): first/last seen, counts, last known device and traits (from identify calls, last
 * value wins; empty values never overwrite known ones). Fed by the events the processor marks `updates_profile`:
 * those with a user id whose type passes SIGHTLINE_PROFILE_EVENT_TYPES (identify always does).
 */
export const PROFILES_VIEW = 'user_profiles_mv';

/** The `user_profiles` rows of the events `source` holds. */
export function profilesViewSelect(source: string): string {
  return `SELECT
    project,
    user_id,
    min(timestamp) AS first_seen,
    max(timestamp) AS last_seen,
    toUInt64(count()) AS events,
    uniqStateIf(session_id, session_id != '') AS sessions,
    argMaxIfState(country, timestamp, toUInt8(country != '')) AS country,
    argMaxIfState(device_type, timestamp, toUInt8(device_type != '')) AS device_type,
    argMaxIfState(browser, timestamp, toUInt8(browser != '')) AS browser,
    argMaxIfState(app_version, timestamp, toUInt8(app_version != '')) AS app_version,
    argMaxIfState(props, timestamp, toUInt8(type = 'identify')) AS traits
FROM ${source}
WHERE updates_profile AND NOT is_bot
GROUP BY project, user_id`;
}

/**
 * Migration 002 (once `002_sessions_profiles.sql`). A fresh store no longer gets the `sessions` table (migration 025
 * replaced it); a plain object, so this module imports nothing from migrate.ts, which lists it.
 */
export const SESSIONS_PROFILES_MIGRATION = {
  version: 2,
  name: '002_sessions_profiles (src/store/sessions-profiles.ts)',
  statements: [
    `CREATE TABLE IF NOT EXISTS user_profiles
(
    project     LowCardinality(String),
    user_id     String,
    first_seen  SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    last_seen   SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    events      SimpleAggregateFunction(sum, UInt64),
    sessions    AggregateFunction(uniq, String),
    country     AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8),
    device_type AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8),
    browser     AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8),
    app_version AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8),
    traits      AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8)
)
ENGINE = AggregatingMergeTree
ORDER BY (project, user_id)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${PROFILES_VIEW} TO user_profiles AS\n${profilesViewSelect('events')}`,
    `CREATE VIEW IF NOT EXISTS user_profiles_view AS
SELECT
    project,
    user_id,
    min(first_seen) AS first_seen_at,
    max(last_seen) AS last_seen_at,
    sum(events) AS event_count,
    uniqMerge(sessions) AS session_count,
    argMaxIfMerge(country) AS country,
    argMaxIfMerge(device_type) AS device_type,
    argMaxIfMerge(browser) AS browser,
    argMaxIfMerge(app_version) AS app_version,
    argMaxIfMerge(traits) AS traits
FROM user_profiles
GROUP BY project, user_id`,
  ],
};

/** `sessions_view` over `visits`: the columns the sessions table's view had, from each visit's live row. */
const SESSIONS_VIEW_OVER_VISITS = `CREATE VIEW IF NOT EXISTS sessions_view AS
SELECT
    project,
    tenant_id,
    session_id,
    argMax(visitor_id, version) AS visitor_id,
    argMax(started_at, version) AS started_at,
    argMax(ended_at, version) AS ended_at,
    dateDiff('second', started_at, ended_at) AS duration,
    toUInt64(argMax(events, version)) AS event_count,
    toUInt64(argMax(pageviews, version)) AS pageview_count,
    toBool(pageview_count = 1 AND event_count = 1) AS bounce,
    argMax(is_bot, version) AS is_bot,
    argMax(entry_page, version) AS entry_path,
    argMax(exit_page, version) AS exit_path,
    argMax(referrer_source, version) AS source,
    argMax(channel, version) AS channel,
    argMax(country, version) AS country,
    argMax(device_type, version) AS device_type,
    argMax(browser, version) AS browser
FROM visits
GROUP BY project, tenant_id, session_id
HAVING sum(sign) > 0`;

/**
 * Migration 025: the `sessions` AggregatingMergeTree and its view on `events` dropped — `visits` holds the same
 * visits as rows (about 37 B/event less at 10 M events) — and `sessions_view` read from `visits`. Safe to run again.
 */
export const SESSIONS_FROM_VISITS_MIGRATION = {
  version: 25,
  name: '025_sessions_from_visits (src/store/sessions-profiles.ts)',
  statements: [
    'DROP VIEW IF EXISTS sessions_mv',
    'DROP VIEW IF EXISTS sessions_view',
    'DROP TABLE IF EXISTS sessions',
    SESSIONS_VIEW_OVER_VISITS,
  ],
};
