-- The visitor's screen size class (`Mobile`, `Tablet`, `Laptop`, `Desktop`; src/process/adapters/screen-size.ts),
-- placed as src/store/event-columns.ts lists it. Events stored before it read as empty.
ALTER TABLE events ADD COLUMN IF NOT EXISTS screen_size LowCardinality(String) AFTER device_model;
