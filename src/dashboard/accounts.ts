/**
 * Dashboard accounts, with their login sessions (dashboard-sessions.ts). Passwords are hashed with scrypt
 * (password-hash.ts); session and invitation tokens are random and stored as SHA-256 only. Rows are versioned
 * (ReplacingMergeTree), so every change is an insert.
 */

import { randomBytes } from 'node:crypto';
import { isoFromClickHouse } from '../store/clickhouse-time.ts';
import { nextRowVersion } from '../store/row-version.ts';
import type { Store } from '../store/store.ts';
import { createSessions, randomToken, sha256 } from './dashboard-sessions.ts';
import { hashPassword, verifyPassword } from './password-hash.ts';

export { SESSION_DAYS } from './dashboard-sessions.ts';

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
  // A dummy hash keeps "unknown e-mail" as slow as "wrong password": no account discovery by timing.
  const dummy = hashPassword(randomBytes(16).toString('hex'));

  const sessionUser = (r: UserRow): SessionUser => ({
    email: r.email,
    name: r.name,
    roles: JSON.parse(r.roles) as Roles,
  });
  const sessions = createSessions(store, async (email) => {
    if (email === '') return ADMIN_TOKEN_USER;
    const r = await row(email);
    return r && !r.disabled && r.password_hash !== '' ? sessionUser(r) : undefined;
  });
  const endSessionsOf = sessions.endAllOf;

  async function row(email: string): Promise<UserRow | undefined> {
    const [found] = await store.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM dashboard_users FINAL WHERE email = {email:String}`,
      { email },
    );
    return found;
  }

  async function write(user: UserRow): Promise<void> {
    const v = nextRowVersion();
    await store.insert('dashboard_users', [{ ...user, version: v }], `user:${user.email}:${v}`);
    // A session's user (roles, disabled) is cached: a change of the account applies at the next request.
    sessions.clearCache();
  }

  const invitationExpires = (r: UserRow) =>
    new Date(Date.parse(isoFromClickHouse(r.invited_at)) + invitationMs);

  const account = (r: UserRow): Account => ({
    email: r.email,
    name: r.name,
    roles: JSON.parse(r.roles) as Roles,
    invited: r.password_hash === '',
    ...(r.password_hash === '' && r.invite_hash !== ''
      ? { invitation_expires: invitationExpires(r).toISOString() }
      : {}),
    disabled: Boolean(r.disabled),
    created_at: isoFromClickHouse(r.created_at),
  });

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
      const invite = input.password ? undefined : randomToken('inv_');
      const existing = await row(input.email);
      const at = new Date(now()).toISOString();
      const r: UserRow = {
        email: input.email,
        name: input.name,
        password_hash: input.password ? await hashPassword(input.password) : '',
        roles: JSON.stringify(input.roles),
        invite_hash: invite ? sha256(invite) : '',
        created_at: existing && !existing.disabled ? isoFromClickHouse(existing.created_at) : at,
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
      return sessionUser(r);
    },

    startSession: sessions.start,
    endSession: sessions.end,
    /** The user behind a session cookie, or undefined when it is unknown, expired, revoked or the user is gone. */
    resolveSession: sessions.resolve,
  };
}

export type Accounts = ReturnType<typeof createAccounts>;
