/** Alerts' and reports' settings: the rules, the reports, the scheduler, where webhooks may go, the mail server. */

import { field, integer, type SettingsOf } from '../config/setting-fields.ts';
import { alertRulesOf, parseAlertRules } from './alert-rules.ts';
import { parseMailFrom, parseReportSpecs, parseSmtpUrl, reportSpecsOf } from './report-specs.ts';
import { parseWebhookAllow } from './webhook-target.ts';

export const alertsSettings = {
  alerts: field({
    env: 'SIGHTLINE_ALERTS',
    default: '',
    description:
      'Alert rules (JSON list; `alerts:` in a config file): `threshold`, `change`, `no_events`, `dead_letters`, each with `channels` (webhook, email). See docs/alerts.md.',
    parse: parseAlertRules,
    parseValue: alertRulesOf,
  }),
  reports: field({
    env: 'SIGHTLINE_REPORTS',
    default: '',
    description:
      'E-mail reports (JSON list): `[{"project":"website","every":"week","to":["team@example.com"],"tz":"Europe/Berlin"}]`; `every` is `week` (sent Mondays) or `month`.',
    parse: parseReportSpecs,
    parseValue: reportSpecsOf,
  }),
  alertIntervalSeconds: field({
    env: 'SIGHTLINE_ALERT_INTERVAL_SECONDS',
    default: '60',
    description:
      'How often the api role evaluates alert rules and checks for reports due; `0` turns the scheduler off (run it in one api instance only).',
    parse: integer(0, 86_400),
  }),
  webhookAllow: field({
    env: 'SIGHTLINE_WEBHOOK_ALLOW',
    default: '',
    description:
      'Private targets alert webhooks may reach, comma-separated: CIDRs or addresses (`10.0.0.0/8`, `127.0.0.1`) and host names (`hooks.internal`, `*.corp.example`). Loopback, private, link-local, multicast and unspecified addresses are refused otherwise.',
    parse: parseWebhookAllow,
  }),
  smtpUrl: field({
    env: 'SIGHTLINE_SMTP_URL',
    default: undefined,
    description:
      'Mail server for alert e-mails and reports: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.',
    parse: parseSmtpUrl,
  }),
  smtpFrom: field({
    env: 'SIGHTLINE_SMTP_FROM',
    default: undefined,
    description: 'Sender of alert e-mails and reports: `Sightline <alerts@example.com>`.',
    parse: parseMailFrom,
  }),
  publicUrl: field({
    env: 'SIGHTLINE_PUBLIC_URL',
    default: undefined,
    description:
      "The dashboard's address as users reach it (`https://stats.example.com`), for links in alerts and reports.",
    parse: (raw: string) => raw.trim().replace(/\/+$/, ''),
  }),
};

export type AlertsConfig = SettingsOf<typeof alertsSettings>;
