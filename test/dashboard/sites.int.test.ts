// Sites and write keys over the API against a running server: configured projects are read-only sites, a new site's
// key works at the collector at once (and in another process's registry within its refresh), bad input gets a 400
// naming the field, every route refuses viewers, share links and JWTs, rotation keeps the old key for its grace
// period only, origins are enforced, and deleting needs the event count.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ProjectKeys } from '../../src/collect/project-keys.ts';
import { blankRow } from '../../src/process/event-row.ts';
import { SiteRegistry } from '../../src/sites/site-registry.ts';
import { applySiteRetention } from '../../src/sites/site-retention.ts';
import { listSettingsChanges } from '../../src/store/settings-audit.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';

const SECRET = 'sites-test-jwt-secret-0123456789abcdef';
type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field below
type Json = any;

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${ADMIN}` },
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** One pageview to the native collector; the status it answers. */
async function send(project: string, key?: string, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${server.url}/e`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-app': project,
      ...(key ? { 'x-project-key': key } : {}),
      ...headers,
    },
    body: JSON.stringify({ type: 'pageview', url: 'https://shop.example/', timestamp: Date.now() }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function login(email: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 200);
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0], 'x-sightline-csrf': '1' };
}

const problemsOf = (body: Json): string[] =>
  (body.error.details ?? []).map((d: { param: string }) => d.param);

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'app,website,locked:secret-key-123',
    SIGHTLINE_JWT_SECRET: SECRET,
    SIGHTLINE_SITE_PROJECTS: 'mapped.example=website',
    SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1',
  });
});
after(async () => {
  await server?.cleanup();
});

describe('sites over the API', () => {
  let shopKey = '';

  it('lists the configured projects as read-only sites managed by configuration', async () => {
    const list = await call('GET', '/api/v1/sites');
    assert.equal(list.status, 200);
    const byName = new Map(list.body.results.map((s: Json) => [s.name, s]));
    assert.deepEqual([...byName.keys()], ['app', 'website', 'locked']);
    const locked = byName.get('locked') as Json;
    assert.equal(locked.managed, true);
    assert.equal(locked.keyless, false);
    assert.deepEqual(
      locked.keys.map((k: Json) => [k.id, k.managed]),
      [['configured', true]],
    );
    assert.ok(!JSON.stringify(list.body).includes('secret-key-123'), 'the configured key is never shown');
    const patch = await call('PATCH', '/api/v1/sites/app', { display_name: 'App' });
    assert.equal(patch.status, 409);
    assert.equal(patch.body.error.code, 'SITES_ERR_MANAGED');
    assert.equal((await call('DELETE', '/api/v1/sites/app?confirm=0')).status, 409);
    assert.equal((await call('POST', '/api/v1/sites/locked/keys', {})).status, 409);
  });

  it('adds a site whose key the collector takes at once; the key is shown once and stored hashed', async () => {
    assert.equal(await send('shop', 'nothing-yet'), 401, 'unknown before it is added');
    const created = await call('POST', '/api/v1/sites', {
      name: 'shop',
      display_name: 'The Shop',
      domains: ['Shop.Example'],
      time_zone: 'Europe/Berlin',
      allowed_origins: ['https://shop.example'],
      retention_days: 400,
      public: false,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.name, 'shop');
    assert.deepEqual(created.body.domains, ['shop.example']);
    assert.equal(created.body.time_zone, 'Europe/Berlin');
    assert.equal(created.body.managed, false);
    shopKey = created.body.key.key;
    assert.match(shopKey, /^slw_[A-Za-z0-9_-]{43}$/);
    assert.ok(shopKey.startsWith(created.body.keys[0].prefix));
    const [stored] = await server.store.query<{ key_hash: string }>(
      "SELECT key_hash FROM site_keys FINAL WHERE site = 'shop'",
    );
    assert.notEqual(stored.key_hash, shopKey);
    assert.ok(!JSON.stringify((await call('GET', '/api/v1/sites/shop')).body).includes(shopKey));

    assert.equal(await send('shop', shopKey), 202);
    assert.equal(await send('shop', `${shopKey}x`), 403);
    assert.equal(await send('shop'), 401);
    const me = await call('GET', '/api/v1/auth/me');
    assert.ok(me.body.projects.includes('shop'), 'the dashboard offers the new site');
    assert.equal(me.body.time_zones.shop, 'Europe/Berlin', 'and reports it in its zone');
    assert.equal(me.body.time_zones.app, undefined, "a site without a zone follows the viewer's");
  });

  it('another process picks a new site up within its refresh, without a restart', async () => {
    const keys = new ProjectKeys([]);
    const other = new SiteRegistry({
      projects: [],
      keys,
      store: server.store,
      refreshMs: 100,
    });
    await other.refresh();
    other.start();
    try {
      assert.throws(() => keys.authorize('later', 'x'), /not a site/);
      const created = await call('POST', '/api/v1/sites', { name: 'later' });
      assert.equal(created.status, 201);
      await eventually(
        async () => (other.names().includes('later') ? true : undefined),
        10_000,
        'the refresh',
      );
      assert.equal(keys.authorize('later', created.body.key.key), 'later');
      const del = await call('DELETE', '/api/v1/sites/later?confirm=0');
      assert.equal(del.status, 200);
      await eventually(
        async () => (other.names().includes('later') ? undefined : true),
        10_000,
        'the removal',
      );
      assert.throws(() => keys.authorize('later', created.body.key.key), /not a site/);
    } finally {
      other.stop();
    }
  });

  it('answers bad input with a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'shop' }, 'name'],
      [{ name: 'app' }, 'name'],
      [{ name: 'bad name!' }, 'name'],
      [{ name: 'x1', domains: ['not a domain'] }, 'domains'],
      [{ name: 'x2', domains: ['https://x.example/'] }, 'domains'],
      [{ name: 'x3', domains: ['shop.example'] }, 'domains'],
      [{ name: 'x4', domains: ['mapped.example'] }, 'domains'],
      [{ name: 'x5', allowed_origins: ['https://x.example/path'] }, 'allowed_origins'],
      [{ name: 'x6', allowed_origins: ['javascript:alert(1)'] }, 'allowed_origins'],
      [{ name: 'x7', allowed_origins: 'https://x.example' }, 'allowed_origins'],
      [{ name: 'x8', time_zone: 'Mars/Olympus' }, 'time_zone'],
      [{ name: 'x9', retention_days: -1 }, 'retention_days'],
      [{ name: 'x10', public: 'yes' }, 'public'],
      [{ name: 'x11', allowed_origin: ['https://x.example'] }, 'allowed_origin'],
      [{ name: 'x12', display_name: 'd'.repeat(201) }, 'display_name'],
      [{ name: 'x13', domains: Array.from({ length: 21 }, (_, i) => `d${i}.example`) }, 'domains'],
      [{ name: 'x14', allowed_origins: [`https://${'o'.repeat(2000)}.example`] }, 'allowed_origins'],
      [{ name: 'x15', retention_days: 1.5 }, 'retention_days'],
      [{ name: 'x16', confirm: 3 }, 'confirm'],
      [{ name: 'n'.repeat(65) }, 'name'],
      [{ display_name: 'no name' }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/sites', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(
        problemsOf(res.body).includes(field),
        `${JSON.stringify(body)} names ${field}: ${res.body.error.message}`,
      );
    }
    const patch = await call('PATCH', '/api/v1/sites/shop', { domains: ['ok.example', '-bad-.example'] });
    assert.equal(patch.status, 400);
    assert.deepEqual(problemsOf(patch.body), ['domains']);
    const several = await call('PATCH', '/api/v1/sites/shop', { name: 'other', public: 'yes', time_zone: 7 });
    assert.equal(several.status, 400);
    assert.deepEqual(problemsOf(several.body).sort(), ['name', 'public', 'time_zone']);
    assert.equal(several.body.error.code, 'QUERY_ERR_BAD_PARAMS');
    assert.match(several.body.error.message, /public must be true or false/);
    assert.match(several.body.error.message, /name cannot change: it is the project id/);
    const grace = await call('POST', '/api/v1/sites/shop/keys/x/rotate', { grace_seconds: -1 });
    assert.equal(grace.status, 404, 'the key is looked up before the body is judged');
    const rotate = await call('POST', '/api/v1/sites/shop/keys/x/rotate', { grace_seconds: 1 });
    assert.equal(rotate.status, 404);
    const list = await call('GET', '/api/v1/sites');
    assert.ok(!list.body.results.some((s: Json) => /^x\d+$/.test(s.name)), 'nothing was added');
  });

  it('holds browsers to the allowed origins; servers without Origin pass with the key', async () => {
    assert.equal(await send('shop', shopKey, { origin: 'https://shop.example' }), 202);
    assert.equal(await send('shop', shopKey, { origin: 'https://evil.example' }), 403);
    assert.equal(await send('shop', shopKey, { origin: 'null' }), 403);
    const edited = await call('PATCH', '/api/v1/sites/shop', { allowed_origins: [] });
    assert.equal(edited.status, 200);
    assert.equal(
      await send('shop', shopKey, { origin: 'https://evil.example' }),
      202,
      'any origin once cleared',
    );
    await call('PATCH', '/api/v1/sites/shop', { allowed_origins: ['https://shop.example'] });
    assert.equal(await send('shop', shopKey, { origin: 'https://evil.example' }), 403);
  });

  it('rotates a key: the old one works during its grace period and is refused after it', async () => {
    const site = (await call('GET', '/api/v1/sites/shop')).body;
    const old = site.keys[0];
    const rotated = await call('POST', `/api/v1/sites/shop/keys/${old.id}/rotate`, { grace_seconds: 2 });
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    const fresh = rotated.body.key as string;
    assert.notEqual(fresh, shopKey);
    assert.equal(rotated.body.previous.id, old.id);
    assert.equal(await send('shop', fresh), 202);
    const graceEnds = Date.parse(rotated.body.previous.expires_at);
    if (Date.now() < graceEnds - 500)
      assert.equal(await send('shop', shopKey), 202, 'still in its grace period');
    await eventually(
      async () => ((await send('shop', shopKey)) === 403 ? true : undefined),
      10_000,
      'the refusal',
    );
    assert.ok(Date.now() >= graceEnds, 'refused only once the grace period ended');
    assert.equal(await send('shop', fresh), 202);
    const keys = (await call('GET', '/api/v1/sites/shop')).body.keys;
    assert.deepEqual(
      keys.map((k: Json) => k.id),
      [rotated.body.id],
      'the expired key is no longer listed',
    );
    shopKey = fresh;
  });

  it('revokes a key at once', async () => {
    const added = await call('POST', '/api/v1/sites/shop/keys', {});
    assert.equal(added.status, 201);
    assert.equal(await send('shop', added.body.key), 202);
    assert.equal((await call('DELETE', `/api/v1/sites/shop/keys/${added.body.id}`)).status, 204);
    assert.equal(await send('shop', added.body.key), 403);
    assert.equal(await send('shop', shopKey), 202, 'the other key still works');
  });

  it('refuses a viewer, a share link and a project JWT on every route; a site admin edits only its own site', async () => {
    assert.equal(
      (
        await call('POST', '/api/v1/dashboard/users', {
          email: 'viewer@example.com',
          password: 'viewer-password-123',
          role: 'viewer',
          projects: ['shop'],
        })
      ).status,
      201,
    );
    assert.equal(
      (
        await call('POST', '/api/v1/dashboard/users', {
          email: 'owner@example.com',
          password: 'owner-password-123',
          role: 'admin',
          projects: ['shop'],
        })
      ).status,
      201,
    );
    const share = await call('POST', '/api/v1/shares', { project: 'shop', name: 'public' });
    assert.equal(share.status, 201);
    const jwt = await new SignJWT({ project_id: 'shop' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
    const keyId = (await call('GET', '/api/v1/sites/shop')).body.keys[0].id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/v1/sites'],
      ['POST', '/api/v1/sites', { name: 'intruder' }],
      ['GET', '/api/v1/sites/shop'],
      ['GET', '/api/v1/sites/shop/events'],
      ['GET', '/api/v1/sites/shop/changes'],
      ['PATCH', '/api/v1/sites/shop', { public: true }],
      ['DELETE', '/api/v1/sites/shop?confirm=0'],
      ['POST', '/api/v1/sites/shop/keys', {}],
      ['POST', `/api/v1/sites/shop/keys/${keyId}/rotate`, {}],
      ['DELETE', `/api/v1/sites/shop/keys/${keyId}`],
    ];
    const callers: Array<[string, Record<string, string>, string]> = [
      ['viewer', await login('viewer@example.com', 'viewer-password-123'), ''],
      ['share link', {}, `auth=${share.body.token}`],
      ['share link (header)', { authorization: `Bearer ${share.body.token}` }, ''],
      ['project JWT', { authorization: `Bearer ${jwt}` }, ''],
    ];
    for (const [who, headers, query] of callers)
      for (const [method, path, body] of routes) {
        const url = query ? `${path}${path.includes('?') ? '&' : '?'}${query}` : path;
        const res = await call(method, url, body, headers);
        assert.equal(res.status, 403, `${who} ${method} ${path}: ${JSON.stringify(res.body)}`);
      }
    assert.equal(await send('shop', shopKey), 202, 'nothing was changed');

    const owner = await login('owner@example.com', 'owner-password-123');
    assert.deepEqual((await call('GET', '/api/v1/auth/me', undefined, owner)).body.admin_of, ['shop']);
    const mine = await call('GET', '/api/v1/sites', undefined, owner);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.results.map((s: Json) => s.name),
      ['shop'],
    );
    assert.equal((await call('PATCH', '/api/v1/sites/shop', { display_name: 'Shop!' }, owner)).status, 200);
    assert.equal((await call('PATCH', '/api/v1/sites/website', { display_name: 'x' }, owner)).status, 403);
    assert.equal((await call('POST', '/api/v1/sites', { name: 'mine' }, owner)).status, 403);
    assert.equal((await call('DELETE', '/api/v1/sites/shop?confirm=0', undefined, owner)).status, 403);
    const added = await call('POST', '/api/v1/sites/shop/keys', {}, owner);
    assert.equal(added.status, 201);
    assert.equal(
      (await call('DELETE', `/api/v1/sites/shop/keys/${added.body.id}`, undefined, owner)).status,
      204,
    );
  });

  it('deletes a site only with its event count, removing its rows, keys and share links; every change is audited', async () => {
    const counted = await eventually(
      async () => {
        const r = await call('GET', '/api/v1/sites/shop/events');
        return r.body.events > 0 ? r.body : undefined;
      },
      20_000,
      'shop events stored',
    );
    assert.ok(counted.latest);
    await new Promise((r) => setTimeout(r, 500));
    const { events } = (await call('GET', '/api/v1/sites/shop/events')).body;
    const missing = await call('DELETE', '/api/v1/sites/shop');
    assert.equal(missing.status, 400);
    assert.deepEqual(problemsOf(missing.body), ['confirm']);
    assert.match(missing.body.error.message, new RegExp(`\\(${events}\\)`));
    const wrong = await call('DELETE', `/api/v1/sites/shop?confirm=${events + 1}`);
    assert.equal(wrong.status, 409);
    assert.equal(wrong.body.error.details.events, events);
    assert.equal(await send('shop', shopKey), 202, 'still there');
    await new Promise((r) => setTimeout(r, 500));
    const now = (await call('GET', '/api/v1/sites/shop/events')).body.events;
    const deleted = await call('DELETE', `/api/v1/sites/shop?confirm=${now}`);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(await send('shop', shopKey), 401, 'the collector no longer takes it');
    assert.equal((await call('GET', '/api/v1/sites/shop')).status, 404);
    const [left] = await server.store.query<{ n: string }>(
      "SELECT count() AS n FROM events WHERE project = 'shop'",
    );
    assert.equal(Number(left.n), 0);
    assert.deepEqual((await call('GET', '/api/v1/shares?project=shop')).body.results, []);

    const changes = await listSettingsChanges(server.store, { limit: 100, project: 'shop' });
    const seen = changes.map((c) => `${c.entity}:${c.action}`);
    for (const expected of [
      'site:create',
      'site:update',
      'site:delete',
      'write_key:create',
      'write_key:rotate',
      'write_key:expire',
      'write_key:revoke',
    ])
      assert.ok(seen.includes(expected), `${expected} audited: ${seen.join(', ')}`);
    assert.ok(
      changes.some((c) => c.actor === 'owner@example.com'),
      'the site admin is named',
    );
    assert.ok(
      changes.every((c) => !c.detail.includes(shopKey)),
      'never a key in the audit',
    );
  });

  it('a site made over the API is a project everywhere: alert rules, reports, erasures and exports take it', async () => {
    assert.equal((await call('POST', '/api/v1/sites', { name: 'blog' })).status, 201);
    assert.ok(server.projects().includes('blog'), 'the start banner reads the registry: it would list it');
    const rule = {
      name: 'Blog silent',
      kind: 'no_events',
      minutes: 15,
      channels: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }],
    };
    const created = await call('POST', '/api/v1/alerts', { ...rule, project: 'blog' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.ok((await call('GET', '/api/v1/alerts')).body.projects.includes('blog'));
    const unknown = await call('POST', '/api/v1/alerts', { ...rule, project: 'nosuch' });
    assert.equal(unknown.status, 400, 'an unknown project is still refused');
    // Reports get past the project check to the missing mail server.
    const report = await call('POST', '/api/v1/reports/send', { project: 'blog', to: 'a@example.com' });
    assert.notEqual(report.status, 400, JSON.stringify(report.body));

    const erased = await call('DELETE', '/api/v1/people/someone%40example.com?project=blog');
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.equal((await call('GET', '/api/v1/people/someone/export?project=blog')).status, 200);
    assert.equal((await call('GET', '/api/v1/people?project=blog&match=email%3Da%40b.c')).status, 200);
    const refused = await call('DELETE', '/api/v1/people/someone?project=nosuch');
    assert.equal(refused.status, 400);
    assert.deepEqual(problemsOf(refused.body), ['project']);
    assert.equal((await call('DELETE', `/api/v1/alerts/${created.body.id}`)).status, 204);
  });

  it("deleting a site deletes its goals and saved funnels, each with an audit row; other sites' stay", async () => {
    assert.equal((await call('POST', '/api/v1/sites', { name: 'gone' })).status, 201);
    const goal = await call('POST', '/api/v1/goals', {
      project: 'gone',
      name: 'Signup',
      kind: 'page',
      value: '/signup*',
    });
    assert.equal(goal.status, 201, JSON.stringify(goal.body));
    const kept = await call('POST', '/api/v1/goals', {
      project: 'website',
      name: 'Kept',
      kind: 'page',
      value: '/kept',
    });
    assert.equal(kept.status, 201, JSON.stringify(kept.body));
    const funnel = await call('POST', '/api/v1/funnels', {
      project: 'gone',
      name: 'Checkout',
      steps: [{ page: '/' }, { page: '/thanks' }],
    });
    assert.equal(funnel.status, 201, JSON.stringify(funnel.body));

    assert.equal((await call('DELETE', '/api/v1/sites/gone?confirm=0')).status, 200);
    const goals = (await call('GET', '/api/v1/goals')).body.results.map(
      (g: Json) => `${g.project}:${g.name}`,
    );
    assert.ok(!goals.includes('gone:Signup'), goals.join(', '));
    assert.ok(goals.includes('website:Kept'), 'another site keeps its goals');
    const live = async (table: string) => {
      const [r] = await server.store.query<{ n: string }>(
        `SELECT count() AS n FROM ${table} FINAL WHERE project = 'gone' AND NOT deleted`,
      );
      return Number(r.n);
    };
    assert.equal(await live('goals'), 0);
    assert.equal(await live('saved_funnels'), 0);
    // A site of the same name made again starts without them.
    assert.equal((await call('POST', '/api/v1/sites', { name: 'gone' })).status, 201);
    assert.deepEqual((await call('GET', '/api/v1/funnels?project=gone')).body.results, []);

    const changes = await listSettingsChanges(server.store, { limit: 100, project: 'gone' });
    const seen = changes.map((c) => `${c.entity}:${c.action}:${c.entity_id}`);
    assert.ok(seen.includes(`goal:delete:${goal.body.id}`), seen.join(', '));
    assert.ok(seen.includes(`funnel:delete:${funnel.body.id}`), seen.join(', '));
  });

  it("keeps a site's events for its retention_days only, leaving other sites alone", async () => {
    assert.equal((await call('POST', '/api/v1/sites', { name: 'brief', retention_days: 30 })).status, 201);
    const day = 86_400_000;
    const row = (project: string, daysAgo: number) => ({
      ...blankRow(),
      event_id: crypto.randomUUID(),
      project,
      type: 'pageview',
      path: `/${daysAgo}`,
      timestamp: new Date(Date.now() - daysAgo * day).toISOString(),
      received_at: new Date().toISOString(),
      protocol: 'native',
    });
    await server.store.insert(
      'events',
      [row('brief', 40), row('brief', 1), row('app', 40)],
      'site-retention',
    );
    const registry = new SiteRegistry({
      projects: [{ name: 'app', key: undefined }],
      store: server.store,
      refreshMs: 0,
    });
    await registry.refresh();
    assert.deepEqual(await applySiteRetention(server.store, registry), ['brief']);
    const paths = async (project: string) =>
      (
        await server.store.query<{ path: string }>(
          'SELECT path FROM events WHERE project = {p:String} ORDER BY path',
          { p: project },
        )
      ).map((r) => r.path);
    assert.deepEqual(await paths('brief'), ['/1']);
    assert.ok((await paths('app')).includes('/40'), 'a site without its own limit keeps everything');
    const [hourly] = await server.store.query<{ n: string }>(
      "SELECT count() AS n FROM events_hourly WHERE project = 'brief' AND hour < now() - INTERVAL 30 DAY",
    );
    assert.equal(Number(hourly.n), 0, 'the rollups go with the events');
    assert.deepEqual(await applySiteRetention(server.store, registry), [], 'nothing left to delete');
  });

  it("a public site is read without a credential, with a share link's limits, until it is no longer public", async () => {
    const anonymous = {};
    const overview = '/api/v1/stats/overview?project=open&period=7d';
    assert.equal((await call('POST', '/api/v1/sites', { name: 'open' })).status, 201);
    assert.equal((await call('GET', overview, undefined, anonymous)).status, 401, 'not public yet');
    assert.equal((await call('PATCH', '/api/v1/sites/open', { public: true })).status, 200);
    assert.equal((await call('GET', overview, undefined, anonymous)).status, 200);
    const me = await call('GET', '/api/v1/auth/me?project=open', undefined, anonymous);
    assert.deepEqual([me.body.projects, me.body.shared], [['open'], true]);
    assert.equal(
      (await call('GET', '/api/v1/telemetry/timeline?project=open', undefined, anonymous)).status,
      403,
      'aggregates only',
    );
    assert.equal((await call('GET', '/api/v1/sites?project=open', undefined, anonymous)).status, 403);
    assert.equal(
      (await call('PATCH', '/api/v1/sites/open?project=open', { public: false }, anonymous)).status,
      403,
    );
    assert.equal(
      (await call('GET', '/api/v1/stats/overview?project=app&period=7d', undefined, anonymous)).status,
      401,
      'other sites stay closed',
    );
    assert.equal((await call('PATCH', '/api/v1/sites/open', { public: false }, undefined)).status, 200);
    assert.equal((await call('GET', overview, undefined, anonymous)).status, 401, 'closed again at once');
  });
});
