/**
 * The in-process consumer: log batch → rows → store, then (by returning) lets the log commit its position.
 * Each insert carries a token built from the batch's offset range; the log re-delivers a range with the same
 * boundaries after a crash, so a batch that reached the store before the crash is deduplicated, not doubled.
 * A failed insert rejects the handler and the log retries the same batch with capped exponential backoff — when the
 * store is unavailable. A group whose conversion, or a block the store refuses, fails for any other reason is split
 * until the records or rows that fail alone are found and quarantined as dead letters (isolate.ts).
 */
import { EVENTS_TOPIC } from '../contract/topics.ts';
import type { EventLog, LogBatch, LogRecord, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { InsertOptions, Store } from '../store/store.ts';
import { VISIT_ROWS_INSERT, VISITS_TABLE } from '../store/visits.ts';
import { dropClientRetries } from './client-retries.ts';
import { errorMessage, lastResortRow, quarantinedRecord, rejectedRow } from './dead-letter.ts';
import type { DeadLetterRow } from './event-row.ts';
import { convertIsolating, type GroupConverter, insertIsolating, type TableRows } from './isolate.ts';
import type { Converter } from './pipeline.ts';
import type { VisitKeeper } from './visits/visit-keeper.ts';

export const PROCESSOR_GROUP = 'processor';

/** What one group of records became: rows per table (dead letters included), inserted in this order. */
export type { GroupContext, GroupConverter, TableRows } from './isolate.ts';

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
  /**
   * Runs each batch as a whole (src/privacy/write-gate.ts `guard`: an erasure waits for the batch in flight, and the
   * next batch for the erasure). The store is then the store itself, not the gate's wrapped one.
   */
  guard?: <T>(work: () => Promise<T>) => Promise<T>;
  /** Bytes of log records per group of a batch (default 4 MiB); tests cut small batches into many groups. */
  groupBytes?: number;
}

export interface ProcessorOptions extends ConsumerOptions {
  convert: Converter;
  /** Check every event id against the store, not only client-supplied ids (a log that can duplicate: Kafka). */
  dedupeEveryEvent?: boolean;
  /** Keeps `visits` beside the events (src/process/visits/); without it only the events are written. */
  visits?: VisitKeeper;
}

/** What a consumer with state of its own is told about each batch. */
export interface BatchHooks {
  /** Before a batch's first group is converted. */
  starting?: (batch: LogBatch) => void;
  /**
   * After every group of a batch is stored, before the batch is committed: more rows to store, inserted with the
   * batch's own token (`<range>#end`).
   */
  finishing?: () => Promise<TableRows>;
  /**
   * Instead of `finishing`, when the rows can be made before the last group is stored (they need nothing stored
   * first): made once every group is converted, and inserted beside the last group's insert. Undefined: not now.
   */
  finishingBeside?: () => Promise<TableRows> | undefined;
  /** When a batch failed and will be retried. */
  failed?: () => void;
}

async function insertBlock(
  options: ConsumerOptions,
  table: string,
  rows: readonly object[],
  token: string,
  insert?: InsertOptions,
): Promise<void> {
  const stop = options.metrics.insertSeconds.startTimer({ table });
  await options.store.insert(table, rows, token, insert);
  stop();
  options.metrics.storedRows.inc({ table }, rows.length);
}

/** Inserts in chunks; a row the store refuses on its own is left out of its chunk and passed to `refused`. */
async function insertChunks(
  options: ConsumerOptions,
  table: string,
  rows: readonly object[],
  token: string,
  refused: (row: object, err: unknown) => void,
  onSplit: (size: number, err: unknown) => void,
  insert?: InsertOptions,
): Promise<void> {
  for (let start = 0, n = 0; start < rows.length; start += CHUNK_ROWS, n++) {
    await insertIsolating(
      rows.slice(start, start + CHUNK_ROWS),
      `${token}.${n}`,
      (part, partToken) => insertBlock(options, table, part, partToken, insert),
      refused,
      onSplit,
    );
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
  hooks: BatchHooks = {},
): Subscription {
  const logger = options.logger.child({ stage: 'process', topic });
  const publish = async (dead: readonly DeadLetterRow[]) => {
    if (dead.length === 0) return;
    if (options.deadLetterTopic)
      await options.log.append(
        options.deadLetterTopic,
        dead.map((d) => Buffer.from(JSON.stringify(d))),
        dead.map((d) => Buffer.from(d.project)),
      );
    for (const d of dead) options.metrics.deadLetters.inc({ reason: d.reason.split(':')[0] });
  };
  const onSplit = (what: string) => (size: number, err: unknown) =>
    logger.warn(
      { size, err: errorMessage(err) },
      `${what} failed; splitting it to find the records at fault`,
    );
  /** A record whose conversion fails on its own (whatever the converter does with the others). */
  const quarantine = (record: LogRecord, err: unknown): TableRows => {
    logger.warn(
      { offset: record.offset, err: errorMessage(err) },
      'a record fails to convert on its own; quarantined as a dead letter',
    );
    return [{ table: 'dead_letters', rows: [quarantinedRecord(record, 'unconvertible', err, topic)] }];
  };
  const insertGroup = async (tables: TableRows, token: string) => {
    const refused: DeadLetterRow[] = [];
    const refuse = (table: string) => (row: object, err: unknown) => {
      logger.warn(
        { table, err: errorMessage(err) },
        'the store refuses a row on its own; quarantined as a dead letter',
      );
      refused.push(rejectedRow(table, row, err));
    };
    for (const { table, rows, insert } of tables) {
      await insertChunks(
        options,
        table,
        rows,
        `${table}:${token}`,
        refuse(table),
        onSplit(`insert into ${table}`),
        insert,
      );
      if (table === 'dead_letters') await publish(rows as DeadLetterRow[]);
    }
    if (refused.length === 0) return;
    // The dead letters of refused rows; should even one of those be refused, an ASCII-only row stands in for it.
    const last: DeadLetterRow[] = [];
    await insertChunks(
      options,
      'dead_letters',
      refused,
      `dead_letters:${token}.refused`,
      (row, err) => last.push(lastResortRow(row as DeadLetterRow, err)),
      onSplit('insert of refused rows'),
    );
    await insertChunks(
      options,
      'dead_letters',
      last,
      `dead_letters:${token}.refused.last`,
      (row, err) =>
        logger.error(
          { reason: (row as DeadLetterRow).reason, err: errorMessage(err) },
          'the store refuses even the plainest dead letter; dropped',
        ),
      onSplit('insert of last-resort dead letters'),
    );
    await publish(refused);
  };
  const handleBatch = async (batch: LogBatch) => {
    const range = `${batch.topic}-${batch.partition}-${batch.first}-${batch.last}`;
    const groups = splitRecords(batch.records, options.groupBytes);
    let inserting: Promise<void> = Promise.resolve();
    hooks.starting?.(batch);
    try {
      for (let n = 0; n < groups.length; n++) {
        const token = `${range}#${n}`;
        const context = { token, redelivery: batch.redelivery };
        const converted = await convertIsolating(
          groups[n],
          context,
          convert,
          quarantine,
          onSplit('a conversion'),
        );
        await inserting;
        inserting = insertGroup(converted, token);
        // Handled below; without this a failure during the next conversion would count as unhandled.
        inserting.catch(() => undefined);
      }
      const beside = hooks.finishingBeside?.();
      if (beside) {
        // Both settle before the batch is retried or committed: a retry starts from a store nothing writes to.
        const settled = await Promise.allSettled([
          inserting,
          beside.then((rows) => insertGroup(rows, `${range}#end`)),
        ]);
        for (const s of settled) if (s.status === 'rejected') throw s.reason;
      } else {
        await inserting;
        if (hooks.finishing) await insertGroup(await hooks.finishing(), `${range}#end`);
      }
    } catch (err) {
      hooks.failed?.();
      options.metrics.insertFailures.inc();
      logger.warn({ err: (err as Error).message, range }, 'insert failed; the batch will be retried');
      throw err;
    }
    if (batch.redelivery)
      logger.info({ range }, 're-delivered batch stored (duplicates, if any, deduplicated)');
  };
  const { guard } = options;
  const handle = guard ? (batch: LogBatch) => guard(() => handleBatch(batch)) : handleBatch;
  return options.log.subscribe(
    topic,
    group,
    { maxRecords: options.maxRecords, maxWaitMs: options.maxWaitMs },
    handle,
  );
}

/** Events: the processing pipeline into `events` (and `dead_letters`, and `visits`). */
export function startProcessor(options: ProcessorOptions): Subscription {
  const { visits } = options;
  // A re-delivered batch may be stored in part, and a failed one is retried: the visits it touched are read again.
  // A batch's visit rows that read stored events (visits not held) are made after all its events are stored; the
  // others — the usual case — are stored beside its last events, in the store's second session (visit-keeper.ts).
  const hooks: BatchHooks = visits
    ? {
        starting: (batch) => {
          if (batch.redelivery) visits.reset();
        },
        finishing: async () => [
          { table: VISITS_TABLE, rows: await visits.rows(), insert: VISIT_ROWS_INSERT },
        ],
        finishingBeside: () =>
          visits.readsStore()
            ? undefined
            : visits
                .rows()
                .then((rows) => [
                  { table: VISITS_TABLE, rows, insert: { ...VISIT_ROWS_INSERT, alongside: true } },
                ]),
        failed: () => visits.reset(),
      }
    : {};
  return startBatchConsumer(
    options,
    EVENTS_TOPIC,
    PROCESSOR_GROUP,
    async (records, group) => {
      const converted = await options.convert(records);
      const { kept: events, dropped } = await dropClientRetries(options.store, converted.events, {
        ...group,
        everyProtocol: options.dedupeEveryEvent === true,
      });
      if (dropped > 0) options.metrics.clientRetriesDropped.inc(dropped);
      visits?.add(events);
      return [
        { table: 'dead_letters', rows: converted.deadLetters },
        { table: 'events', rows: events },
      ];
    },
    hooks,
  );
}
