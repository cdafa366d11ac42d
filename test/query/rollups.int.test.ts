// The hourly rollups (src/store/rollups.ts) against the events they summarise: every rolled-up breakdown and the
// goals answer what the exact scan of the events answers (at this size the sets are exact), with tenants, bots,
// events without a session, goals and paging; the backfill of events stored before the migration; the seed's
// staged rollups and --replace; and proof that the rollups are what answered (an emptied rollup table shows).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import type { ParamProblem } from '../../src/query/errors.ts';
import { goalCondition } from '../../src/query/goals.ts';
import { type BreakdownRow, breakdownQuery } from '../../src/query/queries/breakdown.query.ts';
import { goalsQuery } from '../../src/query/queries/goals.query.ts';
import { overviewQuery } from '../../src/query/queries/overview.query.ts';
import { timeseriesCounts, timeseriesQuery } from '../../src/query/queries/timeseries.query.ts';
import { NO_FILTER, parseFilters } from '../../src/query/stats-filters.ts';
import type { StatsQuery } from '../../src/query/stats-query.ts';
import { rangeOf } from '../../src/query/time-range.ts';
import { seed } from '../../src/seed/seed.ts';
import { migrate } from '../../src/store/migrate.ts';
import { DAILY_TABLE, ROLLUP_COLUMNS, ROLLUP_TABLE } from '../../src/store/rollups.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { migrateBefore } from '../support/migrate-to.ts';
import { prng } from '../support/prng.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('rollups');
let store: Store;

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 2, 2);

const rand = prng(11);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];

function event(project: string, over: Partial<EventRow>): EventRow {
  return { ...blankRow(), event_id: crypto.randomUUID(), project, protocol: 'native', ...over };
}

let visitSeq = 0;

/** Visits spread over 30 hours: sessions, some without one, bots, two tenants, a goal event. */
function traffic(project: string, visits: number): EventRow[] {
  const rows: EventRow[] = [];
  for (let n = 0; n < visits; n++) {
    const v = visitSeq++;
    const start = T0 + Math.floor(rand() * 30 * HOUR);
    const base: Partial<EventRow> = {
      tenant_id: pick(['', 't1', 't2']),
      session_id: rand() < 0.9 ? `${project}-s${v}` : '',
      visitor_id: String(1 + Math.floor(rand() * (visits / 2))),
      user_id: rand() < 0.2 ? `u${Math.floor(rand() * 20)}` : '',
      channel: pick(['Direct', 'Organic Search', 'Referral', '']),
      referrer_source: pick(['', 'Google', 'GitHub']),
      referrer: pick(['', 'https://github.com/x', 'https://www.google.com/']),
      utm_source: pick(['', 'newsletter']),
      utm_medium: pick(['', 'email']),
      utm_campaign: pick(['', 'spring', 'launch']),
      country: pick(['US', 'DE', 'FR', '']),
      region: pick(['', 'BY', 'CA']),
      city: pick(['', 'Berlin', 'Paris']),
      device_type: pick(['desktop', 'mobile', 'tablet']),
      browser: pick(['Chrome', 'Firefox', 'Safari']),
      os: pick(['Windows', 'macOS', 'Android']),
      is_bot: rand() < 0.05,
    };
    const n = 1 + Math.floor(rand() * 5);
    for (let i = 0; i < n; i++) {
      const type = i === n - 1 && rand() < 0.3 ? pick(['signup', 'purchase']) : 'pageview';
      rows.push(
        event(project, {
          ...base,
          type,
          path: `/p/${Math.floor(rand() * rand() * 40)}`,
          timestamp: new Date(start + i * 90_000).toISOString(),
        }),
      );
    }
  }
  return rows;
}

const GOALS = [
  { name: 'Signup', kind: 'event' as const, value: 'signup' },
  { name: 'Purchase', kind: 'event' as const, value: 'purchase' },
];
/** With page goals (a wildcard and an exact path): the KPIs, the chart and the goals list read them rolled up too. */
const WITH_PAGES = [
  ...GOALS,
  { name: 'Product pages', kind: 'page' as const, value: '/p/1*' },
  { name: 'Page 3', kind: 'page' as const, value: '/p/3' },
];

function query(over: Partial<StatsQuery> = {}): StatsQuery {
  return {
    store,
    target: { project: 'shop' },
    range: rangeOf(T0, T0 + 31 * HOUR),
    tz: 'UTC',
    filter: NO_FILTER,
    timeoutMs: 30_000,
    ...over,
  };
}

const both = async (q: StatsQuery, dimension: string, limit: number, page = 1) => ({
  rolled: await breakdownQuery(q, dimension, limit, page, true),
  exact: await breakdownQuery({ ...q, exact: true }, dimension, limit, page, true),
});

before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  // Events stored before the rollups existed: the migration backfills them.
  await migrateBefore(store, 11);
  await store.insert('events', traffic('shop', 200), 'before-rollups');
  await migrate(store);
  await store.insert('events', traffic('shop', 200), 'after-rollups');
  await store.insert('events', traffic('other', 100), 'other-project');
});

after(async () => {
  await store?.close();
  cleanup();
});

describe('hourly rollups', () => {
  it('hold every non-bot event once, backfilled ones included', async () => {
    const [r] = await store.query<{ rolled: string; events: string }>(
      `SELECT (SELECT sum(events) FROM ${ROLLUP_TABLE} WHERE project = 'shop' AND dimension = '') AS rolled,
              (SELECT count() FROM events WHERE project = 'shop' AND NOT is_bot) AS events`,
    );
    assert.ok(Number(r.events) > 500);
    assert.equal(Number(r.rolled), Number(r.events));
  });

  it('answer every rolled-up breakdown as the events do, with and without a tenant', async () => {
    for (const dimension of Object.keys(ROLLUP_COLUMNS).filter((d) => d !== '')) {
      for (const target of [{ project: 'shop' }, { project: 'shop', tenant: 't1' }]) {
        const { rolled, exact } = await both(query({ target }), dimension, 100);
        assert.ok(exact.length > 0, dimension);
        assert.deepEqual(rolled, exact, `${dimension} ${JSON.stringify(target)}`);
      }
    }
  });

  it('keep the top values right when the most events are not the most visitors, page by page', async () => {
    // One visitor each on many pages with many events, so the candidates by events must widen.
    const heavy: EventRow[] = [];
    for (let p = 0; p < 60; p++)
      for (let i = 0; i < 30; i++)
        heavy.push(
          event('shop', {
            session_id: `heavy-${p}`,
            visitor_id: String(900_000 + p),
            type: 'pageview',
            path: `/heavy/${p}`,
            timestamp: new Date(T0 + 5 * HOUR + i * 1000).toISOString(),
          }),
        );
    await store.insert('events', heavy, 'heavy-pages');
    for (const [limit, page] of [
      [3, 1],
      [3, 2],
      [9, 1],
      [10, 7],
    ]) {
      const { rolled, exact } = await both(query(), 'page', limit, page);
      assert.deepEqual(rolled, exact, `limit ${limit} page ${page}`);
    }
    const { rolled } = await both(query(), 'page', 3);
    assert.ok(
      !rolled.some((r: BreakdownRow) => r.value.startsWith('/heavy/')),
      'one-visitor pages do not lead',
    );
  });

  it('count event goals as conversions, in breakdowns and in the goals list', async () => {
    const goal = goalCondition(GOALS);
    for (const dimension of ['page', 'channel', 'event']) {
      const { rolled, exact } = await both(query({ goal }), dimension, 50);
      assert.ok(exact.some((r) => (r.conversions ?? 0) > 0));
      assert.deepEqual(rolled, exact, dimension);
    }
    const rolled = await goalsQuery(query({ goal }), GOALS);
    const exact = await goalsQuery(query({ goal, exact: true }), GOALS);
    assert.ok(exact[0].visitors > 0);
    assert.deepEqual(rolled, exact);
    const withPages = goalCondition(WITH_PAGES);
    const rolledPages = await goalsQuery(query({ goal: withPages }), WITH_PAGES);
    const exactPages = await goalsQuery(query({ goal: withPages, exact: true }), WITH_PAGES);
    assert.ok(
      exactPages.filter((g) => g.goal !== 'Signup' && g.goal !== 'Purchase').every((g) => g.events > 0),
    );
    assert.deepEqual(rolledPages, exactPages, 'page goals from the page rows');
  });

  it('give the overview every number the events give, compared periods and goals included', async () => {
    const goal = goalCondition(GOALS);
    const earlier = rangeOf(T0 - 31 * HOUR, T0);
    const pages = goalCondition(WITH_PAGES);
    for (const q of [
      query(),
      query({ goal }),
      query({ target: { project: 'shop', tenant: 't2' }, goal }),
      query({ goal: pages }),
      query({ target: { project: 'shop', tenant: 't2' }, goal: pages }),
    ]) {
      const rolled = await overviewQuery(q, earlier);
      const exact = await overviewQuery({ ...q, exact: true }, earlier);
      assert.ok(exact.visits > 0 && exact.bounce_rate > 0 && exact.visit_duration > 0);
      assert.deepEqual(rolled, exact, JSON.stringify(q.target));
    }
  });

  it('chart the counting metrics per bucket as the events do, in any time zone, and as the full timeseries does', async () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])
      for (const interval of ['hour', 'day'] as const) {
        const goal = goalCondition(interval === 'hour' ? GOALS : WITH_PAGES);
        const q = query({ tz, goal });
        const rolled = await timeseriesCounts(q, interval);
        const exact = await timeseriesCounts({ ...q, exact: true }, interval);
        assert.ok(exact.some((p) => p.visitors > 0));
        assert.deepEqual(rolled, exact, `${tz} ${interval}`);
        const full = await timeseriesQuery({ ...q, exact: true }, interval);
        assert.deepEqual(
          exact.map(({ date, visitors, visits, pageviews, events, conversions }) => ({
            date,
            visitors,
            visits,
            pageviews,
            events,
            conversions,
          })),
          full.map(({ date, visitors, visits, pageviews, events, conversions }) => ({
            date,
            visitors,
            visits,
            pageviews,
            events,
            conversions,
          })),
          `counts agree with the full series: ${tz} ${interval}`,
        );
      }
  });

  it('chart and count a filter of one page or event type as the events do, from their own rows', async () => {
    const problems: ParamProblem[] = [];
    const filterOf = (dimension: string, values: string[]) =>
      parseFilters(JSON.stringify([['is', dimension, values]]), problems, { target: { project: 'shop' } });
    for (const [dimension, values] of [
      ['page', ['/p/1', '/p/3']],
      ['event', ['signup']],
    ] as const) {
      const filter = filterOf(dimension, [...values]);
      assert.ok(filter.rolledUp, dimension);
      for (const tz of ['UTC', 'Asia/Kolkata'])
        for (const interval of ['hour', 'day'] as const) {
          const q = query({ tz, filter });
          const exact = await timeseriesCounts({ ...q, exact: true }, interval);
          assert.ok(exact.some((p) => p.events > 0));
          assert.deepEqual(await timeseriesCounts(q, interval), exact, `${dimension} ${tz} ${interval}`);
        }
      assert.deepEqual(
        await overviewQuery(query({ filter })),
        await overviewQuery(query({ filter, exact: true })),
        `KPIs by ${dimension}`,
      );
    }
    // Sampled, the KPIs take the matching events' pageviews, events and conversions from the filter's rows: every
    // event, so the exact answer (the visits stay the sample's).
    for (const goals of [GOALS, WITH_PAGES]) {
      const filter = filterOf('page', ['/p/1', '/p/12']);
      const goal = goalCondition(goals);
      const sampled = await overviewQuery(query({ filter, goal, sample: 2 }));
      const exact = await overviewQuery(query({ filter, goal, exact: true }));
      assert.ok(exact.pageviews > 0 && (exact.conversions ?? 0) > 0);
      for (const k of ['pageviews', 'events', 'conversions'] as const)
        assert.equal(sampled[k], exact[k], `${k} with ${goals.length} goals`);
    }
    assert.deepEqual(problems, []);
    // Two filters, or one that is not `is`, are not a rollup's rows.
    assert.equal(filterOf('page', ['/p/1']).rolledUp?.dimension, 'page');
    assert.equal(
      parseFilters(JSON.stringify([['contains', 'page', ['/p/1']]]), problems, { target: undefined })
        .rolledUp,
      undefined,
    );
    assert.equal(
      parseFilters(
        JSON.stringify([
          ['is', 'page', ['/p/1']],
          ['is', 'event', ['signup']],
        ]),
        problems,
        { target: undefined },
      ).rolledUp,
      undefined,
    );
    // A whole UTC day filtered by a page is read from its daily rows: with them set aside, the day counts nothing.
    const day = query({ range: rangeOf(T0, T0 + 24 * HOUR), filter: filterOf('page', ['/p/1']) });
    const counted = await timeseriesCounts(day, 'day');
    assert.ok(counted.some((p) => p.events > 0));
    await store.command(`RENAME TABLE ${DAILY_TABLE} TO daily_aside`);
    await store.command(`CREATE TABLE ${DAILY_TABLE} AS daily_aside`);
    try {
      assert.ok(
        (await timeseriesCounts(day, 'day')).every((p) => p.events === 0),
        'the chart reads the rollups',
      );
      assert.deepEqual(await timeseriesCounts({ ...day, exact: true }, 'day'), counted);
    } finally {
      await store.command(`DROP TABLE ${DAILY_TABLE}`);
      await store.command(`RENAME TABLE daily_aside TO ${DAILY_TABLE}`);
    }
  });

  it('are what answers unfiltered whole hours, and the events answer the rest', async () => {
    const whole = query({ range: rangeOf(T0 + 2 * HOUR, T0 + 20 * HOUR) });
    const partial = query({ range: rangeOf(T0 + 2 * HOUR + 60_000, T0 + 20 * HOUR) });
    const filtered = query({ filter: { sql: ' AND country = {c:String}', params: { c: 'US' } } });
    const pageGoal = query({ goal: goalCondition([{ name: 'p', kind: 'page', value: '/p/1*' }]) });
    const chart = await timeseriesCounts(whole, 'hour');
    const kpis = await overviewQuery(whole);
    const before = {
      whole: await breakdownQuery(whole, 'page', 10, 1, true),
      partial: await breakdownQuery(partial, 'page', 10, 1, true),
      filtered: await breakdownQuery(filtered, 'page', 10, 1, true),
      pageGoal: await breakdownQuery(pageGoal, 'page', 10, 1, true),
    };
    await store.command(`RENAME TABLE ${ROLLUP_TABLE} TO rollups_aside`);
    await store.command(`CREATE TABLE ${ROLLUP_TABLE} AS rollups_aside`);
    try {
      assert.deepEqual(
        await breakdownQuery(whole, 'event', 10, 1, true),
        [],
        'an empty rollup table answers',
      );
      assert.ok(chart.some((p) => p.events > 0));
      assert.ok(kpis.visitors > 0);
      const emptied = await overviewQuery(whole);
      assert.equal(emptied.visitors, 0, 'the KPIs count visitors from the rollups');
      const withPageGoal = { ...whole, goal: goalCondition(WITH_PAGES) };
      assert.equal((await overviewQuery(withPageGoal)).visitors, 0, 'with a page goal as well');
      const goalsList = await goalsQuery(withPageGoal, WITH_PAGES);
      for (const g of goalsList.filter((r) => r.goal === 'Signup' || r.goal === 'Purchase'))
        assert.equal(g.visitors, 0, `the goals list too: ${g.goal}`);
      // Pages are rolled up per day only: those of hours within a day come from the events of those hours.
      assert.ok(goalsList.some((r) => r.goal === 'Product pages' && r.visitors > 0));
      assert.equal(emptied.visits, kpis.visits, 'and visits from the events');
      assert.ok(
        (await timeseriesCounts(whole, 'hour')).every((p) => p.events === 0),
        'the chart reads the rollups',
      );
      assert.deepEqual(await breakdownQuery(partial, 'page', 10, 1, true), before.partial);
      assert.deepEqual(await breakdownQuery(filtered, 'page', 10, 1, true), before.filtered);
      assert.deepEqual(await breakdownQuery(pageGoal, 'page', 10, 1, true), before.pageGoal);
      assert.ok(before.whole.length > 0);
    } finally {
      await store.command(`DROP TABLE ${ROLLUP_TABLE}`);
      await store.command(`RENAME TABLE rollups_aside TO ${ROLLUP_TABLE}`);
    }
  });

  it('keep pages per day: the hours outside whole days are rolled up from their events as the query runs', async () => {
    const [h] = await store.query<{ pages: string; rows: string }>(
      `SELECT countIf(dimension = 'page') AS pages, count() AS rows FROM ${ROLLUP_TABLE} WHERE project = 'shop'`,
    );
    assert.equal(Number(h.pages), 0, 'no page rows per hour');
    assert.ok(Number(h.rows) > 0);
    const withinDay = query({ range: rangeOf(T0 + 2 * HOUR, T0 + 20 * HOUR) });
    const acrossDays = query({ range: rangeOf(T0 - 5 * HOUR, T0 + 27 * HOUR) });
    for (const q of [withinDay, acrossDays]) {
      const { rolled, exact } = await both(q, 'page', 100);
      assert.ok(exact.length > 0);
      assert.deepEqual(rolled, exact);
      const goals = { ...q, goal: goalCondition(WITH_PAGES) };
      assert.deepEqual(
        await goalsQuery(goals, WITH_PAGES),
        await goalsQuery({ ...goals, exact: true }, WITH_PAGES),
      );
    }
    // Which rows answer: with the daily table empty, a whole day has no pages, the hours of a part of one still do.
    await store.command(`RENAME TABLE ${DAILY_TABLE} TO daily_aside`);
    await store.command(`CREATE TABLE ${DAILY_TABLE} AS daily_aside`);
    try {
      const wholeDay = query({ range: rangeOf(T0, T0 + 24 * HOUR) });
      assert.deepEqual(await breakdownQuery(wholeDay, 'page', 10, 1, true), []);
      const { rolled, exact } = await both(withinDay, 'page', 100);
      assert.deepEqual(rolled, exact);
    } finally {
      await store.command(`DROP TABLE ${DAILY_TABLE}`);
      await store.command(`RENAME TABLE daily_aside TO ${DAILY_TABLE}`);
    }
  });

  it('follow the seed, its staged events and --replace', async () => {
    const options = {
      project: 'demo',
      days: 3,
      eventsPerDay: 200,
      seed: 5,
      end: '2026-03-01',
      tz: 'UTC',
      now: Date.parse('2026-03-10T00:00:00Z'),
    };
    const first = await seed(store, options);
    assert.equal(first.direct, true, 'the staged path, past the views');
    const demo = query({
      target: { project: 'demo' },
      range: rangeOf(Date.UTC(2026, 1, 27), Date.UTC(2026, 2, 2)),
    });
    for (const dimension of ['page', 'channel', 'country', 'event']) {
      const { rolled, exact } = await both(demo, dimension, 20);
      assert.ok(exact.length > 0);
      assert.deepEqual(rolled, exact, dimension);
    }
    await seed(store, { ...options, seed: 6, replace: true });
    const { rolled, exact } = await both(demo, 'page', 20);
    assert.deepEqual(rolled, exact, 'after --replace');
  });
});
