/**
 * The read API: `/api/v1/stats/overview`, and the Nealytics-shaped `/api/v1/telemetry/timeline` and
 * `/api/v1/analytics/sessions`. Every request is authenticated first; its scope becomes mandatory filters.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/store.ts';
import { badParams, type ParamProblem, QueryError } from './errors.ts';
import { overviewQuery } from './queries/overview.query.ts';
import { sessionsQuery } from './queries/sessions.query.ts';
import { timelineQuery } from './queries/timeline.query.ts';
import { createReadAuth, resolveTarget, type Target } from './read-auth.ts';
import { isTimeZone, parseTimeRange } from './time-range.ts';

export interface ReadDeps {
  store: Store;
  config: Config;
}

type Query = Record<string, string | string[] | undefined>;

/** One value of a query parameter; repeated parameters are a mistake worth reporting. */
function one(query: Query, name: string, problems: ParamProblem[]): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    problems.push({ param: name, message: 'is given more than once' });
    return undefined;
  }
  return value === '' ? undefined : value;
}

function limitOf(query: Query, fallback: number, max: number, problems: ParamProblem[]): number {
  const raw = one(query, 'limit', problems);
  if (raw === undefined) return Math.min(fallback, max);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
    problems.push({ param: 'limit', message: `must be a whole number from 1 to ${max}` });
    return fallback;
  }
  return Number(raw);
}

function timeZoneOf(query: Query, problems: ParamProblem[]): string {
  const tz = one(query, 'tz', problems) ?? 'UTC';
  if (!isTimeZone(tz))
    problems.push({ param: 'tz', message: `"${tz}" is not an IANA time zone (e.g. Europe/Berlin)` });
  return isTimeZone(tz) ? tz : 'UTC';
}

function targetOf(
  scope: Awaited<ReturnType<ReturnType<typeof createReadAuth>>>,
  query: Query,
  problems: ParamProblem[],
): Target | undefined {
  const target = resolveTarget(scope, one(query, 'project', problems), one(query, 'tenant', problems));
  if (!target) problems.push({ param: 'project', message: 'is required with the admin token' });
  return target;
}

function send(reply: FastifyReply, body: unknown) {
  return reply.header('cache-control', 'no-store').send(body);
}

/** Store failures become the read API's own codes; everything else is passed on unchanged. */
function mapStoreError(err: unknown): never {
  if (err instanceof StoreError && err.code === 'STORE_ERR_TIMEOUT')
    throw new QueryError(
      'QUERY_ERR_TIMEOUT',
      504,
      'the query took longer than its time budget; narrow the range',
    );
  if (err instanceof StoreError)
    throw new QueryError('QUERY_ERR_UNAVAILABLE', 503, 'the store is not available right now');
  throw err;
}

export async function readRoutes(app: FastifyInstance, deps: ReadDeps): Promise<void> {
  const { store, config } = deps;
  const authenticate = createReadAuth(config);
  const budget = config.queryTimeoutMs;

  app.get('/api/v1/stats/overview', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const scope = await authenticate(request);
    const problems: ParamProblem[] = [];
    const target = targetOf(scope, request.query, problems);
    const tz = timeZoneOf(request.query, problems);
    const range = parseTimeRange(
      one(request.query, 'from', problems),
      one(request.query, 'to', problems),
      tz,
      problems,
    );
    if (problems.length > 0 || !target || !range) throw badParams(problems);
    return send(reply, await overviewQuery(store, target, range, budget).catch(mapStoreError));
  });

  app.get('/api/v1/telemetry/timeline', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const scope = await authenticate(request);
    const problems: ParamProblem[] = [];
    const target = targetOf(scope, request.query, problems);
    const limit = limitOf(request.query, 50, config.queryMaxRows, problems);
    const from = one(request.query, 'from', problems);
    const to = one(request.query, 'to', problems);
    const range =
      from !== undefined || to !== undefined ? parseTimeRange(from, to, 'UTC', problems) : undefined;
    const filters = {
      eventType: one(request.query, 'eventType', problems),
      sessionId: one(request.query, 'sessionId', problems),
    };
    if (problems.length > 0 || !target) throw badParams(problems);
    const events = await timelineQuery(store, target, range, filters, limit, budget).catch(mapStoreError);
    return send(reply, {
      projectId: target.project,
      tenantId: target.tenant ?? null,
      count: events.length,
      events,
    });
  });

  app.get('/api/v1/analytics/sessions', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const scope = await authenticate(request);
    const problems: ParamProblem[] = [];
    const target = targetOf(scope, request.query, problems);
    const limit = limitOf(request.query, 100, config.queryMaxRows, problems);
    const now = Date.now();
    const range = parseTimeRange(
      one(request.query, 'from', problems),
      one(request.query, 'to', problems),
      'UTC',
      problems,
      {
        startMs: now - 86_400_000,
        endMs: now + 1,
      },
    );
    if (problems.length > 0 || !target || !range) throw badParams(problems);
    return send(reply, await sessionsQuery(store, target, range, limit, budget).catch(mapStoreError));
  });
}
