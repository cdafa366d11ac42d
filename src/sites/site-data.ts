/**
 * What a site has stored: the count its deletion must be confirmed with and the onboarding screen waits on, and the
 * removal of every row of it when the site is deleted.
 */
import type { Store } from '../store/store.ts';

/**
 * Tables whose rows belong to a project and go with its site: events with their rollups, visits and profiles,
 * logs, database changes and undeliverable events. Audit rows (settings, privacy requests, alert history) stay.
 */
export const SITE_DATA_TABLES = [
  'events',
  'events_hourly',
  'events_daily',
  'visits',
  'user_profiles',
  'logs',
  'db_changes',
  'dead_letters',
  'forward_dead_letters',
] as const;

export interface SiteEvents {
  events: number;
  /** ISO time the newest event was received; null while there is none. */
  latest: string | null;
}

export async function siteEvents(store: Store, project: string): Promise<SiteEvents> {
  const [row] = await store.query<{ n: string | number; latest_ms: string | number }>(
    `SELECT count() AS n, toUnixTimestamp64Milli(max(received_at)) AS latest_ms
     FROM events WHERE project = {project:String}`,
    { project },
  );
  const events = Number(row?.n ?? 0);
  return { events, latest: events > 0 ? new Date(Number(row?.latest_ms)).toISOString() : null };
}

/** Deletes the project's rows from every data table that exists, waiting until the rows are gone. */
export async function removeSiteData(store: Store, project: string): Promise<void> {
  const present = new Set(
    (
      await store.query<{ name: string }>(
        'SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
        { names: [...SITE_DATA_TABLES] },
      )
    ).map((r) => r.name),
  );
  for (const table of SITE_DATA_TABLES)
    if (present.has(table))
      await store.exec(
        `ALTER TABLE ${table} DELETE WHERE project = {project:String} SETTINGS mutations_sync = 2`,
        {
          project,
        },
      );
}
