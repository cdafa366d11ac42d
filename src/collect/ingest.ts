/** The one way into the log: wrap the raw body in an envelope, append, and acknowledge only once durable. */
import type { FastifyRequest } from 'fastify';
import { ENVELOPE_HEADERS, encodeEnvelope, type Protocol } from '../contract/envelope.ts';
import type { EventValidator } from '../contract/event-validator.ts';
import type { FieldProblem } from '../contract/field-problem.ts';
import { EVENTS_TOPIC } from '../contract/topics.ts';
import type { EventLog } from '../log/event-log.ts';
import type { Metrics } from '../observe/metrics.ts';
import { emptyBatch, invalidEvents, logUnavailable } from './errors.ts';
import { asCollectError } from './json-body.ts';
import { BROWSER_PROTOCOLS, optedOut } from './opt-out.ts';

export interface IngestDeps {
  log: EventLog;
  metrics: Metrics;
  /** SIGHTLINE_HONOR_GPC: drop browser events of requests with `DNT: 1` or `Sec-GPC: 1` (opt-out.ts). */
  honorGpc?: boolean;
  /** The site's allowed origins (src/collect/project-keys.ts): throws for a browser origin the site does not list. */
  checkOrigin?: (project: string, origin: string | undefined) => void;
}

/** A body is one event or a JSON array of them; every event must pass or none is accepted. */
export function validateBatch(parsed: unknown, validator: EventValidator): number {
  const events = Array.isArray(parsed) ? parsed : [parsed];
  if (events.length === 0) throw emptyBatch();
  const problems: FieldProblem[] = [];
  const batch = Array.isArray(parsed);
  for (let i = 0; i < events.length; i++) {
    let found: FieldProblem[];
    try {
      found = validator.check(events[i], batch ? i : undefined);
    } catch (err) {
      // Embedded JSON (Snowplow's ue_px, telemetry's metadataJson, …) nested too deep: its own 400.
      throw asCollectError(err, batch ? i : undefined);
    }
    if (found.length > 0) problems.push(...found);
  }
  if (problems.length > 0) throw invalidEvents(problems, events.length);
  return events.length;
}

export interface IngestInput {
  protocol: Protocol;
  project: string;
  tenant?: string;
  count: number;
  body: Buffer;
  call?: string;
  /** The log topic (default: events). */
  topic?: string;
}

function pickHeaders(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ENVELOPE_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

export async function ingest(deps: IngestDeps, request: FastifyRequest, input: IngestInput): Promise<number> {
  const origin = request.headers.origin;
  deps.checkOrigin?.(input.project, typeof origin === 'string' ? origin : undefined);
  if (deps.honorGpc && BROWSER_PROTOCOLS.has(input.protocol) && optedOut(request.headers)) {
    // Answered as accepted (nothing for the tracker to retry), but never written anywhere.
    deps.metrics.optedOutEvents.inc({ protocol: input.protocol }, input.count);
    return input.count;
  }
  const record = encodeEnvelope(
    {
      v: 1,
      id: crypto.randomUUID(),
      receivedAt: Date.now(),
      protocol: input.protocol,
      project: input.project,
      ...(input.tenant ? { tenant: input.tenant } : {}),
      ip: request.ip,
      ua: request.headers['user-agent'] ?? '',
      headers: pickHeaders(request),
      count: input.count,
      ...(input.call ? { call: input.call } : {}),
    },
    input.body,
  );
  try {
    // One visitor's requests share a key (the inputs of its visitor id), so Kafka keeps them in one partition and
    // one processor sees a whole session.
    const key = Buffer.from(`${input.project}\n${request.ip}\n${request.headers['user-agent'] ?? ''}`);
    await deps.log.append(input.topic ?? EVENTS_TOPIC, [record], [key]);
  } catch (err) {
    request.log.error({ err }, 'log append failed; answering 503');
    throw logUnavailable();
  }
  deps.metrics.acceptedEvents.inc({ protocol: input.protocol }, input.count);
  return input.count;
}
