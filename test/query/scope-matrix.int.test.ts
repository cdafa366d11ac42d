// Every read route × every kind of caller, against a running server whose store holds two projects × two tenants
// with distinct markers. Routes come from the Fastify instances themselves (an onRoute hook installed as each
// instance is created), so a route added later is walked too. No answer may carry a marker its caller must not
// see, and the refusals are the designed 401/403.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { SignJWT } from 'jose';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { insertVisitsFromEvents } from '../../src/store/visits.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

const SECRET = 'scope-matrix-jwt-secret-0123456789abcdef';
const CH_PASSWORD = 'scope-matrix-clickhouse-password';
const PROJECTS = ['app', 'website'] as const;
const TENANTS = ['ta', 'tb'] as const;
type Project = (typeof PROJECTS)[number];
type Tenant = (typeof TENANTS)[number];

// --- routes, as each Fastify instance registers them ------------------------------------------------------------

const routesOf = new Map<FastifyInstance, Array<{ method: string; url: string }>>();
diagnostics.subscribe('fastify.initialization', (message) => {
  const app = (message as { fastify: FastifyInstance }).fastify;
  const list: Array<{ method: string; url: string }> = [];
  routesOf.set(app, list);
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) list.push({ method, url: route.url });
  });
});

// --- markers ----------------------------------------------------------------------------------------------------

/**
 * `MK_` rows of a project and tenant (paths, sources, plan property), `USER_` user ids, `SECRET_` a property and
 * traits no share link may read, `LOG_` / `DB_` log lines and database changes of a project (they have no tenant).
 */
const up = (s: string) => s.toUpperCase();
const mk = (kind: 'MK' | 'USER' | 'SECRET', p: Project, t: Tenant) => `${kind}_${up(p)}_${up(t)}`;
const MARKER = /(?<![A-Z])(?:(MK|USER|SECRET)_(APP|WEBSITE)_(TA|TB)|(LOG|DB)_(APP|WEBSITE))(?![A-Z])/g;

interface Marker {
  kind: string;
  project: Project;
  tenant?: Tenant;
}

function markersIn(text: string): Marker[] {
  return [...text.matchAll(MARKER)].map((m) =>
    m[1]
      ? { kind: m[1], project: m[2].toLowerCase() as Project, tenant: m[3].toLowerCase() as Tenant }
      : { kind: m[4], project: m[5].toLowerCase() as Project },
  );
}

const now = Date.now();
const ago = (minutes: number) => new Date(now - minutes * 60_000).toISOString();

function event(over: Partial<EventRow>): EventRow {
  return {
    ...blankRow(),
    event_id: crypto.randomUUID(),
    received_at: ago(1),
    protocol: 'native',
    ...over,
  };
}

/** Per project and tenant: a visit with a pageview, a purchase with properties, an identify with traits. */
function rowsOf(p: Project, t: Tenant): EventRow[] {
  const m = mk('MK', p, t);
  const base = {
    project: p,
    tenant_id: t,
    user_id: mk('USER', p, t),
    session_id: `s-${m}`,
    referrer_source: `${m}.example`,
    country: 'DE',
    browser: 'Firefox',
    updates_profile: true,
  };
  const secret = mk('SECRET', p, t);
  // One user id and one session id in every tenant: a scope that mixes tenants would show the other's values.
  // Tenant B's identify is the later one and its pageview the earlier one, so a mix shows B to tenant A.
  const b = t === 'tb';
  return [
    event({ ...base, type: 'pageview', path: `/${m}/home`, timestamp: ago(12) }),
    event({
      ...base,
      type: 'purchase',
      path: `/${m}/buy`,
      props: JSON.stringify({ plan: m, secret }),
      timestamp: ago(11),
    }),
    event({
      ...base,
      type: 'identify',
      props: JSON.stringify({ email: `${secret}@example.com` }),
      timestamp: ago(10),
    }),
    event({
      ...base,
      user_id: 'shared-user',
      session_id: 'shared-session',
      type: 'pageview',
      path: `/${m}/entry`,
      timestamp: ago(b ? 20 : 15),
    }),
    event({
      ...base,
      user_id: 'shared-user',
      session_id: 'shared-session',
      type: 'identify',
      props: JSON.stringify({ email: `${secret}@example.com`, plan: m }),
      timestamp: ago(b ? 8 : 9),
    }),
  ];
}

// --- callers ----------------------------------------------------------------------------------------------------

interface Caller {
  name: string;
  headers: Record<string, string>;
  query?: string;
  /** Which markers it may see; undefined = it may see none. */
  may?: (m: Marker) => boolean;
  /** Refused everywhere authentication is needed. */
  refused?: RegExp;
  /** Its scope is one tenant. */
  tenant?: boolean;
  share?: boolean;
}

const jwt = (claims: Record<string, unknown>, expires: string | null = '1h') => {
  const token = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (expires) token.setExpirationTime(expires);
  return token.sign(new TextEncoder().encode(SECRET));
};

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let chUrl: string;
const callers: Caller[] = [];
/** Session headers of an account whose role for app is admin, and of app's viewer. */
let projectAdmin: Record<string, string> = {};
let viewerSession: Record<string, string> = {};

async function call(
  base: string,
  caller: Caller,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const url = `${base}${path}${caller.query ? `${path.includes('?') ? '&' : '?'}${caller.query}` : ''}`;
  const headers: Record<string, string> = { ...caller.headers };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, {
    method,
    headers,
    redirect: 'manual',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

before(async () => {
  const chPort = await freePort();
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'app,website',
    SIGHTLINE_JWT_SECRET: SECRET,
    SIGHTLINE_SHARE_PROPERTY_KEYS: 'plan',
    SIGHTLINE_GOALS: 'app:event:purchase,website:event:purchase',
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
    SIGHTLINE_CLICKHOUSE_HTTP: `127.0.0.1:${chPort}`,
    SIGHTLINE_CLICKHOUSE_PASSWORD: CH_PASSWORD,
  });
  chUrl = `http://127.0.0.1:${chPort}`;
  const { store } = server;
  await store.insert(
    'events',
    PROJECTS.flatMap((p) => TENANTS.flatMap((t) => rowsOf(p, t))),
    'scope-matrix-events',
  );
  // The processor keeps visits beside the events it stores; fixtures written straight to `events` get theirs here.
  await insertVisitsFromEvents(store);
  await store.insert(
    'logs',
    PROJECTS.map((p) => ({
      timestamp: ago(10),
      received_at: ago(1),
      project: p,
      host: 'web-1',
      service: 'api',
      level: 'error',
      message: `payment failed for LOG_${up(p)}`,
      attributes: {},
      source: 'json',
    })),
    'scope-matrix-logs',
  );
  await store.insert(
    'db_changes',
    PROJECTS.map((p, i) => ({
      received_at: ago(1),
      project: p,
      database: 'shop',
      table: 'orders',
      type: 'insert',
      ts: Math.floor((now - 10 * 60_000) / 1000),
      xid: i + 1,
      xoffset: 0,
      commit: true,
      data: JSON.stringify({ id: 1, note: `DB_${up(p)}` }),
      old: '',
      primary_key: '[1]',
      position: 'binlog.000001:4',
      server_id: 1,
    })),
    'scope-matrix-db-changes',
  );

  const admin = { authorization: `Bearer ${ADMIN}` };
  const share = async (tenant?: Tenant) => {
    const res = await fetch(`${server.url}/api/v1/shares`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'app', name: 'public', ...(tenant ? { tenant } : {}) }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { token: string }).token;
  };
  const viewer = await fetch(`${server.url}/api/v1/dashboard/users`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'viewer@example.com',
      password: 'viewer-password-123',
      role: 'viewer',
      projects: ['app'],
    }),
  });
  assert.equal(viewer.status, 201);
  const login = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'viewer@example.com', password: 'viewer-password-123' }),
  });
  assert.equal(login.status, 200);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  assert.match(cookie, /^sightline_session=/);

  // An account whose role for app is admin (issue 18: "admin or a project admin"), a viewer of nothing else.
  const owner = await fetch(`${server.url}/api/v1/dashboard/users`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'app-admin@example.com',
      password: 'app-admin-password-123',
      role: 'admin',
      projects: ['app'],
    }),
  });
  assert.equal(owner.status, 201);
  const ownerLogin = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'app-admin@example.com', password: 'app-admin-password-123' }),
  });
  assert.equal(ownerLogin.status, 200);
  projectAdmin = {
    cookie: (ownerLogin.headers.get('set-cookie') ?? '').split(';')[0],
    'x-sightline-csrf': '1',
  };
  viewerSession = { cookie, 'x-sightline-csrf': '1' };

  const app = (m: Marker) => m.project === 'app';
  callers.push(
    // The admin reads everything; asked for project app, it gets app only.
    { name: 'admin token', headers: admin, may: app },
    {
      name: 'project JWT',
      headers: { authorization: `Bearer ${await jwt({ project_id: 'app' })}` },
      may: app,
    },
    {
      name: 'tenant JWT',
      headers: { authorization: `Bearer ${await jwt({ project_id: 'app', tenant_id: 'ta' })}` },
      may: (m) => m.project === 'app' && m.tenant === 'ta',
      tenant: true,
    },
    {
      name: 'empty-tenant JWT',
      headers: { authorization: `Bearer ${await jwt({ project_id: 'app', tenant_id: '' })}` },
      refused: /tenant_id/,
    },
    {
      name: 'null-tenant JWT',
      headers: { authorization: `Bearer ${await jwt({ project_id: 'app', tenant_id: null })}` },
      refused: /tenant_id/,
    },
    {
      name: 'JWT without exp',
      headers: { authorization: `Bearer ${await jwt({ project_id: 'app' }, null)}` },
      refused: /exp/,
    },
    {
      name: 'share link',
      headers: {},
      query: `auth=${await share()}`,
      may: (m) => m.project === 'app' && m.kind === 'MK',
      share: true,
    },
    {
      name: 'tenant share link',
      headers: { authorization: `Bearer ${await share('ta')}` },
      may: (m) => m.project === 'app' && m.tenant === 'ta' && m.kind === 'MK',
      share: true,
      tenant: true,
    },
    {
      name: 'viewer session',
      headers: { cookie, 'x-sightline-csrf': '1' },
      may: app,
    },
    { name: 'project admin session', headers: projectAdmin, may: app },
  );
});

after(async () => {
  await server.cleanup();
});

// --- what each route is asked ---------------------------------------------------------------------------------------

const PERIOD = 'project=app&period=7d';
const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

/** Path parameters and a querystring per route; the rest get `PERIOD`. */
const ASK: Record<string, string> = {
  'GET /api/v1/stats/breakdown/:dimension': `/api/v1/stats/breakdown/page?${PERIOD}`,
  'GET /api/v1/stats/users/:id': `/api/v1/stats/users/shared-user?${PERIOD}`,
  'GET /api/v1/stats/funnel': `/api/v1/stats/funnel?${PERIOD}&steps=${q([{ page: '/*' }, { event: 'purchase' }])}`,
  'GET /api/v1/telemetry/timeline': '/api/v1/telemetry/timeline?project=app&limit=1000',
  'GET /api/v1/analytics/sessions': '/api/v1/analytics/sessions?project=app&limit=1000',
  'GET /api/v1/db/row-history': `/api/v1/db/row-history?${PERIOD}&database=shop&table=orders&key=${q({ id: 1 })}`,
  'POST /api/v1/explore/query': '/api/v1/explore/query',
  'PATCH /api/v1/dashboard/users/:email': '/api/v1/dashboard/users/nobody@example.com',
};

/** Writes of the ingestion side (they take no read token) and the login flow: not read routes. */
const NOT_READS = new Set([
  'GET /i',
  'POST /api/v1/telemetry/track',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  'POST /api/v1/auth/invite/accept',
]);

function pathOf(method: string, url: string): string {
  const asked = ASK[`${method} ${url}`];
  if (asked) return asked;
  const path = url.replace(/:[A-Za-z]+/g, 'x').replace(/\*$/, 'x');
  return path.startsWith('/api/') ? `${path}?${PERIOD}` : path;
}

/** The body a non-GET route is sent (Explore's is a real query: only the admin may run it). */
const BODY: Record<string, unknown> = {
  'POST /api/v1/explore/query': { sql: 'SELECT path, props FROM events' },
};

interface Answer {
  route: string;
  caller: string;
  status: number;
  code?: string;
  message?: string;
  markers: Marker[];
}

function parsed(text: string): { code?: string; message?: string } {
  try {
    const json = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return { code: json.error?.code, message: json.error?.message };
  } catch {
    return {};
  }
}

describe('every read route × every caller', () => {
  const answers: Answer[] = [];
  /** Routes that answer 401 to a request without credentials. */
  const authenticated = new Set<string>();
  let walked: Array<{ base: string; name: string; method: string; url: string }> = [];

  before(async () => {
    const main = routesOf.get(server.app);
    assert.ok(main && main.length > 30, 'the main instance reported its routes');
    const clickhouse = [...routesOf].find(
      ([app, list]) => app !== server.app && list.some((r) => r.url === '/'),
    );
    assert.ok(clickhouse, 'the ClickHouse-compatible endpoint reported its routes');
    // Every GET route, and the API's other methods (for what a non-admin can do with them); the ingestion side's
    // POST routes take no read credential. The ClickHouse-compatible endpoint: every route.
    walked = [
      ...main
        .filter((r) => r.method === 'GET' || r.url.startsWith('/api/v1/'))
        .map((r) => ({ base: server.url, name: `${r.method} ${r.url}`, ...r })),
      ...clickhouse[1].map((r) => ({ base: chUrl, name: `clickhouse ${r.method} ${r.url}`, ...r })),
    ].filter((r) => r.method !== 'HEAD' && !NOT_READS.has(r.name));
    const anonymous: Caller = { name: 'nobody', headers: {} };
    for (const r of walked) {
      const route = r.name;
      const body = r.method === 'GET' ? undefined : (BODY[route] ?? {});
      const none = await call(r.base, anonymous, r.method, pathOf(r.method, r.url), body);
      if (none.status === 401) authenticated.add(route);
      for (const caller of callers) {
        // The admin's writes would change the data the other callers read.
        if (r.method !== 'GET' && caller.name === 'admin token' && !BODY[route]) continue;
        const res = await call(r.base, caller, r.method, pathOf(r.method, r.url), body);
        answers.push({
          route,
          caller: caller.name,
          status: res.status,
          ...parsed(res.text),
          markers: markersIn(res.text),
        });
      }
    }
  });

  it('walks the read API, the dashboard, the ops routes and the ClickHouse-compatible endpoint', () => {
    const routes = new Set(walked.map((r) => r.name));
    for (const r of [
      'GET /api/v1/stats/overview',
      'GET /api/v1/stats/breakdown/:dimension',
      'GET /api/v1/stats/users/:id',
      'GET /api/v1/stats/extent',
      'GET /api/v1/goals',
      'POST /api/v1/goals',
      'PATCH /api/v1/goals/:id',
      'DELETE /api/v1/goals/:id',
      'GET /api/v1/funnels',
      'POST /api/v1/funnels',
      'DELETE /api/v1/funnels/:id',
      'GET /api/v1/logs',
      'GET /api/v1/db/changes',
      'GET /api/v1/telemetry/timeline',
      'POST /api/v1/explore/query',
      'GET /api/v1/alerts',
      'GET /api/v1/shares',
      'GET /api/v1/sites',
      'POST /api/v1/sites',
      'PATCH /api/v1/sites/:name',
      'DELETE /api/v1/sites/:name',
      'GET /api/v1/sites/:name/events',
      'POST /api/v1/sites/:name/keys/:id/rotate',
      'DELETE /api/v1/sites/:name/keys/:id',
      'GET /api/v1/forward/dead-letters',
      'GET /health',
      'clickhouse POST /',
    ])
      assert.ok(routes.has(r), `${r} is walked`);
    assert.ok(authenticated.size > 25, `${authenticated.size} routes need a credential`);
  });

  it('no answer carries a marker of another project, tenant, or one its caller may not read', () => {
    const leaks = answers.flatMap((a) => {
      // Explore is the admin's raw SQL over the whole store: reading every project is what it is for.
      if (a.caller === 'admin token' && a.route === 'POST /api/v1/explore/query') return [];
      const may = callers.find((c) => c.name === a.caller)?.may;
      const bad = a.markers.filter((m) => !may?.(m));
      return bad.length
        ? [
            `${a.caller} ${a.route} → ${a.status}: ${[...new Set(bad.map((m) => JSON.stringify(m)))].join(' ')}`,
          ]
        : [];
    });
    assert.deepEqual(leaks, []);
  });

  it('each caller does see its own rows (the walk is not vacuous)', () => {
    const seen = (caller: string) =>
      new Set(
        answers.filter((a) => a.caller === caller).flatMap((a) => a.markers.map((m) => JSON.stringify(m))),
      );
    const has = (caller: string, m: Marker) =>
      assert.ok(seen(caller).has(JSON.stringify(m)), `${caller} sees ${JSON.stringify(m)}`);
    for (const caller of ['admin token', 'project JWT', 'viewer session', 'project admin session']) {
      for (const t of TENANTS) has(caller, { kind: 'SECRET', project: 'app', tenant: t });
      has(caller, { kind: 'LOG', project: 'app' });
      has(caller, { kind: 'DB', project: 'app' });
    }
    has('tenant JWT', { kind: 'MK', project: 'app', tenant: 'ta' });
    has('tenant JWT', { kind: 'USER', project: 'app', tenant: 'ta' });
    has('tenant JWT', { kind: 'SECRET', project: 'app', tenant: 'ta' });
    has('share link', { kind: 'MK', project: 'app', tenant: 'ta' });
    has('share link', { kind: 'MK', project: 'app', tenant: 'tb' });
    has('tenant share link', { kind: 'MK', project: 'app', tenant: 'ta' });
  });

  it('bad JWTs (empty or null tenant_id, no exp) get 401 naming why, wherever a credential is needed', () => {
    for (const caller of callers.filter((c) => c.refused)) {
      for (const a of answers.filter((x) => x.caller === caller.name && authenticated.has(x.route))) {
        assert.equal(a.status, 401, `${caller.name} ${a.route}`);
        // Routes that take the admin token only (forwarding) and the ClickHouse endpoint do not read JWTs at all.
        if (a.code === 'QUERY_ERR_UNAUTHENTICATED')
          assert.match(a.message ?? '', caller.refused as RegExp, `${caller.name} ${a.route}`);
      }
    }
  });

  it('tenant-scoped callers get 403 on logs and database changes; JWTs and share links never reach Explore', () => {
    const rowsWithoutTenant = [...authenticated].filter((r) => /^GET \/api\/v1\/(logs|db)\b/.test(r));
    assert.ok(rowsWithoutTenant.length >= 6, rowsWithoutTenant.join(', '));
    for (const r of rowsWithoutTenant) {
      const a = answers.find((x) => x.caller === 'tenant JWT' && x.route === r);
      assert.equal(a?.status, 403, r);
      assert.equal(a?.code, 'QUERY_ERR_TENANT_SCOPED', r);
      for (const share of ['share link', 'tenant share link'])
        assert.equal(answers.find((x) => x.caller === share && x.route === r)?.status, 403, `${share} ${r}`);
      for (const member of ['admin token', 'project JWT', 'viewer session'])
        assert.equal(
          answers.find((x) => x.caller === member && x.route === r)?.status,
          200,
          `${member} ${r}`,
        );
    }
    for (const r of [...authenticated].filter((x) => x.includes('/explore/')))
      for (const caller of ['project JWT', 'tenant JWT', 'share link', 'tenant share link', 'viewer session'])
        assert.equal(
          answers.find((x) => x.caller === caller && x.route === r)?.status,
          403,
          `${caller} ${r}`,
        );
    const explore = answers.find(
      (x) => x.caller === 'admin token' && x.route === 'POST /api/v1/explore/query',
    );
    assert.equal(explore?.status, 200, 'the admin runs Explore');
  });

  it('the ClickHouse-compatible endpoint takes none of the read credentials', () => {
    for (const a of answers.filter((x) => x.route === 'clickhouse POST /' || x.route === 'clickhouse GET /'))
      assert.equal(a.status, 401, `${a.caller} ${a.route}`);
  });

  it('nothing answers 5xx, and non-admins change nothing', () => {
    const failures = answers
      .filter((a) => a.status >= 500)
      .map((a) => `${a.caller} ${a.route} → ${a.status}`);
    assert.deepEqual(failures, []);
    // A project admin may erase in its project (the walk asks for user "x", who holds nothing); nothing else.
    const writes = answers.filter(
      (a) =>
        !/^(clickhouse )?GET /.test(a.route) &&
        a.caller !== 'admin token' &&
        !(a.caller === 'project admin session' && a.route === 'DELETE /api/v1/people/:id') &&
        a.status < 300,
    );
    assert.deepEqual(
      writes.map((a) => `${a.caller} ${a.route} → ${a.status}`),
      [],
    );
  });
});

describe('scope inside the queries', () => {
  const get = async (caller: string, path: string) => {
    const c = callers.find((x) => x.name === caller);
    assert.ok(c);
    const res = await call(server.url, c, 'GET', path);
    return {
      status: res.status,
      json: JSON.parse(res.text) as Record<string, unknown> & { error?: { code: string } },
    };
  };

  it("an entry or exit page filter reads the visits of the caller's tenant only", async () => {
    // The shared session's entry page is tenant B's (earlier): tenant A must not match it, nor learn it exists.
    for (const [dimension, page] of [
      ['entry_page', `/${mk('MK', 'app', 'tb')}/entry`],
      ['exit_page', `/${mk('MK', 'app', 'tb')}/entry`],
    ]) {
      const filters = q([['is', dimension, [page]]]);
      const tenant = await get('tenant JWT', `/api/v1/stats/overview?period=7d&filters=${filters}`);
      assert.equal(tenant.status, 200);
      assert.equal(tenant.json.events, 0, `${dimension} of tenant B's visit`);
      const share = await get('tenant share link', `/api/v1/stats/overview?period=7d&filters=${filters}`);
      assert.equal(share.json.events, 0);
    }
    const own = await get(
      'tenant JWT',
      `/api/v1/stats/overview?period=7d&filters=${q([['is', 'entry_page', [`/${mk('MK', 'app', 'ta')}/entry`]]])}`,
    );
    assert.equal(own.json.events, 2, "tenant A's own part of the shared session");
  });

  it("a tenant's user profile holds that tenant's traits and counts only", async () => {
    const res = await get('tenant JWT', '/api/v1/stats/users/shared-user');
    assert.equal(res.status, 200);
    const user = res.json.user as { traits: { email: string }; events: number; sessions: number };
    assert.equal(user.traits.email, `${mk('SECRET', 'app', 'ta')}@example.com`);
    assert.equal(user.events, 2);
    assert.equal(user.sessions, 1);
    const list = await get('tenant JWT', '/api/v1/stats/users?search=example.com');
    const ids = (list.json.results as Array<{ user_id: string }>).map((u) => u.user_id).sort();
    assert.deepEqual(ids, [mk('USER', 'app', 'ta'), 'shared-user']);
    const whole = await get('project JWT', '/api/v1/stats/users/shared-user');
    assert.equal((whole.json.user as { events: number }).events, 4, 'the project sees both tenants');
  });

  it('a tenant-scoped caller cannot ask for another tenant; an empty tenant_id is no way around it', async () => {
    for (const caller of ['tenant JWT', 'tenant share link']) {
      const res = await get(caller, '/api/v1/stats/overview?period=7d&tenant=tb');
      assert.equal(res.status, 403);
      assert.equal(res.json.error?.code, 'QUERY_ERR_FORBIDDEN');
    }
    const empty = await get('empty-tenant JWT', '/api/v1/stats/overview?period=7d');
    assert.equal(empty.status, 401);
    assert.match(
      String((empty.json.error as { message?: string }).message),
      /tenant_id claim must be a non-empty string/,
    );
    const noExp = await get('JWT without exp', '/api/v1/stats/overview?period=7d');
    assert.equal(noExp.status, 401);
    assert.match(String((noExp.json.error as { message?: string }).message), /exp/);
    const logs = await get('admin token', '/api/v1/logs?project=app&period=7d&tenant=ta');
    assert.equal(logs.status, 400, 'logs cannot be narrowed to a tenant');
  });

  it("the extent counts the caller's own events only: its project, its tenant", async () => {
    const expected: Record<string, number> = {
      'admin token': 10,
      'project JWT': 10,
      'viewer session': 10,
      'share link': 10,
      'tenant JWT': 5,
      'tenant share link': 5,
    };
    for (const [caller, count] of Object.entries(expected)) {
      const own = await get(caller, '/api/v1/stats/extent?project=app');
      assert.equal(own.status, 200, caller);
      assert.equal(own.json.count, count, caller);
      // Tenant B's identify is the project's latest event; tenant A's own latest is a minute earlier.
      assert.equal(own.json.last, count === 5 ? ago(9) : ago(8), caller);
    }
    for (const caller of ['project JWT', 'tenant JWT', 'share link', 'viewer session'])
      assert.equal((await get(caller, '/api/v1/stats/extent?project=website')).status, 403, caller);
    for (const caller of ['tenant JWT', 'tenant share link'])
      assert.equal((await get(caller, '/api/v1/stats/extent?project=app&tenant=tb')).status, 403, caller);
  });

  it('share links read listed properties only: breakdowns, filters and funnel steps', async () => {
    const secretKey = 'event:props:secret';
    for (const caller of ['share link', 'tenant share link']) {
      const breakdown = await get(caller, `/api/v1/stats/breakdown/${secretKey}?period=7d`);
      assert.equal(breakdown.status, 403);
      assert.equal(breakdown.json.error?.code, 'QUERY_ERR_SHARE_PROPERTY');
      const csv = await get(caller, `/api/v1/stats/breakdown/${secretKey}?period=7d&format=csv`);
      assert.equal(csv.status, 403);
      const filtered = await get(
        caller,
        `/api/v1/stats/overview?period=7d&filters=${q([['matches', secretKey, ['^SECRET_APP_TA']]])}`,
      );
      assert.equal(filtered.status, 403);
      assert.equal(filtered.json.error?.code, 'QUERY_ERR_SHARE_PROPERTY');
      const funnel = await get(
        caller,
        `/api/v1/stats/funnel?period=7d&steps=${q([{ page: '/*' }, { event: 'purchase', props: { secret: 'x' } }])}`,
      );
      assert.equal(funnel.status, 403);
      const listed = await get(caller, '/api/v1/stats/breakdown/event:props:plan?period=7d');
      assert.equal(listed.status, 200);
      assert.ok(
        (listed.json.results as unknown[]).length > 0,
        'SIGHTLINE_SHARE_PROPERTY_KEYS=plan is readable',
      );
    }
    const member = await get('tenant JWT', `/api/v1/stats/breakdown/${secretKey}?period=7d`);
    assert.equal(member.status, 200, 'members read every property of their scope');
    assert.deepEqual((member.json.results as Array<{ value: string }>).map((r) => r.value).filter(Boolean), [
      mk('SECRET', 'app', 'ta'),
    ]);
  });
});

describe('privacy routes for a project admin (admin of app only)', () => {
  const as = (headers: Record<string, string>) => ({ name: 'x', headers });
  const admin = as({ authorization: `Bearer ${ADMIN}` });
  const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

  it("exports, lists matches and erases in app; website's people and requests stay out of reach", async () => {
    const owner = as(projectAdmin);
    const user = mk('USER', 'app', 'ta');
    const mine = await call(server.url, owner, 'GET', `/api/v1/people/${user}/export?project=app`);
    assert.equal(mine.status, 200, mine.text);
    assert.ok(markersIn(mine.text).some((m) => m.kind === 'USER' && m.project === 'app'));
    assert.deepEqual(
      markersIn(mine.text).filter((m) => m.project !== 'app'),
      [],
    );
    const matched = await call(server.url, owner, 'GET', `/api/v1/people?project=app&match=plan%3Dnobody`);
    assert.equal(matched.status, 200, matched.text);
    // An erasure of someone app does not hold: allowed, and nobody's rows change.
    const erased = await call(server.url, owner, 'DELETE', '/api/v1/people/nobody-here?project=app');
    assert.equal(erased.status, 200, erased.text);

    const other = mk('USER', 'website', 'ta');
    // The admin exports one of website's people: a request the project admin must not see.
    assert.equal(
      (await call(server.url, admin, 'GET', `/api/v1/people/${other}/export?project=website`)).status,
      200,
    );
    for (const [method, path] of [
      ['GET', `/api/v1/people/${other}/export?project=website`],
      ['DELETE', `/api/v1/people/${other}?project=website`],
      ['GET', '/api/v1/people?project=website&match=plan%3Dx'],
      ['DELETE', '/api/v1/people?project=website&match=plan%3Dx'],
      // A project that does not exist is a 403 too: whether another project exists is not told.
      ['GET', '/api/v1/people/x/export?project=nosuch'],
    ] as const) {
      const r = await call(server.url, owner, method, path);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
      assert.deepEqual(markersIn(r.text), []);
    }
    const missing = await call(server.url, owner, 'GET', '/api/v1/people/x/export');
    assert.equal(missing.status, 400);
    assert.ok(!missing.text.includes('website'), missing.text);

    const audit = json((await call(server.url, owner, 'GET', '/api/v1/privacy/requests')).text);
    const projects = new Set((audit.results as Array<{ project: string }>).map((r) => r.project));
    assert.deepEqual([...projects], ['app'], "only its projects' requests");
    assert.ok((audit.results as Array<{ kind: string }>).some((r) => r.kind === 'erase'));
    const all = json((await call(server.url, admin, 'GET', '/api/v1/privacy/requests')).text);
    assert.ok((all.results as Array<{ project: string }>).some((r) => r.project === 'website'));
  });

  it("a viewer (of app) gets 403 on every privacy route, the project's too", async () => {
    const viewer = as(viewerSession);
    for (const [method, path] of [
      ['GET', `/api/v1/people/${mk('USER', 'app', 'ta')}/export?project=app`],
      ['DELETE', '/api/v1/people/nobody-here?project=app'],
      ['GET', '/api/v1/people?project=app&match=plan%3Dx'],
      ['DELETE', '/api/v1/people?project=app&match=plan%3Dx'],
      ['GET', '/api/v1/privacy/requests'],
    ] as const) {
      const r = await call(server.url, viewer, method, path);
      assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    }
  });
});
