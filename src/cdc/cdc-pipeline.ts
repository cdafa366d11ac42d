/** CDC records on the log (topic `cdc`) → `db_changes` rows; what cannot be read becomes a dead letter. */
import { decodeEnvelope } from '../collect/envelope.ts';
import type { LogRecord } from '../log/event-log.ts';
import type { DeadLetterRow } from '../process/event-row.ts';
import type { GroupConverter, TableRows } from '../process/processor.ts';
import type { Store } from '../store/store.ts';
import { dropRepeatedChanges } from './change-dedup.ts';
import { checkMaxwellMessage, type DbChangeRow, splitMaxwellBody, toDbChangeRow } from './maxwell-message.ts';

export const CDC_TOPIC = 'cdc';

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

export async function convertCdcRecords(records: readonly LogRecord[]): Promise<TableRows> {
  const rows: DbChangeRow[] = [];
  const dead: DeadLetterRow[] = [];
  for (const record of records) {
    let envelope: ReturnType<typeof decodeEnvelope>;
    try {
      envelope = decodeEnvelope(record.value);
    } catch (err) {
      dead.push({
        received_at: new Date().toISOString(),
        project: '',
        source: 'cdc',
        reason: `bad_envelope: ${(err as Error).message}`,
        envelope_id: '',
        payload: record.value.toString('base64'),
      });
      continue;
    }
    const receivedAt = new Date(envelope.receivedAt).toISOString();
    const { messages, bad } = splitMaxwellBody(envelope.body.toString('utf8'));
    messages.forEach((m, i) => {
      const problems = checkMaxwellMessage(m, i);
      if (problems.length === 0)
        rows.push(toDbChangeRow(m as Record<string, unknown>, envelope.project, receivedAt));
      else
        dead.push({
          received_at: receivedAt,
          project: envelope.project,
          source: 'cdc',
          reason: `bad_change: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
          envelope_id: envelope.id,
          payload: JSON.stringify(m) ?? '',
        });
    });
    for (const b of bad)
      dead.push({
        received_at: receivedAt,
        project: envelope.project,
        source: 'cdc',
        reason: `bad_json: ${b.message}`,
        envelope_id: envelope.id,
        payload: '',
      });
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
        dead.push({
          received_at: receivedAt,
          project,
          source: 'cdc',
          reason,
          envelope_id: `${topic}@${record.offset}`,
          payload: record.value.toString('utf8').slice(0, 100_000),
        });
      let message: unknown;
      try {
        message = JSON.parse(record.value.toString('utf8'));
      } catch (err) {
        bad(`bad_json: ${(err as Error).message}`);
        continue;
      }
      const problems = checkMaxwellMessage(message, 0);
      if (problems.length === 0)
        rows.push(toDbChangeRow(message as Record<string, unknown>, project, receivedAt));
      else bad(`bad_change: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`);
    }
    return [
      { table: 'dead_letters', rows: dead },
      { table: 'db_changes', rows },
    ];
  });
}
