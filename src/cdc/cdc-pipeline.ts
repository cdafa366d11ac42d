/**
 * CDC records on the log (topic `cdc`) → `db_changes` rows; what cannot be read becomes a dead letter, and a record
 * that makes its conversion throw becomes one dead letter as a whole.
 */
import { decodeEnvelope, type Envelope } from '../contract/envelope.ts';
import { JsonTooDeep, MAX_JSON_DEPTH, parseJsonWithinDepth, tooDeepAt } from '../contract/json-depth.ts';
import type { LogRecord } from '../log/event-log.ts';
import { deadLetterRow, errorMessage, quarantinedRecord } from '../process/dead-letter.ts';
import type { DeadLetterRow } from '../process/event-row.ts';
import type { GroupConverter, TableRows } from '../process/processor.ts';
import type { Store } from '../store/store.ts';
import { dropRepeatedChanges } from './change-dedup.ts';
import { checkMaxwellMessage, type DbChangeRow, splitMaxwellBody, toDbChangeRow } from './maxwell-message.ts';

/** Converts a batch, then drops the changes a sender repeated (see change-dedup.ts). */
function withoutRepeats(store: Store, convert: GroupConverter): GroupConverter {
  return async (records, context) => {
    const tables = await convert(records, context);
    return Promise.all(
      tables.map(async (t) =>
        t.table === 'db_changes'
          ? { table: t.table, rows: (await dropRepeatedChanges(store, t.rows as DbChangeRow[])).kept }
          : t,
      ),
    );
  };
}

/** The `cdc` topic's converter: envelopes from POST /cdc (and the agent) → `db_changes`, repeats dropped. */
export const createCdcConverter = (store: Store): GroupConverter => withoutRepeats(store, convertCdcRecords);

/** How splitMaxwellBody reads a body: JSON lines unless it is one array or a single line. */
function isJsonLines(text: string): boolean {
  const trimmed = text.trim();
  return !trimmed.startsWith('[') && trimmed.includes('\n');
}

/** A message as a row, or the reason it cannot be one (checked, and its JSON columns serialisable). */
function changeRow(message: unknown, project: string, receivedAt: string): DbChangeRow | string {
  const problems = checkMaxwellMessage(message, 0);
  if (problems.length > 0) return `bad_change: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;
  try {
    return toDbChangeRow(message as Record<string, unknown>, project, receivedAt);
  } catch (err) {
    return `bad_change: ${errorMessage(err)}`;
  }
}

function messagePayload(message: unknown): string {
  try {
    return JSON.stringify(message) ?? '';
  } catch {
    return '';
  }
}

function convertEnvelope(envelope: Envelope, rows: DbChangeRow[], dead: DeadLetterRow[]): void {
  const receivedAt = new Date(envelope.receivedAt).toISOString();
  const letter = (reason: string, payload: string | Buffer) =>
    deadLetterRow({
      receivedAt: envelope.receivedAt,
      project: envelope.project,
      source: 'cdc',
      reason,
      envelopeId: envelope.id,
      payload,
    });
  const text = envelope.body.toString('utf8');
  // Bodies the collector took before it checked nesting may still be on the log: measured here too.
  if (tooDeepAt(text, MAX_JSON_DEPTH, isJsonLines(text)) >= 0) {
    dead.push(letter(`too_deep: the body nests deeper than ${MAX_JSON_DEPTH} levels`, envelope.body));
    return;
  }
  const { messages, bad } = splitMaxwellBody(text);
  for (const m of messages) {
    const row = changeRow(m, envelope.project, receivedAt);
    if (typeof row === 'string') dead.push(letter(row, messagePayload(m)));
    else rows.push(row);
  }
  for (const b of bad) dead.push(letter(`bad_json: ${b.message}`, ''));
}

export async function convertCdcRecords(records: readonly LogRecord[]): Promise<TableRows> {
  const rows: DbChangeRow[] = [];
  const dead: DeadLetterRow[] = [];
  for (const record of records) {
    const kept = { rows: rows.length, dead: dead.length };
    try {
      convertEnvelope(decodeEnvelope(record.value), rows, dead);
    } catch (err) {
      // Whatever made this record throw, it becomes one dead letter and none of its changes are kept.
      rows.length = kept.rows;
      dead.length = kept.dead;
      dead.push(quarantinedRecord(record, 'bad_envelope', err, 'cdc'));
    }
  }
  return [
    { table: 'dead_letters', rows: dead },
    { table: 'db_changes', rows },
  ];
}

/**
 * Real Maxwell's own messages, read from its Kafka topic (`maxwell`): one change per message, attributed to
 * `project` — so servers that already run Maxwell change nothing.
 */
export function createMaxwellTopicConverter(store: Store, project: string, topic: string): GroupConverter {
  return withoutRepeats(store, async (records: readonly LogRecord[]): Promise<TableRows> => {
    const rows: DbChangeRow[] = [];
    const dead: DeadLetterRow[] = [];
    const receivedAt = new Date().toISOString();
    for (const record of records) {
      const bad = (reason: string) =>
        dead.push(
          deadLetterRow({
            receivedAt: Date.parse(receivedAt),
            project,
            source: 'cdc',
            reason,
            envelopeId: `${topic}@${record.offset}`,
            payload: record.value,
          }),
        );
      let message: unknown;
      try {
        message = parseJsonWithinDepth(record.value.toString('utf8'));
      } catch (err) {
        bad(`${err instanceof JsonTooDeep ? 'too_deep' : 'bad_json'}: ${errorMessage(err)}`);
        continue;
      }
      const row = changeRow(message, project, receivedAt);
      if (typeof row === 'string') bad(row);
      else rows.push(row);
    }
    return [
      { table: 'dead_letters', rows: dead },
      { table: 'db_changes', rows },
    ];
  });
}
