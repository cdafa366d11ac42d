/**
 * Share links: read-only tokens for a public dashboard of one project (optionally one tenant). The token is shown
 * once at creation; only its SHA-256 is stored. Lookups are cached briefly, so a revoked link stops working within
 * `CACHE_MS`.
 */

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isoFromClickHouse } from '../store/clickhouse-time.ts';
import type { Store } from '../store/store.ts';

export const SHARE_PREFIX = 'sls_';
const CACHE_MS = 5_000;

export interface ShareLink {
  id: string;
  project: string;
  tenant?: string;
  name: string;
  created_at: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

export function createShareLinks(store: Store) {
  const cache = new Map<string, { at: number; link: ShareLink | undefined }>();

  async function write(link: ShareLink, tokenHash: string, revoked: boolean): Promise<void> {
    const version = Date.now() * 1000 + (revoked ? 1 : 0);
    await store.insert(
      'share_links',
      [
        {
          id: link.id,
          token_hash: tokenHash,
          project: link.project,
          tenant_id: link.tenant ?? '',
          name: link.name,
          created_at: link.created_at,
          revoked,
          version,
        },
      ],
      `share:${link.id}:${version}`,
    );
  }

  async function list(project?: string): Promise<Array<ShareLink & { token_hash: string }>> {
    const rows = await store.query<Record<string, string>>(
      `SELECT id, token_hash, project, tenant_id, name, toString(created_at) AS created
       FROM share_links FINAL WHERE NOT revoked${project ? ' AND project = {project:String}' : ''}
       ORDER BY created_at DESC`,
      project ? { project } : {},
    );
    return rows.map((r) => ({
      id: r.id,
      token_hash: r.token_hash,
      project: r.project,
      ...(r.tenant_id ? { tenant: r.tenant_id } : {}),
      name: r.name,
      created_at: isoFromClickHouse(r.created),
    }));
  }

  return {
    async create(project: string, tenant: string | undefined, name: string) {
      const token = `${SHARE_PREFIX}${randomBytes(24).toString('base64url')}`;
      const link: ShareLink = {
        id: randomUUID(),
        project,
        ...(tenant ? { tenant } : {}),
        name,
        created_at: new Date().toISOString(),
      };
      await write(link, hashOf(token), false);
      return { ...link, token };
    },

    async list(project?: string): Promise<ShareLink[]> {
      return (await list(project)).map(({ token_hash: _hash, ...link }) => link);
    },

    /** True when a live link was revoked. */
    async revoke(id: string): Promise<boolean> {
      const link = (await list()).find((l) => l.id === id);
      if (!link) return false;
      const { token_hash, ...rest } = link;
      await write(rest, token_hash, true);
      cache.clear();
      return true;
    },

    async resolve(token: string): Promise<ShareLink | undefined> {
      const hash = hashOf(token);
      const hit = cache.get(hash);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.link;
      const [row] = await store.query<Record<string, string>>(
        `SELECT id, project, tenant_id, name, toString(created_at) AS created
         FROM share_links FINAL WHERE token_hash = {hash:String} AND NOT revoked`,
        { hash },
      );
      const link = row
        ? {
            id: row.id,
            project: row.project,
            ...(row.tenant_id ? { tenant: row.tenant_id } : {}),
            name: row.name,
            created_at: isoFromClickHouse(row.created),
          }
        : undefined;
      if (cache.size > 1000) cache.clear();
      cache.set(hash, { at: Date.now(), link });
      return link;
    },
  };
}

export type ShareLinks = ReturnType<typeof createShareLinks>;
