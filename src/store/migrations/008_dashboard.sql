-- Dashboard accounts, login sessions and saved Explore queries. Small tables updated by writing a newer version of
-- a row (ReplacingMergeTree keeps the latest per key; readers use FINAL). Secrets are stored hashed only.
CREATE TABLE IF NOT EXISTS dashboard_users
(
    email         String,
    name          String,
    -- scrypt: `scrypt$N$r$p$salt$hash` (base64url); empty while an invitation is pending.
    password_hash String,
    -- JSON object project → role (`admin` | `viewer`); the key `*` means every project.
    roles         String,
    invite_hash   String,
    created_at    DateTime64(3, 'UTC'),
    disabled      Bool,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY email
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS dashboard_sessions
(
    token_hash String,
    email      String,
    created_at DateTime64(3, 'UTC'),
    expires_at DateTime64(3, 'UTC'),
    revoked    Bool,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY token_hash
TTL toDateTime(expires_at) + INTERVAL 1 DAY
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS saved_queries
(
    id         String,
    name       String,
    sql        String,
    -- JSON: chart type and axes as the Explore page drew them.
    chart      String,
    created_by String,
    updated_at DateTime64(3, 'UTC'),
    deleted    Bool,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
