/**
 * Erasure of one person: their rows in `events`, `visits`, `user_profiles`, `dead_letters` and
 * `forward_dead_letters`, with the visits, profiles and rollups (hourly, daily) they were part of rebuilt from
 * the events that remain, so everyone else's numbers stay exact; with the raw archive on, its files are rewritten
 * without the person's records, and every user-id erasure leaves a marker (src/privacy/suppressions.ts) that keeps
 * what was received from them before it out of the store when it is processed again.
 *
 * Durable: the plan is decided and journalled (`privacy_requests`, pending) before anything is deleted; every step
 * can run again with the same outcome, and `resumeErasures` runs the unfinished ones at start-up. Deletes are
 * `ALTER TABLE … DELETE` mutations waited for (`mutations_sync = 2`): the parts holding the rows are rewritten
 * without them, rather than the rows only being masked until some later merge.
 */
import { randomUUID } from 'node:crypto';
import { dropFromArchive } from '../log/archive/archive-rewrite.ts';
import type { Logger } from '../observe/logger.ts';
import { DAILY_TABLE, ROLLUP_TABLE, rebuildRollups } from '../store/rollups.ts';
import type { QueryParams, Store } from '../store/store.ts';
import { insertVisitsOfSessions, VISITS_TABLE } from '../store/visits.ts';
import { dayRanges, planErasure } from './erasure-plan.ts';
import { privacyUnavailable } from './errors.ts';
import {
  dbChangesWhere,
  deadLettersWhere,
  eventsWhere,
  fieldParams,
  forwardDeadLettersWhere,
  journalRefs,
  logsWhere,
  NO_FIELDS,
  type PersonFields,
  profilesWhere,
  sessionsWhere,
} from './person-rows.ts';
import {
  erasedSessionHashes,
  forgetPending,
  type PendingErasure,
  pendingErasures,
  recordErased,
  recordPending,
} from './privacy-requests.ts';
import { personRecords } from './raw-records.ts';
import { rebuildFromView } from './rebuild-views.ts';
import { type Subject, subjectHash } from './subject.ts';
import { recordSuppression, type SuppressionList } from './suppressions.ts';
import type { WriteGate } from './write-gate.ts';

/** The tables an erasure removes rows from, in the order it does. */
export const ERASED_TABLES = [
  'events',
  VISITS_TABLE,
  'user_profiles',
  'dead_letters',
  'forward_dead_letters',
  'logs',
  'db_changes',
] as const;

export interface ErasureResult {
  request: string;
  project: string;
  subject_type: Subject['type'];
  status: 'done';
  /** Rows per table; `sessions` and `user_profiles` count visits and people, `rollup_days` the days rebuilt. */
  removed: Record<string, number>;
  /** With `suppressDays`: until when the person's new events are dropped. */
  suppressed_until?: string;
}

async function mutate(store: Store, table: string, where: string, params: QueryParams): Promise<void> {
  await store.exec(`ALTER TABLE ${table} DELETE WHERE ${where} SETTINGS mutations_sync = 2`, params);
}

/**
 * The raw archive's files, rewritten without the person's records (src/log/archive/archive-rewrite.ts). Runs before
 * the events are deleted: their ids (client message ids, the anonymous events of the person's visits) find the
 * records. After a crash it runs again: if the events were deleted by then, this step had completed before.
 */
async function eraseArchived(
  store: Store,
  e: PendingErasure,
  archiveDir: string,
  params: QueryParams,
): Promise<number> {
  const rows = await store.query<{ id: string }>(
    `SELECT toString(event_id) AS id FROM events WHERE ${eventsWhere(e.subject.type, journalRefs())}`,
    params,
  );
  const ids = new Set(rows.map((r) => r.id));
  return (await dropFromArchive(archiveDir, personRecords(e.subject, ids))).records;
}

/** Every step of an erasure journalled as `e`; each may run again (after a crash) with the same result. */
async function runSteps(
  store: Store,
  e: PendingErasure,
  fields: PersonFields,
  archiveDir: string | undefined,
): Promise<void> {
  const refs = journalRefs();
  const params = { project: e.subject.project, request: e.id, ...fieldParams(fields) };
  const type = e.subject.type;
  if (archiveDir) e.plan.counts.archive_records = await eraseArchived(store, e, archiveDir, params);
  await mutate(store, 'events', eventsWhere(type, refs), params);
  // The person's visits and profiles, removed, then rebuilt from what is left (other people in the same visit,
  // users a visitor logged in as): rebuilding from nothing leaves nothing.
  await mutate(store, VISITS_TABLE, sessionsWhere(refs), params);
  await insertVisitsOfSessions(store, sessionsWhere(refs), params);
  await mutate(store, 'user_profiles', profilesWhere(refs), params);
  await rebuildFromView(store, 'user_profiles_mv', 'user_profiles', profilesWhere(refs), params);
  for (const [from, to] of dayRanges(e.plan.days)) await rebuildRollups(store, e.subject.project, from, to);
  await mutate(store, 'dead_letters', deadLettersWhere(type, refs), params);
  await mutate(store, 'forward_dead_letters', forwardDeadLettersWhere(type, refs), params);
  await mutate(store, 'logs', logsWhere(type, refs), params);
  await mutate(store, 'db_changes', dbChangesWhere(type, refs), params);
}

/** The rollups' lightweight deletes leave masked rows in place; rewriting the touched parts removes them. */
async function purgeMaskedRollups(store: Store, e: PendingErasure): Promise<void> {
  if (e.plan.days.length === 0) return;
  for (const table of [ROLLUP_TABLE, DAILY_TABLE])
    await store.exec(`ALTER TABLE ${table} APPLY DELETED MASK SETTINGS mutations_sync = 2`);
}

/** One erasure at a time per store: two rebuilding the same day at once would count its events twice. */
const queues = new WeakMap<Store, Promise<unknown>>();

function serialised<T>(store: Store, work: () => Promise<T>): Promise<T> {
  const next = (queues.get(store) ?? Promise.resolve()).then(work, work);
  queues.set(
    store,
    next.catch(() => undefined),
  );
  return next;
}

async function complete(
  store: Store,
  e: PendingErasure,
  gate: WriteGate | undefined,
  fields: PersonFields,
  archiveDir: string | undefined,
): Promise<void> {
  const steps = () => runSteps(store, e, fields, archiveDir);
  await (gate ? gate.hold(steps) : steps());
  await purgeMaskedRollups(store, e);
  await recordErased(store, e);
}

export interface EraseOptions {
  /** The processor's inserts, held while the rebuilds run (absent: nothing else writes to this store). */
  gate?: WriteGate;
  /** Which log attributes and database columns hold a person's id (none: logs and db_changes are not searched). */
  fields?: PersonFields;
  /** Drop the person's new events for this many days (the suppression list); 0 or absent: none. */
  suppressDays?: number;
  /** This process's list, told at once (the processor would otherwise see it at its next refresh). */
  suppressions?: SuppressionList;
  /** The raw archive (SIGHTLINE_ARCHIVE_DIR): its files are rewritten without the person's records. */
  archiveDir?: string;
  now?: number;
}

export async function erasePerson(
  store: Store,
  subject: Subject,
  requestedBy: string,
  options: EraseOptions = {},
): Promise<ErasureResult> {
  return serialised(store, async () => {
    const now = options.now ?? Date.now();
    const fields = options.fields ?? NO_FIELDS;
    const id = randomUUID();
    // Suppressed first: events arriving while the erasure runs (or after a crash in it) are already refused.
    let until: number | undefined;
    if (options.suppressDays) {
      until = await recordSuppression(store, subject, id, options.suppressDays, now).catch((err) => {
        throw privacyUnavailable(err);
      });
      options.suppressions?.add(subjectHash(subject));
    }
    const plan = await planErasure(store, subject, fields).catch((err) => {
      throw privacyUnavailable(err);
    });
    const e: PendingErasure = {
      id,
      subject,
      requestedBy,
      requestedAt: now,
      version: now,
      plan,
    };
    await recordPending(store, e).catch((err) => {
      throw privacyUnavailable(err);
    });
    // What was received before now stays out if it reaches the processor again (the audit keeps this marker).
    if (subject.type === 'user_id')
      options.suppressions?.addErasure(subjectHash(subject), now, erasedSessionHashes(e));
    await complete(store, e, options.gate, fields, options.archiveDir).catch((err) => {
      throw privacyUnavailable(err);
    });
    return {
      request: e.id,
      project: subject.project,
      subject_type: subject.type,
      status: 'done',
      removed: plan.counts,
      ...(until ? { suppressed_until: new Date(until).toISOString() } : {}),
    };
  });
}

/**
 * At start-up, before processing: the erasures a crash (or a failing store) left pending are finished, searching
 * logs and db_changes by the fields configured now (the journal keeps no field list), and the archive configured now.
 */
export async function resumeErasures(
  store: Store,
  logger: Logger,
  gate?: WriteGate,
  fields: PersonFields = NO_FIELDS,
  archiveDir?: string,
): Promise<number> {
  return serialised(store, async () => {
    const left = await pendingErasures(store);
    for (const e of left) {
      // Done but its pending version (with the id) not yet deleted: only that is left to do.
      if (e.done) await forgetPending(store, e.id);
      else await complete(store, e, gate, fields, archiveDir);
      logger.info({ request: e.id, project: e.subject.project }, 'unfinished erasure completed');
    }
    return left.length;
  });
}
