/** What a role does once its store is reachable: migrations first (retried while it is down), then the sites. */

import { backoffDelay } from '../../log/backoff.ts';
import type { Logger } from '../../observe/logger.ts';
import type { SiteRegistry } from '../../sites/site-registry.ts';
import { migrate } from '../../store/migrate.ts';
import type { Store } from '../../store/store.ts';

/** Migrations keep being retried while the store is down; ingestion is already accepting meanwhile. */
export async function migrateWhenReachable(
  store: Store,
  logger: Logger,
  stop: AbortSignal,
): Promise<boolean> {
  for (let attempt = 0; !stop.aborted; attempt++) {
    try {
      const result = await migrate(store, undefined, (message) => logger.info(message));
      if (result.applied.length > 0) logger.info({ applied: result.applied }, 'store migrations applied');
      return true;
    } catch (err) {
      const delay = backoffDelay(attempt, { baseMs: 500, capMs: 30_000 });
      logger.error(
        { err: (err as Error).message, retryInMs: delay },
        'store not ready for migrations; retrying',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        stop.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return false;
}

/**
 * The sites of the store, then their reload every SIGHTLINE_SITES_REFRESH_SECONDS. The api role first writes those
 * of SIGHTLINE_PROJECTS as managed sites. A store that cannot be read leaves SIGHTLINE_PROJECTS in force.
 */
export async function loadSites(
  sites: SiteRegistry,
  writeConfigured: boolean,
  logger: Logger,
): Promise<void> {
  try {
    if (writeConfigured) await sites.syncConfigured();
    else await sites.refresh();
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'sites could not be read from the store yet; SIGHTLINE_PROJECTS is in force until they can',
    );
  }
  sites.start();
}
