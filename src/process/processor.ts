/**
 * The in-process consumer: log batch → rows → store, then (by returning) lets the log commit its position.
 * Each insert carries a token built from the batch's offset range; the log re-delivers a range with the same
 * boundaries after a crash, so a batch that reached the store before the crash is deduplicated, not doubled.
 * A failed insert rejects the handler and the log retries the same batch with capped exponential backoff.
 */
import { EVENTS_TOPIC } from '../collect/ingest.ts';
import type { EventLog, LogBatch, LogRecord, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { Store } from '../store/store.ts';
import { dropClientRetries } from './client-retries.ts';
import type { DeadLetterRow } from './event-row.ts';
import type { Converter } from './pipeline.ts';

export const PROCESSOR_GROUP = 'processor';

/** What one group of records became: rows per table (dead letters included), inserted in this order. */
export type TableRows = Array<{ table: string; rows: readonly object[] }>;
/** Where a group sits in the log: its insert token (without the table) and whether it may be stored already. */
export interface GroupContext {
  token: string;
  redelivery: boolean;
}
export type GroupConverter = (records: readonly LogRecord[], context: GroupContext) => Promise<TableRows>;
/** Rows per insert block; larger groups are split into deterministic chunks (token suffix `.m`). */
const CHUNK_ROWS = 200_000;
/**
 * A log batch is converted and inserted in groups of about this many payload bytes, so the conversion of one group
 * runs while the store inserts the previous one. Groups depend only on the records, so a re-delivered batch is
 * cut the same way and every insert gets the same token again.
 */
const GROUP_BYTES = 4 * 1024 * 1024;

export function splitRecords(records: readonly LogRecord[], maxBytes = GROUP_BYTES): LogRecord[][] {
  const groups: LogRecord[][] = [];
  let current: LogRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (current.length > 0 && bytes + record.value.length > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += record.value.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export interface ConsumerOptions {
  log: EventLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  maxRecords: number;
  maxWaitMs: number;
  /**
   * Also publish every dead letter (as its row's JSON, keyed by project) to this log topic — Kafka's dead-letter
   * topic. At least once: a batch retried after the publish publishes again (`envelope_id` tells repeats apart).
   */
  deadLetterTopic?: string;
}

export interface ProcessorOptions extends ConsumerOptions {
  convert: Converter;
  /** Check every event id against the store, not only client-supplied ids (a log that can duplicate: Kafka). */
  dedupeEveryEvent?: boolean;
}

async function insertChunks(
  options: ConsumerOptions,
  table: string,
  rows: readonly object[],
  token: string,
): Promise<void> {
  for (let start = 0, n = 0; start < rows.length; start += CHUNK_ROWS, n++) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    const stop = options.metrics.insertSeconds.startTimer({ table });
    await options.store.insert(table, chunk, `${token}.${n}`);
    stop();
    options.metrics.storedRows.inc({ table }, chunk.length);
  }
}

/**
 * Consumes one topic into the store: each batch is cut into groups, a group is converted while the previous one is
 * inserted, every insert carries `<table>:<topic>-<partition>-<first>-<last>#<group>.<chunk>` as its dedup token.
 */
export function startBatchConsumer(
  options: ConsumerOptions,
  topic: string,
  group: string,
  convert: GroupConverter,
): Subscription {
  const logger = options.logger.child({ stage: 'process', topic });
  const insertGroup = async (tables: TableRows, token: string) => {
    for (const { table, rows } of tables) {
      await insertChunks(options, table, rows, `${table}:${token}`);
      if (table === 'dead_letters' && rows.length > 0) {
        const dead = rows as DeadLetterRow[];
        if (options.deadLetterTopic)
          await options.log.append(
            options.deadLetterTopic,
            dead.map((d) => Buffer.from(JSON.stringify(d))),
            dead.map((d) => Buffer.from(d.project)),
          );
        for (const d of dead) options.metrics.deadLetters.inc({ reason: d.reason.split(':')[0] });
      }
    }
  };
  const handle = async (batch: LogBatch) => {
    const range = `${batch.topic}-${batch.partition}-${batch.first}-${batch.last}`;
    const groups = splitRecords(batch.records);
    let inserting: Promise<void> = Promise.resolve();
    try {
      for (let n = 0; n < groups.length; n++) {
        const token = `${range}#${n}`;
        const converted = await convert(groups[n], { token, redelivery: batch.redelivery });
        await inserting;
        inserting = insertGroup(converted, token);
        // Handled below; without this a failure during the next conversion would count as unhandled.
        inserting.catch(() => undefined);
      }
      await inserting;
    } catch (err) {
      options.metrics.insertFailures.inc();
      logger.warn({ err: (err as Error).message, range }, 'insert failed; the batch will be retried');
      throw err;
    }
    if (batch.redelivery)
      logger.info({ range }, 're-delivered batch stored (duplicates, if any, deduplicated)');
  };
  return options.log.subscribe(
    topic,
    group,
    { maxRecords: options.maxRecords, maxWaitMs: options.maxWaitMs },
    handle,
  );
}

/** Events: the processing pipeline into `events` (and `dead_letters`). */
export function startProcessor(options: ProcessorOptions): Subscription {
  return startBatchConsumer(options, EVENTS_TOPIC, PROCESSOR_GROUP, async (records, group) => {
    const converted = await options.convert(records);
    const { kept: events, dropped } = await dropClientRetries(options.store, converted.events, {
      ...group,
      everyProtocol: options.dedupeEveryEvent === true,
    });
    if (dropped > 0) options.metrics.clientRetriesDropped.inc(dropped);
    const deadLetters = converted.deadLetters;
    return [
      { table: 'dead_letters', rows: deadLetters },
      { table: 'events', rows: events },
    ];
  });
}
