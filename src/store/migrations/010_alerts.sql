-- Alerts and reports. Rules created in the dashboard (rules from the config are not stored), the state of every
-- rule (latest version per rule: a restart neither fires again nor forgets a firing rule), the history of firings
-- and resolves, and the last period each report was sent for. ReplacingMergeTree keeps the latest row per key;
-- readers use FINAL.
CREATE TABLE IF NOT EXISTS alert_rules
(
    id         String,
    -- The rule as JSON, in the shape of SIGHTLINE_ALERTS (see docs/alerts.md).
    rule       String,
    created_by String,
    updated_at DateTime64(3, 'UTC'),
    deleted    Bool,
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS alert_state
(
    rule_id    String,
    -- `ok` or `firing`.
    state      LowCardinality(String),
    value      Nullable(Float64),
    since      DateTime64(3, 'UTC'),
    checked_at DateTime64(3, 'UTC'),
    version    UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY rule_id
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS alert_history
(
    at        DateTime64(3, 'UTC'),
    rule_id   String,
    rule_name String,
    project   LowCardinality(String),
    -- `firing`, `resolved` or `test`.
    state     LowCardinality(String),
    value     Nullable(Float64),
    threshold Nullable(Float64),
    message   String,
    -- One line per channel: `webhook https://… ok` or `email a@b failed: …`.
    delivery  String
)
ENGINE = MergeTree
ORDER BY (rule_id, at)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;

CREATE TABLE IF NOT EXISTS report_runs
(
    report_id    String,
    period_start DateTime64(3, 'UTC'),
    period_end   DateTime64(3, 'UTC'),
    sent_at      DateTime64(3, 'UTC'),
    recipients   String
)
ENGINE = ReplacingMergeTree(sent_at)
ORDER BY (report_id, period_start)
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1;
