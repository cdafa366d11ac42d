/**
 * From log records to rows, top to bottom: decode the envelope, parse its body, map each event with its
 * protocol's adapter, then run the enrichment steps in order. Anything that cannot become a row becomes a
 * dead letter with the reason and the raw payload — nothing accepted is dropped silently.
 */
import { decodeEnvelope, type Envelope, eventIdOf, type Protocol } from '../collect/envelope.ts';
import type { LogRecord } from '../log/event-log.ts';
import type { ProtocolAdapter } from './adapters/adapter.ts';
import { isoTime, UnusableEvent } from './adapters/adapter.ts';
import { nativeAdapter } from './adapters/native.adapter.ts';
import { segmentAdapter, splitSegmentBody } from './adapters/segment.adapter.ts';
import { plausibleAdapter, umamiAdapter } from './adapters/site-protocols.adapter.ts';
import { snowplowAdapter, splitSnowplowBody } from './adapters/snowplow.adapter.ts';
import { telemetryAdapter } from './adapters/telemetry.adapter.ts';
import { DailySalts } from './enrich/daily-salts.ts';
import { type GeoLookup, openGeoLookup } from './enrich/geo-lookup.ts';
import type { SessionTracker } from './enrich/session-tracker.ts';
import { blankRow, type DeadLetterRow, type EventRow } from './event-row.ts';
import { createBotStep } from './steps/put-bot.step.ts';
import { putGeo } from './steps/put-geo.step.ts';
import { putProfileFlag } from './steps/put-profile-flag.step.ts';
import { putReferrer } from './steps/put-referrer.step.ts';
import { putSession } from './steps/put-session.step.ts';
import { putUrl } from './steps/put-url.step.ts';
import { putUserAgent } from './steps/put-user-agent.step.ts';
import { putVisitor } from './steps/put-visitor.step.ts';
import type { EventContext, Step } from './steps/step.ts';

/** Protocols whose events become `events` rows (log lines have their own pipeline in src/logs). */
const ADAPTERS: Partial<Record<Protocol, ProtocolAdapter>> = {
  native: nativeAdapter,
  telemetry: telemetryAdapter,
  segment: segmentAdapter,
  plausible: plausibleAdapter,
  umami: umamiAdapter,
  snowplow: snowplowAdapter,
};

type Splitter = (parsed: unknown, envelope: Envelope) => unknown[];

/** One event or a JSON array of events — unless the protocol wraps its events (Segment and Snowplow batches). */
const splitDefault: Splitter = (parsed) => (Array.isArray(parsed) ? parsed : [parsed]);

const SPLITTERS: Partial<Record<Protocol, Splitter>> = {
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
  payload: string,
): DeadLetterRow {
  return {
    received_at: isoTime(envelope.receivedAt ?? Date.now()),
    project: envelope.project ?? '',
    source: envelope.protocol ?? 'unknown',
    reason: `${reason}: ${message}`,
    envelope_id: envelope.id ?? '',
    payload,
  };
}

function convertEnvelope(envelope: Envelope, steps: readonly Step[], out: Converted): void {
  const adapter = ADAPTERS[envelope.protocol];
  if (!adapter) {
    out.deadLetters.push(
      deadLetter(
        envelope,
        'unknown_protocol',
        `no adapter for "${envelope.protocol}"`,
        envelope.body.toString('utf8'),
      ),
    );
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(envelope.body.toString('utf8'));
  } catch (err) {
    out.deadLetters.push(
      deadLetter(envelope, 'bad_json', (err as Error).message, envelope.body.toString('utf8')),
    );
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
      for (const step of steps) step.run(row, envelope, context);
    } catch (err) {
      const reason = err instanceof UnusableEvent ? err.reason : 'step_failed';
      out.deadLetters.push(
        deadLetter(envelope, reason, (err as Error).message, JSON.stringify(events[i]) ?? ''),
      );
      continue;
    }
    out.events.push(row);
  }
}

/** Events converted between two yields to the event loop: a large batch must not stall ingestion. */
const EVENTS_PER_SLICE = 250;

export type Converter = (records: readonly LogRecord[]) => Promise<Converted>;

export function createConverter(steps: readonly Step[]): Converter {
  return (records) => convertRecords(records, steps);
}

async function convertRecords(records: readonly LogRecord[], steps: readonly Step[]): Promise<Converted> {
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
        deadLetter({}, 'bad_envelope', (err as Error).message, record.value.toString('base64')),
      );
      continue;
    }
    convertEnvelope(envelope, steps, out);
    sinceYield += out.events.length + out.deadLetters.length - before;
  }
  return out;
}
