// Goals and saved funnels over the API against a running server: created goals count past events at once (page
// wildcards, event property conditions, through the rollups' path too), config goals stay read-only, bad input is a
// 400 naming the field, viewers, JWTs and share links get 403, a project admin manages its own project only, and
// every change leaves an audit row. Plus the extent route the overview's "events outside the period" notice reads.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config/config.ts';
import { createGoalRegistry } from '../../src/goals/goal-registry.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { listSettingsChanges } from '../../src/store/settings-audit.ts';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

const SECRET = 'goals-test-jwt-secret-0123456789abcdef';
type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const as: Record<string, Record<string, string>> = { admin: { authorization: `Bearer ${ADMIN}` } };
let shareQuery = '';

// Whole UTC days, two days back: a range the rollups could answer (no filter, whole hours).
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const at = (hours: number) => new Date(today - 2 * DAY + hours * 3_600_000).toISOString();
const RANGE = `from=${new Date(today - 3 * DAY).toISOString().slice(0, 10)}&to=${new Date(today).toISOString().slice(0, 10)}&tz=UTC`;

function event(over: Partial<EventRow>): EventRow {
  return { ...blankRow(), event_id: crypto.randomUUID(), received_at: at(1), protocol: 'native', ...over };
}

async function call(
  who: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{
  status: number;
  json: Record<string, unknown> & {
    error?: { code: string; message: string; details?: Array<{ field: string }> };
  };
}> {
  const headers: Record<string, string> = { ...(as[who] ?? {}) };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const url = `${server.url}${path}${who === 'share' ? `${path.includes('?') ? '&' : '?'}${shareQuery}` : ''}`;
  const res = await fetch(url, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : {} };
}

const fields = (r: Awaited<ReturnType<typeof call>>) => (r.json.error?.details ?? []).map((d) => d.field);

async function goalRows(query = 'period=7d') {
  const r = await call('admin', 'GET', `/api/v1/stats/goals?project=app&${query}`);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return Object.fromEntries(
    (r.json.results as Array<{ goal: string; visitors: number }>).map((g) => [g.goal, g.visitors]),
  );
}

async function login(email: string, role: 'admin' | 'viewer', projects: string[]) {
  const created = await call('admin', 'POST', '/api/v1/dashboard/users', {
    email,
    password: 'long-enough-password-1',
    role,
    projects,
  });
  assert.equal(created.status, 201);
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'long-enough-password-1' }),
  });
  assert.equal(res.status, 200);
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0], 'x-sightline-csrf': '1' };
}

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'app,website',
    SIGHTLINE_GOALS: 'app:event:purchase',
    SIGHTLINE_JWT_SECRET: SECRET,
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
  });
  const visit = (n: number, over: Partial<EventRow>) =>
    event({ project: 'app', user_id: `u${n}`, session_id: `s${n}`, timestamp: at(n), ...over });
  await server.store.insert(
    'events',
    [
      visit(1, { type: 'pageview', path: '/thanks/order-1' }),
      visit(2, { type: 'pageview', path: '/thanks' }),
      visit(3, { type: 'pageview', path: '/thank' }),
      visit(4, { type: 'purchase', path: '/buy', props: JSON.stringify({ plan: 'pro' }) }),
      visit(5, { type: 'purchase', path: '/buy', props: JSON.stringify({ plan: 'free' }) }),
    ],
    'goals-test-events',
  );
  as.viewer = await login('viewer@example.com', 'viewer', ['app']);
  as.appAdmin = await login('app-admin@example.com', 'admin', ['app']);
  as.jwt = {
    authorization: `Bearer ${await new SignJWT({ project_id: 'app' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET))}`,
  };
  const share = await call('admin', 'POST', '/api/v1/shares', { project: 'app', name: 'public' });
  assert.equal(share.status, 201);
  shareQuery = `auth=${share.json.token}`;
});

after(async () => {
  await server?.cleanup();
});

describe('goals', () => {
  let pageGoal = '';

  it('lists the configured goals as read-only', async () => {
    const r = await call('admin', 'GET', '/api/v1/goals?project=app');
    assert.equal(r.status, 200);
    assert.deepEqual(
      (r.json.results as Array<Record<string, unknown>>).map((g) => [g.name, g.managed, g.read_only]),
      [['event:purchase', 'config', true]],
    );
  });

  it('a page goal with a wildcard counts past pageviews at once', async () => {
    const r = await call('admin', 'POST', '/api/v1/goals', {
      project: 'app',
      kind: 'page',
      value: '/thanks*',
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.equal(r.json.name, 'page:/thanks*');
    assert.equal(r.json.managed, 'dashboard');
    pageGoal = String(r.json.id);
    const rows = await goalRows();
    assert.equal(rows['page:/thanks*'], 2, '/thanks and /thanks/order-1, not /thank');
    assert.equal(rows['event:purchase'], 2);
  });

  it('an event goal with a property condition counts only the matching events, on every path', async () => {
    const r = await call('admin', 'POST', '/api/v1/goals', {
      project: 'app',
      name: 'Pro purchase',
      kind: 'event',
      value: 'purchase',
      conditions: [{ key: 'plan', op: 'is', value: 'pro' }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    const not = await call('admin', 'POST', '/api/v1/goals', {
      project: 'app',
      kind: 'event',
      value: 'purchase',
      conditions: [{ key: 'plan', op: 'is_not', value: 'pro' }],
    });
    assert.equal(not.status, 201, JSON.stringify(not.json));
    for (const query of ['period=7d', RANGE, `${RANGE}&exact=1`]) {
      const rows = await goalRows(query);
      assert.equal(rows['Pro purchase'], 1, query);
      assert.equal(rows['event:purchase [plan!=pro]'], 1, query);
      for (const [metric, path] of [
        [
          'conversions',
          `/api/v1/stats/overview?project=app&${query}&goal=${encodeURIComponent('Pro purchase')}`,
        ],
      ]) {
        const o = await call('admin', 'GET', path);
        assert.equal(o.status, 200, JSON.stringify(o.json));
        assert.equal(o.json[metric], 1, `${metric} ${query}`);
      }
      const ts = await call(
        'admin',
        'GET',
        `/api/v1/stats/timeseries?project=app&${query}&interval=day&metrics=counts&goal=${encodeURIComponent('Pro purchase')}`,
      );
      assert.equal(ts.status, 200, JSON.stringify(ts.json));
      const total = (ts.json.results as Array<{ conversions: number }>).reduce(
        (n, p) => n + p.conversions,
        0,
      );
      assert.equal(total, 1, `timeseries conversions ${query}`);
      const by = await call(
        'admin',
        'GET',
        `/api/v1/stats/breakdown/event?project=app&${query}&metrics=counts&goal=${encodeURIComponent('Pro purchase')}`,
      );
      assert.equal(by.status, 200, JSON.stringify(by.json));
      const purchase = (by.json.results as Array<{ value: string; conversions: number }>).find(
        (x) => x.value === 'purchase',
      );
      assert.equal(purchase?.conversions, 1, `breakdown conversions ${query}`);
    }
  });

  it('bad input is a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ project: 'app', kind: 'page', value: 'thanks*' }, 'value'],
      [{ project: 'app', kind: 'page', value: '/a**b' }, 'value'],
      [{ project: 'app', kind: 'page', value: '/a b' }, 'value'],
      [{ project: 'app', kind: 'event', value: '' }, 'value'],
      [{ project: 'app', kind: 'event', value: '   ' }, 'value'],
      [{ project: 'app', kind: 'event' }, 'value'],
      [{ project: 'app', kind: 'funnel', value: 'x' }, 'kind'],
      [{ project: 'nope', kind: 'event', value: 'x' }, 'project'],
      [{ kind: 'event', value: 'x' }, 'project'],
      [{ project: 'app', kind: 'page', value: '/thanks*' }, 'value'],
      [{ project: 'app', kind: 'page', value: '/other', name: 'page:/thanks*' }, 'name'],
      [{ project: 'app', kind: 'event', value: 'purchase', name: 'dup' }, 'value'],
      [
        { project: 'app', kind: 'event', value: 'x', conditions: [{ key: 'plan', op: 'like', value: 'p' }] },
        'conditions[0].op',
      ],
      [
        { project: 'app', kind: 'event', value: 'x', conditions: [{ key: '', value: 'p' }] },
        'conditions[0].key',
      ],
      [
        { project: 'app', kind: 'event', value: 'x', conditions: [{ key: 'plan', value: 3 }] },
        'conditions[0].value',
      ],
      [
        { project: 'app', kind: 'page', value: '/x', conditions: [{ key: 'plan', value: 'p' }] },
        'conditions',
      ],
      [{ project: 'app', kind: 'event', value: 'x', conditions: 'plan=pro' }, 'conditions'],
      [{ project: 'app', kind: 'event', value: 'x', name: 'n'.repeat(101) }, 'name'],
      [{ project: 'app', kind: 'event', value: 'v'.repeat(501) }, 'value'],
      [{ project: 'p'.repeat(201), kind: 'event', value: 'x' }, 'project'],
      [
        { project: 'app', kind: 'event', value: 'x', conditions: Array(11).fill({ key: 'k', value: 'v' }) },
        'conditions',
      ],
    ];
    for (const [body, field] of cases) {
      const r = await call('admin', 'POST', '/api/v1/goals', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.json.error?.code, 'GOALS_ERR_BAD_INPUT');
      assert.ok(
        fields(r).includes(field),
        `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.json)}`,
      );
      assert.match(r.json.error?.message ?? '', new RegExp(field.replace(/[[\]]/g, '\\$&')));
    }
  });

  it('an edit applies at once; config goals cannot be edited or deleted', async () => {
    const r = await call('admin', 'PATCH', `/api/v1/goals/${pageGoal}`, { value: '/thank*' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.name, 'page:/thank*', 'a default name follows the definition');
    assert.equal((await goalRows())['page:/thank*'], 3);
    const renamed = await call('admin', 'PATCH', `/api/v1/goals/${pageGoal}`, { name: 'Thank-you pages' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.json.value, '/thank*');
    const bad = await call('admin', 'PATCH', `/api/v1/goals/${pageGoal}`, { value: 'no-slash' });
    assert.equal(bad.status, 400);
    assert.deepEqual(fields(bad), ['value']);
    const config = encodeURIComponent('config:app:event:purchase');
    assert.equal((await call('admin', 'PATCH', `/api/v1/goals/${config}`, { value: 'x' })).status, 409);
    assert.equal((await call('admin', 'DELETE', `/api/v1/goals/${config}`)).status, 409);
    assert.equal((await call('admin', 'DELETE', '/api/v1/goals/no-such-goal')).status, 404);
  });

  it('viewers, JWTs and share links get 403 on every goal route; a project admin manages its project only', async () => {
    for (const who of ['viewer', 'jwt', 'share']) {
      const body = { project: 'app', kind: 'event', value: `by-${who}` };
      for (const [method, path, b] of [
        ['GET', '/api/v1/goals?project=app', undefined],
        ['GET', '/api/v1/goals', undefined],
        ['POST', '/api/v1/goals', body],
        ['PATCH', `/api/v1/goals/${pageGoal}`, { value: '/x' }],
        ['DELETE', `/api/v1/goals/${pageGoal}`, undefined],
        ['PATCH', '/api/v1/goals/no-such-goal', { value: '/x' }],
        ['POST', '/api/v1/funnels', { project: 'app', name: 'x', steps: [{ page: '/' }, { page: '/a' }] }],
        ['DELETE', '/api/v1/funnels/x', undefined],
      ] as const) {
        const r = await call(who, method, path, b);
        assert.equal(r.status, 403, `${who} ${method} ${path}: ${JSON.stringify(r.json)}`);
      }
    }
    const own = await call('appAdmin', 'POST', '/api/v1/goals', {
      project: 'app',
      kind: 'event',
      value: 'signup',
    });
    assert.equal(own.status, 201, JSON.stringify(own.json));
    const other = await call('appAdmin', 'POST', '/api/v1/goals', {
      project: 'website',
      kind: 'event',
      value: 'signup',
    });
    assert.equal(other.status, 403);
    const websiteGoal = await call('admin', 'POST', '/api/v1/goals', {
      project: 'website',
      kind: 'event',
      value: 'signup',
    });
    assert.equal(websiteGoal.status, 201);
    assert.equal((await call('appAdmin', 'DELETE', `/api/v1/goals/${websiteGoal.json.id}`)).status, 403);
    assert.equal((await call('appAdmin', 'GET', '/api/v1/goals?project=website')).status, 403);
    const listed = await call('appAdmin', 'GET', '/api/v1/goals');
    assert.deepEqual(
      [...new Set((listed.json.results as Array<{ project: string }>).map((g) => g.project))],
      ['app'],
    );
    assert.equal((await call('appAdmin', 'DELETE', `/api/v1/goals/${own.json.id}`)).status, 204);
    assert.equal((await goalRows())['event:signup'], undefined, 'a deleted goal is no longer counted');
  });

  it('another api process picks a change up from the store', async () => {
    const other = createGoalRegistry(server.store, loadConfig({ SIGHTLINE_PROJECTS: 'app,website' }));
    await other.refresh();
    const names = other.goalsOf('app').map((g) => g.name);
    assert.ok(names.includes('Thank-you pages'), names.join(', '));
    assert.ok(names.includes('Pro purchase'));
    assert.ok(!names.includes('event:purchase'), 'config goals come from its own config');
  });

  it('every change has an audit row naming who made it', async () => {
    const rows = await listSettingsChanges(server.store, { limit: 100, project: 'app' });
    const goals = rows.filter((r) => r.entity === 'goal');
    const seen = new Set(goals.map((r) => `${r.actor} ${r.action}`));
    for (const expected of [
      'admin-token create',
      'admin-token update',
      'app-admin@example.com create',
      'app-admin@example.com delete',
    ])
      assert.ok(seen.has(expected), `${expected} in ${[...seen].join(', ')}`);
    assert.ok(goals.every((r) => r.entity_id !== '' && r.at !== ''));
  });
});

describe('saved funnels', () => {
  it('an admin saves one, members list it, a share link cannot, bad input names the field', async () => {
    const steps = [{ page: '/thanks*' }, { event: 'purchase', props: { plan: 'pro' } }];
    const r = await call('admin', 'POST', '/api/v1/funnels', {
      project: 'app',
      name: 'Checkout',
      steps,
      window: '7d',
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    for (const who of ['admin', 'viewer', 'appAdmin', 'jwt']) {
      const list = await call(who, 'GET', '/api/v1/funnels?project=app');
      assert.equal(list.status, 200, who);
      assert.deepEqual(
        (list.json.results as Array<Record<string, unknown>>).map((f) => [f.name, f.steps, f.window]),
        [['Checkout', steps, '7d']],
      );
    }
    assert.equal((await call('share', 'GET', '/api/v1/funnels')).status, 403);
    assert.equal((await call('viewer', 'GET', '/api/v1/funnels?project=website')).status, 403);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ project: 'app', name: 'Checkout', steps }, 'name'],
      [{ project: 'app', name: '', steps }, 'name'],
      [{ project: 'app', name: 'one step', steps: [{ page: '/' }] }, 'steps'],
      [{ project: 'app', name: 'bad page', steps: [{ page: 'x' }, { page: '/' }] }, 'steps'],
      [{ project: 'app', name: 'bad window', steps, window: '1y' }, 'window'],
      [{ project: 'nope', name: 'x', steps }, 'project'],
    ];
    for (const [body, field] of cases) {
      const bad = await call('admin', 'POST', '/api/v1/funnels', body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.ok(
        fields(bad).includes(field),
        `${JSON.stringify(body)} names ${field}: ${JSON.stringify(bad.json)}`,
      );
    }
    const run = await call(
      'admin',
      'GET',
      `/api/v1/stats/funnel?project=app&period=7d&window=7d&steps=${encodeURIComponent(JSON.stringify(steps))}`,
    );
    assert.equal(run.status, 200, 'a saved funnel is a query the funnel route takes');
    assert.equal((await call('admin', 'DELETE', `/api/v1/funnels/${r.json.id}`)).status, 204);
    assert.deepEqual((await call('admin', 'GET', '/api/v1/funnels?project=app')).json.results, []);
    const audit = await listSettingsChanges(server.store, { limit: 100, project: 'app' });
    assert.deepEqual(
      audit
        .filter((a) => a.entity === 'funnel')
        .map((a) => a.action)
        .sort(),
      ['create', 'delete'],
    );
  });
});

describe('extent', () => {
  it('counts every stored event of the scope whatever the period, with the first and latest', async () => {
    const r = await call('admin', 'GET', '/api/v1/stats/extent?project=app');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { count: 5, first: at(1), last: at(5) });
    const empty = await call('admin', 'GET', '/api/v1/stats/extent?project=website');
    assert.deepEqual(empty.json, { count: 0, first: null, last: null });
    assert.equal((await call('viewer', 'GET', '/api/v1/stats/extent?project=app')).json.count, 5);
    assert.equal((await call('viewer', 'GET', '/api/v1/stats/extent?project=website')).status, 403);
    assert.equal((await call('share', 'GET', '/api/v1/stats/extent')).json.count, 5);
    assert.equal((await call('jwt', 'GET', '/api/v1/stats/extent?project=website')).status, 403);
  });
});
