/**
 * Segment and Snowplow clients resend a message with the same messageId / eid when an answer got lost, and the
 * event id is derived from it — so a retry is recognisable. Ids repeated within a batch, or already stored near
 * the event's time, are dropped before the insert. Safe under re-delivery: a replayed batch drops what its first
 * attempt stored, and its insert token would have made that insert a no-op anyway.
 */
import { queryByKeys } from '../store/chunked-lookup.ts';
import type { Store } from '../store/store.ts';
import type { EventRow } from './event-row.ts';

const CLIENT_ID_PROTOCOLS = new Set(['segment', 'snowplow']);
const DAY_MS = 86_400_000;

const chTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/**
 * `everyProtocol`: on Kafka a producer retry across a broker outage can write the same envelope twice, at two
 * offsets (different batches, different insert tokens) — so every event id is checked, not only client ids.
 */
export async function dropClientRetries(
  store: Store,
  events: EventRow[],
  everyProtocol = false,
): Promise<{ kept: EventRow[]; dropped: number }> {
  const isCandidate = (e: EventRow) => everyProtocol || CLIENT_ID_PROTOCOLS.has(e.protocol);
  const candidates = events.filter(isCandidate);
  if (candidates.length === 0) return { kept: events, dropped: 0 };
  const byProject = new Map<string, EventRow[]>();
  for (const e of candidates) {
    const list = byProject.get(e.project) ?? [];
    list.push(e);
    byProject.set(e.project, list);
  }
  const stored = new Set<string>();
  for (const [project, rows] of byProject) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const t = Date.parse(r.timestamp);
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
      { project, from: chTime(min - DAY_MS), to: chTime(max + DAY_MS) },
      'ids',
      [...new Set(rows.map((r) => r.event_id))],
    );
    for (const f of found) stored.add(`${project}\u0000${f.id}`);
  }
  const seen = new Set<string>();
  const kept = events.filter((e) => {
    if (!isCandidate(e)) return true;
    const key = `${e.project}\u0000${e.event_id}`;
    if (stored.has(key) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { kept, dropped: events.length - kept.length };
}
