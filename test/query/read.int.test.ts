// The read API against the real embedded store, with fixture rows whose expected numbers are counted in plain JS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { createMetrics } from '../../src/observe/metrics.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { readRoutes } from '../../src/query/read.routes.ts';
import { createHttpServer } from '../../src/server/http-server.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { modelMetrics } from '../support/stats-model.ts';
import { tempDir } from '../support/temp-dir.ts';

const ADMIN = 'read-admin-token-0123456789';
const SECRET = 'a-jwt-secret-that-is-at-least-32-bytes-long';
const { dir, cleanup } = tempDir('read');
let store: Store;
let app: FastifyInstance;

function row(over: Partial<EventRow>): EventRow {
  return {
    ...blankRow(),
    event_id: crypto.randomUUID(),
    received_at: '2024-04-20T00:00:00.000Z',
    protocol: 'native',
    ...over,
  };
}

/** Fixtures: two projects, tenants, a bot, an event late on Apr 30 UTC (= May 1 in Berlin), one outside the range. */
const FIXTURES: EventRow[] = [
  row({
    project: 'a',
    tenant_id: 't1',
    type: 'pageview',
    user_id: 'u1',
    session_id: 's1',
    timestamp: '2024-04-10T10:00:00.000Z',
    path: '/',
  }),
  row({
    project: 'a',
    tenant_id: 't1',
    type: 'click',
    user_id: 'u1',
    session_id: 's1',
    timestamp: '2024-04-10T10:05:30.000Z',
    path: '/buy',
    props: '{"plan":"pro"}',
  }),
  row({
    project: 'a',
    tenant_id: 't2',
    type: 'pageview',
    user_id: 'u2',
    session_id: 's2',
    timestamp: '2024-04-11T09:00:00.000Z',
    path: '/',
  }),
  row({
    project: 'a',
    tenant_id: 't2',
    type: 'pageview',
    session_id: 's3',
    timestamp: '2024-04-30T23:30:00.000Z',
    path: '/late',
  }),
  row({
    project: 'a',
    tenant_id: 't1',
    type: 'pageview',
    session_id: 's4',
    timestamp: '2024-04-12T00:00:00.000Z',
    is_bot: true,
    device_type: 'bot',
  }),
  row({
    project: 'a',
    tenant_id: 't1',
    type: 'pageview',
    user_id: 'u1',
    session_id: 's5',
    timestamp: '2024-05-02T12:00:00.000Z',
  }),
  row({
    project: 'b',
    tenant_id: '',
    type: 'pageview',
    user_id: 'x',
    session_id: 'sb',
    timestamp: '2024-04-15T12:00:00.000Z',
  }),
];

/** Plain-JS expectations for the overview of project `a`, optionally a tenant, in [from, to). */
function expected(project: string, fromMs: number, toMs: number, tenant?: string) {
  const rows = FIXTURES.filter(
    (r) =>
      r.project === project &&
      !r.is_bot &&
      (tenant === undefined || r.tenant_id === tenant) &&
      Date.parse(r.timestamp) >= fromMs &&
      Date.parse(r.timestamp) < toMs,
  );
  const m = modelMetrics(rows, rows).get('') ?? {
    visitors: 0,
    visits: 0,
    pageviews: 0,
    events: 0,
    views_per_visit: 0,
    bounce_rate: 0,
    visit_duration: 0,
  };
  return { ...m, sessions: m.visits };
}

before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  await migrate(store);
  // Visitor ids are what the processor sets from the user id; here the fallback rules count them.
  await store.insert('events', FIXTURES, 'read-fixtures');
  const config = loadConfig({
    SIGHTLINE_ADMIN_TOKEN: ADMIN,
    SIGHTLINE_JWT_SECRET: SECRET,
    SIGHTLINE_QUERY_MAX_ROWS: '500',
  });
  app = createHttpServer(config, createLogger('silent'), createMetrics());
  await app.register(readRoutes, { store, config });
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
  cleanup();
});

async function get(url: string, token = ADMIN) {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

function jwt(claims: Record<string, unknown>, expiresIn = '1h', secret = SECRET) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

const APRIL = [Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1)] as const;

describe('overview', () => {
  it('counts events, pageviews, visitors and sessions; days inclusive; bots excluded', async () => {
    const res = await get('/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, expected('a', ...APRIL));
    assert.deepEqual(
      {
        events: res.body.events,
        pageviews: res.body.pageviews,
        visitors: res.body.visitors,
        sessions: res.body.sessions,
      },
      { events: 4, pageviews: 3, visitors: 3, sessions: 3 },
    );
  });

  it('reads dates in the requested time zone', async () => {
    // 2024-04-30T23:30Z is May 1 in Berlin (UTC+2): it leaves April there.
    const berlin = [Date.UTC(2024, 2, 31, 22), Date.UTC(2024, 3, 30, 22)] as const;
    const res = await get('/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30&tz=Europe/Berlin');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, expected('a', ...berlin));
    assert.equal(res.body.events, 3);
    const may = await get('/api/v1/stats/overview?project=a&from=2024-05-01&to=2024-05-01&tz=Europe/Berlin');
    assert.equal(may.body.events, 1);
  });

  it('refuses bad parameters with every problem listed', async () => {
    const res = await get('/api/v1/stats/overview?from=2024-13-01&tz=Mars/Base');
    assert.equal(res.status, 400);
    const error = res.body.error as { code: string; details: Array<{ param: string }> };
    assert.equal(error.code, 'QUERY_ERR_BAD_PARAMS');
    assert.deepEqual(error.details.map((d) => d.param).sort(), ['from', 'project', 'to', 'tz']);
    const reversed = await get('/api/v1/stats/overview?project=a&from=2024-05-01&to=2024-04-01');
    assert.equal(reversed.status, 400);
  });

  it('checks the querystring by its schema: a repeated, an over-long or a mistyped parameter is named', async () => {
    const res = await get(`/api/v1/stats/users?project=a&project=b&limit=0&page=x&search=${'s'.repeat(201)}`);
    assert.equal(res.status, 400);
    const error = res.body.error as {
      code: string;
      message: string;
      details: Array<{ param: string; message: string }>;
    };
    assert.equal(error.code, 'QUERY_ERR_BAD_PARAMS');
    const said = Object.fromEntries(error.details.map((d) => [d.param, d.message]));
    assert.ok(error.details.some((d) => d.param === 'project' && d.message === 'is given more than once'));
    assert.equal(said.limit, 'must be a whole number from 1 to 500');
    assert.equal(said.page, 'must be a whole number ≥ 1');
    assert.equal(said.search, 'is longer than 200 characters');
    assert.match(error.message, /limit must be a whole number from 1 to 500/);
    const filters = await get(`/api/v1/stats/overview?project=a&filters=${'x'.repeat(16_385)}`);
    assert.equal(filters.status, 400);
    assert.deepEqual(
      (filters.body.error as { details: Array<{ param: string }> }).details.map((d) => d.param),
      ['filters'],
    );
    // Empty parameters are absent, unknown ones ignored, booleans read as everywhere else.
    const fine = await get(
      '/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30&tz=&exact=yes&_=17',
    );
    assert.equal(fine.status, 200);
    // Authentication comes first: an anonymous caller is told to log in, not what its parameters lack.
    const anonymous = await get('/api/v1/stats/overview?limit=x&project=a&project=b', '');
    assert.equal(anonymous.status, 401);
  });
});

describe('authentication and isolation', () => {
  it('needs a token: none or a wrong one is 401', async () => {
    assert.equal(
      (await get('/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30', '')).status,
      401,
    );
    const wrong = await get(
      '/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30',
      'not-the-token',
    );
    assert.equal(wrong.status, 401);
    assert.equal((wrong.body.error as { code: string }).code, 'QUERY_ERR_UNAUTHENTICATED');
    const forged = await get(
      '/api/v1/telemetry/timeline',
      await jwt({ project_id: 'a' }, '1h', 'x'.repeat(40)),
    );
    assert.equal(forged.status, 401);
  });

  it('refuses an expired JWT', async () => {
    const token = await jwt({ project_id: 'a' }, '-2m');
    const res = await get('/api/v1/telemetry/timeline', token);
    assert.equal(res.status, 401);
    assert.match((res.body.error as { message: string }).message, /expired/);
  });

  it('refuses a JWT without exp, and a tenant_id claim that is empty or not a string', async () => {
    const noExp = await new SignJWT({ project_id: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(SECRET));
    const res = await get('/api/v1/telemetry/timeline', noExp);
    assert.equal(res.status, 401);
    assert.match((res.body.error as { message: string }).message, /exp claim/);
    for (const tenant of ['', null, 7]) {
      const scoped = await get(
        '/api/v1/telemetry/timeline',
        await jwt({ project_id: 'a', tenant_id: tenant }),
      );
      assert.equal(scoped.status, 401, JSON.stringify(tenant));
      assert.match((scoped.body.error as { message: string }).message, /tenant_id claim/);
    }
  });

  it('a JWT for project A reads A, defaults to it, and can never read B', async () => {
    const token = await jwt({ project_id: 'a' });
    const own = await get('/api/v1/stats/overview?from=2024-04-01&to=2024-04-30', token);
    assert.equal(own.status, 200);
    assert.deepEqual(own.body, expected('a', ...APRIL));
    const other = await get('/api/v1/stats/overview?project=b&from=2024-04-01&to=2024-04-30', token);
    assert.equal(other.status, 403);
    assert.equal((other.body.error as { code: string }).code, 'QUERY_ERR_FORBIDDEN');
    const timeline = await get('/api/v1/telemetry/timeline?limit=100', token);
    const events = timeline.body.events as Array<{ projectId: string }>;
    assert.equal(events.length, FIXTURES.filter((r) => r.project === 'a').length);
    assert.ok(events.every((e) => e.projectId === 'a'));
  });

  it('a tenant-scoped JWT sees only its tenant, and cannot ask for another', async () => {
    const token = await jwt({ project_id: 'a', tenant_id: 't2' });
    const overview = await get('/api/v1/stats/overview?from=2024-04-01&to=2024-04-30', token);
    assert.deepEqual(overview.body, expected('a', ...APRIL, 't2'));
    const timeline = await get('/api/v1/telemetry/timeline', token);
    const events = timeline.body.events as Array<{ tenantId: string }>;
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.tenantId === 't2'));
    assert.equal(timeline.body.tenantId, 't2');
    const widen = await get('/api/v1/telemetry/timeline?tenant=t1', token);
    assert.equal(widen.status, 403);
  });
});

describe('timeline (Nealytics shape)', () => {
  it('lists newest first with the engine field names and honours limit', async () => {
    const res = await get('/api/v1/telemetry/timeline?project=a&limit=2');
    assert.equal(res.status, 200);
    assert.equal(res.body.projectId, 'a');
    assert.equal(res.body.count, 2);
    const events = res.body.events as Array<Record<string, string>>;
    const newest = FIXTURES.filter((r) => r.project === 'a').sort((x, y) =>
      y.timestamp.localeCompare(x.timestamp),
    );
    assert.deepEqual(
      events.map((e) => e.timestamp),
      newest.slice(0, 2).map((r) => r.timestamp.replace('.000Z', '.000Z')),
    );
    assert.deepEqual(Object.keys(events[0]).sort(), [
      'eventId',
      'eventType',
      'itemId',
      'metadataJson',
      'projectId',
      'sessionId',
      'tenantId',
      'timestamp',
    ]);
    const click = (await get('/api/v1/telemetry/timeline?project=a&eventType=click')).body.events as Array<
      Record<string, string>
    >;
    assert.equal(click.length, 1);
    assert.equal(click[0].itemId, '/buy');
    assert.equal(click[0].metadataJson, '{"plan":"pro"}');
  });

  it('refuses a limit past the maximum', async () => {
    const res = await get('/api/v1/telemetry/timeline?project=a&limit=501');
    assert.equal(res.status, 400);
    assert.equal((res.body.error as { details: Array<{ param: string }> }).details[0].param, 'limit');
  });
});

describe('sessions (Nealytics shape)', () => {
  it('aggregates per session with durations and a summary over the returned sessions', async () => {
    const res = await get(
      '/api/v1/analytics/sessions?project=a&from=2024-04-01T00:00:00Z&to=2024-04-30T00:00:00Z&limit=10',
    );
    assert.equal(res.status, 200);
    const sessions = res.body.sessions as Array<{
      sessionId: string;
      durationSeconds: number;
      eventCount: number;
      firstSeen: string;
      lastSeen: string;
    }>;
    const s1 = sessions.find((s) => s.sessionId === 's1')!;
    assert.equal(s1.durationSeconds, 330);
    assert.equal(s1.eventCount, 2);
    assert.equal(s1.firstSeen, '2024-04-10T10:00:00.000Z');
    assert.equal(s1.lastSeen, '2024-04-10T10:05:30.000Z');
    // In range: s1 (2 events), s2, s4 (the bot still has a session row here: raw sessions, not stats).
    assert.deepEqual(sessions.map((s) => s.sessionId).sort(), ['s1', 's2', 's4']);
    assert.equal(res.body.uniqueSessionCount, 3);
    assert.equal(res.body.totalEventCount, 4);
    assert.equal(res.body.avgDurationSeconds, 110);
  });
});

describe('timeseries', () => {
  it('buckets by day in the time zone and zero-fills days without events', async () => {
    const res = await get('/api/v1/stats/timeseries?project=a&from=2024-04-09&to=2024-04-12&interval=day');
    assert.equal(res.status, 200);
    const results = res.body.results as Array<{
      date: string;
      events: number;
      pageviews: number;
      visitors: number;
    }>;
    const days = ['2024-04-09', '2024-04-10', '2024-04-11', '2024-04-12'];
    assert.deepEqual(
      results.map((r) => r.date),
      days,
    );
    for (const r of results) {
      const start = Date.parse(`${r.date}T00:00:00Z`);
      assert.deepEqual(
        { events: r.events, pageviews: r.pageviews, visitors: r.visitors },
        (({ events, pageviews, visitors }) => ({ events, pageviews, visitors }))(
          expected('a', start, start + 86_400_000),
        ),
        r.date,
      );
    }
    assert.equal(results[0].events, 0, 'a day without events is present, with zeros');
  });

  it('puts a late-evening UTC event on the next day in Berlin', async () => {
    const res = await get(
      '/api/v1/stats/timeseries?project=a&from=2024-04-30&to=2024-05-01&interval=day&tz=Europe/Berlin',
    );
    const results = res.body.results as Array<{ date: string; events: number }>;
    assert.deepEqual(
      results.map((r) => [r.date, r.events]),
      [
        ['2024-04-30', 0],
        ['2024-05-01', 1],
      ],
    );
  });

  it('refuses an unknown interval', async () => {
    const res = await get(
      '/api/v1/stats/timeseries?project=a&from=2024-04-01&to=2024-04-30&interval=fortnight',
    );
    assert.equal(res.status, 400);
  });
});

describe('breakdown', () => {
  it('breaks down by page with visitors, visits, pageviews and events, most visitors first', async () => {
    const res = await get('/api/v1/stats/breakdown/page?project=a&from=2024-04-01&to=2024-04-30');
    assert.equal(res.status, 200);
    const rows = FIXTURES.filter(
      (r) =>
        r.project === 'a' &&
        !r.is_bot &&
        Date.parse(r.timestamp) >= APRIL[0] &&
        Date.parse(r.timestamp) < APRIL[1],
    );
    const want = [...modelMetrics(rows, rows, (r) => r.path)].map(([value, m]) => ({ value, ...m }));
    const got = res.body.results as typeof want;
    assert.deepEqual(
      [...got].sort((x, y) => x.value.localeCompare(y.value)),
      want.sort((x, y) => x.value.localeCompare(y.value)),
    );
    assert.ok(got[0].visitors >= got[got.length - 1].visitors);
  });

  it('breaks down by an event property, and exports CSV', async () => {
    const res = await get('/api/v1/stats/breakdown/event:props:plan?project=a&from=2024-04-01&to=2024-04-30');
    const results = res.body.results as Array<{ value: string; events: number }>;
    assert.deepEqual(results.find((r) => r.value === 'pro')?.events, 1);
    const csv = await app.inject({
      method: 'GET',
      url: '/api/v1/stats/breakdown/page?project=a&from=2024-04-01&to=2024-04-30&format=csv',
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    const lines = csv.body.trim().split('\r\n');
    assert.equal(
      lines[0],
      'value,visitors,visits,pageviews,events,views_per_visit,bounce_rate,visit_duration',
    );
    const pages = (await get('/api/v1/stats/breakdown/page?project=a&from=2024-04-01&to=2024-04-30')).body
      .results as Array<{
      value: string;
      visitors: number;
      visits: number;
      pageviews: number;
      events: number;
    }>;
    assert.deepEqual(
      lines.slice(1),
      pages.map((p) => Object.values(p).join(',')),
    );
  });

  it('refuses unknown dimensions, and keeps JWT scopes', async () => {
    const bad = await get('/api/v1/stats/breakdown/shoe_size?project=a&from=2024-04-01&to=2024-04-30');
    assert.equal(bad.status, 400);
    const token = await jwt({ project_id: 'a', tenant_id: 't2' });
    const scoped = await get('/api/v1/stats/breakdown/page?from=2024-04-01&to=2024-04-30', token);
    const paths = (scoped.body.results as Array<{ value: string }>).map((r) => r.value).sort();
    assert.deepEqual(paths, ['/', '/late']);
    const other = await get('/api/v1/stats/breakdown/page?project=b&from=2024-04-01&to=2024-04-30', token);
    assert.equal(other.status, 403);
  });
});

describe('filters', () => {
  const q = (filters: unknown) => encodeURIComponent(JSON.stringify(filters));
  const april = FIXTURES.filter(
    (r) =>
      r.project === 'a' &&
      !r.is_bot &&
      Date.parse(r.timestamp) >= APRIL[0] &&
      Date.parse(r.timestamp) < APRIL[1],
  );

  it('narrows overview, timeseries and breakdowns with is / is_not / contains / matches / properties', async () => {
    const cases: Array<[unknown, (r: (typeof FIXTURES)[number]) => boolean]> = [
      [[['is', 'page', ['/', '/buy']]], (r) => r.path === '/' || r.path === '/buy'],
      [[['is_not', 'event', ['pageview']]], (r) => r.type !== 'pageview'],
      [[['contains', 'page', ['ate']]], (r) => r.path.includes('ate')],
      [[['matches', 'page', ['^/b']]], (r) => /^\/b/.test(r.path)],
      [[['is', 'event:props:plan', ['pro']]], (r) => JSON.parse(r.props).plan === 'pro'],
      [
        [
          ['is', 'event', ['pageview']],
          ['is_not', 'page', ['/late']],
        ],
        (r) => r.type === 'pageview' && r.path !== '/late',
      ],
    ];
    for (const [filters, keep] of cases) {
      const res = await get(
        `/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30&filters=${q(filters)}`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const rows = april.filter(keep);
      assert.equal(res.body.events, rows.length, JSON.stringify(filters));
      assert.equal(
        res.body.pageviews,
        rows.filter((r) => r.type === 'pageview').length,
        JSON.stringify(filters),
      );
    }
    const series = await get(
      `/api/v1/stats/timeseries?project=a&from=2024-04-01&to=2024-04-30&filters=${q([['is', 'page', ['/buy']]])}`,
    );
    const total = (series.body.results as Array<{ events: number }>).reduce((n, r) => n + r.events, 0);
    assert.equal(total, april.filter((r) => r.path === '/buy').length);
    const devices = await get(
      `/api/v1/stats/breakdown/event?project=a&from=2024-04-01&to=2024-04-30&filters=${q([['is', 'page', ['/']]])}`,
    );
    assert.deepEqual(
      (devices.body.results as Array<{ value: string }>).map((r) => r.value),
      ['pageview'],
    );
  });

  it('refuses malformed filters, naming which', async () => {
    const res = await get(
      `/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30&filters=${q([
        ['like', 'page', ['/']],
        ['is', 'shoe', ['x']],
        ['is', 'page', []],
      ])}`,
    );
    assert.equal(res.status, 400);
    const params = (res.body.error as { details: Array<{ param: string }> }).details.map((d) => d.param);
    assert.deepEqual(params, ['filters[0]', 'filters[1]', 'filters[2]']);
    const notJson = await get('/api/v1/stats/overview?project=a&from=2024-04-01&to=2024-04-30&filters=nope');
    assert.equal(notJson.status, 400);
  });
});
