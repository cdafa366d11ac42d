/** The api role's routes: the read API, sites, alerts, goals, privacy, dashboard logins and pages. */

import type { FastifyInstance } from 'fastify';
import { alertsRoutes } from '../../alerts/alerts.routes.ts';
import type { Alerts } from '../../alerts/alerts.ts';
import { type Config, sectionOf } from '../../config/config.ts';
import { createAccounts } from '../../dashboard/accounts.ts';
import { authRoutes } from '../../dashboard/auth.routes.ts';
import { dashboardRoutes } from '../../dashboard/dashboard.routes.ts';
import { buildUi } from '../../dashboard/ui-build.ts';
import type { GoalRegistry } from '../../goals/goal-registry.ts';
import { goalsRoutes } from '../../goals/goals.routes.ts';
import { goalsSettings } from '../../goals/goals.settings.ts';
import { createSavedFunnels } from '../../goals/saved-funnels.ts';
import type { Logger } from '../../observe/logger.ts';
import { privacyRoutes } from '../../privacy/privacy.routes.ts';
import { privacySettings } from '../../privacy/privacy.settings.ts';
import type { SuppressionList } from '../../privacy/suppressions.ts';
import type { WriteGate } from '../../privacy/write-gate.ts';
import { querySettings } from '../../query/query.settings.ts';
import { readRoutes } from '../../query/read.routes.ts';
import { createReadAuth } from '../../query/read-auth.ts';
import { createShareLinks } from '../../query/share-links.ts';
import type { SiteRegistry } from '../../sites/site-registry.ts';
import { sitesRoutes } from '../../sites/sites.routes.ts';
import type { Store } from '../../store/store.ts';

export interface ApiRouteDeps {
  /** With the admin token resolved (generated when unset). */
  config: Config;
  store: Store;
  logger: Logger;
  alerts: Alerts;
  gate: WriteGate;
  suppressions: SuppressionList | undefined;
  sites: SiteRegistry;
  goals: GoalRegistry;
}

/**
 * The read API, dashboard logins and pages. Each plugin gets the settings it reads and no others: its stage's
 * section, and what its options name of the sections of others (SIGHTLINE_PROJECTS for the routes that check a
 * project against it).
 */
export async function apiRoutes(app: FastifyInstance, deps: ApiRouteDeps): Promise<void> {
  const { config, store, logger, alerts, gate, suppressions, sites, goals } = deps;
  const query = sectionOf(config, querySettings);
  const configured = { projects: config.projects };
  const accounts = createAccounts(store, { invitationDays: config.invitationDays });
  const resolveSession = (token: string) => accounts.resolveSession(token);
  const shares = createShareLinks(store);
  const projects = () => sites.names();
  const publicSite = (project: string) => sites.get(project)?.public === true;
  await app.register(readRoutes, {
    store,
    config: { ...query, ...sectionOf(config, goalsSettings), ...configured },
    resolveSession,
    shares,
    projects,
    publicSite,
    goalsOf: (project: string) => goals.goalsOf(project),
  });
  const authenticate = createReadAuth(query, {
    session: resolveSession,
    share: (token) => shares.resolve(token),
    publicSite,
  });
  const funnels = createSavedFunnels(store);
  // Registered, not called: each is a plugin context with its own store-failure mapping.
  await app.register(sitesRoutes, {
    store,
    sites,
    shares,
    authenticate,
    siteProjects: config.siteProjects,
    removeSettings: async (site, actor) => {
      await goals.removeProject(site, actor);
      await funnels.removeProject(site, actor);
    },
  });
  await alertsRoutes(app, {
    config: { alerts: config.alerts, webhookAllow: config.webhookAllow, ...configured },
    alerts,
    authenticate,
    projects,
  });
  await app.register(goalsRoutes, {
    config: configured,
    goals,
    funnels,
    authenticate,
    knownProject: (name) => sites.get(name) !== undefined,
  });
  await privacyRoutes(app, {
    store,
    config: { ...sectionOf(config, privacySettings), archiveDir: config.archiveDir, ...configured },
    authenticate,
    gate,
    ...(suppressions ? { suppressions } : {}),
    projects,
  });
  if (config.dashboard) {
    await app.register(authRoutes, {
      config: { adminToken: config.adminToken, ...configured },
      accounts,
      authenticate,
      projects,
      timeZoneOf: (project: string) => sites.get(project)?.timeZone ?? '',
    });
    await buildUi({ log: (line) => logger.info(line) }).catch((err) =>
      logger.warn(
        { err: (err as Error).message },
        'the dashboard could not be built; serving the last build',
      ),
    );
    await app.register(dashboardRoutes);
  }
}
