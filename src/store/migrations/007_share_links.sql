-- Read-only links to a project's dashboard. Only a hash of each token is kept; revoking writes a newer version of
-- the row (ReplacingMergeTree keeps the latest per id; readers use FINAL).
CREATE TABLE IF NOT EXISTS share_links
(
    id          String,
    token_hash  String,
    project     LowCardinality(String),
    tenant_id   String,
    name        String,
    created_at  DateTime64(3, 'UTC'),
    revoked     Bool,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
