/**
 * Per-destination metrics on the process's registry. Looked up before being created, so a second start in one
 * process (tests, the retry command) reuses them instead of failing on a duplicate name.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function createForwardMetrics(registry: Registry) {
  const registers = [registry];
  return {
    delivered: once(
      registry,
      'sightline_forward_delivered_events_total',
      () =>
        new Counter({
          name: 'sightline_forward_delivered_events_total',
          help: 'Events a destination accepted (2xx), by destination',
          labelNames: ['destination'] as const,
          registers,
        }),
    ),
    failedAttempts: once(
      registry,
      'sightline_forward_failed_attempts_total',
      () =>
        new Counter({
          name: 'sightline_forward_failed_attempts_total',
          help: 'Delivery attempts that failed, by destination and reason (http_<status>, timeout, network)',
          labelNames: ['destination', 'reason'] as const,
          registers,
        }),
    ),
    deadLettered: once(
      registry,
      'sightline_forward_dead_lettered_events_total',
      () =>
        new Counter({
          name: 'sightline_forward_dead_lettered_events_total',
          help: 'Events written to forward_dead_letters after their last attempt, by destination',
          labelNames: ['destination'] as const,
          registers,
        }),
    ),
    requestSeconds: once(
      registry,
      'sightline_forward_request_seconds',
      () =>
        new Histogram({
          name: 'sightline_forward_request_seconds',
          help: 'Duration of one successful delivery request, by destination',
          labelNames: ['destination'] as const,
          buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
    lagSeconds: once(
      registry,
      'sightline_forward_delivery_lag_seconds',
      () =>
        new Histogram({
          name: 'sightline_forward_delivery_lag_seconds',
          help: 'Time from an event being received to its destination accepting it, by destination',
          labelNames: ['destination'] as const,
          buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 21600, 86400],
          registers,
        }),
    ),
    backlog: once(
      registry,
      'sightline_forward_backlog_records',
      () =>
        new Gauge({
          name: 'sightline_forward_backlog_records',
          help: 'Event log records not yet handled by a destination’s consumer group, by destination',
          labelNames: ['destination'] as const,
          registers,
        }),
    ),
  };
}

export type ForwardMetrics = ReturnType<typeof createForwardMetrics>;
