/**
 * Everything on the ingestion side of the HTTP server: body handling, CORS, per-IP rate limits and the protocol
 * routes. Registered in its own encapsulated context so its body parser and limits apply to ingestion only.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import type { EventLog } from '../log/event-log.ts';
import type { Metrics } from '../observe/metrics.ts';
import type { ServerConfig } from '../server/server.settings.ts';
import { cdcRoutes } from './cdc.routes.ts';
import type { CollectConfig } from './collect.settings.ts';
import { rateLimited } from './errors.ts';
import { logsRoutes } from './logs.routes.ts';
import { nativeRoutes } from './native.routes.ts';
import type { ProjectKeys } from './project-keys.ts';
import { TokenBuckets } from './rate-limit.ts';
import { segmentRoutes } from './segment.routes.ts';
import { siteProtocolRoutes } from './site-protocols.routes.ts';
import { snowplowRoutes } from './snowplow.routes.ts';
import { telemetryRoutes } from './telemetry.routes.ts';
import { trackerRoutes } from './tracker.routes.ts';

export interface CollectDeps {
  config: CollectConfig & Pick<ServerConfig, 'bodyLimitBytes'>;
  log: EventLog;
  metrics: Metrics;
  /** The sites' keys and origins; the site registry keeps them current (src/sites/site-registry.ts). */
  keys: ProjectKeys;
}

export async function collectPlugin(app: FastifyInstance, deps: CollectDeps): Promise<void> {
  const { config } = deps;
  // Bodies stay raw bytes: the log stores the request as sent, and each route parses once to validate.
  // Any content type is read as JSON text — sendBeacon sends text/plain, a bare `curl -d` sends form encoding.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.bodyLimitBytes }, (_req, body, done) =>
    done(null, body),
  );
  await app.register(cors, {
    origin: config.corsOrigins === '*' ? true : config.corsOrigins.split(',').map((s) => s.trim()),
    methods: ['GET', 'POST', 'OPTIONS'],
    // Snowplow's browser tracker sends with credentials; the origin is echoed, never `*`, so that is allowed.
    credentials: true,
    allowedHeaders: ['content-type', 'x-app', 'x-project-key', 'authorization'],
    maxAge: 86_400,
  });
  if (config.rateLimitPerSecond > 0) {
    const buckets = new TokenBuckets(config.rateLimitPerSecond, config.rateLimitBurst);
    app.addHook('onRequest', async (request) => {
      if (request.method === 'OPTIONS') return;
      const wait = buckets.take(request.ip);
      if (wait > 0) throw rateLimited(wait);
    });
  }
  const { keys } = deps;
  const checkOrigin = (project: string, origin: string | undefined) => keys.checkOrigin(project, origin);
  const ingestDeps = { ...deps, keys, checkOrigin, honorGpc: config.honorGpc };
  nativeRoutes(app, ingestDeps);
  telemetryRoutes(app, ingestDeps);
  segmentRoutes(app, ingestDeps);
  siteProtocolRoutes(app, ingestDeps);
  snowplowRoutes(app, ingestDeps);
  logsRoutes(app, { ...deps, keys, checkOrigin });
  cdcRoutes(app, { ...deps, keys, checkOrigin });
  trackerRoutes(app);
}
