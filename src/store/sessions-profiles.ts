/**
 * Sessions and user profiles, aggregated as events arrive: each a materialized view on `events` into an
 * AggregatingMergeTree, and a plain view that merges the states (`sessions_view`, `user_profiles_view`). The views'
 * SELECTs are defined here once: migration 002 creates the views from them, and the seed checks that the store's
 * views are still these before it writes the tables directly (src/seed/seed.ts `viewsMirrored`).
 *
 * Sessions: read them with GROUP BY project, session_id and the -Merge functions (or `sessions_view`). Bounce: one
 * pageview and no other (engagement) event.
 *
 * Profiles per (project, user_id): first/last seen, counts, last known device and traits (from identify calls, last
 * value wins; empty values never overwrite known ones). Fed by the events the processor marks `updates_profile`:
 * those with a user id whose type passes SIGHTLINE_PROFILE_EVENT_TYPES (identify always does).
 */
export const SESSIONS_VIEW = 'sessions_mv';
export const PROFILES_VIEW = 'user_profiles_mv';

/** The `sessions` rows of the events `source` holds (a table name, or a parenthesised subquery with an alias). */
export function sessionsViewSelect(source: string): string {
  return `SELECT
    project,
    tenant_id,
    session_id,
    any(visitor_id) AS visitor_id,
    min(timestamp) AS start,
    max(timestamp) AS end,
    toUInt64(count()) AS events,
    toUInt64(countIf(type = 'pageview')) AS pageviews,
    max(is_bot) AS is_bot,
    argMinIfState(path, timestamp, toUInt8(type = 'pageview')) AS entry_path,
    argMaxIfState(path, timestamp, toUInt8(type = 'pageview')) AS exit_path,
    argMinState(referrer_source, timestamp) AS source,
    argMinState(channel, timestamp) AS channel,
    argMinState(country, timestamp) AS country,
    argMinState(device_type, timestamp) AS device_type,
    argMinState(browser, timestamp) AS browser
FROM ${source}
WHERE session_id != ''
GROUP BY project, tenant_id, session_id`;
}

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
 * Migration 002 (once `002_sessions_profiles.sql`: the same statements). A plain object, so this module imports
 * nothing from migrate.ts, which lists it.
 */
export const SESSIONS_PROFILES_MIGRATION = {
  version: 2,
  name: '002_sessions_profiles (src/store/sessions-profiles.ts)',
  statements: [
    `CREATE TABLE IF NOT EXISTS sessions
(
    project     LowCardinality(String),
    tenant_id   LowCardinality(String),
    session_id  String,
    visitor_id  SimpleAggregateFunction(any, UInt64),
    start       SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
    end         SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
    events      SimpleAggregateFunction(sum, UInt64),
    pageviews   SimpleAggregateFunction(sum, UInt64),
    is_bot      SimpleAggregateFunction(max, Bool),
    entry_path  AggregateFunction(argMinIf, String, DateTime64(3, 'UTC'), UInt8),
    exit_path   AggregateFunction(argMaxIf, String, DateTime64(3, 'UTC'), UInt8),
    source      AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    channel     AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    country     AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    device_type AggregateFunction(argMin, String, DateTime64(3, 'UTC')),
    browser     AggregateFunction(argMin, String, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
ORDER BY (project, tenant_id, session_id)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${SESSIONS_VIEW} TO sessions AS\n${sessionsViewSelect('events')}`,
    `CREATE VIEW IF NOT EXISTS sessions_view AS
SELECT
    project,
    tenant_id,
    session_id,
    any(visitor_id) AS visitor_id,
    min(start) AS started_at,
    max(end) AS ended_at,
    dateDiff('second', started_at, ended_at) AS duration,
    sum(events) AS event_count,
    sum(pageviews) AS pageview_count,
    toBool(pageview_count = 1 AND event_count = 1) AS bounce,
    max(is_bot) AS is_bot,
    argMinIfMerge(entry_path) AS entry_path,
    argMaxIfMerge(exit_path) AS exit_path,
    argMinMerge(source) AS source,
    argMinMerge(channel) AS channel,
    argMinMerge(country) AS country,
    argMinMerge(device_type) AS device_type,
    argMinMerge(browser) AS browser
FROM sessions
GROUP BY project, tenant_id, session_id`,
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
