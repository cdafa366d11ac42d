/**
 * `GET /api/v1/forward/dead-letters` and `POST /api/v1/forward/retry` (admin token): what `sightline forward
 * list|retry` call while a server runs — the embedded store can be open in one process only, so the CLI asks the
 * process that has it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { wholeNumberFromText } from '../config/text-values.ts';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import type { Store } from '../store/store.ts';
import { retryDeadLetters } from './dead-letter-retry.ts';
import { forwardBadParams, forwardNoAdminToken, forwardUnauthenticated } from './errors.ts';
import type { ForwardConfig } from './forward-config.ts';
import { listDeadLetters } from './forward-dead-letters.ts';
import { createForwardMetrics } from './forward-metrics.ts';
import { parseSince } from './since.ts';

export interface ForwardRoutesOptions {
  store: Store;
  forward: ForwardConfig;
  adminToken: string | undefined;
  /** The process's registry: re-sent events count in its per-destination metrics. */
  registry?: Registry;
}

export interface DeadLetterQuery {
  destination?: string;
  since?: string;
  limit?: string | number;
}

function checkAdmin(request: FastifyRequest, adminToken: string | undefined): void {
  if (!adminToken) throw forwardNoAdminToken();
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(adminToken);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw forwardUnauthenticated();
}

/** The filter both endpoints take, checked: `since` as the CLI writes it, `limit` 1…1,000,000. */
export function deadLetterFilter(query: DeadLetterQuery) {
  const problems: Array<{ param: string; message: string }> = [];
  const sinceMs =
    query.since === undefined || query.since === '' ? undefined : parseSince(String(query.since));
  if (query.since && sinceMs === undefined)
    problems.push({ param: 'since', message: 'must be YYYY-MM-DD, an ISO time or an age such as 6h or 7d' });
  const limit =
    query.limit === undefined || query.limit === ''
      ? 10_000
      : (wholeNumberFromText(String(query.limit)) ?? Number.NaN);
  if (!(limit >= 1 && limit <= 1_000_000))
    problems.push({ param: 'limit', message: 'must be a whole number from 1 to 1000000' });
  if (problems.length > 0) throw forwardBadParams(problems);
  return {
    ...(query.destination ? { destination: String(query.destination) } : {}),
    ...(sinceMs !== undefined ? { sinceMs } : {}),
    limit,
  };
}

/** The filter's shape (types and lengths; `since` and `limit` are read by `deadLetterFilter`); others are ignored. */
const filterProperties = {
  destination: { type: 'string', maxLength: 200, hint: 'must be the name of a destination' },
  since: {
    type: 'string',
    maxLength: 64,
    hint: 'must be YYYY-MM-DD, an ISO time or an age such as 6h or 7d',
  },
  limit: { type: ['integer', 'string'], maxLength: 16, hint: 'must be a whole number from 1 to 1000000' },
};
const filterSchema = { type: 'object', properties: filterProperties };

/** The admin token first; then the schema's problems, as the filter's own are answered. */
function checked<T extends object>(request: FastifyRequest, part: 'querystring' | 'body'): T {
  const problems = inputProblems(request);
  if (problems.length > 0) throw forwardBadParams(problems);
  return inputOf<T>(request, part);
}

export async function forwardRoutes(app: FastifyInstance, options: ForwardRoutesOptions): Promise<void> {
  const metrics = options.registry ? createForwardMetrics(options.registry) : undefined;
  const listSchema = routeSchema({ querystring: filterSchema });
  app.get('/api/v1/forward/dead-letters', listSchema, async (request) => {
    checkAdmin(request, options.adminToken);
    const filter = deadLetterFilter(checked<DeadLetterQuery>(request, 'querystring'));
    const rows = await listDeadLetters(options.store, filter);
    return {
      deadLetters: rows.map(({ payload: _payload, version: _version, ...row }) => row),
      count: rows.length,
    };
  });

  app.post('/api/v1/forward/retry', routeSchema({ body: filterSchema }), async (request) => {
    checkAdmin(request, options.adminToken);
    const filter = deadLetterFilter(checked<DeadLetterQuery>(request, 'body'));
    if (
      filter.destination !== undefined &&
      !options.forward.destinations.some((d) => d.name === filter.destination)
    )
      throw forwardBadParams([
        { param: 'destination', message: `"${filter.destination}" is not configured in SIGHTLINE_FORWARD` },
      ]);
    return retryDeadLetters(options.store, options.forward, { ...filter, ...(metrics ? { metrics } : {}) });
  });
}
