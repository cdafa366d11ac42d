/**
 * `/api/v1/logs*` and `/api/v1/db/*`: what the Logs and Database changes pages read. Same authentication and
 * period parameters as the stats API; individual lines and rows, so share links are not enough. Neither table has
 * a tenant column, so tenant-scoped callers are refused rather than shown every tenant's rows.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.ts';
import type { Change, ChangeRate, LogLine, LogVolume, Results } from './api-types.ts';
import { badParams } from './errors.ts';
import { changeRatesQuery, latestChangesQuery, rowHistoryQuery } from './queries/db-changes.query.ts';
import { logFacetsQuery, logLinesQuery, logVolumeQuery } from './queries/logs.query.ts';
import {
  bucketCount,
  defaultInterval,
  INTERVALS,
  type Interval,
  MAX_BUCKETS,
} from './queries/timeseries.query.ts';
import type { ConfiguredGoals, QueryConfig } from './query.settings.ts';
import { type createReadAuth, requireMember, requireWholeProject } from './read-auth.ts';
import { limitOf, one, type Query, send } from './request-params.ts';
import { createStatsRequest, type StatsRequest } from './stats-request.ts';

type Req = FastifyRequest<{ Querystring: Query }>;

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 50);

/** Members only, whole projects only: `tenant=` cannot narrow rows that have no tenant. */
function requireProjectRows(r: StatsRequest, query: Query, what: string): void {
  requireMember(r.scope);
  requireWholeProject(r.scope, what);
  if (query.tenant !== undefined)
    r.problems.push({ param: 'tenant', message: `cannot narrow ${what}: they carry no tenant` });
}

export async function logsAndChangesRoutes(
  app: FastifyInstance,
  deps: {
    store: Store;
    config: QueryConfig & ConfiguredGoals;
    authenticate: ReturnType<typeof createReadAuth>;
  },
): Promise<void> {
  const statsRequest = createStatsRequest(deps.store, deps.config, deps.authenticate);

  const logRequest = async (request: Req) => {
    const r = await statsRequest(request);
    requireProjectRows(r, request.query, 'logs');
    const q = request.query;
    const filter = {
      text: one(q, 'q', r.problems),
      levels: list(one(q, 'level', r.problems)),
      services: list(one(q, 'service', r.problems)),
      hosts: list(one(q, 'host', r.problems)),
    };
    if ((filter.text?.length ?? 0) > 500)
      r.problems.push({ param: 'q', message: 'is longer than 500 characters' });
    return { r, filter };
  };

  app.get('/api/v1/logs', async (request: Req, reply) => {
    const { r, filter } = await logRequest(request);
    const limit = limitOf(request.query, 200, deps.config.queryMaxRows, r.problems);
    r.check();
    const { store, target, range, timeoutMs } = r.query;
    return send(reply, {
      results: await logLinesQuery({ store, target, range, filter, timeoutMs }, limit),
    } satisfies Results<LogLine>);
  });

  app.get('/api/v1/logs/volume', async (request: Req, reply) => {
    const { r, filter } = await logRequest(request);
    const asked = one(request.query, 'interval', r.problems);
    if (asked !== undefined && !INTERVALS.includes(asked as Interval))
      r.problems.push({ param: 'interval', message: `must be one of ${INTERVALS.join(', ')}` });
    r.check();
    const interval = (asked as Interval | undefined) ?? defaultInterval(r.query.range);
    if (bucketCount(r.query.range, interval) > MAX_BUCKETS)
      throw badParams([
        { param: 'interval', message: `too many ${interval}s in this range; pick a coarser one` },
      ]);
    const { store, target, range, timeoutMs, tz } = r.query;
    const volume = await logVolumeQuery({ store, target, range, filter, timeoutMs }, interval, tz);
    return send(reply, { interval, timezone: tz, ...(volume satisfies LogVolume) });
  });

  app.get('/api/v1/logs/facets', async (request: Req, reply) => {
    const { r, filter } = await logRequest(request);
    r.check();
    const { store, target, range, timeoutMs } = r.query;
    return send(reply, await logFacetsQuery({ store, target, range, filter, timeoutMs }));
  });

  app.get('/api/v1/db/rates', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireProjectRows(r, request.query, 'database changes');
    r.check();
    return send(reply, { results: await changeRatesQuery(r.query) } satisfies Results<ChangeRate>);
  });

  app.get('/api/v1/db/changes', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireProjectRows(r, request.query, 'database changes');
    const q = request.query;
    const filter = {
      database: one(q, 'database', r.problems),
      table: one(q, 'table', r.problems),
      type: one(q, 'type', r.problems),
    };
    const limit = limitOf(q, 100, deps.config.queryMaxRows, r.problems);
    const per = one(q, 'per', r.problems);
    if (per !== undefined && per !== 'row' && per !== 'change')
      r.problems.push({
        param: 'per',
        message: 'must be "row" (the latest change of each row) or "change" (all)',
      });
    r.check();
    return send(reply, {
      results: await latestChangesQuery(r.query, filter, limit, per === 'row'),
    } satisfies Results<Change>);
  });

  app.get('/api/v1/db/row-history', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireProjectRows(r, request.query, 'database changes');
    const q = request.query;
    const database = one(q, 'database', r.problems);
    const table = one(q, 'table', r.problems);
    const rawKey = one(q, 'key', r.problems);
    let key: Record<string, unknown> | undefined;
    try {
      const parsed = rawKey ? JSON.parse(rawKey) : undefined;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && Object.keys(parsed).length > 0)
        key = parsed as Record<string, unknown>;
    } catch {
      key = undefined;
    }
    if (!database) r.problems.push({ param: 'database', message: 'is required' });
    if (!table) r.problems.push({ param: 'table', message: 'is required' });
    if (!key)
      r.problems.push({
        param: 'key',
        message: 'must be a JSON object of primary key columns, e.g. {"id":17}',
      });
    r.check();
    const history = await rowHistoryQuery(
      r.query,
      database as string,
      table as string,
      key as Record<string, unknown>,
    );
    return send(reply, { results: history });
  });
}
