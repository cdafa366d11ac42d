/**
 * A site's own retention (`retention_days`): its events, and their rollups, older than that are deleted. The table-wide
 * TTL (SIGHTLINE_RETENTION_EVENTS_DAYS, src/store/retention.ts) still applies to every site, so the shorter wins.
 * Run by the api role at start and every hour; a site with nothing past its limit costs one count, no mutation.
 */
import type { Logger } from '../observe/logger.ts';
import type { Store } from '../store/store.ts';
import type { SiteRegistry } from './site-registry.ts';

/** The tables of events a site's retention covers, each with its time column (as the table-wide TTL has them). */
const TABLES = [
  { table: 'events', column: 'timestamp' },
  { table: 'events_hourly', column: 'hour' },
  { table: 'events_daily', column: 'day' },
  { table: 'visits', column: 'started_at' },
] as const;

export const SITE_RETENTION_EVERY_MS = 3_600_000;

/** Deletes what is past each site's limit; returns the sites that had something to delete. */
export async function applySiteRetention(store: Store, sites: SiteRegistry): Promise<string[]> {
  const trimmed: string[] = [];
  for (const site of sites.list()) {
    if (site.retentionDays <= 0) continue;
    const params = { project: site.name, days: site.retentionDays };
    let any = false;
    for (const { table, column } of TABLES) {
      const where = `project = {project:String} AND toDateTime(${column}) < now() - toIntervalDay({days:UInt32})`;
      const [row] = await store.query<{ n: string | number }>(
        `SELECT count() AS n FROM ${table} WHERE ${where}`,
        params,
      );
      if (Number(row?.n ?? 0) === 0) continue;
      any = true;
      await store.exec(`ALTER TABLE ${table} DELETE WHERE ${where} SETTINGS mutations_sync = 2`, params);
    }
    if (any) trimmed.push(site.name);
  }
  return trimmed;
}

/** Runs the retention now and every hour until stopped. */
export function startSiteRetention(store: Store, sites: SiteRegistry, logger: Logger): { stop(): void } {
  const run = () =>
    applySiteRetention(store, sites).then(
      (trimmed) => trimmed.length > 0 && logger.info({ sites: trimmed }, 'site retention applied'),
      (err) => logger.warn({ err: (err as Error).message }, 'site retention could not be applied'),
    );
  void run();
  const timer = setInterval(run, SITE_RETENTION_EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
