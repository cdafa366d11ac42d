/**
 * From log records to rows, top to bottom: decode the envelope, parse its body, map each event with its
 * protocol's adapter, then run the enrichment steps in order. Anything that cannot become a row becomes a
 * dead letter with the reason and the raw payload — nothing accepted is dropped silently, and no record, however
 * hostile, makes the conversion of its batch throw.
 */
import { decodeEnvelope, type Envelope, eventIdOf, type Protocol } from '../contract/envelope.ts';
import { JsonTooDeep, parseJsonWithinDepth } from '../contract/json-depth.ts';
import type { LogRecord } from '../log/event-log.ts';
import type { ProtocolAdapter } from './adapters/adapter.ts';
import { isoTime, UnusableEvent } from './adapters/adapter.ts';
import { nativeAdapter } from './adapters/native.adapter.ts';
import { segmentAdapter, splitSegmentBody } from './adapters/segment.adapter.ts';
import { plausibleAdapter, umamiAdapter } from './adapters/site-protocols.adapter.ts';
import { snowplowAdapter, splitSnowplowBody } from './adapters/snowplow.adapter.ts';
import { telemetryAdapter } from './adapters/telemetry.adapter.ts';
import { deadLetterRow, errorMessage, quarantinedRecord } from './dead-letter.ts';
import { DailySalts } from './enrich/daily-salts.ts';
import { type GeoLookup, openGeoLookup } from './enrich/geo-lookup.ts';
import type { SessionTracker } from './enrich/session-tracker.ts';
import { blankRow, type DeadLetterRow, type EventRow, isStorableTime } from './event-row.ts';
import { createBotStep } from './steps/put-bot.step.ts';
import { putGeo } from './steps/put-geo.step.ts';
import { putProfileFlag } from './steps/put-profile-flag.step.ts';
import { putReferrer } from './steps/put-referrer.step.ts';
import { putSession } from './steps/put-session.step.ts';
import { putUrl } from './steps/put-url.step.ts';
import { putUserAgent } from './steps/put-user-agent.step.ts';
import { putVisitor } from './steps/put-visitor.step.ts';
import type { EventContext, Step } from './steps/step.ts';

/** Protocols whose events become `events` rows (log lines have their own pipeline in src/log-lines). */
export const ADAPTERS: Partial<Record<Protocol, ProtocolAdapter>> = {
  native: nativeAdapter,
  telemetry: telemetryAdapter,
  segment: segmentAdapter,
  plausible: plausibleAdapter,
  umami: umamiAdapter,
  snowplow: snowplowAdapter,
};

type Splitter = (parsed: unknown, envelope: Envelope) => unknown[];

/** One event or a JSON array of events — unless the protocol wraps its events (Segment and Snowplow batches). */
export const splitDefault: Splitter = (parsed) => (Array.isArray(parsed) ? parsed : [parsed]);

export const SPLITTERS: Partial<Record<Protocol, Splitter>> = {
  segment: (parsed, envelope) => splitSegmentBody(parsed, envelope.call),
  snowplow: (parsed) => splitSnowplowBody(parsed),
};

export interface PipelineOptions {
  dataDir: string;
  geoipCityDb: string | undefined;
  storeIp: boolean;
  stripQueryParams: readonly string[];
  trailingSlash: 'strip' | 'keep';
  hashRouting: boolean;
  /** Substrings of user agents to flag as bots on top of isbot's patterns. */
  botUserAgents: readonly string[];
  /** Event types that update user profiles; empty = all. */
  profileEventTypes: readonly string[];
  /** Sessions for clients that send no session id. */
  sessions: SessionTracker;
  /** The geo database, when the caller opened it already (it is shared with the log pipeline). */
  geo?: GeoLookup;
}

/** The enrichment steps, in order: each may read what the ones before it filled in. */
export async function createSteps(options: PipelineOptions): Promise<Step[]> {
  return [
    putUrl({ trailingSlash: options.trailingSlash, hashRouting: options.hashRouting }),
    putReferrer({ stripParams: options.stripQueryParams }),
    putUserAgent,
    createBotStep(options.botUserAgents),
    putGeo(options.geo ?? (await openGeoLookup(options.geoipCityDb)), options.storeIp),
    putVisitor(new DailySalts(options.dataDir)),
    putSession(options.sessions),
    putProfileFlag(options.profileEventTypes),
  ];
}

export interface Converted {
  events: EventRow[];
  deadLetters: DeadLetterRow[];
}

function deadLetter(
  envelope: Partial<Envelope>,
  reason: string,
  message: string,
  payload: string | Buffer,
): DeadLetterRow {
  return deadLetterRow({
    receivedAt: envelope.receivedAt,
    project: envelope.project,
    source: envelope.protocol,
    reason,
    message,
    envelopeId: envelope.id,
    payload,
  });
}

/** One event's JSON for its dead letter; the whole body when the event cannot be serialised. */
function eventPayload(event: unknown, envelope: Envelope): string | Buffer {
  try {
    return JSON.stringify(event) ?? '';
  } catch {
    return envelope.body;
  }
}

/** Decides, after the steps, that an event is not to be kept (a suppressed person's): it is left out, not a dead letter. */
export type EventDrop = (row: EventRow) => boolean;

function convertEnvelope(
  envelope: Envelope,
  steps: readonly Step[],
  out: Converted,
  drop: EventDrop | undefined,
): void {
  const adapter = ADAPTERS[envelope.protocol];
  if (!adapter) {
    out.deadLetters.push(
      deadLetter(envelope, 'unknown_protocol', `no adapter for "${envelope.protocol}"`, envelope.body),
    );
    return;
  }
  let parsed: unknown;
  try {
    // Bodies the collector took before it checked nesting may still be on the log: measured here too.
    parsed = parseJsonWithinDepth(envelope.body.toString('utf8'));
  } catch (err) {
    const reason = err instanceof JsonTooDeep ? 'too_deep' : 'bad_json';
    out.deadLetters.push(deadLetter(envelope, reason, errorMessage(err), envelope.body));
    return;
  }
  const events = (SPLITTERS[envelope.protocol] ?? splitDefault)(parsed, envelope);
  const receivedAt = isoTime(envelope.receivedAt);
  for (let i = 0; i < events.length; i++) {
    const row = blankRow();
    row.event_id = eventIdOf(envelope.id, i);
    row.project = envelope.project;
    row.tenant_id = envelope.tenant ?? '';
    row.received_at = receivedAt;
    row.protocol = envelope.protocol;
    const context: EventContext = { pageUrl: '', ip: envelope.ip, ua: envelope.ua, anonymousId: '' };
    try {
      adapter(events[i], envelope, row, context);
      if (!isStorableTime(row.timestamp))
        throw new UnusableEvent('bad_timestamp', `the event time ${row.timestamp} is outside 1900–2299`);
      for (const step of steps) step.run(row, envelope, context);
    } catch (err) {
      const reason =
        err instanceof UnusableEvent ? err.reason : err instanceof JsonTooDeep ? 'too_deep' : 'step_failed';
      out.deadLetters.push(
        deadLetter(envelope, reason, errorMessage(err), eventPayload(events[i], envelope)),
      );
      continue;
    }
    if (drop?.(row)) continue;
    out.events.push(row);
  }
}

/** Events converted between two yields to the event loop: a large batch must not stall ingestion. */
const EVENTS_PER_SLICE = 250;

export type Converter = (records: readonly LogRecord[]) => Promise<Converted>;

export function createConverter(steps: readonly Step[], drop?: EventDrop): Converter {
  return (records) => convertRecords(records, steps, drop);
}

async function convertRecords(
  records: readonly LogRecord[],
  steps: readonly Step[],
  drop: EventDrop | undefined,
): Promise<Converted> {
  const out: Converted = { events: [], deadLetters: [] };
  let sinceYield = 0;
  for (const record of records) {
    const before = out.events.length + out.deadLetters.length;
    if (sinceYield >= EVENTS_PER_SLICE) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      sinceYield = 0;
    }
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(record.value);
    } catch (err) {
      out.deadLetters.push(
        deadLetter({}, 'bad_envelope', errorMessage(err), record.value.toString('base64')),
      );
      continue;
    }
    const events = out.events.length;
    const deadLetters = out.deadLetters.length;
    try {
      convertEnvelope(envelope, steps, out, drop);
    } catch (err) {
      // Whatever a hostile body made throw, the record as a whole becomes one dead letter.
      out.events.length = events;
      out.deadLetters.length = deadLetters;
      out.deadLetters.push(quarantinedRecord(record, 'unconvertible', err, 'events'));
    }
    sinceYield += out.events.length + out.deadLetters.length - before;
  }
  return out;
}
