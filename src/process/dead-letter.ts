/**
 * Building a dead letter must not fail, whatever the input: it is the last place a record can go. Every field is
 * coerced to a bounded string here, and the payload is cut so its JSON form (the row sent to the store, and the
 * message on Kafka's dead-letter topic) stays far below a Kafka message's size limit.
 */
import { isUtf8 } from 'node:buffer';
import { decodeEnvelope } from '../contract/envelope.ts';
import type { LogRecord } from '../log/event-log.ts';
import type { DeadLetterRow } from './event-row.ts';

/** Most characters of a payload once JSON-escaped (control characters escape to six). */
export const MAX_PAYLOAD_JSON_CHARS = 256 * 1024;
const MAX_REASON_CHARS = 2000;
const MAX_FIELD_CHARS = 256;

function bounded(value: unknown, max: number): string {
  try {
    const s = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
    return s.length > max ? s.slice(0, max) : s;
  } catch {
    return '';
  }
}

function receivedText(ms: unknown): string {
  const n = typeof ms === 'number' ? ms : Number.NaN;
  const date = new Date(Number.isFinite(n) ? n : Date.now());
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}

/** The payload as stored text, and whether it was cut. Invalid UTF-8 is kept exactly, as base64. */
export function payloadText(payload: string | Buffer): { text: string; cut: boolean; base64: boolean } {
  let text: string;
  let base64 = false;
  if (typeof payload === 'string') text = payload;
  else if (isUtf8(payload)) text = payload.toString('utf8');
  else {
    text = payload.toString('base64');
    base64 = true;
  }
  if (text.length <= MAX_PAYLOAD_JSON_CHARS / 6) return { text, cut: false, base64 };
  let cut = false;
  if (text.length > MAX_PAYLOAD_JSON_CHARS) {
    text = text.slice(0, MAX_PAYLOAD_JSON_CHARS);
    cut = true;
  }
  // Escaping can grow the text up to six times; cut until its JSON form fits.
  while (JSON.stringify(text).length > MAX_PAYLOAD_JSON_CHARS) {
    text = text.slice(0, Math.floor(text.length / 2));
    cut = true;
  }
  // Never end on the first half of a surrogate pair.
  const last = text.charCodeAt(text.length - 1);
  if (cut && last >= 0xd800 && last <= 0xdbff) text = text.slice(0, -1);
  return { text, cut, base64 };
}

export interface DeadLetterInput {
  receivedAt?: unknown;
  project?: unknown;
  source?: unknown;
  reason: string;
  message?: unknown;
  envelopeId?: unknown;
  payload: string | Buffer;
}

/** A dead-letter row for any input; never throws. */
export function deadLetterRow(input: DeadLetterInput): DeadLetterRow {
  const payload = payloadText(input.payload);
  const notes = [
    payload.base64 ? 'payload base64: not UTF-8' : '',
    payload.cut ? `payload cut to ${payload.text.length} characters` : '',
  ].filter((n) => n !== '');
  const message = bounded(input.message, MAX_REASON_CHARS);
  return {
    received_at: receivedText(input.receivedAt),
    project: bounded(input.project, MAX_FIELD_CHARS),
    source: bounded(input.source, MAX_FIELD_CHARS) || 'unknown',
    reason: bounded(
      `${input.reason}${message ? `: ${message}` : ''}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`,
      MAX_REASON_CHARS,
    ),
    envelope_id: bounded(input.envelopeId, MAX_FIELD_CHARS),
    payload: payload.text,
  };
}

/** The message of anything thrown, without trusting it (a getter may throw, a message may be huge). */
export function errorMessage(err: unknown): string {
  try {
    return bounded(err instanceof Error ? err.message : err, MAX_REASON_CHARS);
  } catch {
    return 'unknown error';
  }
}

/**
 * A whole log record that could not be converted (or whose conversion threw): its envelope's project, protocol and
 * id when it decodes, its raw body as the payload; otherwise the record's bytes as base64 under `source`.
 */
export function quarantinedRecord(
  record: LogRecord,
  reason: string,
  err: unknown,
  source: string,
): DeadLetterRow {
  try {
    const envelope = decodeEnvelope(record.value);
    return deadLetterRow({
      receivedAt: envelope.receivedAt,
      project: envelope.project,
      source: envelope.protocol,
      reason,
      message: errorMessage(err),
      envelopeId: envelope.id,
      payload: envelope.body,
    });
  } catch {
    return deadLetterRow({
      source,
      reason,
      message: errorMessage(err),
      payload: record.value.toString('base64'),
    });
  }
}

function sourceOfRow(table: string, row: Record<string, unknown>): unknown {
  if (table === 'events') return row.protocol;
  if (table === 'logs') return 'logs';
  if (table === 'db_changes') return 'cdc';
  if (table === 'dead_letters') return row.source;
  return table;
}

/** A row the store refused on its own (after its block was split down to it): the row's JSON is the payload. */
export function rejectedRow(table: string, row: object, err: unknown): DeadLetterRow {
  const r = row as Record<string, unknown>;
  let payload: string;
  try {
    payload = JSON.stringify(row) ?? '';
  } catch {
    payload = '';
  }
  return deadLetterRow({
    receivedAt: Date.parse(bounded(r.received_at, 64)),
    project: r.project,
    source: sourceOfRow(table, r),
    reason: 'rejected_by_store',
    message: `${table}: ${errorMessage(err)}`,
    envelopeId: table === 'events' ? r.event_id : r.envelope_id,
    payload,
  });
}

/**
 * The dead letter of a dead letter the store refused: nothing but ASCII, the original row as base64 — a row the
 * store cannot refuse.
 */
export function lastResortRow(row: DeadLetterRow, err: unknown): DeadLetterRow {
  let json: string;
  try {
    json = JSON.stringify(row);
  } catch {
    json = '';
  }
  return {
    received_at: new Date().toISOString(),
    project: '',
    source: 'unknown',
    reason: `rejected_by_store: ${errorMessage(err).replace(/[^\x20-\x7e]/g, '?')}`.slice(
      0,
      MAX_REASON_CHARS,
    ),
    envelope_id: '',
    payload: Buffer.from(json.slice(0, MAX_PAYLOAD_JSON_CHARS / 2))
      .toString('base64')
      .slice(0, MAX_PAYLOAD_JSON_CHARS),
  };
}
