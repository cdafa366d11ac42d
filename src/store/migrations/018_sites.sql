-- Sites (projects) and their write keys as data: added, edited and deleted from the dashboard or the API, read by
-- the collector every few seconds (src/sites/site-registry.ts). Rows are versioned like the other settings tables
-- (ReplacingMergeTree keeps the latest per key; readers use FINAL). Projects of SIGHTLINE_PROJECTS are written here
-- at start with `managed` set, and are read-only over the API.
CREATE TABLE IF NOT EXISTS sites
(
    -- The project id events carry (`project` in events, X-App, …).
    name            String,
    display_name    String,
    -- Host names of the site; Plausible's `domain` and Umami's website id resolve to the site through these.
    domains         Array(String),
    -- IANA time zone the dashboard opens in.
    time_zone       String,
    -- Browser origins (`https://example.com`) that may send for this site; empty = any origin.
    allowed_origins Array(String),
    -- Days this site's events are kept; 0 = SIGHTLINE_RETENTION_EVENTS_DAYS.
    retention_days  UInt32,
    public          Bool,
    -- Defined by SIGHTLINE_PROJECTS: read-only over the API.
    managed         Bool,
    created_at      DateTime64(3, 'UTC'),
    updated_at      DateTime64(3, 'UTC'),
    deleted         Bool,
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY name
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

-- Write keys of the sites created over the API. Only a SHA-256 of each key is kept (the key is shown once, when it
-- is made); `prefix` is its first characters, to tell keys apart. A rotated key keeps working until `expires_at`.
CREATE TABLE IF NOT EXISTS site_keys
(
    id          String,
    site        String,
    prefix      String,
    key_hash    String,
    created_at  DateTime64(3, 'UTC'),
    -- NULL: until revoked.
    expires_at  Nullable(DateTime64(3, 'UTC')),
    revoked     Bool,
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
