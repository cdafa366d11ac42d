/** What an erasure will touch, read before anything changes: the person's visits, profiles, days and row counts. */
import type { Store } from '../store/store.ts';
import { VISITS_TABLE } from '../store/visits.ts';
import {
  dbChangesWhere,
  deadLettersWhere,
  eventsWhere,
  fieldParams,
  forwardDeadLettersWhere,
  logsWhere,
  NO_FIELDS,
  ownIdWhere,
  PARAMS,
  type PersonFields,
  profilesWhere,
  sessionsWhere,
} from './person-rows.ts';
import type { ErasurePlan } from './privacy-requests.ts';
import type { Subject } from './subject.ts';

const DAY_MS = 86_400_000;

/** Reads, before anything changes, what the erasure will touch; the id travels as a query parameter only. */
export async function planErasure(
  store: Store,
  subject: Subject,
  fields: PersonFields = NO_FIELDS,
): Promise<ErasurePlan> {
  const base = { project: subject.project, subject: subject.id };
  const own = ownIdWhere(subject.type, PARAMS);
  const [s] = await store.query<{ sessions: string[] }>(
    `SELECT groupUniqArray(session_id) AS sessions FROM events
     WHERE project = {project:String} AND session_id != '' AND ${own}`,
    base,
  );
  const sessions = [...s.sessions].sort();
  const [e] = await store.query<{ events: number | string; days: string[]; users: string[] }>(
    `SELECT count() AS events, arraySort(groupUniqArray(toString(toDate(timestamp, 'UTC')))) AS days,
            groupUniqArrayIf(user_id, user_id != '' AND updates_profile) AS users
     FROM events WHERE ${eventsWhere(subject.type, PARAMS)}`,
    { ...base, sessions },
  );
  // A user's profile is theirs whatever their events say; a visitor's events may have fed some users' profiles.
  const users = subject.type === 'user_id' ? [subject.id] : [...e.users].sort();
  const params = { ...base, sessions, users, ...fieldParams(fields) };
  const [c] = await store.query<Record<string, number | string>>(
    `SELECT
       (SELECT uniqExact(tenant_id, session_id) FROM ${VISITS_TABLE} WHERE ${sessionsWhere(PARAMS)} AND sign = 1) AS sessions,
       (SELECT uniqExact(user_id) FROM user_profiles WHERE ${profilesWhere(PARAMS)}) AS user_profiles,
       (SELECT count() FROM dead_letters WHERE ${deadLettersWhere(subject.type, PARAMS)}) AS dead_letters,
       (SELECT count() FROM forward_dead_letters FINAL WHERE ${forwardDeadLettersWhere(subject.type, PARAMS)}) AS forward_dead_letters,
       (SELECT count() FROM logs WHERE ${logsWhere(subject.type, PARAMS)}) AS logs,
       (SELECT count() FROM db_changes WHERE ${dbChangesWhere(subject.type, PARAMS)}) AS db_changes`,
    params,
  );
  return {
    sessions,
    users,
    days: e.days,
    counts: {
      events: Number(e.events),
      sessions: Number(c.sessions),
      user_profiles: subject.type === 'user_id' ? Number(c.user_profiles) : 0,
      dead_letters: Number(c.dead_letters),
      forward_dead_letters: Number(c.forward_dead_letters),
      logs: Number(c.logs),
      db_changes: Number(c.db_changes),
      rollup_days: e.days.length,
    },
  };
}

/** Consecutive days as [from, to) ranges in ms, so a long stretch is rebuilt in one pass. */
export function dayRanges(days: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const day of [...days].sort()) {
    const start = Date.parse(`${day}T00:00:00Z`);
    const last = ranges.at(-1);
    if (last && last[1] === start) last[1] = start + DAY_MS;
    else ranges.push([start, start + DAY_MS]);
  }
  return ranges;
}
