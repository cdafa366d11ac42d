/**
 * Alerts and reports as the api role runs them: the rule engine, the reporter and the scheduler that calls both
 * every SIGHTLINE_ALERT_INTERVAL_SECONDS (one pass at a time; a slow pass delays the next instead of overlapping).
 */
import type { Logger } from '../observe/logger.ts';
import type { QueryConfig } from '../query/query.settings.ts';
import type { Store } from '../store/store.ts';
import { createAlertEngine } from './alert-engine.ts';
import type { AlertsConfig } from './alerts.settings.ts';
import { createMailer } from './email.channel.ts';
import { createReporter } from './report-sender.ts';
import type { WebhookOptions } from './webhook.channel.ts';

export interface AlertsOptions {
  /** The clock; tests pass their own to evaluate at chosen times. */
  now?: () => number;
  webhook?: Omit<WebhookOptions, 'allow'>;
}

export function createAlerts(
  config: AlertsConfig & Pick<QueryConfig, 'queryTimeoutMs'>,
  store: Store,
  logger: Logger,
  options: AlertsOptions = {},
) {
  const now = options.now ?? Date.now;
  const mailer =
    config.smtpUrl && config.smtpFrom ? createMailer(config.smtpUrl, config.smtpFrom) : undefined;
  const log = logger.child({ stage: 'alerts' });
  const common = {
    store,
    mailer,
    logger: log,
    now,
    timeoutMs: config.queryTimeoutMs * 3,
    publicUrl: config.publicUrl,
  };
  const engine = createAlertEngine({
    ...common,
    configRules: config.alerts,
    webhook: { ...options.webhook, allow: config.webhookAllow },
  });
  const reporter = createReporter({ ...common, alerts: engine.alerts, specs: config.reports });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  async function tick(): Promise<void> {
    try {
      await engine.evaluate();
      await reporter.sendDue();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'alert evaluation failed; trying again next interval');
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().then(schedule);
    }, config.alertIntervalSeconds * 1000);
    timer.unref();
  }

  return {
    engine,
    reporter,
    hasMailer: mailer !== undefined,
    /** Starts the scheduler (no-op when the interval is 0); the first pass runs at once. */
    start(): void {
      if (config.alertIntervalSeconds === 0 || stopped) return;
      running = tick().then(schedule);
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
      mailer?.close();
    },
  };
}

export type Alerts = ReturnType<typeof createAlerts>;
