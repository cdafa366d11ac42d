-- Every change an admin makes to the site's settings from the dashboard or the API (sites, write keys, goals,
-- funnels): who, what, when. Written by src/store/settings-audit.ts; read by admins only (a secret table for the
-- read-only SQL user, see src/store/sql-guard.ts).
CREATE TABLE IF NOT EXISTS settings_audit
(
    id         String,
    at         DateTime64(3, 'UTC'),
    -- The account (or `admin-token`) that made the change.
    actor      String,
    -- The project the change belongs to; empty for changes outside any project.
    project    LowCardinality(String),
    -- `site`, `write_key`, `goal`, `funnel`, …
    entity     LowCardinality(String),
    entity_id  String,
    -- `create`, `update`, `delete`, `rotate`, …
    action     LowCardinality(String),
    -- A short, human description (never a secret: write keys appear by their prefix only).
    detail     String
)
ENGINE = MergeTree
ORDER BY (at, id)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
