/**
 * Segment's HTTP Tracking API, so Segment's own SDKs can point at Sightline by changing their host:
 * `POST /v1/track|page|screen|identify|group|alias|batch`, write key as the Basic-auth user (or `writeKey` in the
 * body). Answers as Segment does: `200 {"success": true}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  BATCH_LIMIT_BYTES,
  MESSAGE_LIMIT_BYTES,
  SEGMENT_CALLS,
  type SegmentCall,
  segmentBatchItemValidator,
  segmentCallValidator,
} from '../contract/protocols/segment.schema.ts';
import { badShape, keyMissing, segmentTooLarge } from './errors.ts';
import { type IngestDeps, ingest, validateBatch } from './ingest.ts';
import { parseJsonBody } from './json-body.ts';
import type { ProjectKeys } from './project-keys.ts';

function writeKeyOf(request: FastifyRequest, body: unknown): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const user = decoded.split(':')[0];
    if (user) return user;
  }
  const inBody = (body as { writeKey?: unknown } | null)?.writeKey;
  return typeof inBody === 'string' && inBody !== '' ? inBody : undefined;
}

export function segmentRoutes(app: FastifyInstance, deps: IngestDeps & { keys: ProjectKeys }): void {
  const handle = async (request: FastifyRequest<{ Body: Buffer }>, call: SegmentCall | 'batch') => {
    const limit = call === 'batch' ? BATCH_LIMIT_BYTES : MESSAGE_LIMIT_BYTES;
    if (request.body.length > limit)
      throw segmentTooLarge(call === 'batch' ? 'the batch' : 'the message', limit);
    const parsed = parseJsonBody(request.body);
    const key = writeKeyOf(request, parsed);
    if (!key) throw keyMissing();
    const project = deps.keys.authorizeKey(key, undefined);
    let count: number;
    if (call === 'batch') {
      const batch = (parsed as { batch?: unknown } | null)?.batch;
      if (!Array.isArray(batch))
        throw badShape('a batch is {"batch": [messages]}', [
          { field: 'batch', message: 'must be an array of messages' },
        ]);
      count = validateBatch(batch, segmentBatchItemValidator);
      const oversized = batch.findIndex((m) => Buffer.byteLength(JSON.stringify(m)) > MESSAGE_LIMIT_BYTES);
      if (oversized >= 0) throw segmentTooLarge(`message ${oversized}`, MESSAGE_LIMIT_BYTES);
    } else {
      count = validateBatch(parsed, segmentCallValidator(call));
    }
    await ingest(deps, request, { protocol: 'segment', project, count, body: request.body, call });
    return { success: true };
  };
  for (const call of [...SEGMENT_CALLS, 'batch'] as const) {
    app.post<{ Body: Buffer }>(`/v1/${call}`, async (request, reply) =>
      reply.code(200).send(await handle(request, call)),
    );
  }
}
