/**
 * Sends reports: the configured ones when a period has ended and was not sent yet (the last sent period is kept in
 * the store, so a restart neither repeats nor skips one; a report first configured mid-week sends last week's at
 * once), and one on demand (the admin API).
 */
import type { Logger } from '../observe/logger.ts';
import type { Store } from '../store/store.ts';
import type { AlertStore } from './alert-store.ts';
import type { Mailer } from './email.channel.ts';
import { reportContent } from './report-content.ts';
import { reportMail } from './report-email.ts';
import { lastCompletePeriod } from './report-period.ts';
import type { ReportPeriod, ReportSpec } from './report-specs.ts';

export interface ReporterDeps {
  store: Store;
  alerts: AlertStore;
  specs: ReportSpec[];
  mailer?: Mailer;
  logger: Logger;
  now: () => number;
  timeoutMs: number;
  publicUrl?: string;
}

export function createReporter(deps: ReporterDeps) {
  async function send(project: string, every: ReportPeriod, to: string[], tz: string) {
    if (!deps.mailer)
      throw new Error('no SMTP server configured (set SIGHTLINE_SMTP_URL and SIGHTLINE_SMTP_FROM)');
    const period = lastCompletePeriod(every, tz, deps.now());
    const content = await reportContent(deps.store, project, period, tz, deps.timeoutMs);
    const link = `${deps.publicUrl ?? ''}/?project=${encodeURIComponent(project)}&period=custom&from=${period.range.start.slice(0, 10)}&to=${new Date(period.range.endMs - 1).toISOString().slice(0, 10)}`;
    await deps.mailer.send(reportMail(content, to, link));
    return { period, content };
  }

  return {
    send,

    /** Sends every configured report whose latest whole period has not been sent; returns the ids sent. */
    async sendDue(): Promise<string[]> {
      const sent: string[] = [];
      for (const spec of deps.specs) {
        try {
          const period = lastCompletePeriod(spec.every, spec.tz, deps.now());
          const last = await deps.alerts.lastReport(spec.id);
          if (last !== undefined && last >= period.range.startMs) continue;
          await send(spec.project, spec.every, spec.to, spec.tz);
          await deps.alerts.recordReport(spec.id, period.range.startMs, period.range.endMs, spec.to);
          sent.push(spec.id);
        } catch (err) {
          deps.logger.warn(
            { report: spec.id, err: (err as Error).message },
            'report could not be sent; retrying',
          );
        }
      }
      return sent;
    },
  };
}

export type Reporter = ReturnType<typeof createReporter>;
