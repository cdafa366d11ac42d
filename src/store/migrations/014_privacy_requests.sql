-- Erasure and export requests (src/privacy): the audit of every one (who, when, what, how many rows) and the journal
-- that lets a restart finish an erasure. A request is written `pending` before any row is touched, holding the
-- person's id and the plan (their sessions, the profiles and the UTC days to rebuild); the erasure's mutations read
-- the id from here, so no statement text (kept by ClickHouse with its mutations) carries it. When the erasure is
-- done, a `done` version without the id replaces it and the pending version is deleted: the audit keeps only a
-- SHA-256 of the id. ReplacingMergeTree keeps the latest version per id; readers use FINAL.
CREATE TABLE IF NOT EXISTS privacy_requests
(
    id           String,
    -- `erase` or `export`.
    kind         LowCardinality(String),
    project      LowCardinality(String),
    -- `user_id` or `visitor_id`.
    subject_type LowCardinality(String),
    -- The id itself, only while an erasure is pending; empty otherwise.
    subject      String,
    -- hex SHA-256 of "project\0subject_type\0id": lets an admin check whether a given person was handled.
    subject_hash String,
    requested_by String,
    requested_at DateTime64(3, 'UTC'),
    -- `pending` or `done`.
    status       LowCardinality(String),
    finished_at  DateTime64(3, 'UTC'),
    -- Rows per table: removed by an erasure, included in an export.
    counts       Map(String, UInt64),
    -- The plan of a pending erasure, emptied when it is done.
    sessions     Array(String),
    users        Array(String),
    days         Array(Date),
    version      UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
