/** A site and its keys as the API shows them (snake_case, ISO times; a key's prefix only, never the key). */
import type { Site, SiteKey } from '../query/api-types.ts';
import type { KeyView, SiteView } from './site-registry.ts';

export const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function keyJson(k: KeyView): SiteKey {
  return {
    id: k.id,
    prefix: k.prefix,
    created_at: iso(k.createdAt),
    expires_at: iso(k.expiresAt),
    managed: k.managed,
  };
}

export function siteJson(s: SiteView): Site {
  return {
    name: s.name,
    display_name: s.displayName,
    domains: s.domains,
    time_zone: s.timeZone,
    allowed_origins: s.allowedOrigins,
    retention_days: s.retentionDays,
    public: s.public,
    managed: s.managed,
    keyless: s.keyless,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
    keys: s.keys.map(keyJson),
  };
}
