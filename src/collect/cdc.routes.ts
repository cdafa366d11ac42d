/**
 * `POST /cdc`: database changes in Maxwell's JSON (one message, an array, or JSON lines), from Sightline's CDC
 * agent or any Maxwell-compatible producer. Project and key as for events. All or nothing: a body with a bad
 * message is refused with every problem listed, so an agent can retry it exactly.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkMaxwellMessage, splitMaxwellBody } from '../cdc/maxwell-message.ts';
import { CDC_TOPIC } from '../contract/topics.ts';
import { emptyBatch, invalidEvents, malformedJson } from './errors.ts';
import { type IngestDeps, ingest } from './ingest.ts';
import { checkJsonDepth, utf8Text } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** How splitMaxwellBody reads a body: JSON lines unless it is one array or a single line. */
function isJsonLines(text: string): boolean {
  const trimmed = text.trim();
  return !trimmed.startsWith('[') && trimmed.includes('\n');
}

export function cdcRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  app.post<{ Querystring: { app?: string; k?: string }; Body: Buffer }>('/cdc', async (request, reply) => {
    const project = deps.keys.authorize(
      header(request, 'x-app') ?? request.query.app,
      header(request, 'x-project-key') ?? request.query.k,
    );
    const text = utf8Text(request.body);
    checkJsonDepth(text, isJsonLines(text));
    const { messages, bad } = splitMaxwellBody(text);
    if (bad.length > 0 && messages.length === 0) throw malformedJson(bad[0].message, undefined);
    const problems = [
      ...bad,
      ...messages.flatMap((m, i) => checkMaxwellMessage(m, messages.length > 1 ? i : undefined)),
    ];
    if (problems.length > 0) throw invalidEvents(problems, messages.length + bad.length);
    if (messages.length === 0) throw emptyBatch();
    await ingest(deps, request, {
      protocol: 'cdc',
      project,
      count: messages.length,
      body: request.body,
      topic: CDC_TOPIC,
    });
    return reply.code(202).send({ accepted: messages.length });
  });
}
