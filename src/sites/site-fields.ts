/**
 * A site's settings as an admin sends them: every field checked, problems collected with the field's name (a 400
 * names each one), values normalised (host names and origins lower-cased, origins without a path).
 */

import type { ParamProblem } from '../query/errors.ts';
import { isTimeZone } from '../query/time-range.ts';
import { PROJECT_NAME } from './sites.settings.ts';

export interface SiteSettings {
  displayName: string;
  domains: string[];
  /** IANA zone the dashboard reports the site in; empty = each viewer's own. */
  timeZone: string;
  allowedOrigins: string[];
  retentionDays: number;
  public: boolean;
}

const HOST_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const MAX_DOMAINS = 20;
const MAX_ORIGINS = 50;
export const MAX_RETENTION_DAYS = 100_000;

/** A DNS host name (`example.com`, `shop.example.co.uk`); no scheme, port, path or wildcard. */
export function hostName(raw: string): string | undefined {
  const host = raw.trim().toLowerCase().replace(/\.$/, '');
  if (host.length === 0 || host.length > 253) return undefined;
  return host.split('.').every((label) => HOST_LABEL.test(label)) ? host : undefined;
}

/** `https://example.com` or `http://localhost:3000`: scheme, host and port only, as a browser's Origin header. */
export function browserOrigin(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password || url.search || url.hash || (url.pathname !== '/' && url.pathname !== ''))
    return undefined;
  // `new URL('https://example.com/')` keeps the slash only in href: the origin is what a browser sends.
  if (raw.trim().replace(/\/$/, '').toLowerCase() !== url.origin) return undefined;
  return url.origin;
}

export function checkName(value: unknown, problems: ParamProblem[]): string {
  if (typeof value !== 'string' || !PROJECT_NAME.test(value)) {
    problems.push({
      param: 'name',
      message: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    });
    return '';
  }
  return value;
}

function stringList(
  value: unknown,
  param: string,
  max: number,
  normalise: (s: string) => string | undefined,
  what: string,
  problems: ParamProblem[],
): string[] {
  if (!Array.isArray(value) || value.length > max || !value.every((v) => typeof v === 'string')) {
    problems.push({ param, message: `must be a list of at most ${max} ${what}s` });
    return [];
  }
  const out: string[] = [];
  for (const v of value as string[]) {
    const n = normalise(v);
    if (n === undefined) problems.push({ param, message: `"${v.slice(0, 100)}" is not a valid ${what}` });
    else if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * The fields present in `body` (all of them when `defaults` is given, for a new site), checked. Unknown fields are a
 * problem too: a typo (`allowed_origin`) must not silently leave a site open to every origin.
 */
export function checkSettings(
  body: Record<string, unknown>,
  problems: ParamProblem[],
  defaults?: SiteSettings,
): Partial<SiteSettings> {
  const known = new Set([
    'name',
    'display_name',
    'domains',
    'time_zone',
    'allowed_origins',
    'retention_days',
    'public',
    'confirm',
  ]);
  for (const k of Object.keys(body))
    if (!known.has(k))
      problems.push({ param: k, message: `is not a site setting (known: ${[...known].join(', ')})` });
  const out: Partial<SiteSettings> = defaults ? { ...defaults } : {};
  if (body.display_name !== undefined) {
    if (typeof body.display_name !== 'string' || body.display_name.trim().length > 200)
      problems.push({ param: 'display_name', message: 'must be a string of at most 200 characters' });
    else out.displayName = body.display_name.trim();
  }
  if (body.domains !== undefined)
    out.domains = stringList(
      body.domains,
      'domains',
      MAX_DOMAINS,
      hostName,
      'host name (example.com)',
      problems,
    );
  if (body.time_zone !== undefined) {
    if (
      typeof body.time_zone !== 'string' ||
      body.time_zone.length > 64 ||
      (body.time_zone !== '' && !isTimeZone(body.time_zone))
    )
      problems.push({
        param: 'time_zone',
        message: "must be an IANA time zone such as Europe/Berlin or UTC (empty: each viewer's own)",
      });
    else out.timeZone = body.time_zone;
  }
  if (body.allowed_origins !== undefined)
    out.allowedOrigins = stringList(
      body.allowed_origins,
      'allowed_origins',
      MAX_ORIGINS,
      browserOrigin,
      'origin (https://example.com, no path)',
      problems,
    );
  if (body.retention_days !== undefined) {
    const d = body.retention_days;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_RETENTION_DAYS)
      problems.push({
        param: 'retention_days',
        message: `must be a whole number of days from 0 (the server's default) to ${MAX_RETENTION_DAYS}`,
      });
    else out.retentionDays = d;
  }
  if (body.public !== undefined) {
    if (typeof body.public !== 'boolean')
      problems.push({ param: 'public', message: 'must be true or false' });
    else out.public = body.public;
  }
  return out;
}

export const defaultSettings = (name: string): SiteSettings => ({
  displayName: name,
  domains: [],
  // Empty: the dashboard follows each viewer's browser, as it did before sites had a zone.
  timeZone: '',
  allowedOrigins: [],
  retentionDays: 0,
  public: false,
});
