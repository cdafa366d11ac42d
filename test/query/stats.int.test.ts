// The stats API over a generated shop: every expected number is computed here in plain JS from the same rows
// (test/support/stats-model.ts and the reference funnel/retention below), never by the SQL under test.
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
import { insertVisitsFromEvents } from '../../src/store/visits.ts';
import { prng } from '../support/prng.ts';
import { modelMetrics, visitorOf } from '../support/stats-model.ts';
import { tempDir } from '../support/temp-dir.ts';

const ADMIN = 'stats-admin-token-0123456789';
const SECRET = 'a-jwt-secret-that-is-at-least-32-bytes-long';
const { dir, cleanup } = tempDir('stats');
let store: Store;
let app: FastifyInstance;

const rand = prng(7);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
const ENTRY = ['/', '/pricing', '/blog/a', '/docs'] as const;
const PAGES = ['/', '/pricing', '/docs', '/blog/a', '/blog/b', '/about'] as const;
let seq = 0;

function event(over: Partial<EventRow>): EventRow {
  return {
    ...blankRow(),
    event_id: crypto.randomUUID(),
    project: 'shop',
    received_at: '2024-05-01T00:00:00.000Z',
    protocol: 'native',
    ...over,
  };
}

/** One visit: pageviews and the shop's funnel events a few minutes apart, strictly increasing times. */
function visit(
  person: { user: string; tenant: string; country: string },
  startMs: number,
  anonymous: boolean,
) {
  const session = `s${++seq}`;
  const rows: EventRow[] = [];
  let t = startMs;
  const base = {
    tenant_id: person.tenant,
    user_id: anonymous ? '' : person.user,
    session_id: session,
    country: person.country,
    updates_profile: !anonymous,
  };
  const add = (type: string, path: string, props = '{}') => {
    rows.push(event({ ...base, type, path, props, timestamp: new Date(t).toISOString() }));
    t += 30_000 + Math.floor(rand() * 600_000);
  };
  add('pageview', pick(ENTRY));
  const more = Math.floor(rand() * 4);
  for (let i = 0; i < more; i++) add('pageview', pick(PAGES));
  if (rand() < 0.5) {
    add('pageview', '/pricing');
    if (rand() < 0.6) {
      add('signup', '/pricing', JSON.stringify({ plan: rand() < 0.5 ? 'pro' : 'basic' }));
      if (rand() < 0.5) {
        const plan = rand() < 0.6 ? 'pro' : 'basic';
        add('purchase', '/checkout', JSON.stringify({ plan }));
        add('pageview', `/thanks/${plan}`);
      }
    }
  }
  return rows;
}

const DAY = 86_400_000;
const FIXTURES: EventRow[] = [];
const COUNTRIES = ['DE', 'US', 'FR', 'GB'];
for (let p = 0; p < 40; p++) {
  const person = { user: `u${p}`, tenant: p % 2 === 0 ? 't1' : 't2', country: pick(COUNTRIES) };
  const firstDay = Math.floor(rand() * 28);
  const visits = 1 + Math.floor(rand() * 4);
  for (let v = 0; v < visits; v++) {
    const day = Math.min(29, firstDay + v * Math.floor(1 + rand() * 6));
    const start = Date.UTC(2024, 3, 1) + day * DAY + Math.floor((2 + rand() * 18) * 3_600_000);
    FIXTURES.push(...visit(person, start, p >= 34));
  }
}
// Server-side events without a visit, a bot, last year's April, and another project.
FIXTURES.push(
  event({ tenant_id: 't1', type: 'invoice', user_id: 'u0', timestamp: '2024-04-20T10:00:00.000Z' }),
  event({ tenant_id: 't2', type: 'invoice', user_id: 'u1', timestamp: '2024-04-21T10:00:00.000Z' }),
  event({
    type: 'pageview',
    path: '/',
    session_id: 'bot1',
    is_bot: true,
    timestamp: '2024-04-10T10:00:00.000Z',
  }),
  ...visit({ user: 'old1', tenant: 't1', country: 'DE' }, Date.UTC(2023, 3, 5, 12), false),
  ...visit({ user: 'old2', tenant: 't2', country: 'US' }, Date.UTC(2023, 3, 6, 12), false),
  event({
    project: 'other',
    type: 'pageview',
    path: '/',
    session_id: 'o1',
    timestamp: '2024-04-10T10:00:00.000Z',
  }),
);

const inRange = (r: EventRow, from: number, to: number, tenant?: string) =>
  r.project === 'shop' &&
  !r.is_bot &&
  (tenant === undefined || r.tenant_id === tenant) &&
  Date.parse(r.timestamp) >= from &&
  Date.parse(r.timestamp) < to;

const APRIL = [Date.UTC(2024, 3, 1), Date.UTC(2024, 4, 1)] as const;
const april = (tenant?: string) => FIXTURES.filter((r) => inRange(r, ...APRIL, tenant));
const isGoal = (r: EventRow) =>
  r.type === 'signup' || (r.type === 'pageview' && r.path.startsWith('/thanks'));

function metricsOf(rows: EventRow[], matching = rows) {
  return modelMetrics(rows, matching).get('');
}

before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  await migrate(store);
  await store.insert('events', FIXTURES, 'stats-fixtures');
  // The processor keeps visits beside the events it stores; fixtures written straight to `events` get theirs here.
  await insertVisitsFromEvents(store);
  const config = loadConfig({
    SIGHTLINE_ADMIN_TOKEN: ADMIN,
    SIGHTLINE_JWT_SECRET: SECRET,
    SIGHTLINE_PROJECTS: 'shop,other',
    SIGHTLINE_GOALS: 'shop:event:signup,shop:page:/thanks*',
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

async function get(url: string, token: string | null = ADMIN) {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const json = /json/.test(String(res.headers['content-type'])) ? res.json() : {};
  return { status: res.statusCode, body: json as Record<string, unknown>, raw: res.body };
}

const jwt = (claims: Record<string, unknown>) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
const RANGE = 'from=2024-04-01&to=2024-04-30';

describe('overview', () => {
  it('has every metric, with goal conversions, equal to the reference', async () => {
    const res = await get(`/api/v1/stats/overview?project=shop&${RANGE}`);
    assert.equal(res.status, 200);
    const rows = april();
    const m = metricsOf(rows);
    assert.ok(
      m && m.visits > 40 && m.bounce_rate > 0 && m.bounce_rate < 100,
      'the fixture has bounces and not',
    );
    const converted = new Set(rows.filter(isGoal).map(visitorOf)).size;
    assert.deepEqual(res.body, {
      ...m,
      sessions: m.visits,
      conversions: converted,
      conversion_rate: Math.round((1000 * converted) / m.visitors) / 10,
    });
  });

  it('compares with the previous period and with last year', async () => {
    const res = await get(
      `/api/v1/stats/overview?project=shop&from=2024-04-16&to=2024-04-30&compare=previous_period`,
    );
    assert.equal(res.status, 200);
    const now = metricsOf(FIXTURES.filter((r) => inRange(r, Date.UTC(2024, 3, 16), APRIL[1])));
    const before = metricsOf(FIXTURES.filter((r) => inRange(r, APRIL[0], Date.UTC(2024, 3, 16))));
    assert.ok(now && before);
    const comparison = res.body.comparison as Record<string, Record<string, number | null>>;
    assert.equal(comparison.from, '2024-04-01T00:00:00.000Z');
    assert.equal(comparison.to, '2024-04-16T00:00:00.000Z');
    assert.equal(comparison.results.visitors, before.visitors);
    assert.equal(comparison.results.bounce_rate, before.bounce_rate);
    assert.equal(res.body.visitors, now.visitors);
    assert.equal(
      comparison.change.events,
      Math.round((1000 * (now.events - before.events)) / before.events) / 10,
    );

    const yoy = await get(`/api/v1/stats/overview?project=shop&${RANGE}&compare=year_over_year`);
    const lastYear = metricsOf(
      FIXTURES.filter((r) => inRange(r, Date.UTC(2023, 3, 1), Date.UTC(2023, 4, 1))),
    );
    const c = yoy.body.comparison as Record<string, Record<string, number>>;
    assert.equal(c.from, '2023-04-01T00:00:00.000Z');
    assert.equal(c.results.events, lastYear?.events);
    assert.equal(c.results.visitors, 2);
  });

  it('knows the period shortcuts and refuses bad ones', async () => {
    const now = Date.now();
    await store.insert(
      'events',
      [
        event({
          type: 'pageview',
          path: '/live',
          session_id: 'live1',
          user_id: 'l1',
          timestamp: new Date(now - 60_000).toISOString(),
        }),
        event({
          type: 'pageview',
          path: '/live',
          session_id: 'live2',
          user_id: 'l2',
          timestamp: new Date(now - 20 * 60_000).toISOString(),
        }),
      ],
      'live-rows',
    );
    for (const period of ['today', '7d', '30d', 'month', '12mo']) {
      const res = await get(`/api/v1/stats/overview?project=shop&period=${period}&tz=UTC`);
      assert.equal(res.status, 200, period);
      // UTC midnight may fall between the two rows; either way the newest is in every period ending today.
      assert.ok((res.body.events as number) >= 1, period);
    }
    const twelve = await get('/api/v1/stats/overview?project=shop&period=12mo');
    assert.equal(twelve.body.events, 2, 'the April 2024 fixture is more than 12 months old');
    const bad = await get('/api/v1/stats/overview?project=shop&period=fortnight');
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /period/);
    const mixed = await get(`/api/v1/stats/overview?project=shop&period=7d&${RANGE}`);
    assert.equal(mixed.status, 400);
  });
});

describe('realtime', () => {
  it('counts visitors of the last 5 minutes and events per minute of the last 30', async () => {
    const res = await get('/api/v1/stats/realtime?project=shop');
    assert.equal(res.status, 200);
    assert.equal(res.body.visitors, 1);
    const minutes = res.body.minutes as Array<{ minute: string; events: number }>;
    assert.equal(minutes.length, 30);
    assert.equal(
      minutes.reduce((n, m) => n + m.events, 0),
      2,
    );
    assert.deepEqual(res.body.pages, [{ value: '/live', visitors: 2 }]);
  });
});

describe('timeseries', () => {
  it('gives every metric per day, zero-filled, with a comparison series', async () => {
    const res = await get(
      `/api/v1/stats/timeseries?project=shop&${RANGE}&interval=day&compare=previous_period`,
    );
    assert.equal(res.status, 200);
    const results = res.body.results as Array<Record<string, number | string>>;
    assert.equal(results.length, 30);
    const byDay = modelMetrics(april(), april(), (r) => r.timestamp.slice(0, 10));
    // Whole visits are cut at day edges in a timeseries; the fixture's visits stay within a day.
    for (const point of results) {
      const want = byDay.get(point.date as string);
      if (!want) assert.equal(point.events, 0);
      else
        assert.deepEqual(
          { ...point, date: undefined },
          {
            ...want,
            date: undefined,
            conversions: point.conversions,
            conversion_rate: point.conversion_rate,
          },
        );
    }
    assert.equal((res.body.comparison as unknown[]).length, 30);
  });

  it('answers the listed counts only, conversions only when listed, and names an unknown metric', async () => {
    const path = `/api/v1/stats/timeseries?project=shop&${RANGE}&interval=day`;
    const counts = await get(`${path}&metrics=counts`);
    assert.equal(counts.status, 200);
    const all = counts.body.results as Array<Record<string, number | string>>;
    assert.ok(
      all.some((p) => Number(p.conversions) > 0),
      'the fixture converts',
    );
    const listed = await get(`${path}&metrics=visitors,pageviews`);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      listed.body.results,
      all.map((p) => ({ date: p.date, visitors: p.visitors, pageviews: p.pageviews })),
    );
    const withConversions = await get(`${path}&metrics=visits,conversions`);
    assert.deepEqual(
      withConversions.body.results,
      all.map((p) => ({
        date: p.date,
        visits: p.visits,
        conversions: p.conversions,
        conversion_rate: p.conversion_rate,
      })),
    );
    const bad = await get(`${path}&metrics=visitors,bounces`);
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /not bounces/);
    // Filtered, the counts come from one pass over the events; without visits asked it leaves them out.
    const filtered = `${path}&filters=${encodeURIComponent(JSON.stringify([['is_not', 'page', ['/nowhere']]]))}`;
    const filteredCounts = (await get(`${filtered}&metrics=counts`)).body.results as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(filteredCounts, counts.body.results, 'a filter that keeps everything');
    for (const metric of ['visitors', 'pageviews', 'events', 'visits'])
      assert.deepEqual(
        (await get(`${filtered}&metrics=${metric}`)).body.results,
        all.map((p) => ({ date: p.date, [metric]: p[metric] })),
        metric,
      );
  });
  it('refuses intervals that give too many points', async () => {
    const res = await get(
      '/api/v1/stats/timeseries?project=shop&from=2024-01-01&to=2024-12-31&interval=minute',
    );
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /coarser/);
  });
});

describe('breakdowns', () => {
  it('entry and exit pages describe whole visits', async () => {
    const visits = new Map<string, EventRow[]>();
    for (const r of april())
      if (r.session_id) visits.set(r.session_id, [...(visits.get(r.session_id) ?? []), r]);
    for (const [dimension, pickOne] of [
      ['entry_page', (pv: EventRow[]) => pv[0]],
      ['exit_page', (pv: EventRow[]) => pv[pv.length - 1]],
    ] as const) {
      const want = new Map<string, number>();
      for (const rows of visits.values()) {
        const pv = rows
          .filter((r) => r.type === 'pageview')
          .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
        const page = pickOne(pv).path;
        want.set(page, (want.get(page) ?? 0) + 1);
      }
      const res = await get(`/api/v1/stats/breakdown/${dimension}?project=shop&${RANGE}`);
      assert.equal(res.status, 200);
      const got = new Map(
        (res.body.results as Array<{ value: string; visits: number }>).map((r) => [r.value, r.visits]),
      );
      assert.deepEqual(got, want, dimension);
    }
  });

  it('filters by entry page keep the events of those visits only', async () => {
    const entryPricing = new Set<string>();
    const visits = new Map<string, EventRow[]>();
    for (const r of april())
      if (r.session_id) visits.set(r.session_id, [...(visits.get(r.session_id) ?? []), r]);
    for (const [id, rows] of visits) {
      const first = rows
        .filter((r) => r.type === 'pageview')
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp))[0];
      if (first.path === '/pricing') entryPricing.add(id);
    }
    const res = await get(
      `/api/v1/stats/overview?project=shop&${RANGE}&filters=${q([['is', 'entry_page', ['/pricing']]])}`,
    );
    const matching = april().filter((r) => entryPricing.has(r.session_id));
    assert.equal(res.body.events, matching.length);
    assert.equal(res.body.visits, entryPricing.size);
  });

  it('metrics=counts answers the counting metrics in one pass, equal to the full breakdown', async () => {
    const full = await get(`/api/v1/stats/breakdown/page?project=shop&${RANGE}`);
    const counts = await get(`/api/v1/stats/breakdown/page?project=shop&${RANGE}&metrics=counts`);
    const pick = (rows: unknown) =>
      (rows as Array<Record<string, unknown>>).map(
        ({ value, visitors, visits, pageviews, events, conversions }) => ({
          value,
          visitors,
          visits,
          pageviews,
          events,
          conversions,
        }),
      );
    assert.deepEqual(pick(counts.body.results), pick(full.body.results));
    assert.equal((counts.body.results as Array<Record<string, unknown>>)[0].bounce_rate, undefined);
    assert.equal((await get(`/api/v1/stats/breakdown/page?project=shop&${RANGE}&metrics=some`)).status, 400);
  });

  it('country breakdown carries conversion rates', async () => {
    const res = await get(`/api/v1/stats/breakdown/country?project=shop&${RANGE}`);
    const rows = april();
    for (const r of res.body.results as Array<{ value: string; visitors: number; conversions: number }>) {
      const inCountry = rows.filter((x) => x.country === r.value);
      assert.equal(r.visitors, new Set(inCountry.map(visitorOf)).size, r.value);
      assert.equal(r.conversions, new Set(inCountry.filter(isGoal).map(visitorOf)).size, r.value);
    }
  });

  it('a visit dimension filtered by pages or event types counts the visits holding a matching event', async () => {
    const byVisit = new Map<string, EventRow[]>();
    for (const r of april())
      if (r.session_id) byVisit.set(r.session_id, [...(byVisit.get(r.session_id) ?? []), r]);
    const cases: Array<[unknown[], (r: EventRow) => boolean]> = [
      [[['is', 'page', ['/pricing']]], (r) => r.path === '/pricing'],
      [[['is_not', 'page', ['/']]], (r) => r.path !== '/'],
      // Only purchases are at /checkout (no pageview there): the visit's other events' paths.
      [[['is', 'page', ['/checkout']]], (r) => r.path === '/checkout'],
      [[['contains', 'page', ['blog']]], (r) => r.path.includes('blog')],
      [
        [
          ['matches', 'page', ['^/(pricing|docs)$']],
          ['is_not', 'page', ['/docs']],
        ],
        (r) => r.path === '/pricing',
      ],
      [[['is', 'event', ['signup']]], (r) => r.type === 'signup'],
      // A page and an event type in one event: answered from the events, the same way.
      [
        [
          ['is', 'event', ['signup']],
          ['is', 'page', ['/pricing']],
        ],
        (r) => r.type === 'signup' && r.path === '/pricing',
      ],
    ];
    for (const [filters, matches] of cases) {
      const res = await get(
        `/api/v1/stats/breakdown/country?project=shop&${RANGE}&filters=${encodeURIComponent(JSON.stringify(filters))}`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const want = new Map<string, { visits: number; visitors: Set<string> }>();
      for (const events of byVisit.values()) {
        if (!events.some(matches)) continue;
        const first = events[0];
        const w = want.get(first.country) ?? { visits: 0, visitors: new Set<string>() };
        w.visits += 1;
        w.visitors.add(visitorOf(first));
        want.set(first.country, w);
      }
      const got = (res.body.results as Array<{ value: string; visits: number; visitors: number }>).map(
        (r) => [r.value, r.visits, r.visitors],
      );
      const expected = [...want].map(([country, w]) => [country, w.visits, w.visitors.size]);
      const order = (rows: unknown[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      assert.deepEqual(order(got), order(expected), JSON.stringify(filters));
      assert.ok(expected.length > 0, `the fixture has visits for ${JSON.stringify(filters)}`);
    }
  });

  it('goals list every goal with its visitors, and export CSV', async () => {
    const res = await get(`/api/v1/stats/goals?project=shop&${RANGE}`);
    const rows = april();
    const results = res.body.results as Array<{ goal: string; visitors: number; events: number }>;
    const signup = rows.filter((r) => r.type === 'signup');
    assert.deepEqual(
      results.find((g) => g.goal === 'event:signup'),
      {
        goal: 'event:signup',
        visitors: new Set(signup.map(visitorOf)).size,
        events: signup.length,
        conversion_rate:
          Math.round((1000 * new Set(signup.map(visitorOf)).size) / new Set(rows.map(visitorOf)).size) / 10,
      },
    );
    const thanks = rows.filter((r) => r.type === 'pageview' && r.path.startsWith('/thanks'));
    assert.equal(results.find((g) => g.goal === 'page:/thanks*')?.events, thanks.length);
    const csv = await get(`/api/v1/stats/goals?project=shop&${RANGE}&format=csv`);
    assert.equal(csv.raw.split('\r\n')[0], 'goal,visitors,events,conversion_rate');
    const one = await get(
      `/api/v1/stats/overview?project=shop&${RANGE}&goal=${encodeURIComponent('event:signup')}`,
    );
    assert.equal(one.body.conversions, new Set(signup.map(visitorOf)).size);
    const unknown = await get(`/api/v1/stats/overview?project=shop&${RANGE}&goal=event:nope`);
    assert.equal(unknown.status, 400);
  });
});

/** windowFunnel's meaning, step by step: from each first-step event, the furthest chain within the window. */
function referenceFunnel(
  rows: EventRow[],
  steps: Array<(r: EventRow) => boolean>,
  windowMs: number,
): number[] {
  const byPerson = new Map<string, EventRow[]>();
  for (const r of rows) {
    const key = r.user_id ? `u:${r.user_id}` : visitorOf(r);
    byPerson.set(key, [...(byPerson.get(key) ?? []), r]);
  }
  const reached = steps.map(() => 0);
  for (const events of byPerson.values()) {
    events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    let best = 0;
    events.forEach((start, i) => {
      if (!steps[0](start)) return;
      let level = 1;
      for (const e of events.slice(i + 1)) {
        if (Date.parse(e.timestamp) - Date.parse(start.timestamp) > windowMs) break;
        if (level < steps.length && steps[level](e)) level++;
      }
      best = Math.max(best, level);
    });
    for (let s = 0; s < best; s++) reached[s]++;
  }
  return reached;
}

describe('funnel', () => {
  it('counts people reaching each step in order within the window', async () => {
    const steps = [{ page: '/pricing' }, { event: 'signup' }, { event: 'purchase', props: { plan: 'pro' } }];
    const res = await get(`/api/v1/stats/funnel?project=shop&${RANGE}&window=1h&steps=${q(steps)}`);
    assert.equal(res.status, 200);
    const want = referenceFunnel(
      april(),
      [
        (r) => r.type === 'pageview' && r.path === '/pricing',
        (r) => r.type === 'signup',
        (r) => r.type === 'purchase' && JSON.parse(r.props).plan === 'pro',
      ],
      3_600_000,
    );
    const got = res.body.steps as Array<{ visitors: number; conversion_rate: number; dropoff: number }>;
    assert.deepEqual(
      got.map((s) => s.visitors),
      want,
    );
    assert.ok(want[0] > want[1] && want[1] > want[2] && want[2] > 0, 'the fixture narrows at each step');
    assert.equal(got[2].conversion_rate, Math.round((1000 * want[2]) / want[0]) / 10);
    assert.equal(got[1].dropoff, want[0] - want[1]);
  });

  it('explains malformed steps and windows', async () => {
    const one = await get(`/api/v1/stats/funnel?project=shop&${RANGE}&steps=${q([{ page: '/' }])}`);
    assert.equal(one.status, 400);
    const both = await get(
      `/api/v1/stats/funnel?project=shop&${RANGE}&steps=${q([{ page: '/', event: 'x' }, { event: 'y' }])}`,
    );
    assert.match(JSON.stringify(both.body), /step 1/);
    const window = await get(
      `/api/v1/stats/funnel?project=shop&${RANGE}&window=forever&steps=${q([{ page: '/' }, { event: 'y' }])}`,
    );
    assert.match(JSON.stringify(window.body), /window/);
  });
});

describe('retention', () => {
  it('groups people by first-seen week and counts their returns per week', async () => {
    const res = await get(`/api/v1/stats/retention?project=shop&${RANGE}&unit=week`);
    assert.equal(res.status, 200);
    const monday = (ms: number) => {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    };
    const people = new Map<string, number[]>();
    for (const r of FIXTURES.filter(
      (x) => x.project === 'shop' && !x.is_bot && Date.parse(x.timestamp) < APRIL[1],
    )) {
      const key = r.user_id ? `u:${r.user_id}` : visitorOf(r);
      people.set(key, [...(people.get(key) ?? []), Date.parse(r.timestamp)]);
    }
    const want = new Map<string, Map<number, number>>();
    for (const times of people.values()) {
      const first = Math.min(...times);
      if (first < APRIL[0]) continue;
      const cohort = new Date(monday(first)).toISOString().slice(0, 10);
      const periods = new Set(times.map((t) => Math.round((monday(t) - monday(first)) / (7 * DAY))));
      const row = want.get(cohort) ?? new Map<number, number>();
      for (const p of periods) row.set(p, (row.get(p) ?? 0) + 1);
      want.set(cohort, row);
    }
    const cohorts = res.body.cohorts as Array<{
      cohort: string;
      visitors: number;
      periods: Array<{ period: number; visitors: number }>;
    }>;
    assert.deepEqual(
      cohorts.map((c) => c.cohort),
      [...want.keys()].sort(),
    );
    for (const c of cohorts) {
      const row = want.get(c.cohort)!;
      assert.equal(c.visitors, row.get(0));
      for (const p of c.periods) assert.equal(p.visitors, row.get(p.period) ?? 0, `${c.cohort} +${p.period}`);
    }
    assert.ok(cohorts[0].periods.length >= 4, 'zero-filled up to the end of the range');
    assert.ok(
      cohorts.some((c) => c.periods.some((p) => p.period > 0 && p.visitors > 0)),
      'someone came back',
    );
  });
});

describe('visits, users and events', () => {
  it('lists visits whole, newest first', async () => {
    const res = await get(`/api/v1/stats/sessions?project=shop&${RANGE}&limit=5`);
    const results = res.body.results as Array<Record<string, string | number>>;
    assert.equal(results.length, 5);
    const first = results[0];
    const rows = april().filter((r) => r.session_id === first.session_id);
    assert.equal(first.events, rows.length);
    assert.equal(
      first.entry_page,
      rows.filter((r) => r.type === 'pageview').sort((a, b) => a.timestamp.localeCompare(b.timestamp))[0]
        .path,
    );
    assert.ok(String(results[0].started_at) >= String(results[1].started_at));
  });

  it('lists users with search, shows one with its events, 404s the unknown', async () => {
    const all = await get('/api/v1/stats/users?project=shop&limit=500');
    const identified = new Set(
      FIXTURES.filter((r) => r.project === 'shop' && r.updates_profile && r.user_id).map((r) => r.user_id),
    );
    assert.equal((all.body.results as unknown[]).length, identified.size);
    const found = await get('/api/v1/stats/users?project=shop&search=u1');
    assert.ok((found.body.results as Array<{ user_id: string }>).every((u) => u.user_id.includes('u1')));
    const one = await get('/api/v1/stats/users/u0?project=shop');
    assert.equal(one.status, 200);
    const events = one.body.events as Array<{ type: string }>;
    assert.equal(events.length, FIXTURES.filter((r) => r.project === 'shop' && r.user_id === 'u0').length);
    assert.equal((await get('/api/v1/stats/users/nobody?project=shop')).status, 404);
  });

  it('streams raw events with filters, as JSON and CSV', async () => {
    const res = await get(
      `/api/v1/stats/events?project=shop&${RANGE}&filters=${q([['is', 'event', ['purchase']]])}&limit=500`,
    );
    const results = res.body.results as Array<{ type: string; props: { plan: string } }>;
    assert.equal(results.length, april().filter((r) => r.type === 'purchase').length);
    assert.ok(results.every((e) => e.type === 'purchase' && typeof e.props.plan === 'string'));
    const csv = await get(`/api/v1/stats/events?project=shop&${RANGE}&format=csv&limit=3`);
    assert.equal(csv.raw.trim().split('\r\n').length, 4);
  });
});

describe('scopes: JWT tenants and share links', () => {
  it('a tenant JWT sees its tenant in every endpoint', async () => {
    const token = await jwt({ project_id: 'shop', tenant_id: 't1' });
    const overview = await get(`/api/v1/stats/overview?${RANGE}`, token);
    assert.equal(overview.body.events, april('t1').length);
    const users = await get('/api/v1/stats/users?limit=500', token);
    const t1Users = new Set(
      FIXTURES.filter((r) => r.project === 'shop' && r.tenant_id === 't1' && r.updates_profile).map(
        (r) => r.user_id,
      ),
    );
    assert.deepEqual(
      new Set((users.body.results as Array<{ user_id: string }>).map((u) => u.user_id)),
      t1Users,
    );
    const funnel = await get(
      `/api/v1/stats/funnel?${RANGE}&steps=${q([{ page: '/pricing' }, { event: 'signup' }])}`,
      token,
    );
    assert.equal(funnel.status, 200);
    assert.equal((await get(`/api/v1/stats/overview?project=other&${RANGE}`, token)).status, 403);
  });

  it('share links read aggregates of one project until revoked', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/shares',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { project: 'shop', name: 'public dashboard' },
    });
    assert.equal(created.statusCode, 201);
    const link = created.json() as { id: string; token: string; url: string };
    assert.match(link.token, /^sls_/);
    const viaQuery = await get(`/api/v1/stats/overview?${RANGE}&auth=${link.token}`, null);
    assert.equal(viaQuery.status, 200);
    assert.equal(viaQuery.body.events, april().length);
    const viaHeader = await get(`/api/v1/stats/breakdown/page?${RANGE}`, link.token);
    assert.equal(viaHeader.status, 200);
    assert.equal((await get(`/api/v1/stats/users?${RANGE}`, link.token)).status, 403, 'no individual rows');
    assert.equal((await get(`/api/v1/stats/overview?project=other&${RANGE}`, link.token)).status, 403);
    assert.equal(
      (await get('/api/v1/shares', link.token)).status,
      403,
      'share links cannot manage share links',
    );
    const listed = await get('/api/v1/shares?project=shop');
    assert.deepEqual(
      (listed.body.results as Array<{ id: string; token?: string }>).map((l) => [l.id, l.token]),
      [[link.id, undefined]],
    );
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/shares/${link.id}`,
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(revoked.statusCode, 204);
    assert.equal((await get(`/api/v1/stats/overview?${RANGE}`, link.token)).status, 401);
    assert.deepEqual((await get('/api/v1/shares?project=shop')).body.results, []);
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/shares',
      headers: { authorization: `Bearer ${ADMIN}` },
      payload: { project: 'nope' },
    });
    assert.equal(bad.statusCode, 400);
  });
});
