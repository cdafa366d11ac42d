/** Finding and deleting what an earlier seed wrote into a project (seeded rows are marked: `seed-markers.ts`). */
import { rebuildRollups } from '../store/rollups.ts';
import type { Store } from '../store/store.ts';
import { VISITS_TABLE } from '../store/visits.ts';
import { SEED_LOG_SOURCE, SEED_POSITION_PREFIX, SEED_PROTOCOL } from './seed-markers.ts';
import { str } from './sql-literals.ts';

export interface SeededCounts {
  events: number;
  first: string;
  last: string;
}

/** What an earlier seed left in the project. */
export async function seededEvents(store: Store, project: string): Promise<SeededCounts> {
  const [row] = await store.query<{ n: string | number; first: string; last: string }>(
    `SELECT count() AS n, toString(toDate(min(timestamp))) AS first, toString(toDate(max(timestamp))) AS last
     FROM events WHERE project = {project:String} AND protocol = {protocol:String}`,
    { project, protocol: SEED_PROTOCOL },
  );
  return { events: Number(row?.n ?? 0), first: row?.first ?? '', last: row?.last ?? '' };
}

/**
 * Deletes every row an earlier seed wrote into `project` — its events, the sessions, user profiles and rollups the
 * views built from them, its logs and database changes — and nothing else. Returns the events deleted.
 */
export async function removeSeeded(store: Store, project: string): Promise<number> {
  const { events } = await seededEvents(store, project);
  const p = str(project);
  const seeded = `SELECT %s FROM events WHERE project = ${p} AND protocol = ${str(SEED_PROTOCOL)}`;
  if (events > 0) {
    const [span] = await store.query<{ first: string | number; last: string | number }>(
      `SELECT toUnixTimestamp64Milli(min(timestamp)) AS first, toUnixTimestamp64Milli(max(timestamp)) AS last
       FROM events WHERE project = {project:String} AND protocol = {protocol:String}`,
      { project, protocol: SEED_PROTOCOL },
    );
    // Sessions, visits and profiles first: they are found through the seeded events.
    await store.command(
      `DELETE FROM ${VISITS_TABLE} WHERE project = ${p} AND session_id IN (${seeded.replace('%s', 'session_id')})`,
    );
    await store.command(
      `DELETE FROM user_profiles WHERE project = ${p} AND user_id IN (${seeded.replace('%s', 'user_id')})`,
    );
    await store.command(`DELETE FROM events WHERE project = ${p} AND protocol = ${str(SEED_PROTOCOL)}`);
    // The rollups of those hours, from whatever events remain there (real ones, with --force).
    await rebuildRollups(store, project, Number(span.first), Number(span.last) + 1);
  }
  await store.command(`DELETE FROM logs WHERE project = ${p} AND source = ${str(SEED_LOG_SOURCE)}`);
  await store.command(
    `DELETE FROM db_changes WHERE project = ${p} AND startsWith(position, ${str(SEED_POSITION_PREFIX)})`,
  );
  return events;
}
