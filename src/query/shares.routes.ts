/** Admin-only management of share links: create (the token is shown once), list, revoke. */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import type { Results, Share } from './api-types.ts';
import { badParams, notFound, type ParamProblem } from './errors.ts';
import type { ConfiguredProjects } from './query.settings.ts';
import { queryParams, text } from './query-params.ts';
import { type createReadAuth, requireAdmin } from './read-auth.ts';
import { type Query, send, textOf } from './request-params.ts';
import type { ShareLinks } from './share-links.ts';

interface ShareBody {
  project?: string;
  tenant?: string;
  name?: string;
}

/** A new share link; other fields are ignored, as they always were. */
const shareBody = {
  type: 'object',
  properties: {
    project: { type: 'string', maxLength: 200, hint: 'must be the name of a site' },
    tenant: { type: 'string', minLength: 1, maxLength: 256, hint: 'must be a non-empty string when given' },
    name: { type: 'string', maxLength: 200, hint: 'must be a string of at most 200 characters' },
  },
};

export async function sharesRoutes(
  app: FastifyInstance,
  deps: {
    config: ConfiguredProjects;
    shares: ShareLinks;
    authenticate: ReturnType<typeof createReadAuth>;
    /** The sites as they are now; SIGHTLINE_PROJECTS when absent. */
    projects?: () => readonly string[];
  },
): Promise<void> {
  const { shares, authenticate } = deps;
  const configured = deps.config.projects.map((p) => p.name);
  const known = () => new Set(deps.projects?.() ?? configured);

  app.post('/api/v1/shares', routeSchema({ body: shareBody }), async (request, reply) => {
    requireAdmin(await authenticate(request));
    const { project, tenant, name } = inputOf<ShareBody>(request, 'body');
    const problems: ParamProblem[] = inputProblems(request);
    const projects = known();
    const typeRefused = problems.some((p) => p.param === 'project');
    if (!typeRefused && (project === undefined || !projects.has(project)))
      problems.push({ param: 'project', message: `must be one of ${[...projects].join(', ')}` });
    if (problems.length > 0 || project === undefined) throw badParams(problems);
    const link = await shares.create(project, tenant, name ?? '');
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({ ...link, url: `/share/${link.project}?auth=${link.token}` });
  });

  app.get('/api/v1/shares', queryParams({ project: text(200) }), async (request, reply) => {
    requireAdmin(await authenticate(request));
    const problems = inputProblems(request);
    if (problems.length > 0) throw badParams(problems);
    const project = textOf(inputOf<Query>(request, 'querystring'), 'project');
    return send(reply, { results: await shares.list(project) } satisfies Results<Share>);
  });

  app.delete('/api/v1/shares/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    requireAdmin(await authenticate(request));
    if (!(await shares.revoke(request.params.id)))
      throw notFound(`no live share link "${request.params.id}"`);
    return reply.code(204).send();
  });
}
