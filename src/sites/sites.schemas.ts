/**
 * What the sites API takes, as JSON Schema (checked by src/server/route-schemas.ts): a new site, a site's changes,
 * a key's rotation. Shapes, types, ranges and lengths are here; what needs the other sites or the clock (a domain
 * taken, a time zone that exists, a host name's labels) is checked in src/sites/site-fields.ts.
 */

import type { SchemaObject } from '../config/json-schema.ts';
import { MAX_RETENTION_DAYS } from './site-fields.ts';
import { PROJECT_NAME } from './sites.settings.ts';

const MAX_DOMAINS = 20;
const MAX_ORIGINS = 50;
/** A rotated key keeps working this long unless the call says otherwise. */
export const DEFAULT_GRACE_SECONDS = 86_400;
const MAX_GRACE_SECONDS = 30 * 86_400;

/** A site's body as the schema lets it through: each field present has its type. */
export interface SiteBody {
  name?: string;
  display_name?: string;
  domains?: string[];
  time_zone?: string;
  allowed_origins?: string[];
  retention_days?: number;
  public?: boolean;
}

const list = (max: number, itemLength: number, what: string): SchemaObject => ({
  type: 'array',
  maxItems: max,
  items: { type: 'string', maxLength: itemLength },
  hint: `must be a list of at most ${max} ${what}s`,
});

/** The settings an admin may send, in the order problems are listed. */
const settings: Record<string, SchemaObject> = {
  display_name: { type: 'string', maxLength: 200, hint: 'must be a string of at most 200 characters' },
  domains: list(MAX_DOMAINS, 300, 'host name (example.com)'),
  time_zone: {
    type: 'string',
    maxLength: 64,
    hint: "must be an IANA time zone such as Europe/Berlin or UTC (empty: each viewer's own)",
  },
  allowed_origins: list(MAX_ORIGINS, 2000, 'origin (https://example.com, no path)'),
  retention_days: {
    type: 'integer',
    minimum: 0,
    maximum: MAX_RETENTION_DAYS,
    hint: `must be a whole number of days from 0 (the server's default) to ${MAX_RETENTION_DAYS}`,
  },
  public: { type: 'boolean', hint: 'must be true or false' },
  confirm: { not: {}, hint: 'is for deleting a site only' },
};

/** Unknown fields are refused: a typo (`allowed_origin`) must not silently leave a site open to every origin. */
const siteBody = (name: SchemaObject): SchemaObject => ({
  type: 'object',
  properties: { name, ...settings },
  additionalProperties: false,
  unknownHint: 'is not a site setting (known: {known})',
});

export const newSiteBody: SchemaObject = {
  ...siteBody({
    type: 'string',
    pattern: PROJECT_NAME.source,
    hint: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  }),
  required: ['name'],
};

/** `name` may be sent, unchanged (the dashboard sends the whole form). */
export const siteChangesBody: SchemaObject = siteBody({
  type: 'string',
  maxLength: 64,
  hint: 'cannot change: it is the project id stored with every event',
});

export const rotateBody: SchemaObject = {
  type: 'object',
  properties: {
    grace_seconds: {
      type: 'integer',
      minimum: 0,
      maximum: MAX_GRACE_SECONDS,
      hint: `must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS} (how long the old key keeps working)`,
    },
  },
};

/** A deletion's `confirm`: `?confirm=<events>`, or a number in the body; undefined when neither is. */
export function confirmationOf(query: { confirm?: unknown }, body: unknown): number | undefined {
  const fromBody =
    body !== null && typeof body === 'object' ? (body as { confirm?: unknown }).confirm : undefined;
  const raw = query.confirm ?? fromBody;
  if (typeof raw === 'number') return raw;
  return typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
