/** Wiring of the forwarding stage (called by the process role in live mode): one forwarder per destination. */

import type { SharedConfig } from '../config/shared.settings.ts';
import { EVENTS_TOPIC } from '../contract/topics.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { GeoLookup } from '../process/enrich/geo-lookup.ts';
import type { EventDrop } from '../process/pipeline.ts';
import type { ProcessConfig } from '../process/process.settings.ts';
import type { Store } from '../store/store.ts';
import { startAggregatePushes } from './aggregate-push.ts';
import type { ForwardSettings } from './forward.settings.ts';
import { forwardGroup, startForwarder } from './forward-consumer.ts';
import { createForwardMapper } from './forward-mapping.ts';
import { createForwardMetrics } from './forward-metrics.ts';

export interface ForwardingDeps {
  /** Forwarding's section; the processor's (its mapping cleans events as the processor does) and the data folder. */
  config: ForwardSettings & ProcessConfig & SharedConfig;
  log: EventLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  geo: GeoLookup;
  drop?: EventDrop;
}

export function startForwarding(deps: ForwardingDeps): Subscription[] {
  const { config } = deps;
  const forward = config.forward;
  warnAboutRemovedDestinations(
    deps.log,
    new Set(forward.destinations.map((d) => forwardGroup(d.name))),
    deps.logger,
  );
  if (forward.destinations.length === 0) return [];
  const metrics = createForwardMetrics(deps.metrics.registry);
  const map = createForwardMapper({
    ...config,
    geo: deps.geo,
    ...(deps.drop ? { drop: deps.drop } : {}),
  });
  const logger = deps.logger.child({ stage: 'forward' });
  const forwarders = new Map(
    forward.destinations.map((spec) => [
      spec.name,
      startForwarder({
        log: deps.log,
        store: deps.store,
        spec,
        rules: forward.rules,
        map,
        metrics,
        logger,
        maxWaitMs: config.batchMaxWaitMs,
      }),
    ]),
  );
  const pushes = forward.aggregates.map((spec) =>
    startAggregatePushes({
      store: deps.store,
      spec,
      forwarder: forwarders.get(spec.destination)!,
      logger,
    }),
  );
  logger.info(
    { destinations: [...forwarders.keys()], rules: forward.rules.length, aggregates: pushes.length },
    'forwarding started',
  );
  // Forwarders stop first: that aborts a push's delivery in progress, so the pushes then stop at once.
  return [...forwarders.values(), ...pushes];
}

/**
 * A destination taken out of the config leaves its position on the WAL, which then keeps every segment from there
 * on (retention follows the slowest group): say so at start, with the way out.
 */
function warnAboutRemovedDestinations(log: EventLog, configured: ReadonlySet<string>, logger: Logger): void {
  const groups = log.stats().groups?.[EVENTS_TOPIC] ?? {};
  for (const [group, backlog] of Object.entries(groups))
    if (group.startsWith('forward-') && !configured.has(group))
      logger.warn(
        { group, backlog },
        `consumer group "${group}" belongs to no configured destination; it keeps the log from being trimmed — remove its position (wal/events/consumers/${group}.json in the data folder) if the destination is gone for good`,
      );
}
