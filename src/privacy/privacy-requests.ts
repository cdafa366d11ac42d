/**
 * `privacy_requests` (migration 014): the audit of every erasure and export, and the journal of erasures. An
 * erasure is written `pending` (with the id and its plan) before anything is deleted; `done` replaces it with a
 * version that keeps only the id's hash, and the pending version is then deleted, so the id leaves the store too.
 */
import type { Store } from '../store/store.ts';
import { JOURNAL_TABLE } from './person-rows.ts';
import { type Subject, type SubjectType, sessionHash, subjectHash } from './subject.ts';

export type RequestKind = 'erase' | 'export';

/** What an erasure will touch, decided before it starts (and kept, so a restart does the same). */
export interface ErasurePlan {
  sessions: string[];
  users: string[];
  /** UTC days (YYYY-MM-DD) whose rollups are rebuilt. */
  days: string[];
  /** Rows per table: what the erasure removes (rollup_days: days rebuilt). */
  counts: Record<string, number>;
}

export interface PendingErasure {
  id: string;
  subject: Subject;
  requestedBy: string;
  requestedAt: number;
  version: number;
  plan: ErasurePlan;
}

/** An audit row as admins see it: never the id itself. */
export interface PrivacyRequest {
  id: string;
  kind: RequestKind;
  project: string;
  subject_type: SubjectType;
  subject_hash: string;
  requested_by: string;
  requested_at: string;
  status: 'pending' | 'done';
  finished_at: string | null;
  counts: Record<string, number>;
}

const EPOCH = '1970-01-01T00:00:00.000Z';
const iso = (ms: number) => new Date(ms).toISOString();

function row(
  kind: RequestKind,
  id: string,
  subject: Subject,
  requestedBy: string,
  requestedAt: number,
  status: 'pending' | 'done',
  version: number,
  counts: Record<string, number>,
  plan?: Omit<ErasurePlan, 'counts'>,
  finishedAt?: number,
  sessionHashes: string[] = [],
) {
  return {
    id,
    kind,
    project: subject.project,
    subject_type: subject.type,
    subject: plan ? subject.id : '',
    subject_hash: subjectHash(subject),
    requested_by: requestedBy,
    requested_at: iso(requestedAt),
    status,
    finished_at: finishedAt ? iso(finishedAt) : EPOCH,
    counts,
    // Pending: the person's session ids (the plan); done: only their hashes, the erasure's marker.
    sessions: plan?.sessions ?? sessionHashes,
    users: plan?.users ?? [],
    days: plan?.days ?? [],
    version,
  };
}

export async function recordPending(store: Store, e: PendingErasure): Promise<void> {
  const { counts, ...plan } = e.plan;
  await store.insert(
    JOURNAL_TABLE,
    [row('erase', e.id, e.subject, e.requestedBy, e.requestedAt, 'pending', e.version, counts, plan)],
    `${JOURNAL_TABLE}:${e.id}:pending`,
  );
}

/**
 * The `done` version without the id — a user's session ids only as hashes (`sessionHash`), the marker that keeps
 * replayed anonymous events of their visits out — then the pending version (id and plan) deleted for good.
 */
export async function recordErased(store: Store, e: PendingErasure, now = Date.now()): Promise<void> {
  await store.insert(
    JOURNAL_TABLE,
    [
      row(
        'erase',
        e.id,
        e.subject,
        e.requestedBy,
        e.requestedAt,
        'done',
        Math.max(now, e.version + 1),
        e.plan.counts,
        undefined,
        now,
        erasedSessionHashes(e),
      ),
    ],
    `${JOURNAL_TABLE}:${e.id}:done`,
  );
  await forgetPending(store, e.id);
}

/** The hashes of a user's visits an erasure deleted the anonymous events of (a visitor's: none). */
export const erasedSessionHashes = (e: PendingErasure): string[] =>
  e.subject.type === 'user_id' ? e.plan.sessions.map((s) => sessionHash(e.subject.project, s)) : [];

/** Deletes the pending version of a finished erasure: the id and the plan go with it. */
export async function forgetPending(store: Store, id: string): Promise<void> {
  await store.exec(
    `ALTER TABLE ${JOURNAL_TABLE} DELETE WHERE id = {request:String} AND status = 'pending' SETTINGS mutations_sync = 2`,
    { request: id },
  );
}

export async function recordExport(
  store: Store,
  id: string,
  subject: Subject,
  requestedBy: string,
  counts: Record<string, number>,
  now = Date.now(),
): Promise<void> {
  await store.insert(
    JOURNAL_TABLE,
    [row('export', id, subject, requestedBy, now, 'done', now, counts, undefined, now)],
    `${JOURNAL_TABLE}:${id}:export`,
  );
}

interface JournalRow {
  id: string;
  project: string;
  subject_type: SubjectType;
  subject: string;
  requested_by: string;
  requested_ms: number | string;
  version: number | string;
  sessions: string[];
  users: string[];
  days: string[];
  counts: Record<string, number | string>;
  done: number;
}

const numbers = (counts: Record<string, number | string>) =>
  Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Number(v)]));

/** Erasures written `pending` and not finished (a crash, or a store that failed mid-way), oldest first. */
export async function pendingErasures(store: Store): Promise<Array<PendingErasure & { done: boolean }>> {
  const rows = await store.query<JournalRow>(
    `SELECT id, project, subject_type, subject, requested_by, toUnixTimestamp64Milli(requested_at) AS requested_ms,
            version, sessions, users, arrayMap(d -> toString(d), days) AS days, counts,
            id IN (SELECT id FROM ${JOURNAL_TABLE} WHERE status = 'done') AS done
     FROM ${JOURNAL_TABLE} WHERE kind = 'erase' AND status = 'pending' ORDER BY requested_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    subject: { project: r.project, type: r.subject_type, id: r.subject },
    requestedBy: r.requested_by,
    requestedAt: Number(r.requested_ms),
    version: Number(r.version),
    plan: { sessions: r.sessions, users: r.users, days: r.days, counts: numbers(r.counts) },
    done: Number(r.done) === 1,
  }));
}

/** The newest requests; `projects` limits them to those projects (a project admin's view). */
export async function listRequests(
  store: Store,
  limit: number,
  projects?: readonly string[],
): Promise<PrivacyRequest[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT id, kind, project, subject_type, subject_hash, requested_by,
            toUnixTimestamp64Milli(requested_at) AS requested_ms, status,
            toUnixTimestamp64Milli(finished_at) AS finished_ms, counts
     FROM ${JOURNAL_TABLE} FINAL
     ${projects ? 'WHERE project IN {projects:Array(String)}' : ''}
     ORDER BY requested_at DESC, id LIMIT {limit:UInt32}`,
    { limit, ...(projects ? { projects: [...projects] } : {}) },
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as RequestKind,
    project: String(r.project),
    subject_type: r.subject_type as SubjectType,
    subject_hash: String(r.subject_hash),
    requested_by: String(r.requested_by),
    requested_at: iso(Number(r.requested_ms)),
    status: r.status as 'pending' | 'done',
    finished_at: Number(r.finished_ms) > 0 ? iso(Number(r.finished_ms)) : null,
    counts: numbers(r.counts as Record<string, number | string>),
  }));
}
