/**
 * Dashboard login sessions (`dashboard_sessions`): a random token in the cookie, its SHA-256 in the table. Rows are
 * versioned (ReplacingMergeTree): starting, ending and revoking a session are all inserts.
 */

import { createHash, randomBytes } from 'node:crypto';
import { isoFromClickHouse } from '../store/clickhouse-time.ts';
import { nextRowVersion } from '../store/row-version.ts';
import type { Store } from '../store/store.ts';
import type { SessionUser } from './accounts.ts';

export const SESSION_DAYS = 14;
/** How long a resolved session is trusted without asking the store again. */
const CACHE_MS = 5_000;

export const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
export const randomToken = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

interface SessionRow {
  token_hash: string;
  email: string;
  created_at: string;
  expires_at: string;
  revoked: boolean;
}

/**
 * The sessions of `store`; `userOf` names the user behind a live session's e-mail ('' is the admin-token session),
 * or undefined when the account is gone, disabled or not yet set up.
 */
export function createSessions(store: Store, userOf: (email: string) => Promise<SessionUser | undefined>) {
  const cache = new Map<string, { at: number; user: SessionUser | undefined }>();

  async function insert(rows: SessionRow[], key: string, version: number): Promise<void> {
    await store.insert(
      'dashboard_sessions',
      rows.map((r) => ({ ...r, version })),
      key,
    );
  }

  return {
    clearCache(): void {
      cache.clear();
    },

    /** Revokes every live session of `email` but the one whose token is `keep`; returns how many ended. */
    async endAllOf(email: string, keep?: string): Promise<number> {
      const kept = keep ? sha256(keep) : '';
      const live = await store.query<{ token_hash: string; expires: string; created: string }>(
        `SELECT token_hash, toString(expires_at) AS expires, toString(created_at) AS created
         FROM dashboard_sessions FINAL
         WHERE email = {email:String} AND NOT revoked AND expires_at > now64(3)`,
        { email },
      );
      const ended = live.filter((s) => s.token_hash !== kept);
      if (ended.length === 0) return 0;
      const v = nextRowVersion();
      await insert(
        ended.map((s) => ({
          token_hash: s.token_hash,
          email,
          created_at: isoFromClickHouse(s.created),
          expires_at: isoFromClickHouse(s.expires),
          revoked: true,
        })),
        `sessions-ended:${email}:${v}`,
        v,
      );
      cache.clear();
      return ended.length;
    },

    async start(email: string): Promise<{ token: string; expires: Date }> {
      const t = randomToken('sid_');
      const now = Date.now();
      const expires = new Date(now + SESSION_DAYS * 86_400_000);
      const v = nextRowVersion();
      const row = {
        token_hash: sha256(t),
        email,
        created_at: new Date(now).toISOString(),
        expires_at: expires.toISOString(),
        revoked: false,
      };
      await insert([row], `session:${sha256(t)}:${v}`, v);
      return { token: t, expires };
    },

    async end(t: string): Promise<void> {
      const hash = sha256(t);
      const v = nextRowVersion();
      const at = new Date().toISOString();
      await insert(
        [{ token_hash: hash, email: '', created_at: at, expires_at: at, revoked: true }],
        `session:${hash}:${v}`,
        v,
      );
      cache.delete(hash);
    },

    /** The user behind a session token, or undefined when it is unknown, expired, revoked or the user is gone. */
    async resolve(t: string): Promise<SessionUser | undefined> {
      const hash = sha256(t);
      const hit = cache.get(hash);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.user;
      const [s] = await store.query<{ email: string }>(
        `SELECT email FROM dashboard_sessions FINAL
         WHERE token_hash = {hash:String} AND NOT revoked AND expires_at > now64(3)`,
        { hash },
      );
      const user = s ? await userOf(s.email) : undefined;
      if (cache.size > 10_000) cache.clear();
      cache.set(hash, { at: Date.now(), user });
      return user;
    },
  };
}
