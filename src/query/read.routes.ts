/**
 * The read API: `/api/v1/stats/overview`, and the Nealytics-shaped `/api/v1/telemetry/timeline` and
 * `/api/v1/analytics/sessions`. Every request is authenticated first; its scope becomes mandatory filters.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Store } from '../store/store.ts';
import { toCsv } from './csv.ts';
import { DIMENSIONS, isDimension, PROP_PREFIX } from './dimensions.ts';
import { badParams, type ParamProblem } from './errors.ts';
import { breakdownQuery } from './queries/breakdown.query.ts';
import { overviewQuery } from './queries/overview.query.ts';
import { sessionsQuery } from './queries/sessions.query.ts';
import { timelineQuery } from './queries/timeline.query.ts';
import { INTERVALS, type Interval, timeseriesQuery } from './queries/timeseries.query.ts';
import { createReadAuth } from './read-auth.ts';
import { limitOf, mapStoreError, one, type Query, send, targetOf, timeZoneOf } from './request-params.ts';
import { parseFilters } from './stats-filters.ts';
import { parseTimeRange } from './time-range.ts';

export interface ReadDeps {
  store: Store;
  config: Config;
}

export async function readRoutes(app: FastifyInstance, deps: ReadDeps): Promise<void> {
  const { store, config } = deps;
  const authenticate = createReadAuth(config);
  const budget = config.queryTimeoutMs;

  const statsRequest = (request: FastifyRequest<{ Querystring: Query }>, problems: ParamProblem[]) =>
    authenticate(request).then((scope) => {
      const target = targetOf(scope, request.query, problems);
      const tz = timeZoneOf(request.query, problems);
      const range = parseTimeRange(
        one(request.query, 'from', problems),
        one(request.query, 'to', problems),
        tz,
        problems,
      );
      const filter = parseFilters(one(request.query, 'filters', problems), problems);
      return { target, tz, range, filter };
    });

  app.get('/api/v1/stats/overview', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const problems: ParamProblem[] = [];
    const { target, range, filter } = await statsRequest(request, problems);
    if (problems.length > 0 || !target || !range) throw badParams(problems);
    return send(reply, await overviewQuery(store, target, range, budget, filter).catch(mapStoreError));
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

  app.get('/api/v1/stats/timeseries', async (request: FastifyRequest<{ Querystring: Query }>, reply) => {
    const problems: ParamProblem[] = [];
    const { target, tz, range, filter } = await statsRequest(request, problems);
    const asked = one(request.query, 'interval', problems);
    if (asked !== undefined && !INTERVALS.includes(asked as Interval))
      problems.push({ param: 'interval', message: `must be one of ${INTERVALS.join(', ')}` });
    if (problems.length > 0 || !target || !range) throw badParams(problems);
    const days = (range.endMs - range.startMs) / 86_400_000;
    const interval = (asked as Interval | undefined) ?? (days <= 2 ? 'hour' : days > 366 ? 'month' : 'day');
    if (interval === 'hour' && days > 31)
      throw badParams([{ param: 'interval', message: 'hour needs a range of 31 days or less' }]);
    const results = await timeseriesQuery(store, target, range, interval, tz, budget, filter).catch(
      mapStoreError,
    );
    return send(reply, { interval, timezone: tz, results });
  });

  app.get(
    '/api/v1/stats/breakdown/:dimension',
    async (request: FastifyRequest<{ Querystring: Query; Params: { dimension: string } }>, reply) => {
      const problems: ParamProblem[] = [];
      const { target, range, filter } = await statsRequest(request, problems);
      const dimension = request.params.dimension;
      if (!isDimension(dimension))
        problems.push({
          param: 'dimension',
          message: `"${dimension}" is not one of ${Object.keys(DIMENSIONS).join(', ')}, ${PROP_PREFIX}<key>`,
        });
      const limit = limitOf(request.query, 100, config.queryMaxRows, problems);
      const pageRaw = one(request.query, 'page', problems) ?? '1';
      if (!/^[1-9]\d{0,6}$/.test(pageRaw))
        problems.push({ param: 'page', message: 'must be a whole number ≥ 1' });
      const format = one(request.query, 'format', problems) ?? 'json';
      if (format !== 'json' && format !== 'csv')
        problems.push({ param: 'format', message: 'must be json or csv' });
      if (problems.length > 0 || !target || !range) throw badParams(problems);
      const results = await breakdownQuery(
        store,
        target,
        range,
        dimension,
        limit,
        Number(pageRaw),
        budget,
        filter,
      ).catch(mapStoreError);
      if (format === 'csv')
        return reply
          .header('cache-control', 'no-store')
          .header(
            'content-disposition',
            `attachment; filename="${dimension.replace(/[^a-z0-9_-]/gi, '_')}.csv"`,
          )
          .type('text/csv; charset=utf-8')
          .send(toCsv(['value', 'visitors', 'visits', 'pageviews', 'events'], results));
      return send(reply, { dimension, results });
    },
  );
}
