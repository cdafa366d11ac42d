/**
 * Migration 032: `events.session_hash` (SESSION_HASH, src/store/event-keys.ts), a MATERIALIZED column — computed by
 * the engine on every insert and absent from `SELECT *`, so no writer or export changes. The events stored before it
 * get theirs in the background (`MATERIALIZE COLUMN` rewrites that one column of every part); until a part is
 * rewritten the engine computes the hash when reading it, so answers are the same either way. Safe to run again.
 */
import { EVENT_COLUMNS } from './event-columns.ts';
import type { Migration } from './migration.ts';

const { type, materialized, codec } = EVENT_COLUMNS.session_hash;

export const SESSION_HASH_MIGRATION: Migration = {
  version: 32,
  name: '032_session_hash (src/store/events-session-hash.ts)',
  statements: [
    `ALTER TABLE events ADD COLUMN IF NOT EXISTS session_hash ${type} MATERIALIZED ${materialized} CODEC(${codec}) AFTER sample_key`,
    'ALTER TABLE events MATERIALIZE COLUMN session_hash',
  ],
};
