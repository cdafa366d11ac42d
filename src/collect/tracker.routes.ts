/**
 * Serves the browser tracker (`tracker/s.js`): `/s.js` (cached for an hour, so updates spread) and a versioned
 * `/s.<hash>.js` (cached for a year, immutable). Gzipped when the browser accepts it; ETags for revalidation.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';

const SOURCE = path.resolve(import.meta.dirname, '../../tracker/s.js');

export interface TrackerAsset {
  code: Buffer;
  gzipped: Buffer;
  hash: string;
}

/** The script as served: indentation dropped (the file has no multi-line strings), gzipped once at start. */
export function loadTracker(file = SOURCE): TrackerAsset {
  const code = Buffer.from(fs.readFileSync(file, 'utf8').replace(/^\s+/gm, ''));
  return {
    code,
    gzipped: gzipSync(code, { level: 9 }),
    hash: createHash('sha256').update(code).digest('hex').slice(0, 10),
  };
}

export function trackerRoutes(app: FastifyInstance): void {
  const asset = loadTracker();
  const etag = `"${asset.hash}"`;
  app.get<{ Params: { file: string } }>('/:file', async (request, reply) => {
    const file = request.params.file;
    const versioned = file === `s.${asset.hash}.js`;
    if (file !== 's.js' && !versioned) return reply.callNotFound();
    reply
      .header('content-type', 'application/javascript; charset=utf-8')
      .header('cache-control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
      .header('etag', etag)
      .header('vary', 'accept-encoding')
      .header('x-sightline-tracker', `/s.${asset.hash}.js`);
    if (request.headers['if-none-match'] === etag) return reply.code(304).send();
    if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? ''))
      return reply.header('content-encoding', 'gzip').send(asset.gzipped);
    return reply.send(asset.code);
  });
}
