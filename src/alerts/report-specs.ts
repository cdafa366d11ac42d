/** SIGHTLINE_REPORTS (the `reports:` key of a config file): which project's report goes to whom, how often. */
import { isTimeZone } from '../query/time-range.ts';
import { isEmail } from './alert-channels.ts';

export const REPORT_PERIODS = ['week', 'month'] as const;
export type ReportPeriod = (typeof REPORT_PERIODS)[number];

export interface ReportSpec {
  /** Names the report's record of the last period sent (default `<project>-<every>`). */
  id: string;
  project: string;
  every: ReportPeriod;
  to: string[];
  tz: string;
}

export function parseReportSpecs(raw: string): ReportSpec[] {
  if (raw.trim() === '') return [];
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw new Error(
      'must be a JSON list, e.g. [{"project":"website","every":"week","to":["me@example.com"]}]',
    );
  }
  if (!Array.isArray(list)) throw new Error('must be a JSON list of reports (an array)');
  const problems: string[] = [];
  const specs = list.map((item, i): ReportSpec => {
    const at = `reports[${i}]`;
    const r = (item ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(r))
      if (!['id', 'project', 'every', 'to', 'tz'].includes(key))
        problems.push(`${at}.${key}: unknown field; known: id, project, every, to, tz`);
    if (typeof r.project !== 'string' || !r.project) problems.push(`${at}.project: required, e.g. "website"`);
    if (!REPORT_PERIODS.includes(r.every as ReportPeriod)) problems.push(`${at}.every: "week" or "month"`);
    const to = typeof r.to === 'string' ? [r.to] : r.to;
    if (!Array.isArray(to) || to.length === 0 || !to.every(isEmail))
      problems.push(`${at}.to: one or more e-mail addresses, e.g. ["team@example.com"]`);
    const tz = r.tz ?? 'UTC';
    if (typeof tz !== 'string' || !isTimeZone(tz))
      problems.push(`${at}.tz: an IANA time zone, e.g. "Europe/Berlin"`);
    const id = r.id ?? `${r.project}-${r.every}`;
    if (typeof id !== 'string' || !/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/.test(id))
      problems.push(`${at}.id: letters, digits, . _ -`);
    return {
      id: String(id),
      project: String(r.project),
      every: r.every as ReportPeriod,
      to: to as string[],
      tz: String(tz),
    };
  });
  const ids = specs.map((s) => s.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) problems.push(`two reports have the id "${twice}"; give one an "id"`);
  if (problems.length > 0) throw new Error(problems.join('; '));
  return specs;
}

/** `smtp://user:pass@host:port` or `smtps://…` (TLS from the start); query options go to nodemailer. */
export function parseSmtpUrl(raw: string): string {
  const v = raw.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new Error(`expected smtp://user:pass@host:587 or smtps://…, got "${raw}"`);
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname)
    throw new Error(`expected smtp://user:pass@host:587 or smtps://…, got "${url.protocol}//…"`);
  return v;
}

/** `alerts@example.com` or `Sightline <alerts@example.com>`. */
export function parseMailFrom(raw: string): string {
  const v = raw.trim();
  const address = /<([^>]+)>$/.exec(v)?.[1] ?? v;
  if (!isEmail(address))
    throw new Error(`expected an address like "Sightline <alerts@example.com>", got "${raw}"`);
  return v;
}
