/**
 * A site's settings as an admin sends them, once the schema has checked their shapes (src/sites/sites.schemas.ts):
 * what remains checked with the field's name (a 400 names each one), values normalised (host names and origins
 * lower-cased, origins without a path).
 */

import type { ParamProblem } from '../query/errors.ts';
import { isTimeZone } from '../query/time-range.ts';
import type { SiteView } from './site-registry.ts';
import type { SiteBody } from './sites.schemas.ts';

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

/** Each entry normalised (duplicates dropped); one problem per entry that is not a `what`. */
function normalised(
  values: readonly string[],
  param: string,
  normalise: (s: string) => string | undefined,
  what: string,
  problems: ParamProblem[],
): string[] {
  const out: string[] = [];
  for (const v of values) {
    const n = normalise(v);
    if (n === undefined) problems.push({ param, message: `"${v.slice(0, 100)}" is not a valid ${what}` });
    else if (!out.includes(n)) out.push(n);
  }
  return out;
}

/**
 * The settings present in `body` (all of them when `defaults` is given, for a new site). Their types, ranges and
 * lengths are checked by the schema (src/sites/sites.schemas.ts); here what it cannot: host names, origins, zones.
 */
export function checkSettings(
  body: SiteBody,
  problems: ParamProblem[],
  defaults?: SiteSettings,
): Partial<SiteSettings> {
  const out: Partial<SiteSettings> = defaults ? { ...defaults } : {};
  if (body.display_name !== undefined) out.displayName = body.display_name.trim();
  if (body.domains !== undefined)
    out.domains = normalised(body.domains, 'domains', hostName, 'host name (example.com)', problems);
  if (body.time_zone !== undefined) {
    if (body.time_zone !== '' && !isTimeZone(body.time_zone))
      problems.push({
        param: 'time_zone',
        message: "must be an IANA time zone such as Europe/Berlin or UTC (empty: each viewer's own)",
      });
    else out.timeZone = body.time_zone;
  }
  if (body.allowed_origins !== undefined)
    out.allowedOrigins = normalised(
      body.allowed_origins,
      'allowed_origins',
      browserOrigin,
      'origin (https://example.com, no path)',
      problems,
    );
  if (body.retention_days !== undefined) out.retentionDays = body.retention_days;
  if (body.public !== undefined) out.public = body.public;
  return out;
}

/** A domain may belong to one site only, or Plausible's events for it would have two homes. */
export function domainProblems(
  name: string,
  domains: readonly string[] | undefined,
  sites: readonly Pick<SiteView, 'name' | 'domains'>[],
  siteProjects: ReadonlyMap<string, string>,
  problems: ParamProblem[],
): void {
  for (const d of domains ?? []) {
    const owner = sites.find((s) => s.name !== name && s.domains.includes(d))?.name;
    const listed = siteProjects.get(d);
    if (owner) problems.push({ param: 'domains', message: `"${d}" belongs to site "${owner}" already` });
    else if (listed && listed !== name)
      problems.push({
        param: 'domains',
        message: `"${d}" is mapped to "${listed}" in SIGHTLINE_SITE_PROJECTS`,
      });
  }
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
