/**
 * A person in raw log records (envelopes as the collector wrote them, in the raw archive): which records are theirs.
 * An envelope carries one request, so it is kept or dropped whole — a batch that also holds other people's events
 * leaves the archive with the person's (the store keeps the others' rows; only a replay of the archive lacks them).
 */

import { decodeEnvelope, type Envelope, eventIdOf } from '../contract/envelope.ts';
import { parseJsonWithinDepth } from '../contract/json-depth.ts';
import { EVENTS_TOPIC } from '../contract/topics.ts';
import { isoTime } from '../process/adapters/adapter.ts';
import { blankRow, type EventRow } from '../process/event-row.ts';
import { ADAPTERS, SPLITTERS, splitDefault } from '../process/pipeline.ts';
import type { Subject } from './subject.ts';
import type { SuppressionList } from './suppressions.ts';

/** Decides whether a raw record is to leave (true) or stay (false). */
export type RawRecordMatch = (topic: string, value: Buffer) => boolean;

type RawEvent = Pick<EventRow, 'event_id' | 'project' | 'user_id' | 'session_id' | 'received_at'>;

/**
 * The events of an envelope as the protocol's adapter reads them, before enrichment (no salts, sessions or geo
 * needed): their ids — the stored rows' ids, client message ids included — user ids and client session ids. An event the adapter
 * rejects half-way keeps what it had read (its dead letter carries the same body).
 */
export function rawEvents(envelope: Envelope): RawEvent[] {
  const adapter = ADAPTERS[envelope.protocol];
  if (!adapter) return [];
  let events: unknown[];
  try {
    const parsed = parseJsonWithinDepth(envelope.body.toString('utf8'));
    events = (SPLITTERS[envelope.protocol] ?? splitDefault)(parsed, envelope);
  } catch {
    return [];
  }
  const receivedAt = isoTime(envelope.receivedAt);
  return events.map((event, i) => {
    const row = blankRow();
    row.event_id = eventIdOf(envelope.id, i);
    row.project = envelope.project;
    row.received_at = receivedAt;
    try {
      adapter(event, envelope, row, { pageUrl: '', ip: envelope.ip, ua: envelope.ua, anonymousId: '' });
    } catch {
      // Unusable as an event; what it names (user id) was read before the adapter gave up.
    }
    return row;
  });
}

/** How an id can appear in a body: as a JSON string (also with `/` escaped) and URL-encoded (a query string). */
function needles(id: string): Buffer[] {
  const json = JSON.stringify(id);
  const forms = new Set([json, json.replaceAll('/', '\\/'), encodeURIComponent(id)]);
  return [...forms].map((f) => Buffer.from(f));
}

function decoded(value: Buffer): Envelope | undefined {
  try {
    return decodeEnvelope(value);
  } catch {
    return undefined;
  }
}

/**
 * The records of one erasure: for a user id, an event whose id is among the erased rows' (`eventIds`: the anonymous
 * events of their visits included), whose user id is theirs, or any record of the project (events, log lines,
 * database changes) whose body holds the id as a JSON string or URL-encoded; for a visitor id (computed, in no
 * body), the erased rows' event ids.
 */
export function personRecords(subject: Subject, eventIds: ReadonlySet<string>): RawRecordMatch {
  const forms = subject.type === 'user_id' ? needles(subject.id) : [];
  return (topic, value) => {
    const envelope = decoded(value);
    if (!envelope) return forms.some((f) => value.includes(f));
    if (envelope.project !== subject.project) return false;
    if (forms.some((f) => envelope.body.includes(f))) return true;
    if (topic !== EVENTS_TOPIC) return false;
    return rawEvents(envelope).some(
      (e) => eventIds.has(e.event_id) || (subject.type === 'user_id' && e.user_id === subject.id),
    );
  };
}

/**
 * For the archive's writer: events the processor would drop — a suppressed person's, or an erased person's received
 * before their erasure (a batch archived after the erasure rewrote the files) — are not archived either. Cheap
 * while nothing applies: only the envelope header is read.
 */
export function droppedByPrivacy(list: SuppressionList): RawRecordMatch {
  return (topic, value) => {
    if (topic !== EVENTS_TOPIC || !list.active) return false;
    const envelope = decoded(value);
    if (!envelope || !list.mayDrop(isoTime(envelope.receivedAt))) return false;
    return rawEvents(envelope).some((e) => list.has(e));
  };
}
