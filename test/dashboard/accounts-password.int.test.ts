// Dashboard passwords and invitations as a thief with an open session would try them: changing the password needs
// the current one and closes every other session; an admin's reset closes all of them; invitations expire.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

let server: Awaited<ReturnType<typeof startInProcess>>;
let clients = 0;

before(async () => {
  // Each client comes from its own address (via the trusted proxy header), so the login limit of one test's
  // clients does not spill into another's.
  server = await startInProcess({ SIGHTLINE_TRUST_PROXY: '127.0.0.1', SIGHTLINE_INVITATION_DAYS: '3' });
});
after(async () => {
  await server?.cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
type Json = any;

/** A cookie-keeping client, as a browser would be. */
function client() {
  let cookie = '';
  const ip = `192.0.2.${++clients}`;
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        'x-forwarded-for': ip,
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' ? { 'x-sightline-csrf': '1' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0].endsWith('=') ? '' : set.split(';')[0];
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

const admin = (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (r) => ({ status: r.status, body: r.status === 204 ? undefined : await r.json() }));

async function loggedIn(email: string, password: string) {
  const c = client();
  assert.equal((await c('POST', '/api/v1/auth/login', { email, password })).status, 200);
  return c;
}

describe('password changes', () => {
  it('a user changes their own password only with the current one; their other sessions end, this one stays', async () => {
    const email = 'pat@example.com';
    const path = `/api/v1/dashboard/users/${email}`;
    await admin('POST', '/api/v1/dashboard/users', {
      email,
      role: 'viewer',
      projects: '*',
      password: 'first password 1',
    });
    const laptop = await loggedIn(email, 'first password 1');
    const stolen = await loggedIn(email, 'first password 1');

    const missing = await stolen('PATCH', path, { password: 'attacker password' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.details[0].param, 'current_password');
    const wrong = await stolen('PATCH', path, {
      password: 'attacker password',
      current_password: 'a guess at it',
    });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.body.error.code, 'QUERY_ERR_WRONG_PASSWORD');
    assert.equal(
      (await client()('POST', '/api/v1/auth/login', { email, password: 'attacker password' })).status,
      401,
    );

    const changed = await laptop('PATCH', path, {
      password: 'second password 2',
      current_password: 'first password 1',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal((await laptop('GET', '/api/v1/auth/me')).status, 200, 'the session that changed it stays');
    assert.equal((await stolen('GET', '/api/v1/auth/me')).status, 401, 'every other session ends');
    assert.equal(
      (await client()('POST', '/api/v1/auth/login', { email, password: 'first password 1' })).status,
      401,
    );
    await loggedIn(email, 'second password 2');
  });

  it('guessing the current password through the change is throttled like a login', async () => {
    const email = 'guess@example.com';
    await admin('POST', '/api/v1/dashboard/users', {
      email,
      role: 'viewer',
      projects: '*',
      password: 'the real password',
    });
    const thief = await loggedIn(email, 'the real password');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await thief('PATCH', `/api/v1/dashboard/users/${email}`, {
            password: 'attacker password',
            current_password: `guess number ${i}`,
          })
        ).status,
      );
    assert.ok(statuses.includes(429), statuses.join(','));
  });

  it("an admin's reset of another user's password ends all of that user's sessions", async () => {
    const email = 'reset@example.com';
    await admin('POST', '/api/v1/dashboard/users', {
      email,
      role: 'viewer',
      projects: '*',
      password: 'before the reset',
    });
    const a = await loggedIn(email, 'before the reset');
    const b = await loggedIn(email, 'before the reset');
    const reset = await admin('PATCH', `/api/v1/dashboard/users/${email}`, { password: 'after the reset!' });
    assert.equal(reset.status, 200);
    assert.equal((await a('GET', '/api/v1/auth/me')).status, 401);
    assert.equal((await b('GET', '/api/v1/auth/me')).status, 401);
    await loggedIn(email, 'after the reset!');
  });
});

describe('invitations', () => {
  it('expire after SIGHTLINE_INVITATION_DAYS with a clear 410; the users list shows when', async () => {
    const before = Date.now();
    const created = await admin('POST', '/api/v1/dashboard/users', {
      email: 'late@example.com',
      role: 'viewer',
      projects: '*',
    });
    assert.equal(created.status, 201);
    const expires = Date.parse(created.body.invitation_expires);
    assert.ok(Math.abs(expires - (before + 3 * 86_400_000)) < 60_000, created.body.invitation_expires);
    const listed = (await admin('GET', '/api/v1/dashboard/users')).body.results.find(
      (u: { email: string }) => u.email === 'late@example.com',
    );
    assert.equal(listed.invitation_expires, created.body.invitation_expires);

    // Four days later, as far as the store is concerned: the invitation was issued then.
    const [row] = await server.store.query<Record<string, unknown>>(
      `SELECT email, name, password_hash, roles, invite_hash, toString(created_at) AS created_at, disabled,
              version
       FROM dashboard_users FINAL WHERE email = 'late@example.com'`,
    );
    const issued = new Date(Date.now() - 4 * 86_400_000).toISOString();
    await server.store.insert(
      'dashboard_users',
      [{ ...row, invited_at: issued, version: (BigInt(row.version as string) + 1n).toString() }],
      'backdate-invite',
    );
    const invite = String(created.body.invite_url).split('#')[1];
    const late = await client()('POST', '/api/v1/auth/invite/accept', {
      invite,
      password: 'too late for this',
    });
    assert.equal(late.status, 410);
    assert.equal(late.body.error.code, 'QUERY_ERR_INVITATION_EXPIRED');
    assert.match(late.body.error.message, /expired on .*ask an admin to invite you again/);

    // Inviting again gives a fresh link that works.
    const again = await admin('POST', '/api/v1/dashboard/users', {
      email: 'late@example.com',
      role: 'viewer',
      projects: '*',
    });
    const fresh = String(again.body.invite_url).split('#')[1];
    const c = client();
    assert.equal(
      (await c('POST', '/api/v1/auth/invite/accept', { invite, password: 'old link, refused' })).status,
      401,
    );
    assert.equal(
      (await c('POST', '/api/v1/auth/invite/accept', { invite: fresh, password: 'on time this time' }))
        .status,
      200,
    );
  });
});
