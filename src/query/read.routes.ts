/**
 * The read API: the Nealytics-shaped `/api/v1/telemetry/timeline` and `/api/v1/analytics/sessions` here, the stats
 * API (`stats.routes.ts`) and share links (`shares.routes.ts`). Every request is authenticated first; its scope
 * becomes mandatory filters.
 */

import type { FastifyInstance } from 'fastify';
import { inputOf, inputProblems } from '../server/route-schemas.ts';
import type { Store } from '../store/store.ts';
import { badParams, type ParamProblem } from './errors.ts';
import { exploreRoutes } from './explore.routes.ts';
import { logsAndChangesRoutes } from './logs-changes.routes.ts';
import { sessionsQuery } from './queries/sessions.query.ts';
import { timelineQuery } from './queries/timeline.query.ts';
import type { ConfiguredGoals, ConfiguredProjects, QueryConfig } from './query.settings.ts';
import { limitParam, queryParams, TARGET_PARAMS, text } from './query-params.ts';
import { createReadAuth, requireMember, type SessionResolver } from './read-auth.ts';
import { numberOf, type Query, send, targetOf, textOf } from './request-params.ts';
import { createShareLinks, type ShareLinks } from './share-links.ts';
import { sharesRoutes } from './shares.routes.ts';
import { statsRoutes } from './stats.routes.ts';
import type { GoalsOf } from './stats-request.ts';
import { mapStoreErrors } from './store-failures.ts';
import { parseTimeRange } from './time-range.ts';

export interface ReadDeps {
  store: Store;
  config: QueryConfig & ConfiguredGoals & ConfiguredProjects;
  /** Dashboard logins (session cookies), when the dashboard is served. */
  resolveSession?: SessionResolver;
  /** Share links, when the caller also authenticates with them elsewhere (the dashboard's `auth/me`). */
  shares?: ShareLinks;
  /** Each project's goals (src/goals/goal-registry.ts); SIGHTLINE_GOALS alone when absent. */
  goalsOf?: GoalsOf;
  /** The sites' names as they are now (src/sites/site-registry.ts); SIGHTLINE_PROJECTS when absent. */
  projects?: () => readonly string[];
  /** Sites marked public: read without a credential, as with a share link. */
  publicSite?: (project: string) => boolean;
}

export async function readRoutes(app: FastifyInstance, deps: ReadDeps): Promise<void> {
  mapStoreErrors(app);
  const { store, config } = deps;
  const shares = deps.shares ?? createShareLinks(store);
  const authenticate = createReadAuth(config, {
    share: (token) => shares.resolve(token),
    session: deps.resolveSession,
    ...(deps.publicSite ? { publicSite: deps.publicSite } : {}),
  });
  const budget = config.queryTimeoutMs;
  const maxRows = config.queryMaxRows;
  const rangeParams = { from: text(64), to: text(64) };

  const timelineParams = queryParams({
    ...TARGET_PARAMS,
    ...rangeParams,
    limit: limitParam(maxRows),
    eventType: text(200),
    sessionId: text(256),
  });
  app.get('/api/v1/telemetry/timeline', timelineParams, async (request, reply) => {
    const scope = await authenticate(request);
    requireMember(scope);
    const q = inputOf<Query>(request, 'querystring');
    const problems: ParamProblem[] = inputProblems(request);
    const target = targetOf(scope, q, problems);
    const limit = numberOf(q, 'limit') ?? Math.min(50, maxRows);
    const from = textOf(q, 'from');
    const to = textOf(q, 'to');
    const range =
      from !== undefined || to !== undefined ? parseTimeRange(from, to, 'UTC', problems) : undefined;
    const filters = {
      eventType: textOf(q, 'eventType'),
      sessionId: textOf(q, 'sessionId'),
    };
    if (problems.length > 0 || !target) throw badParams(problems);
    const events = await timelineQuery(store, target, range, filters, limit, budget);
    return send(reply, {
      projectId: target.project,
      tenantId: target.tenant ?? null,
      count: events.length,
      events,
    });
  });

  const sessionsParams = queryParams({ ...TARGET_PARAMS, ...rangeParams, limit: limitParam(maxRows) });
  app.get('/api/v1/analytics/sessions', sessionsParams, async (request, reply) => {
    const scope = await authenticate(request);
    requireMember(scope);
    const q = inputOf<Query>(request, 'querystring');
    const problems: ParamProblem[] = inputProblems(request);
    const target = targetOf(scope, q, problems);
    const limit = numberOf(q, 'limit') ?? Math.min(100, maxRows);
    const now = Date.now();
    const range = parseTimeRange(textOf(q, 'from'), textOf(q, 'to'), 'UTC', problems, {
      startMs: now - 86_400_000,
      endMs: now + 1,
    });
    if (problems.length > 0 || !target || !range) throw badParams(problems);
    return send(reply, await sessionsQuery(store, target, range, limit, budget));
  });

  await statsRoutes(app, {
    store,
    config,
    authenticate,
    ...(deps.goalsOf ? { goalsOf: deps.goalsOf } : {}),
  });
  await sharesRoutes(app, {
    config,
    shares,
    authenticate,
    ...(deps.projects ? { projects: deps.projects } : {}),
  });
  await exploreRoutes(app, { store, config, authenticate });
  await logsAndChangesRoutes(app, { store, config, authenticate });
}
