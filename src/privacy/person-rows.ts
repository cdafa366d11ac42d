/**
 * Which rows of each table belong to a person, as SQL conditions, written once for the export (which reads) and
 * the erasure (which deletes). Two ways to name the person:
 * - `PARAMS`: query parameters (`{subject:String}`, `{sessions:Array(String)}`, …), for reads;
 * - `journalRefs(…)`: subqueries on the request's `pending` row in `privacy_requests`, for the erasure's
 *   mutations — ClickHouse keeps a mutation's statement text (system.mutations, files in the table's folder), so
 *   the id must not be in it. When that row is gone, the subqueries are empty and the conditions match nothing.
 *
 * A user's rows: events with their `user_id`, and the anonymous events of the visits they were identified in (the
 * same browser visit before login). A visitor's rows: events with their `visitor_id`.
 */
import type { SubjectType } from './subject.ts';

export interface PersonRefs {
  /** A scalar String: the id ('' = no one). */
  subject: string;
  /** Something `x IN …` accepts: the person's session ids. */
  sessions: string;
  /** Something `x IN …` accepts: the user ids whose profiles are the person's or were touched. */
  users: string;
}

export const PARAMS: PersonRefs = {
  subject: '{subject:String}',
  sessions: '{sessions:Array(String)}',
  users: '{users:Array(String)}',
};

export const JOURNAL_TABLE = 'privacy_requests';

export function journalRefs(): PersonRefs {
  const from = `FROM ${JOURNAL_TABLE} WHERE id = {request:String} AND status = 'pending'`;
  return {
    // ifNull: a scalar subquery is Nullable, which multiSearchAny (dead letters) does not take.
    subject: `ifNull((SELECT any(subject) ${from}), '')`,
    sessions: `(SELECT arrayJoin(sessions) ${from})`,
    users: `(SELECT arrayJoin(users) ${from})`,
  };
}

const PROJECT = 'project = {project:String}';

/** Events that carry the person's id itself (without the project): a user's visits are found through these. */
export function ownIdWhere(type: SubjectType, r: PersonRefs): string {
  return type === 'visitor_id'
    ? `visitor_id != 0 AND visitor_id = toUInt64OrZero(${r.subject})`
    : `user_id != '' AND user_id = ${r.subject}`;
}

export function eventsWhere(type: SubjectType, r: PersonRefs): string {
  if (type === 'visitor_id') return `${PROJECT} AND ${ownIdWhere(type, r)}`;
  return `${PROJECT} AND ((${ownIdWhere(type, r)})
    OR (user_id = '' AND session_id != '' AND session_id IN ${r.sessions}))`;
}

/** Session rows of the person's visits (`sessions`, or `sessions_view`). */
export function sessionsWhere(r: PersonRefs): string {
  return `${PROJECT} AND session_id != '' AND session_id IN ${r.sessions}`;
}

/** Profile rows (`user_profiles`, or `user_profiles_view`). */
export function profilesWhere(r: PersonRefs): string {
  return `${PROJECT} AND user_id != '' AND user_id IN ${r.users}`;
}

/**
 * Dead letters are what could not be parsed, so they have no user id column: the payload is searched for the id as
 * a JSON string (`"alice@example.com"`, also with `/` escaped as JSON may write it). A visitor id is computed
 * later, in processing, so no dead letter carries one.
 */
export function deadLettersWhere(type: SubjectType, r: PersonRefs): string {
  if (type === 'visitor_id') return '0';
  const s = r.subject;
  return `${PROJECT} AND ${s} != ''
    AND multiSearchAny(payload, [concat('"', ${s}, '"'), toJSONString(${s}), replaceAll(toJSONString(${s}), '\\\\/', '/')])`;
}

/** Forwarding dead letters hold the event as it was to be sent (src/forward/forward-event.ts): its fields. */
export function forwardDeadLettersWhere(type: SubjectType, r: PersonRefs): string {
  const field = (name: string) => `JSONExtractString(payload, '${name}')`;
  if (type === 'visitor_id')
    return `${PROJECT} AND ${r.subject} != '' AND ${field('visitor_id')} = ${r.subject}`;
  return `${PROJECT} AND ((${r.subject} != '' AND ${field('user_id')} = ${r.subject})
    OR (${field('user_id')} = '' AND ${field('session_id')} != '' AND ${field('session_id')} IN ${r.sessions}))`;
}

/**
 * Where logs and database changes carry a person's id: the operator names the fields (`SIGHTLINE_PRIVACY_LOG_FIELDS`,
 * `SIGHTLINE_PRIVACY_DB_COLUMNS`); Sightline cannot know which of an application's fields hold a user id. They
 * travel as query parameters (`{log_fields:Array(String)}`, `{db_columns:Array(String)}`).
 */
export interface PersonFields {
  /** Keys of `logs.attributes`. */
  logFields: readonly string[];
  /** Keys of `db_changes.data` / `.old` (the changed row's columns). */
  dbColumns: readonly string[];
}

export const NO_FIELDS: PersonFields = { logFields: [], dbColumns: [] };

/** The fields as configured (`SIGHTLINE_PRIVACY_LOG_FIELDS`, `SIGHTLINE_PRIVACY_DB_COLUMNS`). */
export const fieldsOf = (config: {
  privacyLogFields: string[];
  privacyDbColumns: string[];
}): PersonFields => ({
  logFields: config.privacyLogFields,
  dbColumns: config.privacyDbColumns,
});

export const fieldParams = (f: PersonFields) => ({
  log_fields: [...f.logFields],
  db_columns: [...f.dbColumns],
});

/**
 * Log lines whose named attributes hold the id. The id is compared outside the lambda (`has` on the looked-up
 * values): in a mutation it is a subquery on the journal. Visitor ids are computed by Sightline and are in no log.
 */
export function logsWhere(type: SubjectType, r: PersonRefs): string {
  if (type === 'visitor_id') return '0';
  return `${PROJECT} AND ${r.subject} != ''
    AND has(arrayMap(k -> attributes[k], {log_fields:Array(String)}), ${r.subject})`;
}

/**
 * Database changes whose row (after, or before an update: `old`) has the id in a named column, as a JSON string or
 * as a bare number (an integer user id).
 */
export function dbChangesWhere(type: SubjectType, r: PersonRefs): string {
  if (type === 'visitor_id') return '0';
  const values = (column: string) =>
    `arrayConcat(arrayMap(k -> JSONExtractString(${column}, k), {db_columns:Array(String)}),
                 arrayMap(k -> JSONExtractRaw(${column}, k), {db_columns:Array(String)}))`;
  return `${PROJECT} AND ${r.subject} != ''
    AND has(arrayConcat(${values('data')}, ${values('old')}), ${r.subject})`;
}
