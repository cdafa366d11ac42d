/**
 * The in-process consumer: log batch → rows → store, then (by returning) lets the log commit its position.
 * Each insert carries a token built from the batch's offset range; the log re-delivers a range with the same
 * boundaries after a crash, so a batch that reached the store before the crash is deduplicated, not doubled.
 * A failed insert rejects the handler and the log retries the same batch with capped exponential backoff.
 */
import { EVENTS_TOPIC } from '../collect/ingest.ts';
import type { EventLog, LogBatch, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { Store } from '../store/store.ts';
import type { Converter } from './pipeline.ts';

export const PROCESSOR_GROUP = 'processor';
/** Rows per insert block; larger batches are split into deterministic chunks (token suffix `#n`). */
const CHUNK_ROWS = 200_000;

export interface ProcessorOptions {
  log: EventLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  convert: Converter;
  maxRecords: number;
  maxWaitMs: number;
}

async function insertChunks(
  options: ProcessorOptions,
  table: string,
  rows: readonly object[],
  token: string,
): Promise<void> {
  for (let start = 0, n = 0; start < rows.length; start += CHUNK_ROWS, n++) {
    const chunk = rows.slice(start, start + CHUNK_ROWS);
    const stop = options.metrics.insertSeconds.startTimer({ table });
    await options.store.insert(table, chunk, `${token}#${n}`);
    stop();
    options.metrics.storedRows.inc({ table }, chunk.length);
  }
}

export function startProcessor(options: ProcessorOptions): Subscription {
  const logger = options.logger.child({ stage: 'process' });
  const handle = async (batch: LogBatch) => {
    const { events, deadLetters } = await options.convert(batch.records);
    const range = `${batch.topic}-${batch.partition}-${batch.first}-${batch.last}`;
    try {
      await insertChunks(options, 'dead_letters', deadLetters, `dl:${range}`);
      await insertChunks(options, 'events', events, `ev:${range}`);
    } catch (err) {
      options.metrics.insertFailures.inc();
      logger.warn({ err: (err as Error).message, range }, 'insert failed; the batch will be retried');
      throw err;
    }
    for (const d of deadLetters) options.metrics.deadLetters.inc({ reason: d.reason.split(':')[0] });
    if (batch.redelivery)
      logger.info({ range }, 're-delivered batch stored (duplicates, if any, deduplicated)');
  };
  return options.log.subscribe(
    EVENTS_TOPIC,
    PROCESSOR_GROUP,
    { maxRecords: options.maxRecords, maxWaitMs: options.maxWaitMs },
    handle,
  );
}
