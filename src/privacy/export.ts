/**
 * The access request: every row the store holds for one person, across the tables an erasure clears, as one JSON
 * document. Sessions and profiles come finalised (their views), as the dashboard shows them. 64-bit numbers are
 * strings, so visitor ids survive JSON intact.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { privacyUnavailable } from './errors.ts';
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
import { recordExport } from './privacy-requests.ts';
import type { Subject } from './subject.ts';

export interface PersonExport {
  request: string;
  project: string;
  subject_type: Subject['type'];
  subject: string;
  exported_at: string;
  counts: Record<string, number>;
  tables: Record<string, Array<Record<string, unknown>>>;
}

export async function exportPerson(
  store: Store,
  subject: Subject,
  requestedBy: string,
  now = Date.now(),
  fields: PersonFields = NO_FIELDS,
): Promise<PersonExport> {
  try {
    const base = { project: subject.project, subject: subject.id };
    const own = ownIdWhere(subject.type, PARAMS);
    const [s] = await store.query<{ sessions: string[]; users: string[] }>(
      `SELECT groupUniqArrayIf(session_id, session_id != '') AS sessions,
              groupUniqArrayIf(user_id, user_id != '' AND updates_profile) AS users
       FROM events WHERE project = {project:String} AND ${own}`,
      base,
    );
    const users = subject.type === 'user_id' ? [subject.id] : s.users;
    const params = { ...base, sessions: s.sessions, users, ...fieldParams(fields) };
    const read = (sql: string) => store.query<Record<string, unknown>>(sql, params);
    const tables = {
      events: await read(
        `SELECT * REPLACE (toString(visitor_id) AS visitor_id) FROM events
         WHERE ${eventsWhere(subject.type, PARAMS)} ORDER BY timestamp, event_id`,
      ),
      sessions: await read(
        `SELECT * REPLACE (toString(visitor_id) AS visitor_id) FROM sessions_view
         WHERE ${sessionsWhere(PARAMS)} ORDER BY started_at, session_id`,
      ),
      user_profiles: await read(
        `SELECT * FROM user_profiles_view WHERE ${profilesWhere(PARAMS)} ORDER BY user_id`,
      ),
      dead_letters: await read(
        `SELECT * FROM dead_letters WHERE ${deadLettersWhere(subject.type, PARAMS)} ORDER BY received_at`,
      ),
      forward_dead_letters: await read(
        `SELECT * EXCEPT (version) FROM forward_dead_letters FINAL
         WHERE ${forwardDeadLettersWhere(subject.type, PARAMS)} ORDER BY failed_at, destination, event_id`,
      ),
      logs: await read(`SELECT * FROM logs WHERE ${logsWhere(subject.type, PARAMS)} ORDER BY timestamp`),
      db_changes: await read(
        `SELECT * FROM db_changes WHERE ${dbChangesWhere(subject.type, PARAMS)} ORDER BY ts, xid, xoffset`,
      ),
    };
    const counts = Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, rows.length]));
    const request = randomUUID();
    await recordExport(store, request, subject, requestedBy, counts, now);
    return {
      request,
      project: subject.project,
      subject_type: subject.type,
      subject: subject.id,
      exported_at: new Date(now).toISOString(),
      counts,
      tables,
    };
  } catch (err) {
    throw privacyUnavailable(err);
  }
}
