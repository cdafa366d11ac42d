/**
 * The two script-tag analytics protocols whose clients name a site rather than present a key:
 * Plausible's `POST /api/event` (answers `202 ok`) and Umami's `POST /api/send` (answers `200 {}`).
 * The site (Plausible's domain, Umami's website id) maps to a project through SIGHTLINE_SITE_PROJECTS.
 */
import type { FastifyInstance } from 'fastify';
import { normalisePlausible, plausibleEventValidator } from '../contract/protocols/plausible.schema.ts';
import { umamiSendValidator } from '../contract/protocols/umami.schema.ts';
import { type IngestDeps, ingest, validateBatch } from './ingest.ts';
import { asCollectError, parseJsonBody } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

export function siteProtocolRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  app.post<{ Body: Buffer }>('/api/event', async (request, reply) => {
    const parsed = parseJsonBody(request.body);
    let body: Record<string, unknown>;
    try {
      body = normalisePlausible(parsed);
    } catch (err) {
      throw asCollectError(err);
    }
    validateBatch(body, plausibleEventValidator);
    // A roll-up sends "a.com,b.com": the first domain is the site.
    const project = deps.keys.resolveSite(String(body.domain).split(',')[0]);
    await ingest(deps, request, { protocol: 'plausible', project, count: 1, body: request.body });
    return reply.code(202).type('text/plain').send('ok');
  });

  app.post<{ Body: Buffer }>('/api/send', async (request, reply) => {
    const parsed = parseJsonBody(request.body);
    validateBatch(parsed, umamiSendValidator);
    const project = deps.keys.resolveSite((parsed as { payload: { website: string } }).payload.website);
    await ingest(deps, request, { protocol: 'umami', project, count: 1, body: request.body });
    return reply.code(200).send({});
  });
}
