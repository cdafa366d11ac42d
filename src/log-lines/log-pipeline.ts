/**
 * Log records on the log → `logs` rows: the same splitter the collector used (so the same lines are good or bad),
 * the envelope's project and receive time, and the country of an access line's client IP. Bad lines become
 * dead letters with their line number and reason; a record that cannot be read at all becomes one dead letter.
 */
import { decodeEnvelope, type Envelope } from '../contract/envelope.ts';
import type { LogRecord } from '../log/event-log.ts';
import { deadLetterRow, errorMessage, quarantinedRecord } from '../process/dead-letter.ts';
import type { GeoLookup } from '../process/enrich/geo-lookup.ts';
import { type DeadLetterRow, isStorableTime } from '../process/event-row.ts';
import type { TableRows } from '../process/processor.ts';
import { type LineFormat, splitLogBody } from './log-body.ts';
import type { LogRow } from './log-row.ts';

/** The envelope's `call` carries the format and an optional source hint: `nginx`, `json/vector`. */
export function logCall(format: LineFormat, source: string | undefined): string {
  return source ? `${format}/${source}` : format;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A line's own time when the store can hold it, else the receive time. */
function timeOf(ms: number | undefined, receivedAt: string): string {
  if (ms === undefined || !Number.isFinite(ms)) return receivedAt;
  const text = iso(ms);
  return isStorableTime(text) ? text : receivedAt;
}

function convertEnvelope(envelope: Envelope, geo: GeoLookup, rows: LogRow[], dead: DeadLetterRow[]): void {
  const [format, source] = (envelope.call ?? 'json').split('/') as [LineFormat, string | undefined];
  const { records, bad } = splitLogBody(envelope.body.toString('utf8'), format, source);
  const receivedAt = iso(envelope.receivedAt);
  for (const r of records) {
    const attributes = r.attributes;
    if (attributes.ip && !attributes.country) {
      const country = geo.lookup(attributes.ip).country;
      if (country) attributes.country = country;
    }
    rows.push({
      timestamp: timeOf(r.time, receivedAt),
      received_at: receivedAt,
      project: envelope.project,
      host: r.host,
      service: r.service,
      level: r.level,
      message: r.message,
      attributes,
      source: r.source,
    });
  }
  for (const b of bad)
    dead.push(
      deadLetterRow({
        receivedAt: envelope.receivedAt,
        project: envelope.project,
        source: 'logs',
        reason: 'bad_log_line',
        message: `line ${b.line}: ${b.reason}`,
        envelopeId: envelope.id,
        payload: b.sample,
      }),
    );
}

/**
 * One record's rows, or — when anything in it throws — none of its rows and one dead letter for the whole record,
 * so a hostile record can neither sink its batch nor leave half of itself stored.
 */
function convertRecord(
  record: LogRecord,
  toEnvelope: (record: LogRecord) => Envelope,
  unreadable: (record: LogRecord, err: unknown) => DeadLetterRow,
  geo: GeoLookup,
  rows: LogRow[],
  dead: DeadLetterRow[],
): void {
  const kept = { rows: rows.length, dead: dead.length };
  try {
    convertEnvelope(toEnvelope(record), geo, rows, dead);
  } catch (err) {
    rows.length = kept.rows;
    dead.length = kept.dead;
    dead.push(unreadable(record, err));
  }
}

/**
 * Shippers' messages read straight from a Kafka topic (`app.logs`): one log record per message — Fluent Bit's and
 * Filebeat's JSON objects, rsyslog's RFC 5424/3164 lines (omkafka with RSYSLOG_SyslogProtocol23Format), or plain
 * text. The same parsing as `POST /logs`, attributed to `project`.
 */
export function createShipperLogConverter(geo: GeoLookup, project: string, topic: string) {
  return async (records: readonly LogRecord[]): Promise<TableRows> => {
    const rows: LogRow[] = [];
    const dead: DeadLetterRow[] = [];
    const now = Date.now();
    const asEnvelope = (record: LogRecord): Envelope => {
      const text = record.value.toString('utf8').trimStart();
      const format: LineFormat = text.startsWith('{') ? 'json' : /^<\d{1,3}>/.test(text) ? 'syslog' : 'text';
      return {
        v: 1,
        id: `${topic}@${record.offset}`,
        receivedAt: now,
        protocol: 'logs',
        project,
        ip: '',
        ua: '',
        headers: {},
        count: 1,
        call: format,
        body: record.value,
      };
    };
    const unreadable = (record: LogRecord, err: unknown) =>
      deadLetterRow({
        receivedAt: now,
        project,
        source: 'logs',
        reason: 'bad_log_record',
        message: errorMessage(err),
        envelopeId: `${topic}@${record.offset}`,
        payload: record.value,
      });
    for (const record of records) convertRecord(record, asEnvelope, unreadable, geo, rows, dead);
    return [
      { table: 'dead_letters', rows: dead },
      { table: 'logs', rows },
    ];
  };
}

export function createLogConverter(geo: GeoLookup) {
  return async (records: readonly LogRecord[]): Promise<TableRows> => {
    const rows: LogRow[] = [];
    const dead: DeadLetterRow[] = [];
    for (const record of records) {
      convertRecord(
        record,
        (r) => decodeEnvelope(r.value),
        (r, err) => quarantinedRecord(r, 'bad_envelope', err, 'logs'),
        geo,
        rows,
        dead,
      );
      // Large log bodies: let HTTP breathe between records.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return [
      { table: 'dead_letters', rows: dead },
      { table: 'logs', rows },
    ];
  };
}
