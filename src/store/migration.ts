/** One numbered step of the store's schema (src/store/migrate.ts applies them in order). */
import type { Store } from './store.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /** Work that is more than statements (e.g. rebuilding a table), after them. Must be safe to run again. */
  run?: (store: Store) => Promise<void>;
}
