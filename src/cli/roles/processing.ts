/** The process role: every topic's consumers into the store, forwarding and the raw archive (also `sightline replay`). */

import { createCdcConverter, createMaxwellTopicConverter } from '../../cdc/cdc-pipeline.ts';
import { type Config, sectionOf } from '../../config/config.ts';
import { CDC_TOPIC, DEAD_LETTERS_TOPIC, LOGS_TOPIC, TOPICS } from '../../contract/topics.ts';
import { forwardSettings } from '../../forward/forward.settings.ts';
import { startForwarding } from '../../forward/start-forwarding.ts';
import { startRawArchive } from '../../log/archive/raw-archive.ts';
import type { EventLog, Subscription } from '../../log/event-log.ts';
import { createLogConverter, createShipperLogConverter } from '../../log-lines/log-pipeline.ts';
import type { Logger } from '../../observe/logger.ts';
import type { createMetrics } from '../../observe/metrics.ts';
import { droppedByPrivacy } from '../../privacy/raw-records.ts';
import { SuppressionList } from '../../privacy/suppressions.ts';
import type { WriteGate } from '../../privacy/write-gate.ts';
import { openGeoLookup } from '../../process/enrich/geo-lookup.ts';
import { SessionTracker } from '../../process/enrich/session-tracker.ts';
import type { EventRow } from '../../process/event-row.ts';
import { createConverter, createSteps } from '../../process/pipeline.ts';
import { processSettings } from '../../process/process.settings.ts';
import { startBatchConsumer, startProcessor } from '../../process/processor.ts';
import { VisitKeeper } from '../../process/visits/visit-keeper.ts';
import type { GoalSpec } from '../../query/goal-spec.ts';
import type { Store } from '../../store/store.ts';

/** Consumers of every topic into the store; sessions restored first so open visits continue. */
export async function startProcessing(
  config: Config,
  log: EventLog,
  /** The store itself; the consumers other than the events processor get it through `gate` when there is one. */
  direct: Store,
  metrics: ReturnType<typeof createMetrics>,
  logger: Logger,
  /** `replay`: every event id checked (the archive may hold what is stored), no archive of the replay itself. */
  mode: 'live' | 'replay' = 'live',
  /** The list an erasure in this process adds to at once; otherwise one of its own, refreshed from the store. */
  suppressions = new SuppressionList(direct, logger),
  /**
   * The gate of the erasures run in this process: the consumers insert through it, and the events processor runs
   * each batch inside it (its visit rows are folded from the store).
   */
  gate?: WriteGate,
  /** Each project's goals, which the visit rows written are stamped with (src/query/visit-goal-bits.ts). */
  goalsOf?: (project: string) => readonly GoalSpec[],
): Promise<Subscription[]> {
  const store = gate ? gate.wrap(direct) : direct;
  const sessions = new SessionTracker(config.sessionTimeoutMinutes * 60_000);
  const geo = await openGeoLookup(config.geoipCityDb);
  await suppressions.start();
  const suppressed = (row: EventRow) => {
    if (!suppressions.has(row)) return false;
    metrics.suppressedEvents.inc();
    return true;
  };
  const convert = createConverter(
    await createSteps({ ...sectionOf(config, processSettings), dataDir: config.dataDir, sessions, geo }),
    suppressed,
  );
  const convertLogs = createLogConverter(geo);
  const restored = await sessions.restore(store).catch((err) => {
    logger.warn({ err: (err as Error).message }, 'open sessions could not be restored; new ones start fresh');
    return 0;
  });
  if (restored > 0) logger.info({ restored }, 'open sessions restored from the store');
  const consumer = {
    log,
    store,
    metrics,
    logger,
    maxRecords: config.batchMaxRows,
    maxWaitMs: config.batchMaxWaitMs,
    ...(mode === 'live' && log.capabilities.hasDeadLetterTopic
      ? { deadLetterTopic: DEAD_LETTERS_TOPIC }
      : {}),
  };
  const subscriptions: Subscription[] = [
    { stop: async () => suppressions.stop() },
    startProcessor({
      ...consumer,
      ...(gate ? { store: direct, guard: gate.guard } : {}),
      convert,
      dedupeEveryEvent: mode === 'replay' || log.capabilities.mayDuplicate,
      visits: new VisitKeeper(direct, {
        openedNow: (id) => sessions.openedNow(id),
        // An erasure in this process ends a hold of the gate; one in another process (split roles) is learnt from
        // the journal with the suppression list, within its refresh.
        generation: gate ? gate.generation : () => suppressions.erasureGeneration(),
        ...(goalsOf ? { goalsOf } : {}),
      }),
    }),
    startBatchConsumer(consumer, LOGS_TOPIC, 'processor-logs', convertLogs),
    startBatchConsumer(consumer, CDC_TOPIC, 'processor-cdc', createCdcConverter(store)),
  ];
  // Each destination reads the log in its own consumer group: a destination that is down delays nothing else.
  if (mode === 'live')
    subscriptions.push(
      ...startForwarding({
        config: {
          ...sectionOf(config, forwardSettings),
          ...sectionOf(config, processSettings),
          dataDir: config.dataDir,
        },
        log,
        store,
        metrics,
        logger,
        geo,
        drop: (row) => suppressions.has(row),
      }),
    );
  if (mode === 'live' && config.archiveDir)
    subscriptions.push(
      ...startRawArchive(
        log,
        config.archiveDir,
        TOPICS,
        logger.child({ stage: 'archive' }),
        droppedByPrivacy(suppressions),
      ),
    );
  // On Kafka, the shippers' and Maxwell's own topics are read too (what they write is not wrapped in envelopes).
  if (mode === 'live' && log.capabilities.shared) {
    const project = config.kafkaShipperProject ?? config.projects[0].name;
    if (config.kafkaLogsTopic)
      subscriptions.push(
        startBatchConsumer(
          consumer,
          config.kafkaLogsTopic,
          'processor-shipper-logs',
          createShipperLogConverter(geo, project, config.kafkaLogsTopic),
        ),
      );
    if (config.kafkaMaxwellTopic)
      subscriptions.push(
        startBatchConsumer(
          consumer,
          config.kafkaMaxwellTopic,
          'processor-maxwell',
          createMaxwellTopicConverter(store, project, config.kafkaMaxwellTopic),
        ),
      );
  }
  return subscriptions;
}
