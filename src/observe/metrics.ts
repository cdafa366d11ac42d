/** Prometheus metrics of the whole pipeline, one registry per process (served at /metrics). */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sightline_' });
  const registers = [registry];
  return {
    registry,
    acceptedEvents: new Counter({
      name: 'sightline_collect_accepted_events_total',
      help: 'Events acknowledged (202) after a durable append, by protocol',
      labelNames: ['protocol'] as const,
      registers,
    }),
    optedOutEvents: new Counter({
      name: 'sightline_collect_opted_out_events_total',
      help: 'Browser events answered but dropped for DNT: 1 or Sec-GPC: 1 (SIGHTLINE_HONOR_GPC), by protocol',
      labelNames: ['protocol'] as const,
      registers,
    }),
    rejectedRequests: new Counter({
      name: 'sightline_collect_rejected_requests_total',
      help: 'Ingestion requests refused, by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    walFsyncSeconds: new Histogram({
      name: 'sightline_wal_fsync_seconds',
      help: 'Duration of one WAL group-commit fsync',
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    walGroupRecords: new Histogram({
      name: 'sightline_wal_group_commit_records',
      help: 'Records made durable by one fsync (group commit size)',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 1000],
      registers,
    }),
    insertSeconds: new Histogram({
      name: 'sightline_process_insert_seconds',
      help: 'Duration of one batch insert into the store, by table',
      labelNames: ['table'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    insertFailures: new Counter({
      name: 'sightline_process_insert_failures_total',
      help: 'Batch inserts that failed and will be retried',
      registers,
    }),
    storedRows: new Counter({
      name: 'sightline_process_stored_rows_total',
      help: 'Rows inserted into the store, by table',
      labelNames: ['table'] as const,
      registers,
    }),
    deadLetters: new Counter({
      name: 'sightline_process_dead_letters_total',
      help: 'Payloads that could not become rows, by reason code',
      labelNames: ['reason'] as const,
      registers,
    }),
    clientRetriesDropped: new Counter({
      name: 'sightline_process_client_retries_dropped_total',
      help: 'Segment/Snowplow messages dropped because the same messageId/eid was already stored (client retries)',
      registers,
    }),
    suppressedEvents: new Counter({
      name: 'sightline_process_suppressed_events_total',
      help: 'Events dropped unstored because their person is on the suppression list (erased with suppress_days)',
      registers,
    }),
    backlog: new Gauge({
      name: 'sightline_log_backlog_records',
      help: 'Log records appended but not yet committed by the processor, by topic',
      labelNames: ['topic'] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
