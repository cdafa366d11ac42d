-- Database changes in Maxwell's shape (from Sightline's CDC agent, from Maxwell itself, or POSTed to /cdc).
-- `data` is the row after the change, `old` only the columns an update changed (their previous values).
CREATE TABLE IF NOT EXISTS db_changes
(
    received_at DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    project     LowCardinality(String),
    database    LowCardinality(String),
    table       LowCardinality(String),
    type        LowCardinality(String),
    ts          DateTime('UTC') CODEC(Delta(4), ZSTD(1)),
    xid         UInt64,
    xoffset     UInt32,
    commit      Bool,
    data        String CODEC(ZSTD(3)),
    old         String CODEC(ZSTD(3)),
    primary_key String CODEC(ZSTD(1)),
    position    String CODEC(ZSTD(1)),
    server_id   UInt32
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (project, database, table, ts, xid, xoffset)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
