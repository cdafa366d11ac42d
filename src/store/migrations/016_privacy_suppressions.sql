-- The suppression list (src/privacy/suppressions.ts): people erased with `--suppress-days N` / `?suppress_days=N`,
-- whose events the processor drops until `until`. Only a hash is kept, the same SHA-256 of
-- "project\0subject_type\0id" as privacy_requests.subject_hash, never the id. The processor compares the hash of
-- each event's user id against the list it loads from here. A row is removed by the TTL once it has expired.
CREATE TABLE IF NOT EXISTS privacy_suppressions
(
    subject_hash String,
    project      LowCardinality(String),
    -- The erasure that asked for it (privacy_requests.id).
    request      String,
    until        DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(until)
ORDER BY subject_hash
TTL toDateTime(until) + INTERVAL 1 DAY
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
