/**
 * Migration 028: the codecs the column specs name (src/store/event-columns.ts, `VISIT_COLUMNS` in
 * src/store/visits.ts) on a store made before them. At 10 M seeded events they take the store from 85 to 77 B/event
 * with no slower page (docs/BENCHMARKS.md): ZSTD on the dictionary columns' indexes and on the visits' lists that
 * goals do not read, `Delta` on the sample key (it rises within a day), `T64` on the visits' small counts.
 *
 * Changing a codec rewrites nothing: ClickHouse writes new parts with it and recompresses the old ones as they merge
 * (`OPTIMIZE TABLE events FINAL` applies it at once, at the cost of rewriting the table). So the migration is quick
 * at any size, and a store made after it gets the codecs from its DDL — the statements then change nothing.
 */
import { EVENT_COLUMNS, type EventColumn } from './event-columns.ts';
import type { Migration } from './migration.ts';
import { GOAL_COLUMNS, VISIT_COLUMNS, VISITS_TABLE } from './visits.ts';

/** `MODIFY COLUMN … CODEC(…)` for each column of `table` whose spec names a codec (names and codecs are ours). */
function codecStatements(table: string, columns: ReadonlyArray<readonly [string, EventColumn]>): string[] {
  return columns.flatMap(([name, c]) =>
    c.codec === undefined ? [] : [`ALTER TABLE ${table} MODIFY COLUMN ${name} CODEC(${c.codec})`],
  );
}

export const COLUMN_CODECS_MIGRATION: Migration = {
  version: 28,
  name: '028_column_codecs (src/store/column-codecs.ts)',
  statements: [
    // Not `session_hash`: a store that gets 028 has it only from 032, which gives it its codec.
    ...codecStatements(
      'events',
      Object.entries(EVENT_COLUMNS).filter(([name]) => name !== 'session_hash'),
    ),
    // Not the goal columns: a store that gets 028 has them only from 031, which gives them their codecs.
    ...codecStatements(
      VISITS_TABLE,
      VISIT_COLUMNS.filter(([name]) => !GOAL_COLUMNS.includes(name)),
    ),
  ],
};
