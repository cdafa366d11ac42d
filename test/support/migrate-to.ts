/** A store as an older version left it: the migrations numbered below (or up to) a version, not the later ones. */
import { listMigrations, type MigrateResult, migrate } from '../../src/store/migrate.ts';
import type { Store } from '../../src/store/store.ts';

export function migrateBefore(store: Store, version: number): Promise<MigrateResult> {
  return migrate(
    store,
    listMigrations().filter((m) => m.version < version),
  );
}

export function migrateThrough(store: Store, version: number): Promise<MigrateResult> {
  return migrate(
    store,
    listMigrations().filter((m) => m.version <= version),
  );
}
