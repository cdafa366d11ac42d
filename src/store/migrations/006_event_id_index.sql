-- Finds stored event ids quickly (client retries of Segment/Snowplow messages are checked against them).
ALTER TABLE events ADD INDEX IF NOT EXISTS event_id_bloom event_id TYPE bloom_filter(0.01) GRANULARITY 4;
