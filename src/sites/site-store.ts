/**
 * The `sites` and `site_keys` tables (migration 018). Every change is an insert of a newer version of the row;
 * readers use FINAL, so the latest version wins.
 */
import { nextRowVersion } from '../store/row-version.ts';
import type { Store } from '../store/store.ts';
import type { SiteSettings } from './site-fields.ts';

export interface SiteRow extends SiteSettings {
  name: string;
  managed: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface KeyRow {
  id: string;
  site: string;
  prefix: string;
  hash: string;
  createdAt: number;
  /** Undefined: until revoked. */
  expiresAt?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export async function writeSite(store: Store, site: SiteRow, deleted = false): Promise<void> {
  const version = nextRowVersion();
  await store.insert(
    'sites',
    [
      {
        name: site.name,
        display_name: site.displayName,
        domains: site.domains,
        time_zone: site.timeZone,
        allowed_origins: site.allowedOrigins,
        retention_days: site.retentionDays,
        public: site.public,
        managed: site.managed,
        created_at: iso(site.createdAt),
        updated_at: iso(site.updatedAt),
        deleted,
        version,
      },
    ],
    `site:${site.name}:${version}`,
  );
}

export async function writeKey(store: Store, key: KeyRow, revoked = false): Promise<void> {
  const version = nextRowVersion();
  await store.insert(
    'site_keys',
    [
      {
        id: key.id,
        site: key.site,
        prefix: key.prefix,
        key_hash: key.hash,
        created_at: iso(key.createdAt),
        expires_at: key.expiresAt === undefined ? null : iso(key.expiresAt),
        revoked,
        version,
      },
    ],
    `site-key:${key.id}:${version}`,
  );
}

export async function readSites(store: Store): Promise<SiteRow[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT name, display_name, domains, time_zone, allowed_origins, retention_days, public, managed,
            toUnixTimestamp64Milli(created_at) AS created_ms, toUnixTimestamp64Milli(updated_at) AS updated_ms
     FROM sites FINAL WHERE NOT deleted ORDER BY name`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    displayName: String(r.display_name),
    domains: (r.domains as string[]) ?? [],
    timeZone: String(r.time_zone),
    allowedOrigins: (r.allowed_origins as string[]) ?? [],
    retentionDays: Number(r.retention_days),
    public: r.public === true || r.public === 1 || r.public === 'true',
    managed: r.managed === true || r.managed === 1 || r.managed === 'true',
    createdAt: Number(r.created_ms),
    updatedAt: Number(r.updated_ms),
  }));
}

/** Keys not revoked; those whose grace period has ended are dropped here too. */
export async function readKeys(store: Store, now = Date.now()): Promise<KeyRow[]> {
  const rows = await store.query<Record<string, unknown>>(
    `SELECT id, site, prefix, key_hash, toUnixTimestamp64Milli(created_at) AS created_ms,
            toUnixTimestamp64Milli(expires_at) AS expires_ms
     FROM site_keys FINAL WHERE NOT revoked ORDER BY created_at, id`,
  );
  return rows
    .map((r) => ({
      id: String(r.id),
      site: String(r.site),
      prefix: String(r.prefix),
      hash: String(r.key_hash),
      createdAt: Number(r.created_ms),
      ...(r.expires_ms === null || r.expires_ms === undefined ? {} : { expiresAt: Number(r.expires_ms) }),
    }))
    .filter((k) => k.expiresAt === undefined || k.expiresAt > now);
}

/**
 * The project names a command may name: SIGHTLINE_PROJECTS (`configured`) and the sites made in the dashboard (none
 * while the store has no `sites` table yet).
 */
export async function knownProjectNames(
  store: Store,
  configured: readonly { name: string }[],
): Promise<string[]> {
  const stored = await readSites(store).then(
    (rows) => rows.map((r) => r.name),
    () => [],
  );
  return [...new Set([...configured.map((p) => p.name), ...stored])];
}
