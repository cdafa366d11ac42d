/**
 * Segment and Snowplow clients resend a message with the same messageId / eid when an answer got lost, and the
 * event id is derived from it — so a retry is recognisable. Ids repeated within a batch, or already stored near
 * the event's time, are dropped before the insert.
 *
 * Under re-delivery the lookup cannot simply run again: the first attempt may have stored part of the group (the
 * `events` part of its insert, say, but not a view's part), and a second lookup would then drop those events too —
 * the insert token still deduplicates `events`, but each view would receive a thinner block and stay short. So the
 * decision is written to `batch_drops` before the insert, and a re-delivered group reads it back.
 */
import { queryByKeys } from '../store/chunked-lookup.ts';
import { toClickHouseTime } from '../store/clickhouse-time.ts';
import type { Store } from '../store/store.ts';
import type { EventRow } from './event-row.ts';

const CLIENT_ID_PROTOCOLS = new Set(['segment', 'snowplow']);
const DAY_MS = 86_400_000;
export const BATCH_DROPS_TABLE = 'batch_drops';

export interface RetryContext {
  /** The group's insert token (`<topic>-<partition>-<first>-<last>#<group>`): the key of its decision. */
  token: string;
  /** The group may have been (partly) stored before: use the recorded decision, if there is one. */
  redelivery: boolean;
  /** Check every event id, not only client-supplied ones (a log that can duplicate records: Kafka). */
  everyProtocol: boolean;
}

/** Positions (in `events`) of the events whose id is stored already or repeats an earlier one of the group. */
async function findRetries(
  store: Store,
  events: readonly EventRow[],
  candidates: number[],
): Promise<number[]> {
  const byProject = new Map<string, number[]>();
  for (const i of candidates) {
    const list = byProject.get(events[i].project) ?? [];
    list.push(i);
    byProject.set(events[i].project, list);
  }
  const stored = new Set<string>();
  for (const [project, positions] of byProject) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const i of positions) {
      const t = Date.parse(events[i].timestamp);
      if (t < min) min = t;
      if (t > max) max = t;
    }
    // A retry's corrected time moves by the seconds between attempts; a day either side is plenty.
    const found = await queryByKeys<{ id: string }>(
      store,
      `SELECT DISTINCT toString(event_id) AS id FROM events
       WHERE project = {project:String}
         AND timestamp BETWEEN {from:DateTime64(3, 'UTC')} AND {to:DateTime64(3, 'UTC')}
         AND event_id IN {ids:Array(UUID)}`,
      { project, from: toClickHouseTime(min - DAY_MS), to: toClickHouseTime(max + DAY_MS) },
      'ids',
      [...new Set(positions.map((i) => events[i].event_id))],
    );
    for (const f of found) stored.add(`${project}\u0000${f.id}`);
  }
  const seen = new Set<string>();
  const drop: number[] = [];
  for (const i of candidates) {
    const key = `${events[i].project}\u0000${events[i].event_id}`;
    if (stored.has(key) || seen.has(key)) drop.push(i);
    seen.add(key);
  }
  return drop;
}

async function recordedDecision(store: Store, token: string): Promise<number[] | undefined> {
  const rows = await store.query<{ dropped: number[] }>(
    `SELECT dropped FROM ${BATCH_DROPS_TABLE} WHERE batch_key = {token:String} LIMIT 1`,
    { token },
  );
  return rows[0]?.dropped.map(Number);
}

export async function dropClientRetries(
  store: Store,
  events: EventRow[],
  context: RetryContext,
): Promise<{ kept: EventRow[]; dropped: number }> {
  const candidates: number[] = [];
  events.forEach((e, i) => {
    if (context.everyProtocol || CLIENT_ID_PROTOCOLS.has(e.protocol)) candidates.push(i);
  });
  // Without candidates nothing is ever dropped, on any attempt: no decision to keep.
  if (candidates.length === 0) return { kept: events, dropped: 0 };
  let drop = context.redelivery ? await recordedDecision(store, context.token) : undefined;
  if (drop === undefined) {
    // No decision recorded: the first attempt (if any) stopped before it, and so before its insert.
    drop = await findRetries(store, events, candidates);
    await store.insert(
      BATCH_DROPS_TABLE,
      [{ batch_key: context.token, dropped: drop }],
      `drops:${context.token}`,
    );
  }
  if (drop.length === 0) return { kept: events, dropped: 0 };
  const left = new Set(drop);
  return { kept: events.filter((_, i) => !left.has(i)), dropped: drop.length };
}
