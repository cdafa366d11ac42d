-- Canonical events: one row per event. Ordered by project then time so every dashboard query
-- reads a narrow range; LowCardinality and Delta/ZSTD codecs keep the bytes per event small.
-- non_replicated_deduplication_window: ClickHouse keeps no insert hashes on a plain MergeTree by
-- default (window 0), which would silently turn the processor's insert_deduplication_token into a no-op.
-- fsync_after_insert: the log position is committed after the insert returns, so the part must be on disk.
CREATE TABLE IF NOT EXISTS events
(
    event_id        UUID,
    project         LowCardinality(String),
    tenant_id       LowCardinality(String),
    type            LowCardinality(String),
    timestamp       DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    received_at     DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    user_id         String CODEC(ZSTD(1)),
    session_id      String CODEC(ZSTD(1)),
    visitor_id      UInt64 CODEC(ZSTD(1)),
    host            LowCardinality(String),
    path            String CODEC(ZSTD(1)),
    referrer        String CODEC(ZSTD(1)),
    referrer_source LowCardinality(String),
    channel         LowCardinality(String),
    utm_source      LowCardinality(String),
    utm_medium      LowCardinality(String),
    utm_campaign    LowCardinality(String),
    utm_term        String CODEC(ZSTD(1)),
    utm_content     String CODEC(ZSTD(1)),
    locale          LowCardinality(String),
    app_version     LowCardinality(String),
    country         LowCardinality(String),
    region          LowCardinality(String),
    city            LowCardinality(String),
    browser         LowCardinality(String),
    browser_version LowCardinality(String),
    os              LowCardinality(String),
    os_version      LowCardinality(String),
    device_type     LowCardinality(String),
    is_bot          Bool,
    updates_profile Bool,
    protocol        LowCardinality(String),
    ip              String CODEC(ZSTD(1)),
    props           String DEFAULT '{}' CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project, toDate(timestamp), type, timestamp)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

-- Anything accepted that could not become a row: kept with the reason and the raw payload, never dropped.
CREATE TABLE IF NOT EXISTS dead_letters
(
    received_at DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    project     LowCardinality(String),
    source      LowCardinality(String),
    reason      String CODEC(ZSTD(1)),
    envelope_id String CODEC(ZSTD(1)),
    payload     String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (project, received_at)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
