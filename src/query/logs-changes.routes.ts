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
import { limitParam, statsParams, text, word } from './query-params.ts';
import { type createReadAuth, requireMember, requireWholeProject } from './read-auth.ts';
import { numberOf, type Query, send, textOf } from './request-params.ts';
import { createStatsRequest, type StatsRequest } from './stats-request.ts';

const list = (v: string | undefined) =>
  v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 50);

/** Members only, whole projects only: `tenant=` cannot narrow rows that have no tenant. */
function requireProjectRows(r: StatsRequest, what: string): void {
  requireMember(r.scope);
  requireWholeProject(r.scope, what);
  if (r.params.tenant !== undefined)
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
  const maxRows = deps.config.queryMaxRows;
  const logParams = { q: text(500), level: text(2000), service: text(2000), host: text(2000) };

  const logRequest = async (request: FastifyRequest) => {
    const r = await statsRequest(request);
    requireProjectRows(r, 'logs');
    const q: Query = r.params;
    const filter = {
      text: textOf(q, 'q'),
      levels: list(textOf(q, 'level')),
      services: list(textOf(q, 'service')),
      hosts: list(textOf(q, 'host')),
    };
    return { r, filter };
  };

  app.get(
    '/api/v1/logs',
    statsParams({ ...logParams, limit: limitParam(maxRows) }),
    async (request, reply) => {
      const { r, filter } = await logRequest(request);
      const limit = numberOf(r.params, 'limit') ?? Math.min(200, maxRows);
      r.check();
      const { store, target, range, timeoutMs } = r.query;
      return send(reply, {
        results: await logLinesQuery({ store, target, range, filter, timeoutMs }, limit),
      } satisfies Results<LogLine>);
    },
  );

  const intervalParam = word(INTERVALS, `must be one of ${INTERVALS.join(', ')}`);
  app.get(
    '/api/v1/logs/volume',
    statsParams({ ...logParams, interval: intervalParam }),
    async (request, reply) => {
      const { r, filter } = await logRequest(request);
      const asked = textOf(r.params, 'interval');
      r.check();
      const interval = (asked as Interval | undefined) ?? defaultInterval(r.query.range);
      if (bucketCount(r.query.range, interval) > MAX_BUCKETS)
        throw badParams([
          { param: 'interval', message: `too many ${interval}s in this range; pick a coarser one` },
        ]);
      const { store, target, range, timeoutMs, tz } = r.query;
      const volume = await logVolumeQuery({ store, target, range, filter, timeoutMs }, interval, tz);
      return send(reply, { interval, timezone: tz, ...(volume satisfies LogVolume) });
    },
  );

  app.get('/api/v1/logs/facets', statsParams(logParams), async (request, reply) => {
    const { r, filter } = await logRequest(request);
    r.check();
    const { store, target, range, timeoutMs } = r.query;
    return send(reply, await logFacetsQuery({ store, target, range, filter, timeoutMs }));
  });

  app.get('/api/v1/db/rates', statsParams(), async (request, reply) => {
    const r = await statsRequest(request);
    requireProjectRows(r, 'database changes');
    r.check();
    return send(reply, { results: await changeRatesQuery(r.query) } satisfies Results<ChangeRate>);
  });

  const tableParams = { database: text(256), table: text(256) };
  const changesParams = statsParams({
    ...tableParams,
    type: text(32),
    limit: limitParam(maxRows),
    per: word(['row', 'change'], 'must be "row" (the latest change of each row) or "change" (all)'),
  });
  app.get('/api/v1/db/changes', changesParams, async (request, reply) => {
    const r = await statsRequest(request);
    requireProjectRows(r, 'database changes');
    const q = r.params;
    const filter = { database: textOf(q, 'database'), table: textOf(q, 'table'), type: textOf(q, 'type') };
    const limit = numberOf(q, 'limit') ?? Math.min(100, maxRows);
    const per = textOf(q, 'per');
    r.check();
    return send(reply, {
      results: await latestChangesQuery(r.query, filter, limit, per === 'row'),
    } satisfies Results<Change>);
  });

  app.get(
    '/api/v1/db/row-history',
    statsParams({ ...tableParams, key: text(4000) }),
    async (request, reply) => {
      const r = await statsRequest(request);
      requireProjectRows(r, 'database changes');
      const q = r.params;
      const database = textOf(q, 'database');
      const table = textOf(q, 'table');
      const rawKey = textOf(q, 'key');
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
    },
  );
}
