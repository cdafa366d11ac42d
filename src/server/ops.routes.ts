/** `/health` (the process answers), `/ready` (log and store usable), `/metrics` (Prometheus). */
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../log/event-log.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { Store } from '../store/store.ts';

export interface OpsDeps {
  log?: EventLog;
  store?: Store;
  metrics: Metrics;
  metricsEnabled: boolean;
}

export function opsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  app.get('/health', async () => ({ status: 'ok' }));

  app.get('/ready', async (_request, reply) => {
    const [log, store] = await Promise.all([
      deps.log ? deps.log.ready() : Promise.resolve(undefined),
      deps.store ? deps.store.ping() : Promise.resolve(undefined),
    ]);
    const checks = { ...(log !== undefined ? { log } : {}), ...(store !== undefined ? { store } : {}) };
    const ready = Object.values(checks).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  if (deps.metricsEnabled) {
    app.get('/metrics', async (_request, reply) => {
      // Kafka's lag lives on the broker: fetch it now rather than report a stale figure.
      await deps.log?.refreshStats?.().catch(() => undefined);
      if (deps.log)
        for (const [topic, n] of Object.entries(deps.log.stats().backlog))
          deps.metrics.backlog.set({ topic }, n);
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
  }
}
