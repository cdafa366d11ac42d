/**
 * The roles a process plays: `collect` (HTTP collector → log), `process` (log → enrichment → store), `api` (read
 * API, dashboard, ClickHouse-compatible endpoint). `sightline serve` plays all three on one port with the WAL;
 * `sightline collect|process|api` play one each, with Kafka between them (`SIGHTLINE_LOG=kafka://…`) and one
 * store (a ClickHouse server, or the `api` process's embedded store through its ClickHouse-compatible endpoint).
 * Every process answers /health, /ready and /metrics.
 */

import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { alertsRoutes } from '../alerts/alerts.routes.ts';
import { type Alerts, createAlerts } from '../alerts/alerts.ts';
import { createCdcConverter, createMaxwellTopicConverter } from '../cdc/cdc-pipeline.ts';
import { collectPlugin } from '../collect/collect.plugin.ts';
import { ProjectKeys } from '../collect/project-keys.ts';
import type { Config } from '../config/config.ts';
import { CDC_TOPIC, DEAD_LETTERS_TOPIC, LOGS_TOPIC, TOPICS } from '../contract/topics.ts';
import { createAccounts } from '../dashboard/accounts.ts';
import { authRoutes } from '../dashboard/auth.routes.ts';
import { dashboardRoutes } from '../dashboard/dashboard.routes.ts';
import { buildUi } from '../dashboard/ui-build.ts';
import { forwardRoutes } from '../forward/forward.routes.ts';
import { startForwarding } from '../forward/start-forwarding.ts';
import { createGoalRegistry, type GoalRegistry } from '../goals/goal-registry.ts';
import { goalsRoutes } from '../goals/goals.routes.ts';
import { createSavedFunnels } from '../goals/saved-funnels.ts';
import { startRawArchive } from '../log/archive/raw-archive.ts';
import { backoffDelay } from '../log/backoff.ts';
import type { EventLog, Subscription } from '../log/event-log.ts';
import { logCapabilities, openEventLog } from '../log/open-log.ts';
import { createLogConverter, createShipperLogConverter } from '../log-lines/log-pipeline.ts';
import { createLogger, type Logger } from '../observe/logger.ts';
import { createMetrics } from '../observe/metrics.ts';
import { adminTokenFileOf } from '../observe/start-banner.ts';
import { resumeErasures } from '../privacy/erase.ts';
import { fieldsOf } from '../privacy/person-rows.ts';
import { privacyRoutes } from '../privacy/privacy.routes.ts';
import { droppedByPrivacy } from '../privacy/raw-records.ts';
import { SuppressionList } from '../privacy/suppressions.ts';
import { createWriteGate, type WriteGate } from '../privacy/write-gate.ts';
import { openGeoLookup } from '../process/enrich/geo-lookup.ts';
import { SessionTracker } from '../process/enrich/session-tracker.ts';
import type { EventRow } from '../process/event-row.ts';
import { createConverter, createSteps } from '../process/pipeline.ts';
import { startBatchConsumer, startProcessor } from '../process/processor.ts';
import { VisitKeeper } from '../process/visits/visit-keeper.ts';
import { readRoutes } from '../query/read.routes.ts';
import { createReadAuth } from '../query/read-auth.ts';
import { createShareLinks } from '../query/share-links.ts';
import { createHttpServer } from '../server/http-server.ts';
import { opsRoutes } from '../server/ops.routes.ts';
import { SiteRegistry } from '../sites/site-registry.ts';
import { startSiteRetention } from '../sites/site-retention.ts';
import { sitesRoutes } from '../sites/sites.routes.ts';
import { startClickHouseHttp } from '../store/clickhouse-http/clickhouse-http.server.ts';
import { migrate } from '../store/migrate.ts';
import { preparePrivateDir } from '../store/private-dir.ts';
import { applyRetention } from '../store/retention.ts';
import { openStore, type Store } from '../store/store.ts';
import { resolveAdminToken } from './admin-token.ts';

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

/** Migrations keep being retried while the store is down; ingestion is already accepting meanwhile. */
async function migrateWhenReachable(store: Store, logger: Logger, stop: AbortSignal): Promise<boolean> {
  for (let attempt = 0; !stop.aborted; attempt++) {
    try {
      const result = await migrate(store, undefined, (message) => logger.info(message));
      if (result.applied.length > 0) logger.info({ applied: result.applied }, 'store migrations applied');
      return true;
    } catch (err) {
      const delay = backoffDelay(attempt, { baseMs: 500, capMs: 30_000 });
      logger.error(
        { err: (err as Error).message, retryInMs: delay },
        'store not ready for migrations; retrying',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        stop.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  return false;
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
      ? await openEventLog(config, logger, metrics, name)
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
  const app = createHttpServer(effective, logger, metrics);
  opsRoutes(app, { log, store, metrics, metricsEnabled: config.metricsEnabled });
  if (roles.has('process') && store)
    await app.register(forwardRoutes, {
      store,
      forward: config.forward,
      adminToken: effective.adminToken,
      registry: metrics.registry,
    });
  if (roles.has('collect') && log)
    await app.register(collectPlugin, { config: effective, log, metrics, keys });
  // Alert rules and reports are evaluated by the api role (one scheduler per api process).
  const alerts = roles.has('api') && store ? createAlerts(effective, store, logger) : undefined;
  // Goals of SIGHTLINE_GOALS and the dashboard's, read by the stats routes (src/goals/goal-registry.ts).
  const goals = roles.has('api') && store ? createGoalRegistry(store, config, logger) : undefined;
  if (store && alerts && goals)
    await apiRoutes(app, effective, store, logger, alerts, gate, suppressions, sites, goals);

  const stopping = new AbortController();
  const subscriptions: Subscription[] = [];
  let siteRetention: { stop(): void } | undefined;
  const processing = store
    ? migrateWhenReachable(store, logger, stopping.signal).then(async (ok) => {
        if (ok) await loadSites(sites, roles.has('api'), logger);
        if (ok && roles.has('api') && !stopping.signal.aborted)
          siteRetention = startSiteRetention(store, sites, logger);
        if (ok)
          await applyRetention(store, config).then(
            (changed) => changed.length > 0 && logger.info({ changed }, 'retention updated'),
            (err) => logger.warn({ err: (err as Error).message }, 'retention could not be applied'),
          );
        if (ok) alerts?.start();
        if (ok) await goals?.start();
        // Before processing starts: an erasure a crash interrupted is finished first (src/privacy/erase.ts).
        if (ok && roles.has('api'))
          await resumeErasures(store, logger, undefined, fieldsOf(config), config.archiveDir).catch((err) =>
            logger.error({ err: (err as Error).message }, 'unfinished erasures could not be completed yet'),
          );
        if (ok && roles.has('process') && log)
          subscriptions.push(
            ...(await startProcessing(config, log, gate.wrap(store), metrics, logger, 'live', suppressions)),
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

/**
 * The sites of the store, then their reload every SIGHTLINE_SITES_REFRESH_SECONDS. The api role first writes those
 * of SIGHTLINE_PROJECTS as managed sites. A store that cannot be read leaves SIGHTLINE_PROJECTS in force.
 */
async function loadSites(sites: SiteRegistry, writeConfigured: boolean, logger: Logger): Promise<void> {
  try {
    if (writeConfigured) await sites.syncConfigured();
    else await sites.refresh();
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'sites could not be read from the store yet; SIGHTLINE_PROJECTS is in force until they can',
    );
  }
  sites.start();
}

/** The read API, dashboard logins and pages. */
async function apiRoutes(
  app: FastifyInstance,
  effective: Config,
  store: Store,
  logger: Logger,
  alerts: Alerts,
  gate: WriteGate,
  suppressions: SuppressionList | undefined,
  sites: SiteRegistry,
  goals: GoalRegistry,
): Promise<void> {
  const config = effective;
  const accounts = createAccounts(store, { invitationDays: config.invitationDays });
  const resolveSession = (token: string) => accounts.resolveSession(token);
  const shares = createShareLinks(store);
  const projects = () => sites.names();
  const publicSite = (project: string) => sites.get(project)?.public === true;
  await app.register(readRoutes, {
    store,
    config: effective,
    resolveSession,
    shares,
    projects,
    publicSite,
    goalsOf: (project: string) => goals.goalsOf(project),
  });
  const authenticate = createReadAuth(effective, {
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
  await alertsRoutes(app, { config: effective, alerts, authenticate, projects });
  await app.register(goalsRoutes, {
    config: effective,
    goals,
    funnels,
    authenticate,
    knownProject: (name) => sites.get(name) !== undefined,
  });
  await privacyRoutes(app, {
    store,
    config: effective,
    authenticate,
    gate,
    ...(suppressions ? { suppressions } : {}),
    projects,
  });
  if (config.dashboard) {
    await app.register(authRoutes, {
      config: effective,
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

/** Consumers of every topic into the store; sessions restored first so open visits continue. */
export async function startProcessing(
  config: Config,
  log: EventLog,
  store: Store,
  metrics: ReturnType<typeof createMetrics>,
  logger: Logger,
  /** `replay`: every event id checked (the archive may hold what is stored), no archive of the replay itself. */
  mode: 'live' | 'replay' = 'live',
  /** The list an erasure in this process adds to at once; otherwise one of its own, refreshed from the store. */
  suppressions = new SuppressionList(store, logger),
): Promise<Subscription[]> {
  const sessions = new SessionTracker(config.sessionTimeoutMinutes * 60_000);
  const geo = await openGeoLookup(config.geoipCityDb);
  await suppressions.start();
  const suppressed = (row: EventRow) => {
    if (!suppressions.has(row)) return false;
    metrics.suppressedEvents.inc();
    return true;
  };
  const convert = createConverter(await createSteps({ ...config, sessions, geo }), suppressed);
  const convertLogs = createLogConverter(geo);
  const restored = await sessions.restore(store).catch((err) => {
    logger.warn({ err: (err as Error).message }, 'open sessions could not be restored; new ones start fresh');
    return 0;
  });
  if (restored > 0) logger.info({ restored }, 'open sessions restored from the store');
  const consumer = {
    log,
    store,
    metrics,
    logger,
    maxRecords: config.batchMaxRows,
    maxWaitMs: config.batchMaxWaitMs,
    ...(mode === 'live' && log.capabilities.hasDeadLetterTopic
      ? { deadLetterTopic: DEAD_LETTERS_TOPIC }
      : {}),
  };
  const subscriptions: Subscription[] = [
    { stop: async () => suppressions.stop() },
    startProcessor({
      ...consumer,
      convert,
      dedupeEveryEvent: mode === 'replay' || log.capabilities.mayDuplicate,
      visits: new VisitKeeper(store, { openedNow: (id) => sessions.openedNow(id) }),
    }),
    startBatchConsumer(consumer, LOGS_TOPIC, 'processor-logs', convertLogs),
    startBatchConsumer(consumer, CDC_TOPIC, 'processor-cdc', createCdcConverter(store)),
  ];
  // Each destination reads the log in its own consumer group: a destination that is down delays nothing else.
  if (mode === 'live')
    subscriptions.push(
      ...startForwarding({
        config,
        log,
        store,
        metrics,
        logger,
        geo,
        drop: (row) => suppressions.has(row),
      }),
    );
  if (mode === 'live' && config.archiveDir)
    subscriptions.push(
      ...startRawArchive(
        log,
        config.archiveDir,
        TOPICS,
        logger.child({ stage: 'archive' }),
        droppedByPrivacy(suppressions),
      ),
    );
  // On Kafka, the shippers' and Maxwell's own topics are read too (what they write is not wrapped in envelopes).
  if (mode === 'live' && log.capabilities.shared) {
    const project = config.kafkaShipperProject ?? config.projects[0].name;
    if (config.kafkaLogsTopic)
      subscriptions.push(
        startBatchConsumer(
          consumer,
          config.kafkaLogsTopic,
          'processor-shipper-logs',
          createShipperLogConverter(geo, project, config.kafkaLogsTopic),
        ),
      );
    if (config.kafkaMaxwellTopic)
      subscriptions.push(
        startBatchConsumer(
          consumer,
          config.kafkaMaxwellTopic,
          'processor-maxwell',
          createMaxwellTopicConverter(store, project, config.kafkaMaxwellTopic),
        ),
      );
  }
  return subscriptions;
}
