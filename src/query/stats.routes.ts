/**
 * `/api/v1/stats/*`: the dashboard's API. Aggregates (overview, timeseries, breakdowns, realtime, funnels,
 * retention, goals) answer the admin token, JWTs, logins and share links; individual rows (visits, users, events)
 * answer everyone but share links. Share links read the fixed dimensions, and event properties only where
 * SIGHTLINE_SHARE_PROPERTY_KEYS lists them (breakdowns, filters, funnel steps).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.ts';
import type {
  BreakdownRow,
  Cohort,
  EventItem,
  Extent,
  FunnelResult,
  Overview,
  Realtime,
  Results,
  User,
} from './api-types.ts';
import { toCsv } from './csv.ts';
import { dimensionNames, isDimension, PROP_PREFIX } from './dimensions.ts';
import { badParams, notFound, type ParamProblem } from './errors.ts';
import { breakdownQuery } from './queries/breakdown.query.ts';
import { breakdownsQuery } from './queries/breakdowns.query.ts';
import { extentQuery } from './queries/extent.query.ts';
import { funnelQuery, parseSteps, parseWindow } from './queries/funnel.query.ts';
import { goalsQuery } from './queries/goals.query.ts';
import { overviewQuery } from './queries/overview.query.ts';
import { eventsQuery, userQuery, usersQuery, visitsQuery } from './queries/people.query.ts';
import { realtimeQuery } from './queries/realtime.query.ts';
import { RETENTION_UNITS, type RetentionUnit, retentionQuery } from './queries/retention.query.ts';
import {
  bucketCount,
  defaultInterval,
  INTERVALS,
  type Interval,
  MAX_BUCKETS,
  timeseriesCounts,
  timeseriesQuery,
} from './queries/timeseries.query.ts';
import type { ConfiguredGoals, QueryConfig } from './query.settings.ts';
import { type createReadAuth, requireMember } from './read-auth.ts';
import { limitOf, one, type Query, send, targetOf } from './request-params.ts';
import { sampledShare } from './sampling.ts';
import { METRIC_NAMES } from './stats-metrics.ts';
import {
  configGoals,
  createStatsRequest,
  formatOf,
  type GoalsOf,
  pageOf,
  requireProperty,
} from './stats-request.ts';

type Req = FastifyRequest<{ Querystring: Query }>;

function sendCsv(reply: FastifyReply, name: string, rows: readonly object[], empty: readonly string[]) {
  const columns = rows.length > 0 ? Object.keys(rows[0]) : empty;
  return reply
    .header('cache-control', 'no-store')
    .header('content-disposition', `attachment; filename="${name.replace(/[^a-z0-9_-]/gi, '_')}.csv"`)
    .type('text/csv; charset=utf-8')
    .send(toCsv(columns, rows));
}

export async function statsRoutes(
  app: FastifyInstance,
  deps: {
    store: Store;
    config: QueryConfig & ConfiguredGoals;
    authenticate: ReturnType<typeof createReadAuth>;
    goalsOf?: GoalsOf;
  },
): Promise<void> {
  const { config } = deps;
  const goalsOf = deps.goalsOf ?? configGoals(config);
  const statsRequest = createStatsRequest(deps.store, config, deps.authenticate, goalsOf);

  app.get('/api/v1/stats/overview', async (request: Req, reply) => {
    const r = await statsRequest(request, { sampled: true });
    r.check();
    const overview = await overviewQuery(r.query, r.compare?.range);
    return send(reply, { ...overview, ...sampledShare(r.query.sample) } satisfies Overview);
  });

  app.get('/api/v1/stats/timeseries', async (request: Req, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const asked = one(request.query, 'interval', r.problems);
    if (asked !== undefined && !INTERVALS.includes(asked as Interval))
      r.problems.push({ param: 'interval', message: `must be one of ${INTERVALS.join(', ')}` });
    const metrics = one(request.query, 'metrics', r.problems);
    if (metrics !== undefined && metrics !== 'all' && metrics !== 'counts')
      r.problems.push({ param: 'metrics', message: 'must be all (default) or counts' });
    r.check();
    const series = metrics === 'counts' ? timeseriesCounts : timeseriesQuery;
    const interval = (asked as Interval | undefined) ?? defaultInterval(r.query.range);
    if (bucketCount(r.query.range, interval) > MAX_BUCKETS)
      throw badParams([
        {
          param: 'interval',
          message: `${interval} gives more than ${MAX_BUCKETS} points here; pick a coarser one`,
        },
      ]);
    const results = await series(r.query, interval);
    const comparison = r.compare ? await series(r.query, interval, r.compare.range) : undefined;
    return send(reply, {
      interval,
      timezone: r.query.tz,
      results,
      ...(comparison ? { comparison } : {}),
      ...sampledShare(r.query.sample),
    });
  });

  app.get(
    '/api/v1/stats/breakdown/:dimension',
    async (request: FastifyRequest<{ Querystring: Query; Params: { dimension: string } }>, reply) => {
      const r = await statsRequest(request, { sampled: true });
      const dimension = request.params.dimension;
      if (!isDimension(dimension))
        r.problems.push({ param: 'dimension', message: `"${dimension}" is not one of ${dimensionNames()}` });
      else if (dimension.startsWith(PROP_PREFIX)) requireProperty(r, dimension.slice(PROP_PREFIX.length));
      const limit = limitOf(request.query, 100, config.queryMaxRows, r.problems);
      const page = pageOf(request.query, r.problems);
      const format = formatOf(request.query, r.problems);
      const metrics = one(request.query, 'metrics', r.problems);
      if (metrics !== undefined && metrics !== 'all' && metrics !== 'counts')
        r.problems.push({ param: 'metrics', message: 'must be all (default) or counts' });
      r.check();
      const results = await breakdownQuery(r.query, dimension, limit, page, metrics === 'counts');
      if (format === 'csv') return sendCsv(reply, dimension, results, ['value', ...METRIC_NAMES]);
      return send(reply, {
        dimension,
        results: results satisfies BreakdownRow[],
        ...sampledShare(r.query.sample),
      });
    },
  );

  // The overview page's cards in one request: `dimensions=page,channel,…` (at most 12), counting metrics only.
  app.get('/api/v1/stats/breakdowns', async (request: Req, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const raw = one(request.query, 'dimensions', r.problems);
    const dimensions = [...new Set((raw ?? '').split(',').filter((d) => d !== ''))];
    if (dimensions.length === 0 || dimensions.length > 12)
      r.problems.push({ param: 'dimensions', message: 'one to twelve dimensions, comma-separated' });
    for (const dimension of dimensions)
      if (!isDimension(dimension))
        r.problems.push({ param: 'dimensions', message: `"${dimension}" is not one of ${dimensionNames()}` });
      else if (dimension.startsWith(PROP_PREFIX)) requireProperty(r, dimension.slice(PROP_PREFIX.length));
    const limit = limitOf(request.query, 9, 100, r.problems);
    r.check();
    const results = await breakdownsQuery(r.query, dimensions, limit);
    return send(reply, { results, ...sampledShare(r.query.sample) });
  });

  app.get('/api/v1/stats/realtime', async (request: Req, reply) => {
    const r = await statsRequest(request);
    r.check();
    return send(reply, (await realtimeQuery(r.query)) satisfies Realtime);
  });

  app.get('/api/v1/stats/funnel', async (request: Req, reply) => {
    const r = await statsRequest(request);
    const steps = parseSteps(one(request.query, 'steps', r.problems), r.problems);
    // A step's property values are as good an oracle as a filter's.
    for (const step of steps) for (const key of Object.keys(step.props ?? {})) requireProperty(r, key);
    const window = parseWindow(one(request.query, 'window', r.problems), r.problems);
    r.check();
    return send(reply, (await funnelQuery(r.query, steps, window)) satisfies FunnelResult);
  });

  app.get('/api/v1/stats/retention', async (request: Req, reply) => {
    const r = await statsRequest(request);
    const unit = one(request.query, 'unit', r.problems) ?? 'week';
    if (!RETENTION_UNITS.includes(unit as RetentionUnit))
      r.problems.push({ param: 'unit', message: `must be one of ${RETENTION_UNITS.join(', ')}` });
    r.check();
    const cohorts = await retentionQuery(r.query, unit as RetentionUnit);
    return send(reply, { unit, timezone: r.query.tz, cohorts: cohorts satisfies Cohort[] });
  });

  app.get('/api/v1/stats/goals', async (request: Req, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const format = formatOf(request.query, r.problems);
    r.check();
    const goals = goalsOf(r.query.target.project);
    const results = await goalsQuery(r.query, goals);
    if (format === 'csv')
      return sendCsv(reply, 'goals', results, ['goal', 'visitors', 'events', 'conversion_rate']);
    return send(reply, { results, ...sampledShare(r.query.sample) });
  });

  // How many events the caller's scope holds at all, and when: the dashboard says so when a period shows none.
  app.get('/api/v1/stats/extent', async (request: Req, reply) => {
    const scope = await deps.authenticate(request);
    const problems: ParamProblem[] = [];
    const target = targetOf(scope, request.query, problems);
    if (problems.length > 0 || !target) throw badParams(problems);
    return send(reply, (await extentQuery(deps.store, target, config.queryTimeoutMs)) satisfies Extent);
  });

  app.get('/api/v1/stats/sessions', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = limitOf(request.query, 50, config.queryMaxRows, r.problems);
    const page = pageOf(request.query, r.problems);
    r.check();
    return send(reply, { results: await visitsQuery(r.query, { limit, page }) });
  });

  app.get('/api/v1/stats/events', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = limitOf(request.query, 50, config.queryMaxRows, r.problems);
    const page = pageOf(request.query, r.problems);
    const format = formatOf(request.query, r.problems);
    r.check();
    const results = await eventsQuery(r.query, { limit, page });
    if (format === 'csv')
      return sendCsv(
        reply,
        'events',
        results.map((e) => ({ ...e, props: JSON.stringify(e.props) })),
        ['event_id', 'timestamp', 'type', 'path'],
      );
    return send(reply, { results } satisfies Results<EventItem>);
  });

  app.get('/api/v1/stats/users', async (request: Req, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = limitOf(request.query, 50, config.queryMaxRows, r.problems);
    const page = pageOf(request.query, r.problems);
    const search = one(request.query, 'search', r.problems);
    r.check();
    return send(reply, {
      results: await usersQuery(r.query, search, { limit, page }),
    } satisfies Results<User>);
  });

  app.get(
    '/api/v1/stats/users/:id',
    async (request: FastifyRequest<{ Querystring: Query; Params: { id: string } }>, reply) => {
      const r = await statsRequest(request);
      requireMember(r.scope);
      const limit = limitOf(request.query, 100, config.queryMaxRows, r.problems);
      r.check();
      const found = await userQuery(r.query, request.params.id, limit);
      if (!found) throw notFound(`no user "${request.params.id}" in project "${r.query.target.project}"`);
      return send(reply, found);
    },
  );
}
