/**
 * Per-destination metrics on the process's registry. Looked up before being created, so a second start in one
 * process (tests, the retry command) reuses them instead of failing on a duplicate name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The metric `config` names from the registry, or a new one `make` builds and registers there. */
function once<T, C extends { name: string }>(
  registry: Registry,
  make: (config: C & { registers: Registry[] }) => T,
  config: C,
): T {
  return (
    (registry.getSingleMetric(config.name) as T | undefined) ?? make({ ...config, registers: [registry] })
  );
}

export function createForwardMetrics(registry: Registry) {
  return {
    delivered: once(registry, (c) => new Counter(c), {
      name: 'sightline_forward_delivered_events_total',
      help: 'Events a destination accepted (2xx), by destination',
      labelNames: ['destination'] as const,
    }),
    failedAttempts: once(registry, (c) => new Counter(c), {
      name: 'sightline_forward_failed_attempts_total',
      help: 'Delivery attempts that failed, by destination and reason (http_<status>, timeout, network)',
      labelNames: ['destination', 'reason'] as const,
    }),
    deadLettered: once(registry, (c) => new Counter(c), {
      name: 'sightline_forward_dead_lettered_events_total',
      help: 'Events written to forward_dead_letters after their last attempt, by destination',
      labelNames: ['destination'] as const,
    }),
    requestSeconds: once(registry, (c) => new Histogram(c), {
      name: 'sightline_forward_request_seconds',
      help: 'Duration of one successful delivery request, by destination',
      labelNames: ['destination'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    lagSeconds: once(registry, (c) => new Histogram(c), {
      name: 'sightline_forward_delivery_lag_seconds',
      help: 'Time from an event being received to its destination accepting it, by destination',
      labelNames: ['destination'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21600, 86400],
    }),
    backlog: once(registry, (c) => new Gauge(c), {
      name: 'sightline_forward_backlog_records',
      help: 'Event log records not yet handled by a destination’s consumer group, by destination',
      labelNames: ['destination'] as const,
    }),
  };
}

export type ForwardMetrics = ReturnType<typeof createForwardMetrics>;
