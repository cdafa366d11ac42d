/** SIGHTLINE_REPORTS (the `reports:` key of a config file): which project's report goes to whom, how often. */

import { compileSchema } from '../config/json-schema.ts';
import { isTimeZone } from '../query/time-range.ts';
import { EMAIL, isEmail } from './alert-channels.ts';

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

const ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$/;
const TO_HINT = 'one or more e-mail addresses, e.g. ["team@example.com"]';

/** One report's shape; the time zone's existence, the default id and unique ids are checked in code. */
const REPORTS_SCHEMA = {
  type: 'array',
  hint: 'must be a JSON list of reports (an array)',
  items: {
    type: 'object',
    hint: 'must be an object like {"project": "website", "every": "week", "to": ["me@example.com"]}',
    unknownHint: 'unknown field; known: id, project, every, to, tz',
    properties: {
      project: { type: 'string', minLength: 1, hint: 'required, e.g. "website"' },
      every: { enum: [...REPORT_PERIODS], hint: '"week" or "month"' },
      to: {
        type: ['string', 'array'],
        pattern: EMAIL.source,
        minItems: 1,
        items: { type: 'string', pattern: EMAIL.source },
        hint: TO_HINT,
      },
      tz: { type: 'string', hint: 'an IANA time zone, e.g. "Europe/Berlin"' },
      id: { type: 'string', pattern: ID.source, hint: 'letters, digits, . _ -' },
    },
    required: ['project', 'every', 'to'],
    additionalProperties: false,
  },
};
const REPORTS_CHECK = compileSchema(REPORTS_SCHEMA);

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
  return reportSpecsOf(list);
}

/** The reports as a value: the parsed JSON of SIGHTLINE_REPORTS, or a config file's `reports:` list. */
export function reportSpecsOf(list: unknown): ReportSpec[] {
  if (!Array.isArray(list)) throw new Error('must be a JSON list of reports (an array)');
  const problems = REPORTS_CHECK.problems(list, 'reports');
  const specs = list.map((item, i): ReportSpec => {
    const at = `reports[${i}]`;
    const r = (item ?? {}) as Record<string, unknown>;
    const tz = r.tz ?? 'UTC';
    if (typeof tz === 'string' && !isTimeZone(tz))
      problems.push(`${at}.tz: an IANA time zone, e.g. "Europe/Berlin"`);
    const id = r.id ?? `${r.project}-${r.every}`;
    if (r.id === undefined && !ID.test(String(id))) problems.push(`${at}.id: letters, digits, . _ -`);
    return {
      id: String(id),
      project: String(r.project),
      every: r.every as ReportPeriod,
      to: (typeof r.to === 'string' ? [r.to] : r.to) as string[],
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
