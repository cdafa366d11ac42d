/** One numbered step of the store's schema (src/store/migrate.ts applies them in order). */
import type { Store } from './store.ts';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  /**
   * Work that is more than statements (e.g. rebuilding a table), after them. Must be safe to run again. Long work
   * says how far it is through `progress` (a line for the operator: start-up can take minutes on a big store).
   */
  run?: (store: Store, progress: (message: string) => void) => Promise<void>;
}
