/**
 * `DELETE /api/v1/people/:id` (erase), `GET /api/v1/people/:id/export`, `GET|DELETE /api/v1/people?match=key=value`
 * (the people a trait/property value names, or their erasure) and `GET /api/v1/privacy/requests` (the
 * audit). Admins only — the admin token, a dashboard admin login, or a login whose role for that project is admin
 * (which sees the audit of its projects only): a project- or tenant-scoped JWT, a viewer and a share link get 403.
 * `?by=visitor_id` names a visitor instead of a user. `sightline erase|export-person` call these while a server
 * holds the embedded store.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LogConfig } from '../log/log.settings.ts';
import type { PrivacyRequest } from '../query/api-types.ts';
import { forbidden } from '../query/errors.ts';
import { limitParam, queryParams, text } from '../query/query-params.ts';
import {
  type createReadAuth,
  isAdminScope,
  type ReadScope,
  requireProjectAdmin,
} from '../query/read-auth.ts';
import { numberOf, type Query, textOf } from '../query/request-params.ts';
import { inputOf, inputProblems } from '../server/route-schemas.ts';
import type { SitesConfig } from '../sites/sites.settings.ts';
import type { Store } from '../store/store.ts';
import { type EraseOptions, erasePerson } from './erase.ts';
import { privacyBadParams } from './errors.ts';
import { exportPerson } from './export.ts';
import { matchingUsers, parseMatch } from './match.ts';
import { fieldsOf } from './person-rows.ts';
import type { PrivacyConfig } from './privacy.settings.ts';
import { listRequests } from './privacy-requests.ts';
import { parseSubject, type Subject } from './subject.ts';
import { MAX_SUPPRESS_DAYS, type SuppressionList } from './suppressions.ts';
import type { WriteGate } from './write-gate.ts';

type PersonRequest = FastifyRequest<{ Params: { id: string } }>;

/** The people routes' parameters: who (`project`, `by`, `match`) and for how long their events are refused. */
const peopleParams = queryParams({
  project: text(200),
  by: text(32),
  match: text(2000),
  suppress_days: text(16),
});

export interface PrivacyRoutesDeps {
  store: Store;
  config: PrivacyConfig & Pick<SitesConfig, 'projects'> & Pick<LogConfig, 'archiveDir'>;
  authenticate: ReturnType<typeof createReadAuth>;
  gate?: WriteGate;
  suppressions?: SuppressionList;
  /** The sites of this moment (src/sites/site-registry.ts); without it, those of SIGHTLINE_PROJECTS. */
  projects?: () => readonly string[];
}

/** Who asked, as the audit records it. */
export const requesterOf = (scope: ReadScope) => (scope.kind === 'user' ? scope.email : 'admin token');

/** `suppress_days`: whole days the person's new events are refused; only for a user id (a visitor id changes daily). */
export function parseSuppressDays(raw: string | undefined, subject: Subject): number {
  if (raw === undefined || raw === '0') return 0;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days < 1 || days > MAX_SUPPRESS_DAYS)
    throw privacyBadParams([
      { param: 'suppress_days', message: `must be a whole number from 0 to ${MAX_SUPPRESS_DAYS}` },
    ]);
  if (subject.type !== 'user_id')
    throw privacyBadParams([
      { param: 'suppress_days', message: 'is for a user id: a visitor id changes every day' },
    ]);
  return days;
}

/** A parameter of the checked querystring (src/query/query-params.ts). */
const single = (request: FastifyRequest, name: string) =>
  textOf(inputOf<Query>(request, 'querystring'), name);

/** The projects a scope administers: undefined = every one (the admin token, an admin login). */
function administered(scope: ReadScope): ReadonlySet<string> | undefined {
  if (isAdminScope(scope)) return undefined;
  if (scope.kind === 'user' && (scope.adminOf?.size ?? 0) > 0) return scope.adminOf;
  throw forbidden('this needs the admin token, an admin login or an admin login for the project');
}

export async function privacyRoutes(app: FastifyInstance, deps: PrivacyRoutesDeps): Promise<void> {
  const { store, authenticate } = deps;
  const configured = deps.config.projects.map((p) => p.name);
  const fields = fieldsOf(deps.config);
  /**
   * Who may act on `?project=`: checked before the project is validated, so a project admin learns nothing of other
   * projects (not even which exist); the list a 400 names is the projects the caller administers.
   */
  const authorize = async (request: FastifyRequest) => {
    const scope = await authenticate(request);
    const mine = administered(scope);
    const problems = inputProblems(request);
    if (problems.length > 0) throw privacyBadParams(problems);
    const project = single(request, 'project');
    if (mine && project) requireProjectAdmin(scope, project);
    // Read per request: a site made in the dashboard is a project here at once.
    const all = deps.projects?.() ?? configured;
    const projects = mine ? all.filter((p) => mine.has(p)) : [...all];
    return { scope, projects };
  };
  const eraseOptions = (suppressDays: number): EraseOptions => ({
    ...(deps.gate ? { gate: deps.gate } : {}),
    ...(deps.suppressions ? { suppressions: deps.suppressions } : {}),
    fields,
    suppressDays,
    ...(deps.config.archiveDir ? { archiveDir: deps.config.archiveDir } : {}),
  });
  const subjectOf = (request: PersonRequest, projects: readonly string[]) =>
    parseSubject(single(request, 'project'), single(request, 'by'), request.params.id, projects);

  app.delete('/api/v1/people/:id', peopleParams, async (request: PersonRequest, reply) => {
    const { scope, projects } = await authorize(request);
    const subject = subjectOf(request, projects);
    const suppressDays = parseSuppressDays(single(request, 'suppress_days'), subject);
    const result = await erasePerson(store, subject, requesterOf(scope), eraseOptions(suppressDays));
    return reply.header('cache-control', 'no-store').send(result);
  });

  // By a trait or property value: the people it names (GET, what the CLI's confirmation lists), or their erasure.
  const matchOf = (request: FastifyRequest, projects: readonly string[]) => {
    const project = single(request, 'project');
    parseSubject(project, 'user_id', '-', projects);
    return parseMatch(project as string, single(request, 'match'));
  };

  app.get('/api/v1/people', peopleParams, async (request, reply) => {
    const { projects } = await authorize(request);
    const match = matchOf(request, projects);
    const users = await matchingUsers(store, match);
    return reply
      .header('cache-control', 'no-store')
      .send({ project: match.project, key: match.key, user_ids: users, count: users.length });
  });

  app.delete('/api/v1/people', peopleParams, async (request, reply) => {
    const { scope, projects } = await authorize(request);
    const match = matchOf(request, projects);
    const subjects = (await matchingUsers(store, match)).map(
      (id): Subject => ({ project: match.project, type: 'user_id', id }),
    );
    const suppressDays = parseSuppressDays(single(request, 'suppress_days'), {
      project: match.project,
      type: 'user_id',
      id: '',
    });
    const erasures = [];
    // One after the other, each a user-id erasure of its own (journalled, audited, resumable).
    for (const subject of subjects)
      erasures.push({
        user_id: subject.id,
        ...(await erasePerson(store, subject, requesterOf(scope), eraseOptions(suppressDays))),
      });
    return reply
      .header('cache-control', 'no-store')
      .send({ project: match.project, key: match.key, count: erasures.length, erasures });
  });

  app.get('/api/v1/people/:id/export', peopleParams, async (request: PersonRequest, reply) => {
    const { scope, projects } = await authorize(request);
    const subject = subjectOf(request, projects);
    const body = await exportPerson(store, subject, requesterOf(scope), Date.now(), fields);
    return reply
      .header('cache-control', 'no-store')
      .header(
        'content-disposition',
        `attachment; filename="sightline-${subject.project}-${subject.type}-export-${body.request}.json"`,
      )
      .send(body);
  });

  const requestsParams = queryParams({ limit: limitParam(10_000) });
  app.get('/api/v1/privacy/requests', requestsParams, async (request, reply) => {
    const mine = administered(await authenticate(request));
    const problems = inputProblems(request);
    if (problems.length > 0) throw privacyBadParams(problems);
    const limit = numberOf(inputOf<Query>(request, 'querystring'), 'limit') ?? 100;
    const results = await listRequests(store, limit, mine && [...mine]);
    return reply
      .header('cache-control', 'no-store')
      .send({ results: results satisfies PrivacyRequest[], count: results.length });
  });
}
