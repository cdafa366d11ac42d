/** Start-up checks across settings: rules and reports name configured projects, e-mail needs a mail server. */
import type { AlertRule } from './alert-rules.ts';
import type { ReportSpec } from './report-specs.ts';
import { literalUrlProblem, type WebhookAllowList } from './webhook-target.ts';

interface Settings {
  alerts?: AlertRule[];
  reports?: ReportSpec[];
  projects?: Array<{ name: string }>;
  smtpUrl?: string;
  smtpFrom?: string;
  webhookAllow?: WebhookAllowList;
}

export function alertSettingProblems(s: Settings): string[] {
  const problems: string[] = [];
  const projects = new Set((s.projects ?? []).map((p) => p.name));
  const known = [...projects].join(', ');
  (s.alerts ?? []).forEach((rule, i) => {
    if (rule.project && !projects.has(rule.project))
      problems.push(
        `SIGHTLINE_ALERTS: alerts[${i}].project "${rule.project}" is not in SIGHTLINE_PROJECTS (${known})`,
      );
  });
  (s.alerts ?? []).forEach((rule, i) => {
    rule.channels.forEach((c, j) => {
      const why =
        c.type === 'webhook' && s.webhookAllow ? literalUrlProblem(c.url, s.webhookAllow) : undefined;
      if (why) problems.push(`SIGHTLINE_ALERTS: alerts[${i}].channels[${j}].url: ${why}`);
    });
  });
  (s.reports ?? []).forEach((report, i) => {
    if (!projects.has(report.project))
      problems.push(
        `SIGHTLINE_REPORTS: reports[${i}].project "${report.project}" is not in SIGHTLINE_PROJECTS (${known})`,
      );
  });
  const mails =
    (s.reports ?? []).length > 0 || (s.alerts ?? []).some((r) => r.channels.some((c) => c.type === 'email'));
  if (mails && !s.smtpUrl)
    problems.push(
      'SIGHTLINE_SMTP_URL: required when an alert has an e-mail channel or a report is configured; set it to smtp://user:pass@host:587',
    );
  if (mails && !s.smtpFrom)
    problems.push(
      'SIGHTLINE_SMTP_FROM: required when e-mails are sent; set it to an address like "Sightline <alerts@example.com>"',
    );
  return problems;
}
