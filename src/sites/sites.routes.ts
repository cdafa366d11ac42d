/**
 * Sites and write keys over the API (the dashboard's Settings → Sites): list, add, edit and delete sites, add,
 * rotate and revoke keys. Admins only — the admin token, an admin login, or a login that is admin of that one site
 * (which may edit it and its keys, but not add or delete sites). Viewers, share links and JWTs get 403. Every change
 * is an audit row (src/store/settings-audit.ts) and is in force in this process at once, in the others within
 * SIGHTLINE_SITES_REFRESH_SECONDS.
 */

import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SiteEvents } from '../query/api-types.ts';
import { badParams, forbidden, type ParamProblem, notFound as siteNotFound } from '../query/errors.ts';
import { type createReadAuth, isAdminScope, type ReadScope } from '../query/read-auth.ts';
import { send } from '../query/request-params.ts';
import type { ShareLinks } from '../query/share-links.ts';
import { mapStoreErrors } from '../query/store-failures.ts';
import { inputOf, inputProblems, routeSchema } from '../server/route-schemas.ts';
import { listSettingsChanges, recordSettingsChange, type SettingsChange } from '../store/settings-audit.ts';
import type { Store } from '../store/store.ts';
import { confirmMismatch, managed } from './errors.ts';
import { actorOf, requireSiteAdmin, requireSitesAdmin } from './site-access.ts';
import { removeSiteData, siteEvents } from './site-data.ts';
import { checkSettings, defaultSettings, domainProblems, type SiteSettings } from './site-fields.ts';
import { iso, siteJson } from './site-json.ts';
import type { SiteRegistry, SiteView } from './site-registry.ts';
import { type KeyRow, readKeys, writeKey, writeSite } from './site-store.ts';
import {
  confirmationOf,
  DEFAULT_GRACE_SECONDS,
  newSiteBody,
  rotateBody,
  type SiteBody,
  siteChangesBody,
} from './sites.schemas.ts';
import { newWriteKey } from './write-keys.ts';

const MAX_KEYS = 10;

type Params = { name: string; id: string };

const notFound = (name: string) => siteNotFound(`no site "${name}"`);

export async function sitesRoutes(
  app: FastifyInstance,
  deps: {
    store: Store;
    sites: SiteRegistry;
    shares: ShareLinks;
    authenticate: ReturnType<typeof createReadAuth>;
    /** SIGHTLINE_SITE_PROJECTS: a domain listed there belongs to its project. */
    siteProjects: ReadonlyMap<string, string>;
    /** Removes what else a deleted site had (its goals and saved funnels), with their audit rows. */
    removeSettings?: (site: string, actor: string) => Promise<void>;
  },
): Promise<void> {
  mapStoreErrors(app);
  const { store, sites, authenticate } = deps;

  const audit = (scope: ReadScope, change: Omit<SettingsChange, 'actor'>) =>
    recordSettingsChange(store, { actor: actorOf(scope), ...change });

  /** The site, read fresh (another process may have changed it), or 404. */
  async function current(name: string): Promise<SiteView> {
    await sites.refresh();
    const site = sites.get(name);
    if (!site) throw notFound(name);
    return site;
  }

  async function addKey(scope: ReadScope, site: string, action: string, detail = '') {
    const made = newWriteKey();
    const row: KeyRow = {
      id: randomUUID(),
      site,
      prefix: made.prefix,
      hash: made.hash,
      createdAt: Date.now(),
    };
    await writeKey(store, row);
    await audit(scope, {
      project: site,
      entity: 'write_key',
      entityId: row.id,
      action,
      detail: `${made.prefix}…${detail}`,
    });
    // Shown once: only its hash is kept.
    return { id: row.id, prefix: row.prefix, key: made.key, created_at: iso(row.createdAt) };
  }

  app.get('/api/v1/sites', async (request, reply) => {
    const scope = await authenticate(request);
    const adminOf = scope.kind === 'user' ? scope.adminOf : undefined;
    const mine = isAdminScope(scope) ? undefined : adminOf && adminOf.size > 0 ? adminOf : null;
    if (mine === null) throw forbidden('sites are listed to admins');
    await sites.refresh();
    return send(reply, {
      results: sites
        .list()
        .filter((s) => !mine || mine.has(s.name))
        .map(siteJson),
    });
  });

  app.post('/api/v1/sites', routeSchema({ body: newSiteBody }), async (request, reply) => {
    const scope = await authenticate(request);
    requireSitesAdmin(scope);
    const body = inputOf<SiteBody>(request, 'body');
    const problems: ParamProblem[] = inputProblems(request);
    const name = body.name ?? '';
    const settings = checkSettings(body, problems, defaultSettings(name)) as SiteSettings;
    await sites.refresh();
    if (name && sites.get(name)) problems.push({ param: 'name', message: `a site "${name}" exists already` });
    domainProblems(name, settings.domains, sites.list(), deps.siteProjects, problems);
    if (problems.length > 0) throw badParams(problems);
    const now = Date.now();
    const site = { name, ...settings, managed: false, createdAt: now, updatedAt: now };
    // The key first: a site is never visible to the collector without one (a keyed site without keys takes nothing).
    const key = await addKey(scope, name, 'create');
    await writeSite(store, site);
    await audit(scope, {
      project: name,
      entity: 'site',
      entityId: name,
      action: 'create',
      detail: settings.domains.join(', '),
    });
    await sites.refresh();
    const created = sites.get(name);
    return reply
      .code(201)
      .header('cache-control', 'no-store')
      .send({ ...(created ? siteJson(created) : {}), key });
  });

  app.get('/api/v1/sites/:name', async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const scope = await authenticate(request);
    requireSiteAdmin(scope, request.params.name);
    return send(reply, siteJson(await current(request.params.name)));
  });

  /** Stored events of the site: the count a deletion is confirmed with; onboarding polls it for the first event. */
  app.get('/api/v1/sites/:name/events', async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const scope = await authenticate(request);
    requireSiteAdmin(scope, request.params.name);
    await current(request.params.name);
    return send(reply, (await siteEvents(store, request.params.name)) satisfies SiteEvents);
  });

  app.get('/api/v1/sites/:name/changes', async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const scope = await authenticate(request);
    requireSiteAdmin(scope, request.params.name);
    const results = await listSettingsChanges(store, { limit: 100, project: request.params.name });
    return send(reply, { results });
  });

  const patchSchema = routeSchema({ body: siteChangesBody });
  app.patch(
    '/api/v1/sites/:name',
    patchSchema,
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const scope = await authenticate(request);
      const { name } = request.params;
      requireSiteAdmin(scope, name);
      const site = await current(name);
      if (site.managed) throw managed(name);
      const body = inputOf<SiteBody>(request, 'body');
      const problems: ParamProblem[] = inputProblems(request);
      if (body.name !== undefined && body.name !== name)
        problems.push({
          param: 'name',
          message: 'cannot change: it is the project id stored with every event',
        });
      const changes = checkSettings(body, problems);
      domainProblems(name, changes.domains, sites.list(), deps.siteProjects, problems);
      if (problems.length > 0) throw badParams(problems);
      await writeSite(store, { ...site, ...changes, updatedAt: Date.now() });
      await audit(scope, {
        project: name,
        entity: 'site',
        entityId: name,
        action: 'update',
        detail: Object.keys(body)
          .filter((k) => k !== 'name')
          .join(', '),
      });
      return send(reply, siteJson(await current(name)));
    },
  );

  app.delete(
    '/api/v1/sites/:name',
    async (request: FastifyRequest<{ Params: Params; Querystring: { confirm?: string } }>, reply) => {
      const scope = await authenticate(request);
      requireSitesAdmin(scope);
      const { name } = request.params;
      const site = await current(name);
      if (site.managed) throw managed(name);
      const stored = await siteEvents(store, name);
      const confirm = confirmationOf(request.query, request.body);
      if (confirm === undefined)
        throw badParams([
          {
            param: 'confirm',
            message: `is required: the number of events that will be removed (${stored.events}), as ?confirm=${stored.events}`,
          },
        ]);
      if (confirm !== stored.events) throw confirmMismatch(name, stored, confirm);
      // First the site stops taking events (no keys, no domains) but stays, so a removal that fails half-way can be
      // asked again; then its rows go; only then the site itself and its share links.
      for (const key of (await readKeys(store)).filter((k) => k.site === name))
        await writeKey(store, key, true);
      await writeSite(store, { ...site, domains: [], updatedAt: Date.now() });
      await sites.refresh();
      await removeSiteData(store, name);
      await deps.removeSettings?.(name, actorOf(scope));
      await writeSite(store, { ...site, domains: [], updatedAt: Date.now() }, true);
      for (const link of await deps.shares.list(name)) await deps.shares.revoke(link.id);
      await sites.refresh();
      await audit(scope, {
        project: name,
        entity: 'site',
        entityId: name,
        action: 'delete',
        detail: `${stored.events} events removed`,
      });
      return send(reply, { deleted: name, events: stored.events });
    },
  );

  /** The site's stored key row, for rotation and revocation; managed sites' keys live in configuration. */
  async function keyOf(scope: ReadScope, params: Params): Promise<KeyRow> {
    requireSiteAdmin(scope, params.name);
    const site = await current(params.name);
    if (site.managed) throw managed(params.name);
    const key = (await readKeys(store)).find((k) => k.id === params.id && k.site === params.name);
    if (!key) throw siteNotFound(`no live key "${params.id}" of site "${params.name}"`);
    return key;
  }

  app.post('/api/v1/sites/:name/keys', async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const scope = await authenticate(request);
    const { name } = request.params;
    requireSiteAdmin(scope, name);
    const site = await current(name);
    if (site.managed) throw managed(name);
    if (site.keys.length >= MAX_KEYS)
      throw badParams([
        { param: 'keys', message: `a site has at most ${MAX_KEYS} live keys; revoke one first` },
      ]);
    const key = await addKey(scope, name, 'create');
    await sites.refresh();
    return reply.code(201).header('cache-control', 'no-store').send(key);
  });

  app.post(
    '/api/v1/sites/:name/keys/:id/rotate',
    routeSchema({ body: rotateBody }),
    async (request: FastifyRequest<{ Params: Params }>, reply) => {
      const scope = await authenticate(request);
      const old = await keyOf(scope, request.params);
      const problems = inputProblems(request);
      if (problems.length > 0) throw badParams(problems);
      const grace =
        inputOf<{ grace_seconds?: number }>(request, 'body').grace_seconds ?? DEFAULT_GRACE_SECONDS;
      const until = Date.now() + grace * 1000;
      const expiresAt = old.expiresAt === undefined ? until : Math.min(old.expiresAt, until);
      const key = await addKey(scope, old.site, 'rotate', ` replaces ${old.prefix}…`);
      await writeKey(store, { ...old, expiresAt });
      await audit(scope, {
        project: old.site,
        entity: 'write_key',
        entityId: old.id,
        action: 'expire',
        detail: `${old.prefix}… works until ${iso(expiresAt)}`,
      });
      await sites.refresh();
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({ ...key, previous: { id: old.id, prefix: old.prefix, expires_at: iso(expiresAt) } });
    },
  );

  app.delete('/api/v1/sites/:name/keys/:id', async (request: FastifyRequest<{ Params: Params }>, reply) => {
    const scope = await authenticate(request);
    const key = await keyOf(scope, request.params);
    await writeKey(store, key, true);
    await audit(scope, {
      project: key.site,
      entity: 'write_key',
      entityId: key.id,
      action: 'revoke',
      detail: `${key.prefix}…`,
    });
    await sites.refresh();
    return reply.code(204).send();
  });
}
