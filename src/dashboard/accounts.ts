/**
 * Dashboard accounts and login sessions. Passwords are hashed with scrypt; session and invitation tokens are
 * random and stored as SHA-256 only. Rows are versioned (ReplacingMergeTree), so every change is an insert.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Store } from '../store/store.ts';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

export type Role = 'admin' | 'viewer';
/** project → role; `*` = every project. */
export type Roles = Record<string, Role>;

export interface Account {
  email: string;
  name: string;
  roles: Roles;
  /** True while the invitation has not been accepted (no password yet). */
  invited: boolean;
  /** While invited: when the invitation link stops working. */
  invitation_expires?: string;
  disabled: boolean;
  created_at: string;
}

/** Who a session belongs to; logging in with the admin token gives an account-less admin session. */
export interface SessionUser {
  email: string;
  name: string;
  roles: Roles;
}

export const ADMIN_TOKEN_USER: SessionUser = { email: '', name: 'Admin (token)', roles: { '*': 'admin' } };
export const SESSION_DAYS = 14;
const CACHE_MS = 5_000;
const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32 };

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const token = (prefix: string) => `${prefix}${randomBytes(32).toString('base64url')}`;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, SCRYPT.keylen, { ...SCRYPT, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(actual, expected);
}

export function isAdmin(roles: Roles): boolean {
  return roles['*'] === 'admin';
}

/** The projects a user may read (`undefined` = all of them). */
export function readableProjects(roles: Roles): Set<string> | undefined {
  if ('*' in roles) return undefined;
  return new Set(Object.keys(roles));
}

interface UserRow {
  email: string;
  name: string;
  password_hash: string;
  roles: string;
  invite_hash: string;
  created_at: string;
  invited_at: string;
  disabled: boolean;
}

const USER_COLUMNS = `email, name, password_hash, roles, invite_hash, toString(created_at) AS created_at,
       toString(invited_at) AS invited_at, disabled`;

/** ClickHouse's `2026-01-02 03:04:05.678` (UTC) as ISO 8601; an ISO time stays as it is. */
const iso = (s: string) => (s.includes('T') ? s : `${s.replace(' ', 'T')}Z`);

export type InviteResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'expired'; expired: string };

export interface AccountsOptions {
  /** How long an invitation link works (SIGHTLINE_INVITATION_DAYS). */
  invitationDays?: number;
  /** The clock; tests pass their own. */
  now?: () => number;
}

export function createAccounts(store: Store, options: AccountsOptions = {}) {
  const now = options.now ?? Date.now;
  const invitationMs = (options.invitationDays ?? 7) * 86_400_000;
  const sessionCache = new Map<string, { at: number; user: SessionUser | undefined }>();
  // A dummy hash keeps "unknown e-mail" as slow as "wrong password": no account discovery by timing.
  const dummy = hashPassword(randomBytes(16).toString('hex'));

  const version = () => Date.now() * 1000 + Math.floor(Math.random() * 1000);

  async function row(email: string): Promise<UserRow | undefined> {
    const [found] = await store.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM dashboard_users FINAL WHERE email = {email:String}`,
      { email },
    );
    return found;
  }

  async function write(user: UserRow): Promise<void> {
    const v = version();
    await store.insert('dashboard_users', [{ ...user, version: v }], `user:${user.email}:${v}`);
    sessionCache.clear();
  }

  const invitationExpires = (r: UserRow) => new Date(Date.parse(iso(r.invited_at)) + invitationMs);

  const account = (r: UserRow): Account => ({
    email: r.email,
    name: r.name,
    roles: JSON.parse(r.roles) as Roles,
    invited: r.password_hash === '',
    ...(r.password_hash === '' && r.invite_hash !== ''
      ? { invitation_expires: invitationExpires(r).toISOString() }
      : {}),
    disabled: Boolean(r.disabled),
    created_at: iso(r.created_at),
  });

  /** Revokes every live session of `email` but the one whose token is `keep`. */
  async function endSessionsOf(email: string, keep?: string): Promise<number> {
    const kept = keep ? sha256(keep) : '';
    const live = await store.query<{ token_hash: string; expires: string; created: string }>(
      `SELECT token_hash, toString(expires_at) AS expires, toString(created_at) AS created
       FROM dashboard_sessions FINAL
       WHERE email = {email:String} AND NOT revoked AND expires_at > now64(3)`,
      { email },
    );
    const ended = live.filter((s) => s.token_hash !== kept);
    if (ended.length === 0) return 0;
    const v = version();
    await store.insert(
      'dashboard_sessions',
      ended.map((s) => ({
        token_hash: s.token_hash,
        email,
        created_at: iso(s.created),
        expires_at: iso(s.expires),
        revoked: true,
        version: v,
      })),
      `sessions-ended:${email}:${v}`,
    );
    sessionCache.clear();
    return ended.length;
  }

  return {
    async list(): Promise<Account[]> {
      const rows = await store.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM dashboard_users FINAL WHERE NOT disabled ORDER BY email`,
      );
      return rows.map(account);
    },

    async get(email: string): Promise<Account | undefined> {
      const r = await row(email);
      return r && !r.disabled ? account(r) : undefined;
    },

    /** Creates (or re-invites) an account; without a password it returns a one-time invitation token. */
    async create(input: {
      email: string;
      name: string;
      roles: Roles;
      password?: string;
    }): Promise<{ account: Account; invite?: string }> {
      const invite = input.password ? undefined : token('inv_');
      const existing = await row(input.email);
      const at = new Date(now()).toISOString();
      const r: UserRow = {
        email: input.email,
        name: input.name,
        password_hash: input.password ? await hashPassword(input.password) : '',
        roles: JSON.stringify(input.roles),
        invite_hash: invite ? sha256(invite) : '',
        created_at: existing && !existing.disabled ? iso(existing.created_at) : at,
        invited_at: at,
        disabled: false,
      };
      await write(r);
      // Re-creating an account replaces its password: sessions opened with the old one end.
      if (existing && !existing.disabled) await endSessionsOf(input.email);
      return { account: account(r), ...(invite ? { invite } : {}) };
    },

    /**
     * An admin's change of another account. A new password (a reset) ends every session of that account: whoever
     * held the old password may have opened them.
     */
    async update(
      email: string,
      change: { name?: string; roles?: Roles; password?: string },
    ): Promise<boolean> {
      const r = await row(email);
      if (!r || r.disabled) return false;
      await write({
        ...r,
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.roles ? { roles: JSON.stringify(change.roles) } : {}),
        ...(change.password ? { password_hash: await hashPassword(change.password), invite_hash: '' } : {}),
      });
      if (change.password) await endSessionsOf(email);
      return true;
    },

    /**
     * A user's change of their own password: only with the current one (a session left open on a shared machine
     * must not be enough), and every other session of theirs ends; the one making the change (`keep`) stays.
     */
    async changeOwnPassword(
      email: string,
      current: string,
      next: string,
      keep: string | undefined,
    ): Promise<'changed' | 'wrong-password' | 'unknown'> {
      const r = await row(email);
      if (!r || r.disabled || r.password_hash === '') return 'unknown';
      if (!(await verifyPassword(current, r.password_hash))) return 'wrong-password';
      await write({ ...r, password_hash: await hashPassword(next), invite_hash: '' });
      await endSessionsOf(email, keep);
      return 'changed';
    },

    async remove(email: string): Promise<boolean> {
      const r = await row(email);
      if (!r || r.disabled) return false;
      await write({ ...r, disabled: true, password_hash: '', invite_hash: '' });
      await endSessionsOf(email);
      return true;
    },

    /** Sets the password of an invited account; the invitation then stops working, as it does when it expires. */
    async acceptInvite(invite: string, password: string): Promise<InviteResult> {
      const [r] = await store.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM dashboard_users FINAL
         WHERE invite_hash = {hash:String} AND NOT disabled AND password_hash = ''`,
        { hash: sha256(invite) },
      );
      if (!r) return { ok: false, reason: 'unknown' };
      const expires = invitationExpires(r);
      if (now() >= expires.getTime()) return { ok: false, reason: 'expired', expired: expires.toISOString() };
      const updated = { ...r, password_hash: await hashPassword(password), invite_hash: '' };
      await write(updated);
      return { ok: true, account: account(updated) };
    },

    async verify(email: string, password: string): Promise<SessionUser | undefined> {
      const r = await row(email);
      if (!r || r.disabled || r.password_hash === '') {
        await verifyPassword(password, await dummy);
        return undefined;
      }
      if (!(await verifyPassword(password, r.password_hash))) return undefined;
      return { email: r.email, name: r.name, roles: JSON.parse(r.roles) as Roles };
    },

    async startSession(email: string): Promise<{ token: string; expires: Date }> {
      const t = token('sid_');
      const now = Date.now();
      const expires = new Date(now + SESSION_DAYS * 86_400_000);
      const v = version();
      await store.insert(
        'dashboard_sessions',
        [
          {
            token_hash: sha256(t),
            email,
            created_at: new Date(now).toISOString(),
            expires_at: expires.toISOString(),
            revoked: false,
            version: v,
          },
        ],
        `session:${sha256(t)}:${v}`,
      );
      return { token: t, expires };
    },

    async endSession(t: string): Promise<void> {
      const hash = sha256(t);
      const v = version();
      await store.insert(
        'dashboard_sessions',
        [
          {
            token_hash: hash,
            email: '',
            created_at: new Date().toISOString(),
            expires_at: new Date().toISOString(),
            revoked: true,
            version: v,
          },
        ],
        `session:${hash}:${v}`,
      );
      sessionCache.delete(hash);
    },

    /** The user behind a session cookie, or undefined when it is unknown, expired, revoked or the user is gone. */
    async resolveSession(t: string): Promise<SessionUser | undefined> {
      const hash = sha256(t);
      const hit = sessionCache.get(hash);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.user;
      const [s] = await store.query<{ email: string }>(
        `SELECT email FROM dashboard_sessions FINAL
         WHERE token_hash = {hash:String} AND NOT revoked AND expires_at > now64(3)`,
        { hash },
      );
      let user: SessionUser | undefined;
      if (s && s.email === '') user = ADMIN_TOKEN_USER;
      else if (s) {
        const r = await row(s.email);
        if (r && !r.disabled && r.password_hash !== '')
          user = { email: r.email, name: r.name, roles: JSON.parse(r.roles) as Roles };
      }
      if (sessionCache.size > 10_000) sessionCache.clear();
      sessionCache.set(hash, { at: Date.now(), user });
      return user;
    },
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
