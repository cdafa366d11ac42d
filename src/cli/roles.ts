/**
 * The roles a process plays: `collect` (HTTP collector → log), `process` (log → enrichment → store), `api` (read
 * API, dashboard, ClickHouse-compatible endpoint). `sightline serve` plays all three on one port with the WAL;
 * `sightline collect|process|api` play one each, with Kafka between them (`SIGHTLINE_LOG=kafka://…`) and one
 * store (a ClickHouse server, or the `api` process's embedded store through its ClickHouse-compatible endpoint).
 * Every process answers /health, /ready and /metrics.
 */

import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { alertsSettings } from '../alerts/alerts.settings.ts';
import { createAlerts } from '../alerts/alerts.ts';
import { collectPlugin } from '../collect/collect.plugin.ts';
import { collectSettings } from '../collect/collect.settings.ts';
import { ProjectKeys } from '../collect/project-keys.ts';
import { type Config, sectionOf } from '../config/config.ts';
import { forwardRoutes } from '../forward/forward.routes.ts';
import { createGoalRegistry } from '../goals/goal-registry.ts';
import { goalsSettings } from '../goals/goals.settings.ts';
import { startVisitGoalBackfill } from '../goals/visit-goal-backfill.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import { logSettings } from '../log/log.settings.ts';
import { logCapabilities, openEventLog } from '../log/open-log.ts';
import { createLogger, type Logger } from '../observe/logger.ts';
import { createMetrics } from '../observe/metrics.ts';
import { adminTokenFileOf } from '../observe/start-banner.ts';
import { resumeErasures } from '../privacy/erase.ts';
import { fieldsOf } from '../privacy/person-rows.ts';
import { SuppressionList } from '../privacy/suppressions.ts';
import { createWriteGate } from '../privacy/write-gate.ts';
import { createHttpServer } from '../server/http-server.ts';
import { opsRoutes } from '../server/ops.routes.ts';
import { serverSettings } from '../server/server.settings.ts';
import { SiteRegistry } from '../sites/site-registry.ts';
import { startSiteRetention } from '../sites/site-retention.ts';
import { startClickHouseHttp } from '../store/clickhouse-http/clickhouse-http.server.ts';
import { preparePrivateDir } from '../store/private-dir.ts';
import { applyRetention } from '../store/retention.ts';
import { storeSettings } from '../store/store.settings.ts';
import { openStore, type Store } from '../store/store.ts';
import { resolveAdminToken } from './admin-token.ts';
import { apiRoutes } from './roles/api-routes.ts';
import { startProcessing } from './roles/processing.ts';
import { loadSites, migrateWhenReachable } from './roles/store-ready.ts';

export type Role = 'collect' | 'process' | 'api';
export const ALL_ROLES: ReadonlySet<Role> = new Set(['collect', 'process', 'api']);

export interface RunningRoles {
  app: FastifyInstance;
  /** Present when the process runs `process` or `api`. */
  store: Store | undefined;
  /** Present when the process runs `collect` or `process`. */
  log: EventLog | undefined;
  /** `http://host:port` the server listens on. */
  url: string;
  /** The sites of this moment: SIGHTLINE_PROJECTS and, with a store, those made in the dashboard. */
  projects(): string[];
  close(): Promise<void>;
}

/** `serve`: every role, so the log and the store are both there. */
export interface RunningServer extends RunningRoles {
  store: Store;
  log: EventLog;
}

export class RoleConfigError extends Error {
  override name = 'RoleConfigError';
}

export async function startServe(
  config: Config,
  logger: Logger = createLogger(config.logLevel, config.logFormat),
): Promise<RunningServer> {
  return (await startRoles(config, logger, ALL_ROLES, 'serve')) as RunningServer;
}

export async function startRoles(
  config: Config,
  logger: Logger,
  roles: ReadonlySet<Role>,
  name: string,
): Promise<RunningRoles> {
  const all = roles.size === ALL_ROLES.size;
  if (!all && !logCapabilities(config).shared && (roles.has('collect') || roles.has('process')))
    throw new RoleConfigError(
      `SIGHTLINE_LOG: "sightline ${name}" needs a log the other roles can reach; the WAL is local to "sightline serve". Set SIGHTLINE_LOG=kafka://host:9092 (see docs/scale-out.md)`,
    );
  for (const dir of [config.dataDir, config.archiveDir]) {
    if (!dir) continue;
    const tightened = preparePrivateDir(dir);
    if (tightened)
      logger.warn(
        { dir, was: tightened.was, now: '0700', changed: tightened.changed },
        'folder was readable by other users; removed their access to it and everything in it',
      );
  }
  let effective: Config = config;
  if (roles.has('api')) {
    const admin = resolveAdminToken(config.adminToken, config.dataDir);
    if (admin.generated)
      process.stderr.write(
        `\n  Sightline generated an admin token (kept in ${path.join(config.dataDir, 'admin-token')}):\n\n    ${admin.token}\n\n  Use it as "Authorization: Bearer <token>" on the read API.\n\n`,
      );
    effective = { ...config, adminToken: admin.token };
  }
  const metrics = createMetrics();
  const log =
    roles.has('collect') || roles.has('process')
      ? await openEventLog(
          { ...sectionOf(config, logSettings), dataDir: config.dataDir },
          logger,
          metrics,
          name,
        )
      : undefined;
  const store =
    roles.has('process') || roles.has('api')
      ? openStore({ url: config.store, dataDir: config.dataDir })
      : undefined;

  // A collector of its own (`sightline collect`) reads the sites from the ClickHouse server the other roles share;
  // with no server to reach (the embedded store lives in the api process) it knows SIGHTLINE_PROJECTS only.
  const sitesStore =
    store ??
    (roles.has('collect') && config.store !== 'chdb'
      ? openStore({ url: config.store, dataDir: config.dataDir })
      : undefined);
  // The collector's view of the sites' keys; the registry hands it every new snapshot.
  const keys = new ProjectKeys([], config.siteProjects);
  const sites = new SiteRegistry({
    projects: config.projects,
    keys,
    ...(sitesStore ? { store: sitesStore } : {}),
    logger,
    refreshMs: config.sitesRefreshSeconds * 1000,
  });

  // Erasures hold the processor's inserts while they rebuild (src/privacy/write-gate.ts).
  const gate = createWriteGate();
  // One suppression list for the processor and this process's erasures, which add to it at once.
  const suppressions = store ? new SuppressionList(store, logger) : undefined;
  const app = createHttpServer(sectionOf(config, serverSettings), logger, metrics);
  opsRoutes(app, { log, store, metrics, metricsEnabled: config.metricsEnabled });
  if (roles.has('process') && store)
    await app.register(forwardRoutes, {
      store,
      forward: config.forward,
      adminToken: effective.adminToken,
      registry: metrics.registry,
    });
  if (roles.has('collect') && log)
    await app.register(collectPlugin, {
      config: { ...sectionOf(config, collectSettings), bodyLimitBytes: config.bodyLimitBytes },
      log,
      metrics,
      keys,
    });
  // Alert rules and reports are evaluated by the api role (one scheduler per api process).
  const alerts =
    roles.has('api') && store
      ? createAlerts(
          { ...sectionOf(config, alertsSettings), queryTimeoutMs: config.queryTimeoutMs },
          store,
          logger,
        )
      : undefined;
  // Goals of SIGHTLINE_GOALS and the dashboard's, read by the stats routes (src/goals/goal-registry.ts) and by the
  // processor, which stamps each visit row with the goals it reached (src/query/visit-goal-bits.ts).
  const goals =
    (roles.has('api') || roles.has('process')) && store
      ? createGoalRegistry(store, sectionOf(config, goalsSettings), logger)
      : undefined;
  if (store && alerts && goals)
    await apiRoutes(app, { config: effective, store, logger, alerts, gate, suppressions, sites, goals });

  const stopping = new AbortController();
  const subscriptions: Subscription[] = [];
  let siteRetention: { stop(): void } | undefined;
  let goalStamping: { stop(): void } | undefined;
  const processing = store
    ? migrateWhenReachable(store, logger, stopping.signal).then(async (ok) => {
        if (ok) await loadSites(sites, roles.has('api'), logger);
        if (ok && roles.has('api') && !stopping.signal.aborted)
          siteRetention = startSiteRetention(store, sites, logger);
        if (ok)
          await applyRetention(store, sectionOf(config, storeSettings)).then(
            (changed) => changed.length > 0 && logger.info({ changed }, 'retention updated'),
            (err) => logger.warn({ err: (err as Error).message }, 'retention could not be applied'),
          );
        if (ok) alerts?.start();
        if (ok) await goals?.start();
        // The stored visits stamped with the goals they reached, where the processor did not (each api process
        // looks; a stamp twice is the same stamp).
        if (ok && goals && roles.has('api') && !stopping.signal.aborted)
          goalStamping = startVisitGoalBackfill(store, goals, logger);
        // Before processing starts: an erasure a crash interrupted is finished first (src/privacy/erase.ts).
        if (ok && roles.has('api'))
          await resumeErasures(store, logger, undefined, fieldsOf(config), config.archiveDir).catch((err) =>
            logger.error({ err: (err as Error).message }, 'unfinished erasures could not be completed yet'),
          );
        if (ok && roles.has('process') && log)
          subscriptions.push(
            ...(await startProcessing(
              config,
              log,
              store,
              metrics,
              logger,
              'live',
              suppressions,
              gate,
              goals?.goalsOf,
            )),
          );
      })
    : sitesStore
      ? loadSites(sites, false, logger)
      : Promise.resolve();
  // Embedded stores are local: wait for migrations so /ready and first queries see the tables.
  if (store?.kind === 'chdb') await processing;

  const address = await app.listen({ port: config.port, host: config.host });
  logger.info(
    {
      address,
      roles: [...roles],
      dataDir: config.dataDir,
      store: store?.kind,
      log: config.log.split('://')[0],
      // The sites of the registry: those made in the dashboard too (SIGHTLINE_PROJECTS only without a store).
      projects: sites.names(),
      ...(roles.has('api') ? { adminTokenFile: adminTokenFileOf(config) ?? 'SIGHTLINE_ADMIN_TOKEN' } : {}),
    },
    `sightline ${name} is running`,
  );
  const clickhouse =
    roles.has('api') && store && config.clickhouseHttp
      ? await startClickHouseHttp({
          store,
          host: config.clickhouseHttp.host ?? config.host,
          port: config.clickhouseHttp.port,
          user: config.clickhouseUser,
          password: config.clickhousePassword ?? '',
          writes: config.clickhouseWrites,
          logger,
        })
      : undefined;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopping.abort();
      sites.stop();
      siteRetention?.stop();
      await clickhouse?.close();
      await app.close();
      await processing;
      await alerts?.stop();
      goals?.stop();
      goalStamping?.stop();
      for (const s of subscriptions) await s.stop();
      await log?.close();
      await store?.close();
      if (sitesStore !== store) await sitesStore?.close();
    })();
    return closing;
  };
  const url = address.replace('0.0.0.0', '127.0.0.1').replace('[::]', '[::1]');
  return { app, store, log, url, close, projects: () => sites.names() };
}
