/** Wiring of the forwarding stage (called by the process role in live mode): one forwarder per destination. */
import type { Config } from '../config/config.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import type { Logger } from '../observe/logger.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { GeoLookup } from '../process/enrich/geo-lookup.ts';
import type { Store } from '../store/store.ts';
import { startAggregatePushes } from './aggregate-push.ts';
import { startForwarder } from './forward-consumer.ts';
import { createForwardMapper } from './forward-mapping.ts';
import { createForwardMetrics } from './forward-metrics.ts';

export interface ForwardingDeps {
  config: Config;
  log: EventLog;
  store: Store;
  metrics: Metrics;
  logger: Logger;
  geo: GeoLookup;
  /** Tests: a seeded jitter source; how often aggregate pushes look for closed periods. */
  random?: () => number;
  aggregateCheckMs?: number;
}

export function startForwarding(deps: ForwardingDeps): Subscription[] {
  const { config } = deps;
  const forward = config.forward;
  if (forward.destinations.length === 0) return [];
  const metrics = createForwardMetrics(deps.metrics.registry);
  const map = createForwardMapper({ ...config, geo: deps.geo });
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
        ...(deps.random ? { random: deps.random } : {}),
      }),
    ]),
  );
  const pushes = forward.aggregates.map((spec) =>
    startAggregatePushes({
      store: deps.store,
      spec,
      forwarder: forwarders.get(spec.destination)!,
      logger,
      ...(deps.aggregateCheckMs ? { checkEveryMs: deps.aggregateCheckMs } : {}),
    }),
  );
  logger.info(
    { destinations: [...forwarders.keys()], rules: forward.rules.length, aggregates: pushes.length },
    'forwarding started',
  );
  // Forwarders stop first: that aborts a push's delivery in progress, so the pushes then stop at once.
  return [...forwarders.values(), ...pushes];
}
