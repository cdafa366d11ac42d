-- Device vendor and model (from the user agent, or the sec-ch-ua-model client hint).
ALTER TABLE events ADD COLUMN IF NOT EXISTS device_vendor LowCardinality(String) AFTER device_type;
ALTER TABLE events ADD COLUMN IF NOT EXISTS device_model LowCardinality(String) AFTER device_vendor;

-- Why an event is flagged as a bot: `user-agent`, `deny-list` or `referrer-spam` (empty for people).
ALTER TABLE events ADD COLUMN IF NOT EXISTS bot_reason LowCardinality(String) AFTER is_bot;
