/**
 * Snowplow trackers pointed at Sightline as their collector: `GET /i` (the pixel; answers a 1×1 GIF) and
 * `POST /com.snowplowanalytics.snowplow/tp2` (`payload_data` with `data[]`). The app id (`aid`) names the project,
 * mapped like a site (SIGHTLINE_SITE_PROJECTS). Browsers send these with credentials; CORS allows that.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { snowplowEventValidator } from '../contract/protocols/snowplow.schema.ts';
import { badShape } from './errors.ts';
import { type IngestDeps, ingest, validateBatch } from './ingest.ts';
import { parseJsonBody } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

/** The smallest transparent GIF, what Snowplow's collector answers to a pixel request. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function appIds(events: unknown[]): Set<string> {
  return new Set(events.map((e) => String((e as { aid?: unknown }).aid)));
}

export function snowplowRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  const accept = async (request: FastifyRequest, events: unknown[], body: Buffer) => {
    const count = validateBatch(events, snowplowEventValidator);
    const ids = appIds(events);
    if (ids.size !== 1)
      throw badShape('all events of one request must share their app id (aid)', [
        { field: 'aid', message: `found ${[...ids].join(', ')}` },
      ]);
    const project = deps.keys.resolveSite([...ids][0]);
    await ingest(deps, request, { protocol: 'snowplow', project, count, body });
  };

  app.get<{ Querystring: Record<string, string | string[]> }>('/i', async (request, reply) => {
    const event: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.query)) event[k] = Array.isArray(v) ? v[0] : v;
    // The raw request of a pixel is its query string; it travels as the same payload_data shape a POST has.
    await accept(request, [event], Buffer.from(JSON.stringify({ data: [event] })));
    return reply.code(200).header('cache-control', 'no-cache, no-store').type('image/gif').send(PIXEL);
  });

  app.post<{ Body: Buffer }>('/com.snowplowanalytics.snowplow/tp2', async (request, reply) => {
    const parsed = parseJsonBody(request.body) as { data?: unknown } | null;
    if (!Array.isArray(parsed?.data))
      throw badShape('a tp2 body is {"schema": …, "data": [events]}', [
        { field: 'data', message: 'must be an array of events' },
      ]);
    await accept(request, parsed.data, request.body);
    return reply.code(200).type('text/plain').send('ok');
  });
}
