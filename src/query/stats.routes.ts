/**
 * `/api/v1/stats/*`: the dashboard's API. Aggregates (overview, timeseries, breakdowns, realtime, funnels,
 * retention, goals) answer the admin token, JWTs, logins and share links; individual rows (visits, users, events)
 * answer everyone but share links. Share links read the fixed dimensions, and event properties only where
 * SIGHTLINE_SHARE_PROPERTY_KEYS lists them (breakdowns, filters, funnel steps).
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inputOf, inputProblems } from '../server/route-schemas.ts';
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
import { cardMetrics, chartMetrics, onlyMetrics, withOnly } from './card-metrics.ts';
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
import {
  countsParam,
  formatParam,
  limitParam,
  pageParam,
  queryParams,
  statsParams,
  TARGET_PARAMS,
  text,
  word,
} from './query-params.ts';
import { type createReadAuth, requireMember } from './read-auth.ts';
import { numberOf, type Query, send, targetOf, textOf } from './request-params.ts';
import { sampledShare } from './sampling.ts';
import { METRIC_NAMES } from './stats-metrics.ts';
import { configGoals, createStatsRequest, type GoalsOf, requireProperty } from './stats-request.ts';
import type { TimeRange } from './time-range.ts';

const intervalParam = word(INTERVALS, `must be one of ${INTERVALS.join(', ')}`);

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

  const maxRows = config.queryMaxRows;
  const rows = { limit: limitParam(maxRows), page: pageParam };

  app.get('/api/v1/stats/overview', statsParams(), async (request, reply) => {
    const r = await statsRequest(request, { sampled: true });
    r.check();
    const overview = await overviewQuery(r.query, r.compare?.range);
    return send(reply, { ...overview, ...sampledShare(r.query.sample) } satisfies Overview);
  });

  const timeseriesParams = statsParams({ interval: intervalParam, metrics: text(100) });
  app.get('/api/v1/stats/timeseries', timeseriesParams, async (request, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const asked = textOf(r.params, 'interval');
    const metrics = chartMetrics(textOf(r.params, 'metrics'), r.problems);
    r.check();
    // Conversions are counted only when asked for (the dashboard's chart never plots them).
    const query =
      metrics !== 'all' && !metrics.includes('conversions') ? { ...r.query, goal: undefined } : r.query;
    const counted = (q: typeof query, interval: Interval, range?: TimeRange) =>
      timeseriesCounts(q, interval, range, { visits: metrics === 'all' || metrics.includes('visits') }).then(
        (points) => points.map((p) => withOnly(p, metrics as string[])),
      );
    const series = metrics === 'all' ? timeseriesQuery : counted;
    const interval = (asked as Interval | undefined) ?? defaultInterval(r.query.range);
    if (bucketCount(r.query.range, interval) > MAX_BUCKETS)
      throw badParams([
        {
          param: 'interval',
          message: `${interval} gives more than ${MAX_BUCKETS} points here; pick a coarser one`,
        },
      ]);
    // Both periods at once, as the overview asks for them (src/query/queries/overview.query.ts).
    const [results, comparison] = await Promise.all([
      series(query, interval),
      r.compare ? series(query, interval, r.compare.range) : undefined,
    ]);
    return send(reply, {
      interval,
      timezone: r.query.tz,
      results,
      ...(comparison ? { comparison } : {}),
      ...sampledShare(r.query.sample),
    });
  });

  const breakdownParams = statsParams({ ...rows, format: formatParam, metrics: countsParam });
  app.get(
    '/api/v1/stats/breakdown/:dimension',
    breakdownParams,
    async (request: FastifyRequest<{ Params: { dimension: string } }>, reply) => {
      const r = await statsRequest(request, { sampled: true });
      const dimension = request.params.dimension;
      if (!isDimension(dimension))
        r.problems.push({ param: 'dimension', message: `"${dimension}" is not one of ${dimensionNames()}` });
      else if (dimension.startsWith(PROP_PREFIX)) requireProperty(r, dimension.slice(PROP_PREFIX.length));
      const limit = numberOf(r.params, 'limit') ?? Math.min(100, maxRows);
      const page = numberOf(r.params, 'page') ?? 1;
      const format = textOf(r.params, 'format') ?? 'json';
      const metrics = textOf(r.params, 'metrics');
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

  // The overview page's cards in one request: `dimensions=page,channel,…` (at most 12), counting metrics only;
  // `metrics=visitors,events` answers just those (a card's rows need no visits, whose count costs most).
  const breakdownsParams = statsParams({
    dimensions: text(2000),
    limit: limitParam(100),
    metrics: text(100),
  });
  app.get('/api/v1/stats/breakdowns', breakdownsParams, async (request, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const raw = textOf(r.params, 'dimensions');
    const dimensions = [...new Set((raw ?? '').split(',').filter((d) => d !== ''))];
    if (dimensions.length === 0 || dimensions.length > 12)
      r.problems.push({ param: 'dimensions', message: 'one to twelve dimensions, comma-separated' });
    for (const dimension of dimensions)
      if (!isDimension(dimension))
        r.problems.push({ param: 'dimensions', message: `"${dimension}" is not one of ${dimensionNames()}` });
      else if (dimension.startsWith(PROP_PREFIX)) requireProperty(r, dimension.slice(PROP_PREFIX.length));
    const limit = numberOf(r.params, 'limit') ?? 9;
    const metrics = cardMetrics(textOf(r.params, 'metrics'), r.problems);
    r.check();
    const results = await breakdownsQuery(r.query, dimensions, limit, { visits: metrics.includes('visits') });
    return send(reply, { results: onlyMetrics(results, metrics), ...sampledShare(r.query.sample) });
  });

  app.get('/api/v1/stats/realtime', statsParams(), async (request, reply) => {
    const r = await statsRequest(request);
    r.check();
    return send(reply, (await realtimeQuery(r.query)) satisfies Realtime);
  });

  app.get(
    '/api/v1/stats/funnel',
    statsParams({ steps: text(8000), window: text(16) }),
    async (request, reply) => {
      const r = await statsRequest(request);
      const steps = parseSteps(textOf(r.params, 'steps'), r.problems);
      // A step's property values are as good an oracle as a filter's.
      for (const step of steps) for (const key of Object.keys(step.props ?? {})) requireProperty(r, key);
      const window = parseWindow(textOf(r.params, 'window'), r.problems);
      r.check();
      return send(reply, (await funnelQuery(r.query, steps, window)) satisfies FunnelResult);
    },
  );

  const unitParam = word(RETENTION_UNITS, `must be one of ${RETENTION_UNITS.join(', ')}`);
  app.get('/api/v1/stats/retention', statsParams({ unit: unitParam }), async (request, reply) => {
    const r = await statsRequest(request);
    const unit = textOf(r.params, 'unit') ?? 'week';
    r.check();
    const cohorts = await retentionQuery(r.query, unit as RetentionUnit);
    return send(reply, { unit, timezone: r.query.tz, cohorts: cohorts satisfies Cohort[] });
  });

  app.get('/api/v1/stats/goals', statsParams({ format: formatParam }), async (request, reply) => {
    const r = await statsRequest(request, { sampled: true });
    const format = textOf(r.params, 'format') ?? 'json';
    r.check();
    const goals = goalsOf(r.query.target.project);
    const results = await goalsQuery(r.query, goals);
    if (format === 'csv')
      return sendCsv(reply, 'goals', results, ['goal', 'visitors', 'events', 'conversion_rate']);
    return send(reply, { results, ...sampledShare(r.query.sample) });
  });

  // How many events the caller's scope holds at all, and when: the dashboard says so when a period shows none.
  app.get('/api/v1/stats/extent', queryParams(TARGET_PARAMS), async (request, reply) => {
    const scope = await deps.authenticate(request);
    const problems: ParamProblem[] = inputProblems(request);
    const target = targetOf(scope, inputOf<Query>(request, 'querystring'), problems);
    if (problems.length > 0 || !target) throw badParams(problems);
    return send(reply, (await extentQuery(deps.store, target, config.queryTimeoutMs)) satisfies Extent);
  });

  app.get('/api/v1/stats/sessions', statsParams(rows), async (request, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = numberOf(r.params, 'limit') ?? Math.min(50, maxRows);
    const page = numberOf(r.params, 'page') ?? 1;
    r.check();
    return send(reply, { results: await visitsQuery(r.query, { limit, page }) });
  });

  app.get('/api/v1/stats/events', statsParams({ ...rows, format: formatParam }), async (request, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = numberOf(r.params, 'limit') ?? Math.min(50, maxRows);
    const page = numberOf(r.params, 'page') ?? 1;
    const format = textOf(r.params, 'format') ?? 'json';
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

  app.get('/api/v1/stats/users', statsParams({ ...rows, search: text(200) }), async (request, reply) => {
    const r = await statsRequest(request);
    requireMember(r.scope);
    const limit = numberOf(r.params, 'limit') ?? Math.min(50, maxRows);
    const page = numberOf(r.params, 'page') ?? 1;
    const search = textOf(r.params, 'search');
    r.check();
    return send(reply, {
      results: await usersQuery(r.query, search, { limit, page }),
    } satisfies Results<User>);
  });

  app.get(
    '/api/v1/stats/users/:id',
    statsParams({ limit: limitParam(maxRows) }),
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const r = await statsRequest(request);
      requireMember(r.scope);
      const limit = numberOf(r.params, 'limit') ?? Math.min(100, maxRows);
      r.check();
      const found = await userQuery(r.query, request.params.id, limit);
      if (!found) throw notFound(`no user "${request.params.id}" in project "${r.query.target.project}"`);
      return send(reply, found);
    },
  );
}
