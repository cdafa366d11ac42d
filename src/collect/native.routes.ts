/**
 * The native protocol (the seed's): `POST /` and `/e` with `X-App`, and `/beacon` for navigator.sendBeacon,
 * which cannot set headers, so project and key travel in the query string.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { nativeEventValidator } from '../contract/protocols/native.schema.ts';
import { type IngestDeps, ingest, validateBatch } from './ingest.ts';
import { parseJsonBody } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

interface NativeQuery {
  app?: string;
  k?: string;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function nativeRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  const handle = async (request: FastifyRequest<{ Querystring: NativeQuery; Body: Buffer }>) => {
    const project = deps.keys.authorize(
      header(request, 'x-app') ?? request.query.app,
      header(request, 'x-project-key') ?? request.query.k,
    );
    const count = validateBatch(parseJsonBody(request.body), nativeEventValidator);
    return {
      accepted: await ingest(deps, request, { protocol: 'native', project, count, body: request.body }),
    };
  };
  for (const url of ['/', '/e', '/beacon']) {
    app.post<{ Querystring: NativeQuery; Body: Buffer }>(url, async (request, reply) => {
      const result = await handle(request);
      return reply.code(202).send(result);
    });
  }
}
