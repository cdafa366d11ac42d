/**
 * `forward_dead_letters`: one row per event a destination did not take after its last attempt, holding the event
 * as it would have been sent. Marking a row retried writes a newer version of it (ReplacingMergeTree; reads use
 * FINAL), so the table keeps the history of what failed and when it was re-sent.
 */
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.ts';
import type { ForwardEvent } from './forward-event.ts';

export const DEAD_LETTER_TABLE = 'forward_dead_letters';

export interface ForwardDeadLetter {
  destination: string;
  event_id: string;
  project: string;
  payload: string;
  reason: string;
  attempts: number;
  failed_at: string;
  retried: boolean;
  retried_at: string;
  version: number;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

/** `token` names the batch (its log range), so a batch re-delivered after a crash is not dead-lettered twice. */
export async function writeDeadLetters(
  store: Store,
  destination: string,
  events: readonly ForwardEvent[],
  failure: { reason: string; detail: string; attempts: number },
  token: string,
  now = Date.now(),
): Promise<void> {
  const rows: ForwardDeadLetter[] = events.map((e) => ({
    destination,
    event_id: e.event_id,
    project: e.project,
    payload: JSON.stringify(e),
    reason: `${failure.reason}: ${failure.detail}`.slice(0, 2000),
    attempts: failure.attempts,
    failed_at: new Date(now).toISOString(),
    retried: false,
    retried_at: EPOCH,
    version: now,
  }));
  await store.insert(DEAD_LETTER_TABLE, rows, `${DEAD_LETTER_TABLE}:${destination}:${token}`);
}

export interface DeadLetterFilter {
  destination?: string;
  /** Only dead letters that failed at or after this time (ms). */
  sinceMs?: number;
  /** Most rows per destination (oldest first). */
  limit: number;
  /** Include rows already retried (for listing). */
  includeRetried?: boolean;
}

interface Row
  extends Omit<ForwardDeadLetter, 'retried' | 'attempts' | 'version' | 'failed_at' | 'retried_at'> {
  failed_ms: number | string;
  retried_ms: number | string;
  retried: boolean | number;
  attempts: number | string;
  version: number | string;
}

export async function listDeadLetters(store: Store, filter: DeadLetterFilter): Promise<ForwardDeadLetter[]> {
  const where = ["failed_at >= fromUnixTimestamp64Milli(toInt64({since:Int64}), 'UTC')"];
  if (!filter.includeRetried) where.push('NOT retried');
  if (filter.destination !== undefined) where.push('destination = {destination:String}');
  const rows = await store.query<Row>(
    `SELECT destination, event_id, project, payload, reason, attempts,
            toUnixTimestamp64Milli(failed_at) AS failed_ms, retried,
            toUnixTimestamp64Milli(retried_at) AS retried_ms, version
     FROM ${DEAD_LETTER_TABLE} FINAL
     WHERE ${where.join(' AND ')}
     ORDER BY destination, failed_at, event_id
     LIMIT {limit:UInt32} BY destination`,
    {
      since: filter.sinceMs ?? 0,
      limit: filter.limit,
      ...(filter.destination !== undefined ? { destination: filter.destination } : {}),
    },
  );
  return rows.map(({ failed_ms, retried_ms, ...r }) => ({
    ...r,
    failed_at: new Date(Number(failed_ms)).toISOString(),
    retried_at: new Date(Number(retried_ms)).toISOString(),
    retried: r.retried === true || r.retried === 1,
    attempts: Number(r.attempts),
    version: Number(r.version),
  }));
}

/** Writes the retried version of each row (a newer `version`, so FINAL keeps it). */
export async function markRetried(
  store: Store,
  rows: readonly ForwardDeadLetter[],
  now = Date.now(),
): Promise<void> {
  if (rows.length === 0) return;
  const marked = rows.map((r) => ({
    ...r,
    retried: true,
    retried_at: new Date(now).toISOString(),
    version: Math.max(now, r.version + 1),
  }));
  const h = createHash('sha256');
  for (const r of marked) h.update(`${r.destination}\u0000${r.event_id}\u0000${r.version}\n`);
  await store.insert(DEAD_LETTER_TABLE, marked, `${DEAD_LETTER_TABLE}:retried:${h.digest('hex')}`);
}
