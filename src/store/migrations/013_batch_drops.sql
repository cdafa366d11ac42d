-- Which events of a processed group were left out as already stored (client retries, and on Kafka any repeated
-- event id), keyed by the group's insert token (`batch_key`). Written, fsync'd, before the group's insert: a re-delivered group
-- reads it back and inserts exactly the block its first attempt inserted, so the views (sessions, profiles,
-- rollups) deduplicate or complete that block instead of receiving a thinner one. Rows age out after 30 days.
CREATE TABLE IF NOT EXISTS batch_drops
(
    batch_key  String,
    dropped    Array(UInt32),
    decided_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY batch_key
TTL decided_at + INTERVAL 30 DAY
SETTINGS fsync_after_insert = 1, fsync_part_directory = 1;
