-- Conversion goals and saved funnels made in the dashboard, per project (goals of SIGHTLINE_GOALS are not stored:
-- they are read from the config at every start). Goals are conditions read at query time, so a new or changed goal
-- applies to past events at once. Updated by writing a newer version of a row (ReplacingMergeTree keeps the latest
-- per id; readers use FINAL); a deletion is a version with `deleted`. Written by src/goals/.
CREATE TABLE IF NOT EXISTS goals
(
    id         String,
    project    LowCardinality(String),
    -- The goal's name in the API and the dashboard (`goal=` of the stats routes); unique per project.
    name       String,
    -- `event` (an event type) or `page` (a path pattern, `*` = any run of characters).
    kind       LowCardinality(String),
    value      String,
    -- JSON: [{"key":"plan","op":"is","value":"pro"}, …] (event goals only).
    conditions String,
    created_by String,
    updated_at DateTime64(3, 'UTC'),
    deleted    Bool,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS saved_funnels
(
    id         String,
    project    LowCardinality(String),
    name       String,
    -- JSON: the steps as GET /api/v1/stats/funnel takes them ([{"page":"/pricing"},{"event":"signup"}]).
    steps      String,
    -- `30m`, `1h`, `7d` …: the funnel's window, as the route's `window`.
    funnel_window String,
    created_by String,
    updated_at DateTime64(3, 'UTC'),
    deleted    Bool,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
