-- Server and application logs: shipped by Fluent Bit, Vector, Filebeat, rsyslog or sent as JSON lines, nginx access
-- lines and syslog lines parsed into fields. `attributes` keeps every field that has no column of its own.
CREATE TABLE IF NOT EXISTS logs
(
    timestamp   DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    received_at DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1)),
    project     LowCardinality(String),
    host        LowCardinality(String),
    service     LowCardinality(String),
    level       LowCardinality(String),
    message     String CODEC(ZSTD(3)),
    attributes  Map(LowCardinality(String), String) CODEC(ZSTD(3)),
    source      LowCardinality(String),
    INDEX message_tokens message TYPE tokenbf_v1(8192, 3, 0) GRANULARITY 4
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
ORDER BY (project, service, level, timestamp)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
