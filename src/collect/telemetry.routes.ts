/**
 * The Nealytics-shaped endpoints (seed 004): `/api/v1/telemetry/track` takes one event, `/beacon` a JSON array
 * (sendBeacon batches). The key (X-Project-Key, or ?k= — the only way for a beacon) names the project;
 * `tenantId` becomes the row's `tenant_id`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { telemetryEventValidator } from '../contract/protocols/telemetry.schema.ts';
import { badShape, projectMismatch } from './errors.ts';
import { type IngestDeps, ingest, validateBatch } from './ingest.ts';
import { parseJsonBody } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

interface TelemetryQuery {
  k?: string;
}

type TelemetryRequest = FastifyRequest<{ Querystring: TelemetryQuery; Body: Buffer }>;

function fieldOf(events: unknown[], name: string): Set<string> {
  const values = new Set<string>();
  for (const e of events) {
    const v = (e as Record<string, unknown>)[name];
    if (typeof v === 'string' && v !== '') values.add(v);
  }
  return values;
}

export function telemetryRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  const handle = async (request: TelemetryRequest, mode: 'track' | 'beacon') => {
    const parsed = parseJsonBody(request.body);
    if (mode === 'track' && Array.isArray(parsed))
      throw badShape('track takes one event object; send arrays to /beacon');
    const count = validateBatch(parsed, telemetryEventValidator);
    const events = Array.isArray(parsed) ? parsed : [parsed];
    const named = fieldOf(events, 'projectId');
    const key =
      mode === 'track'
        ? ((request.headers['x-project-key'] as string | undefined) ?? request.query.k)
        : request.query.k;
    const project = deps.keys.authorizeKey(key || undefined, named.size === 1 ? [...named][0] : undefined);
    for (const name of named) if (name !== project) throw projectMismatch(project, name);
    const tenants = fieldOf(events, 'tenantId');
    return {
      accepted: await ingest(deps, request, {
        protocol: 'telemetry',
        project,
        // Per-event tenants are read by the processor; the envelope carries one only when the batch agrees.
        tenant: tenants.size === 1 ? [...tenants][0] : undefined,
        count,
        body: request.body,
      }),
    };
  };
  app.post<{ Querystring: TelemetryQuery; Body: Buffer }>('/api/v1/telemetry/track', async (request, reply) =>
    reply.code(202).send(await handle(request, 'track')),
  );
  app.post<{ Querystring: TelemetryQuery; Body: Buffer }>(
    '/api/v1/telemetry/beacon',
    async (request, reply) => reply.code(202).send(await handle(request, 'beacon')),
  );
}
