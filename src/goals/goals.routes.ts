/**
 * Goals and saved funnels of a project, from the dashboard or the API:
 * `GET/POST /api/v1/goals`, `PATCH/DELETE /api/v1/goals/:id`, `GET/POST /api/v1/funnels`, `DELETE /api/v1/funnels/:id`.
 * Goals are settings: the admin token, an admin login, or a login that is admin of the goal's project — never a
 * viewer, a JWT or a share link. Saved funnels are read by anyone who may read the project's stats except share
 * links (they pick one to run the funnel query they could run anyway); changing them is for admins as goals are.
 * Every change leaves a `settings_audit` row.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Goal, Results, SavedFunnel } from '../query/api-types.ts';
import { badParams, forbidden, type ParamProblem } from '../query/errors.ts';
import { queryParams, TARGET_PARAMS, text } from '../query/query-params.ts';
import {
  type createReadAuth,
  isAdminScope,
  type ReadScope,
  requireMember,
  requireProjectAdmin,
} from '../query/read-auth.ts';
import { type Query, send, targetOf, textOf } from '../query/request-params.ts';
import { mapStoreErrors } from '../query/store-failures.ts';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import type { SitesConfig } from '../sites/sites.settings.ts';
import { badInput, type FieldProblem, notFound } from './errors.ts';
import { type GoalBody, parseGoalInput } from './goal-input.ts';
import type { GoalEntry, GoalRegistry } from './goal-registry.ts';
import { goalChangesBody, newFunnelBody, newGoalBody } from './goal-schemas.ts';
import { parseFunnelInput, type SavedFunnels } from './saved-funnels.ts';

type WithId = { Params: { id: string } };
type Input = GoalBody & { project?: string; steps?: unknown[]; window?: unknown };

/** Who made a change, for the audit: the account, or `admin-token`. */
export function actorOf(scope: ReadScope): string {
  return scope.kind === 'user' && scope.email !== '' ? scope.email : 'admin-token';
}

/** Before anything is looked up: a caller who administers no project learns nothing (not even whether an id exists). */
function requireSomeAdmin(scope: ReadScope): void {
  if (isAdminScope(scope)) return;
  if (scope.kind === 'user' && (scope.adminOf?.size ?? 0) > 0) return;
  throw forbidden('goals and saved funnels are changed by admins: the admin token or an admin login');
}

/** The body's problems: the schema's, then the route's own for fields the schema passed (one per field). */
function problemsWith(request: FastifyRequest, own: FieldProblem[]): FieldProblem[] {
  const schema = inputProblems(request).map((p) => ({ field: p.param, message: p.message }));
  const top = (field: string) => field.split(/[.[]/)[0];
  return [...schema, ...own.filter((p) => !schema.some((s) => top(s.field) === top(p.field)))];
}

/** The answer's view of a goal (the registry's entry as is; config goals say so). */
const shown = (g: GoalEntry): Goal => ({
  id: g.id,
  project: g.project,
  name: g.name,
  kind: g.kind,
  value: g.value,
  conditions: g.conditions,
  managed: g.managed,
  read_only: g.managed === 'config',
  created_by: g.created_by,
  updated_at: g.updated_at,
});

export async function goalsRoutes(
  app: FastifyInstance,
  deps: {
    config: Pick<SitesConfig, 'projects'>;
    goals: GoalRegistry;
    funnels: SavedFunnels;
    authenticate: ReturnType<typeof createReadAuth>;
    /** Whether a project exists (SIGHTLINE_PROJECTS, or sites made in the dashboard). */
    knownProject?: (name: string) => boolean;
  },
): Promise<void> {
  mapStoreErrors(app);
  const { goals, funnels, authenticate } = deps;
  const known = deps.knownProject ?? ((name: string) => deps.config.projects.some((p) => p.name === name));

  /** The body's `project`, which must exist and which the caller must administer. */
  const projectOf = (scope: ReadScope, body: Input, problems: FieldProblem[]) => {
    const project = body.project;
    if (project === undefined || !known(project)) {
      problems.push({ field: 'project', message: 'must name an existing project' });
      return undefined;
    }
    requireProjectAdmin(scope, project);
    return project;
  };

  app.get('/api/v1/goals', queryParams({ project: text(200) }), async (request, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    const problems: ParamProblem[] = inputProblems(request);
    const project = textOf(inputOf<Query>(request, 'querystring'), 'project');
    if (problems.length > 0) throw badParams(problems);
    if (project !== undefined) {
      if (!known(project)) throw badParams([{ param: 'project', message: `no project "${project}"` }]);
      requireProjectAdmin(scope, project);
    }
    await goals.refresh();
    const mine = (g: GoalEntry) =>
      isAdminScope(scope) || (scope.kind === 'user' && scope.adminOf?.has(g.project) === true);
    return send(reply, { results: goals.list(project).filter(mine).map(shown) });
  });

  app.post('/api/v1/goals', routeSchema({ body: newGoalBody }), async (request, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    const own: FieldProblem[] = [];
    const body = inputOf<Input>(request, 'body');
    const project = projectOf(scope, body, own);
    const goal = parseGoalInput(body, own);
    const problems = problemsWith(request, own);
    if (problems.length > 0 || !goal || !project) throw badInput(problems);
    const created = await goals.create(project, goal, actorOf(scope));
    return reply.code(201).header('cache-control', 'no-store').send(shown(created));
  });

  /** The stored goal `id`, once the caller is known to administer its project. */
  const goalFor = (scope: ReadScope, id: string) => {
    requireSomeAdmin(scope);
    const found = goals.find(id);
    if (!found) throw notFound(`no goal "${id}"`);
    requireProjectAdmin(scope, found.project);
    return found;
  };

  const patchSchema = routeSchema({ body: goalChangesBody });
  app.patch('/api/v1/goals/:id', patchSchema, async (request: FastifyRequest<WithId>, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    await goals.refresh();
    const old = goalFor(scope, request.params.id);
    const body = inputOf<Input>(request, 'body');
    const own: FieldProblem[] = [];
    if (body.project !== undefined && body.project !== old.project)
      own.push({ field: 'project', message: 'a goal stays in its project; create it in the other one' });
    const goal = parseGoalInput(body, own, old);
    const problems = problemsWith(request, own);
    if (problems.length > 0 || !goal) throw badInput(problems);
    const updated = await goals.update(old.id, goal, actorOf(scope));
    return send(reply, shown(updated));
  });

  app.delete('/api/v1/goals/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    await goals.refresh();
    const old = goalFor(scope, request.params.id);
    await goals.remove(old.id, actorOf(scope));
    return reply.code(204).send();
  });

  app.get('/api/v1/funnels', queryParams(TARGET_PARAMS), async (request, reply) => {
    const scope = await authenticate(request);
    requireMember(scope);
    const problems: ParamProblem[] = inputProblems(request);
    const target = targetOf(scope, inputOf<Query>(request, 'querystring'), problems);
    if (problems.length > 0 || !target) throw badParams(problems);
    return send(reply, { results: await funnels.list(target.project) } satisfies Results<SavedFunnel>);
  });

  app.post('/api/v1/funnels', routeSchema({ body: newFunnelBody }), async (request, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    const own: FieldProblem[] = [];
    const body = inputOf<Input>(request, 'body');
    const project = projectOf(scope, body, own);
    const input = parseFunnelInput(body, own);
    const problems = problemsWith(request, own);
    if (problems.length > 0 || !input || !project) throw badInput(problems);
    const created = await funnels.create(project, input, actorOf(scope));
    return reply.code(201).header('cache-control', 'no-store').send(created);
  });

  app.delete('/api/v1/funnels/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const scope = await authenticate(request);
    requireSomeAdmin(scope);
    const funnel = await funnels.get(request.params.id);
    if (!funnel) throw notFound(`no saved funnel "${request.params.id}"`);
    requireProjectAdmin(scope, funnel.project);
    await funnels.remove(funnel, actorOf(scope));
    return reply.code(204).send();
  });
}
