-- Forwarding: events a destination did not take after their last attempt (re-sent by `sightline forward retry`,
-- which writes a newer version of the row with `retried` set; readers use FINAL), and the last period each
-- aggregate push delivered, so a restart neither skips nor repeats one.
CREATE TABLE IF NOT EXISTS forward_dead_letters
(
    destination LowCardinality(String),
    event_id    String,
    project     LowCardinality(String),
    -- The event as the destination would have received it (JSON), so a retry sends what was meant.
    payload     String CODEC(ZSTD(3)),
    reason      String,
    attempts    UInt32,
    failed_at   DateTime64(3, 'UTC'),
    retried     Bool,
    retried_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (destination, event_id)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS forward_aggregate_pushes
(
    destination  LowCardinality(String),
    project      LowCardinality(String),
    metric       LowCardinality(String),
    every        LowCardinality(String),
    period_start DateTime('UTC'),
    users        UInt64,
    pushed_at    DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (destination, project, metric, every, period_start)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
