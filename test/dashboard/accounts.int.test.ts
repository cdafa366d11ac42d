// Dashboard accounts over HTTP: admin-token login, users created with a password or invited, per-project viewers,
// CSRF on cookie-authenticated changes, logout; and Explore's read-only SQL with its limits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'website,app', SIGHTLINE_QUERY_MAX_ROWS: '500' });
});
after(async () => {
  await server?.cleanup();
});

/** A tiny cookie-keeping client, as a browser would be. */
function client() {
  let cookie = '';
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(method !== 'GET' ? { 'x-sightline-csrf': '1' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const set = res.headers.get('set-cookie');
    if (set) {
      cookie = set.split(';')[0];
      if (cookie.endsWith('=')) cookie = '';
    }
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, setCookie: set };
  };
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
type Json = any;

const admin = (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (r) => ({ status: r.status, body: r.status === 204 ? undefined : await r.json() }));

describe('dashboard logins', () => {
  it('bounds what an account takes, naming the field', async () => {
    const made = await admin('POST', '/api/v1/dashboard/users', {
      email: `${'e'.repeat(400)}@x.example`,
      role: 'viewer',
      projects: ['website', 'w'.repeat(201)],
    });
    assert.equal(made.status, 400);
    assert.deepEqual(made.body.error.details.map((d: { param: string }) => d.param).sort(), [
      'email',
      'projects',
    ]);
  });

  it('logs in with the admin token into an httpOnly, SameSite=Strict session', async () => {
    const browser = client();
    assert.equal((await browser('GET', '/api/v1/auth/me')).status, 401);
    const wrong = await browser('POST', '/api/v1/auth/login', { token: 'nope' });
    assert.equal(wrong.status, 401);
    const login = await browser('POST', '/api/v1/auth/login', { token: ADMIN });
    assert.equal(login.status, 200);
    assert.match(login.setCookie ?? '', /HttpOnly/i);
    assert.match(login.setCookie ?? '', /SameSite=Strict/i);
    const me = await browser('GET', '/api/v1/auth/me');
    assert.deepEqual(me.body.projects, ['website', 'app']);
    assert.equal(me.body.admin, true);
    assert.equal((await browser('GET', '/api/v1/stats/overview?project=app&period=7d')).status, 200);
    await browser('POST', '/api/v1/auth/logout', {});
    assert.equal((await browser('GET', '/api/v1/auth/me')).status, 401);
  });

  it('creates a viewer of one project who sees only that project', async () => {
    const created = await admin('POST', '/api/v1/dashboard/users', {
      email: 'Viewer@Example.com',
      name: 'Vera',
      role: 'viewer',
      projects: ['website'],
      password: 'correct horse battery',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.email, 'viewer@example.com');
    const browser = client();
    assert.equal(
      (
        await browser('POST', '/api/v1/auth/login', {
          email: 'viewer@example.com',
          password: 'wrong password!',
        })
      ).status,
      401,
    );
    const ok = await browser('POST', '/api/v1/auth/login', {
      email: 'viewer@example.com',
      password: 'correct horse battery',
    });
    assert.equal(ok.status, 200);
    assert.deepEqual((await browser('GET', '/api/v1/auth/me')).body.projects, ['website']);
    assert.equal((await browser('GET', '/api/v1/stats/overview?period=7d')).status, 200, 'its one project');
    assert.equal((await browser('GET', '/api/v1/stats/overview?project=app&period=7d')).status, 403);
    assert.equal((await browser('GET', '/api/v1/dashboard/users')).status, 403, 'viewers manage nobody');
    assert.equal((await browser('POST', '/api/v1/explore/query', { sql: 'SELECT 1' })).status, 403);
  });

  it('invites by e-mail: the one-time link sets the password and logs in', async () => {
    const created = await admin('POST', '/api/v1/dashboard/users', {
      email: 'new@example.com',
      role: 'admin',
      projects: '*',
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.invited, true);
    const invite = String(created.body.invite_url).split('#')[1];
    const browser = client();
    assert.equal(
      (await browser('POST', '/api/v1/auth/invite/accept', { invite, password: 'short' })).status,
      400,
    );
    const accepted = await browser('POST', '/api/v1/auth/invite/accept', {
      invite,
      password: 'a long enough secret',
    });
    assert.equal(accepted.status, 200);
    assert.equal((await browser('GET', '/api/v1/dashboard/users')).status, 200, 'an admin account');
    assert.equal(
      (await client()('POST', '/api/v1/auth/invite/accept', { invite, password: 'another long secret' }))
        .status,
      401,
      'used once',
    );
    const again = client();
    assert.equal(
      (
        await again('POST', '/api/v1/auth/login', {
          email: 'new@example.com',
          password: 'a long enough secret',
        })
      ).status,
      200,
    );
  });

  it('refuses cookie-authenticated changes without the CSRF header', async () => {
    const browser = client();
    await browser('POST', '/api/v1/auth/login', { token: ADMIN });
    const forged = await browser(
      'POST',
      '/api/v1/shares',
      { project: 'website' },
      { 'x-sightline-csrf': '' },
    );
    assert.equal(forged.status, 403);
    assert.match(forged.body.error.message, /x-sightline-csrf/);
    assert.equal((await browser('POST', '/api/v1/shares', { project: 'website' })).status, 201);
  });

  it('removed users lose their sessions', async () => {
    await admin('POST', '/api/v1/dashboard/users', {
      email: 'gone@example.com',
      role: 'viewer',
      projects: '*',
      password: 'will be removed soon',
    });
    const browser = client();
    await browser('POST', '/api/v1/auth/login', {
      email: 'gone@example.com',
      password: 'will be removed soon',
    });
    assert.equal((await browser('GET', '/api/v1/auth/me')).status, 200);
    assert.equal((await admin('DELETE', '/api/v1/dashboard/users/gone@example.com')).status, 204);
    assert.equal((await browser('GET', '/api/v1/auth/me')).status, 401);
    const list = await admin('GET', '/api/v1/dashboard/users');
    assert.ok(!list.body.results.some((u: { email: string }) => u.email === 'gone@example.com'));
  });

  it('throttles password guessing per client', async () => {
    const browser = client();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await browser('POST', '/api/v1/auth/login', { email: 'x@example.com', password: `guess-${i}` }))
          .status,
      );
    assert.ok(statuses.includes(429), statuses.join(','));
  });
});

describe('Explore SQL', () => {
  it('runs a SELECT and returns columns and rows', async () => {
    const res = await admin('POST', '/api/v1/explore/query', {
      sql: 'SELECT number AS n, number * 2 AS double FROM numbers(5);',
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.columns, ['n', 'double']);
    assert.deepEqual(res.body.rows[4], { n: 4, double: 8 });
    assert.equal(res.body.truncated, false);
  });

  it('caps rows and says so', async () => {
    const res = await admin('POST', '/api/v1/explore/query', { sql: 'SELECT number FROM numbers(100000)' });
    assert.equal(res.body.rows.length, 500);
    assert.equal(res.body.truncated, true);
  });

  it('cannot write, change settings or read files', async () => {
    for (const sql of [
      'DROP TABLE events',
      "INSERT INTO events (project) VALUES ('x')",
      'SELECT 1; DROP TABLE events',
      "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
    ]) {
      const res = await admin('POST', '/api/v1/explore/query', { sql });
      assert.equal(res.status, 400, sql);
      assert.ok(res.body.error.message.length > 0);
    }
    const still = await admin('POST', '/api/v1/explore/query', { sql: 'SELECT count() AS n FROM events' });
    assert.equal(still.status, 200, 'the events table is still there');
    const insert = await fetch(`${server.url}/e`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-app': 'website' },
      body: JSON.stringify({ type: 'after-explore' }),
    });
    assert.equal(insert.status, 202, 'the store still takes writes (readonly did not stick)');
  });

  it('keeps saved queries', async () => {
    const saved = await admin('POST', '/api/v1/explore/saved', {
      name: 'Daily events',
      sql: 'SELECT 1',
      chart: { kind: 'bar' },
    });
    assert.equal(saved.status, 201);
    const list = await admin('GET', '/api/v1/explore/saved');
    assert.deepEqual(
      list.body.results.map((q: { name: string; chart: unknown }) => [q.name, q.chart]),
      [['Daily events', { kind: 'bar' }]],
    );
    assert.equal((await admin('DELETE', `/api/v1/explore/saved/${saved.body.id}`)).status, 204);
    assert.deepEqual((await admin('GET', '/api/v1/explore/saved')).body.results, []);
  });
});
