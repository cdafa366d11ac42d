/**
 * Numbered SQL files in `migrations/`, applied in order at start-up and by `sightline migrate`.
 * Each statement is idempotent (IF NOT EXISTS), and applied versions are recorded, so running twice is safe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { COLUMN_CODECS_MIGRATION } from './column-codecs.ts';
import { migrationFailed } from './errors.ts';
import { sampleKeyMigration } from './events-sample-key.ts';
import { SESSION_HASH_MIGRATION } from './events-session-hash.ts';
import type { Migration } from './migration.ts';
import {
  NARROW_ROLLUPS_MIGRATION,
  ROLLUP_FEED_MIGRATION,
  ROLLUP_GRANULES_MIGRATION,
  ROLLUP_MIGRATION,
  ROLLUP_PAGES_FIRST_MIGRATION,
} from './rollups.ts';
import { SESSIONS_FROM_VISITS_MIGRATION, SESSIONS_PROFILES_MIGRATION } from './sessions-profiles.ts';
import type { Store } from './store.ts';
import {
  OTHER_EVENT_COUNTS_MIGRATION,
  VISIT_CONTENTS_MIGRATION,
  VISIT_GOALS_MIGRATION,
  VISITS_MIGRATION,
} from './visits-migrations.ts';

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

export type { Migration } from './migration.ts';

/** Splits on `;` at the end of a line; comments are dropped so they cannot hide a statement. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*$/m)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/**
 * Migrations built in code, where the same SQL also serves code that runs later (the rollups' SELECT feeds their
 * view, their backfill and `rebuildRollups`; the seed checks the views on events against their SELECTs): one definition instead of copies that could drift apart.
 */
const CODE_MIGRATIONS: readonly Migration[] = [
  SESSIONS_PROFILES_MIGRATION,
  ROLLUP_MIGRATION,
  VISITS_MIGRATION,
  NARROW_ROLLUPS_MIGRATION,
  SESSIONS_FROM_VISITS_MIGRATION,
  VISIT_CONTENTS_MIGRATION,
  ROLLUP_FEED_MIGRATION,
  COLUMN_CODECS_MIGRATION,
  ROLLUP_GRANULES_MIGRATION,
  ROLLUP_PAGES_FIRST_MIGRATION,
  VISIT_GOALS_MIGRATION,
  SESSION_HASH_MIGRATION,
  OTHER_EVENT_COUNTS_MIGRATION,
];

export function listMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file,
      statements: splitStatements(fs.readFileSync(path.join(dir, file), 'utf8')),
    }));
  const before = [...files, ...CODE_MIGRATIONS];
  // Re-ordering events recreates the views over it from the definitions before it.
  return [...before, sampleKeyMigration(() => before)].sort((a, b) => a.version - b.version);
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate(
  store: Store,
  migrations = listMigrations(),
  progress: (message: string) => void = () => {},
): Promise<MigrateResult> {
  await store.command(
    `CREATE TABLE IF NOT EXISTS sightline_migrations (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
     ENGINE = ReplacingMergeTree ORDER BY version`,
  );
  const rows = await store.query<{ version: number }>('SELECT DISTINCT version FROM sightline_migrations');
  const done = new Set(rows.map((r) => Number(r.version)));
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    if (done.has(migration.version)) {
      result.alreadyApplied.push(migration.name);
      continue;
    }
    try {
      for (const statement of migration.statements) await store.command(statement);
      await migration.run?.(store, (message) => progress(`${migration.name}: ${message}`));
      await store.insert(
        'sightline_migrations',
        [{ version: migration.version, name: migration.name }],
        `migration-${migration.version}`,
      );
    } catch (err) {
      throw migrationFailed(migration.name, err);
    }
    result.applied.push(migration.name);
  }
  return result;
}
