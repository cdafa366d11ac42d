// The overview's KPIs and the cards' visit dimensions read in one pass when both wait for the store at once
// (src/query/queries/shared-pass.ts), and the goals list with them under a visit filter (its events with the
// pages card, over the visit rows' page entries); the cards' pages and event
// types and the goals list under a filter on events in one pass over the events: a sampled range of a seeded
// project, unfiltered, filtered by a visit dimension and by a page, with goals; and the KPIs' counts, the chart and the
// goals list of an unfiltered range in one pass over the rollups. Asked together while the store is
// busy, or a few milliseconds apart on an idle one, they are one statement, and each answer equals what it gives
// alone (a statement each); asked for another range, they stay apart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GoalSpec } from '../../src/query/goal-spec.ts';
import { goalCondition, goalPageRowsOf } from '../../src/query/goals.ts';
import { breakdownsQuery } from '../../src/query/queries/breakdowns.query.ts';
import { goalsQuery } from '../../src/query/queries/goals.query.ts';
import { overviewQuery } from '../../src/query/queries/overview.query.ts';
import { timeseriesCounts } from '../../src/query/queries/timeseries.query.ts';
import { parseFilters } from '../../src/query/stats-filters.ts';
import type { StatsQuery } from '../../src/query/stats-query.ts';
import { rangeOf } from '../../src/query/time-range.ts';
import type { LateStatement, QueryParams } from '../../src/store/store.ts';
import { startInProcess } from '../support/in-process-server.ts';
import { seedOctober } from '../support/seeded-month.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
/** The statements run over `visits` since the last `reset`. */
let visitStatements: string[] = [];
/** The passes over the events (their sums of visitors) since the last reset. */
let eventPasses: string[] = [];
/** The statements over the rollups, and every statement, since the last reset. */
let rollupStatements: string[] = [];
let statements: string[] = [];

const DAY = 86_400_000;
const START = Date.parse('2026-10-02T00:00:00Z');
const END = Date.parse('2026-11-01T00:00:00Z');
const DIMENSIONS = ['page', 'channel', 'country', 'device', 'event'];
const GOALS: GoalSpec[] = [
  { name: 'event:signup', kind: 'event', value: 'signup' },
  { name: 'page:/pricing*', kind: 'page', value: '/pricing*' },
];

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'demo' });
  await seedOctober(server.store);
  const store = server.store;
  const query = store.query.bind(store);
  // Every statement over the visit rows, as the store runs it (a late one is made then).
  store.query = (<T>(sql: string | LateStatement, params?: QueryParams, options?: object) => {
    // Passes over the visit rows themselves, not the events' passes that look up the filter's visits.
    const note = (text: string) => {
      const from = /\bFROM (\w+)/.exec(text)?.[1];
      if (from === 'visits') visitStatements.push(text);
      if (from === 'events' && /uniqExact\(/.test(text)) eventPasses.push(text);
      if (from === 'events_daily' || from === 'events_hourly') rollupStatements.push(text);
      statements.push(text);
    };
    if (typeof sql === 'function')
      return query<T>(
        () => {
          const made = sql();
          note(made.sql);
          return made;
        },
        params,
        options,
      );
    note(sql);
    return query<T>(sql, params, options);
  }) as typeof store.query;
});
after(async () => {
  await server?.cleanup();
});

function statsQuery(filters: unknown[] | undefined, startMs = START, endMs = END): StatsQuery {
  const problems: { param: string; message: string }[] = [];
  const target = { project: 'demo' };
  const filter = parseFilters(filters ? JSON.stringify(filters) : undefined, problems, { target });
  assert.deepEqual(problems, []);
  return {
    store: server.store,
    target,
    range: rangeOf(startMs, endMs),
    tz: 'UTC',
    filter,
    goal: goalCondition(GOALS),
    // As a request of the project has them (stats-request.ts): every page goal's rows in a scope of the totals.
    goalPageRows: goalPageRowsOf(GOALS),
    timeoutMs: 30_000,
    // A sample of half the visitors, as a big range reads.
    sample: 2,
  };
}

/** Both asked for while the store runs something else: they wait for it together. */
async function together(overview: StatsQuery, cards: StatsQuery) {
  const busy = server.store.query('SELECT sleep(0.3)');
  const both = Promise.all([overviewQuery(overview), breakdownsQuery(cards, DIMENSIONS, 9)]);
  await busy;
  return both;
}

describe('one pass over the visit rows for the KPIs and the cards', () => {
  for (const [name, filters] of [
    ['unfiltered', undefined],
    ['filtered by a visit dimension', [['is', 'channel', ['organic search']]]],
    ['filtered by a page', [['is', 'page', ['/pricing']]]],
  ] as const) {
    it(`${name}: one statement, each answer as alone`, async () => {
      const q = statsQuery(filters as unknown[] | undefined);
      visitStatements = [];
      const overviewAlone = await overviewQuery(q);
      const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9);
      assert.equal(visitStatements.length, 2, visitStatements.join('\n---\n'));
      assert.ok(!visitStatements.some((s) => /\(\)\)/.test(s)), 'alone: no () set');

      visitStatements = [];
      const [overview, cards] = await together(q, q);
      assert.equal(visitStatements.length, 1, visitStatements.join('\n---\n'));
      assert.match(visitStatements[0], /GROUPING SETS \(.*\(\)\)/s);
      assert.deepEqual(overview, overviewAlone);
      assert.deepEqual(cards, cardsAlone);
      assert.ok(Number(overview.visits) > 0 && Number(overview.conversions) > 0, JSON.stringify(overview));
      assert.ok(cards.channel.length > 0 && cards.country.length > 0);
    });
  }

  it('takes in the goals list, which reads the visit rows under a visit filter', async () => {
    const q = statsQuery([['is', 'channel', ['organic search']]]);
    // The dashboard's cards (no visits): their pages and event types from the visit rows' entries, the goals' events
    // from the page entries too (src/query/queries/visit-lists-breakdown.query.ts).
    const cardsOf = () => breakdownsQuery(q, DIMENSIONS, 9, { visits: false });
    const pageEntries = () => visitStatements.filter((s) => s.includes('arrayConcat(pages, other_paths)'));
    visitStatements = [];
    const overviewAlone = await overviewQuery(q);
    const goalsAlone = await goalsQuery(q, GOALS);
    const cardsAlone = await cardsOf();
    // The KPIs; the goals' visitors and their events; the cards' visit dimensions, and their pages and event types.
    assert.equal(visitStatements.length, 5, visitStatements.join('\n---\n'));
    assert.equal(pageEntries().length, 2);
    visitStatements = [];
    eventPasses = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([overviewQuery(q), goalsQuery(q, GOALS), cardsOf()]);
    await busy;
    const [overview, goals, cards] = await all;
    // One pass over the rows, one over their entries (the pages and event types cards, the goals' events).
    assert.equal(visitStatements.length, 2, visitStatements.join('\n---\n'));
    assert.equal(pageEntries().length, 1);
    assert.match(pageEntries()[0], /GROUPING SETS \(.*\(\)\)/s);
    assert.deepEqual(eventPasses, [], 'no pass over the events');
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(goals, goalsAlone);
    assert.deepEqual(cards, cardsAlone);
    assert.ok(
      goals.every((g) => g.visitors > 0),
      JSON.stringify(goals),
    );
  });

  it('takes in the chart (counts by day), which reads the visit rows under a visit filter', async () => {
    const q = statsQuery([['is', 'channel', ['organic search']]]);
    visitStatements = [];
    const overviewAlone = await overviewQuery(q);
    // The page's chart asks for visitors only: no goal, so no goal parameters among its rows'.
    const chartAlone = await timeseriesCounts({ ...q, goal: undefined }, 'day');
    const goalsAlone = await goalsQuery(q, GOALS);
    const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9);
    // The goals' events from the visit rows' page entries, a statement of their own here (no pages card reads them).
    assert.equal(visitStatements.length, 5, visitStatements.join('\n---\n'));
    assert.equal(chartAlone.length, 30, 'a point a day');
    visitStatements = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([
      overviewQuery(q),
      timeseriesCounts({ ...q, goal: undefined }, 'day'),
      goalsQuery(q, GOALS),
      breakdownsQuery(q, DIMENSIONS, 9),
    ]);
    await busy;
    const [overview, chart, goals, cards] = await all;
    assert.equal(visitStatements.length, 2, visitStatements.join('\n---\n'));
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(chart, chartAlone);
    assert.deepEqual(goals, goalsAlone);
    assert.deepEqual(cards, cardsAlone);
    assert.ok(
      chart.every((p) => Number(p.visits) > 0),
      JSON.stringify(chart.slice(0, 3)),
    );
  });

  it('keeps apart what reads other rows (another range)', async () => {
    const q = statsQuery(undefined);
    const week = statsQuery(undefined, END - 7 * DAY, END);
    const overviewAlone = await overviewQuery(week);
    const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9);
    visitStatements = [];
    const [overview, cards] = await together(week, q);
    assert.equal(visitStatements.length, 2, visitStatements.join('\n---\n'));
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(cards, cardsAlone);
  });

  it('on an idle store, parts asked a few milliseconds apart (as a page’s calls come) still join', async () => {
    const q = statsQuery([['is', 'channel', ['organic search']]]);
    const overviewAlone = await overviewQuery(q);
    const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9);
    visitStatements = [];
    const overview = overviewQuery(q);
    await new Promise((resolve) => setTimeout(resolve, 3));
    const cards = breakdownsQuery(q, DIMENSIONS, 9);
    assert.deepEqual(await overview, overviewAlone);
    assert.deepEqual(await cards, cardsAlone);
    assert.equal(visitStatements.length, 1, visitStatements.join('\n---\n'));
  });
});

describe('one pass over the events for the cards’ pages and event types and the goals list', () => {
  it('under a filter on events: one statement, each answer as alone', async () => {
    // Not `is`: a filter of pages by `is` reads its rollup rows instead (below).
    const q = statsQuery([['contains', 'page', ['/pricing']]]);
    eventPasses = [];
    const goalsAlone = await goalsQuery(q, GOALS);
    const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9);
    assert.equal(eventPasses.length, 2, eventPasses.join('\n---\n'));
    assert.ok(!eventPasses.some((s) => /\(\)\)/.test(s)), 'alone: no () set');

    eventPasses = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const both = Promise.all([goalsQuery(q, GOALS), breakdownsQuery(q, DIMENSIONS, 9)]);
    await busy;
    const [goals, cards] = await both;
    assert.equal(eventPasses.length, 1, eventPasses.join('\n---\n'));
    assert.match(eventPasses[0], /GROUPING SETS \(.*\(\)\)/s);
    assert.deepEqual(goals, goalsAlone);
    assert.deepEqual(cards, cardsAlone);
    // The filter keeps the events on /pricing: the page goal's, not the signups (on /signup).
    assert.ok(
      goals.some((g) => g.visitors > 0),
      JSON.stringify(goals),
    );
    assert.ok(cards.page.length > 0 && cards.event.length > 0, JSON.stringify(cards));
  });
});

describe('one pass over the rollups for the KPIs’ counts, the chart and the goals list', () => {
  // The chart the page asks for: visitors only (no goal, no visits).
  const chartOf = (q: StatsQuery) =>
    timeseriesCounts({ ...q, goal: undefined }, 'day', q.range, { visits: false });

  it('unfiltered: one statement with the cards’ event types, the pages apart, each answer as alone', async () => {
    const q = statsQuery(undefined);
    // As the page asks for the cards: no visits.
    const cardsOf = (q: StatsQuery) => breakdownsQuery(q, DIMENSIONS, 9, { visits: false });
    rollupStatements = [];
    const overviewAlone = await overviewQuery(q);
    const chartAlone = await chartOf(q);
    const goalsAlone = await goalsQuery(q, GOALS);
    const cardsAlone = await cardsOf(q);
    // The scope of the totals (with the page goal's rows); the pages' card reads the page rows apart.
    const totals = () => rollupStatements.filter((s) => s.includes('{goal_pages_page0:String}'));
    assert.equal(totals().length, 4, rollupStatements.join('\n---\n'));

    rollupStatements = [];
    eventPasses = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([overviewQuery(q), chartOf(q), goalsQuery(q, GOALS), cardsOf(q)]);
    await busy;
    const [overview, chart, goals, cards] = await all;
    assert.equal(totals().length, 1, rollupStatements.join('\n---\n'));
    assert.match(totals()[0], /GROUPING SETS \(.*\(\)\)/s);
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(chart, chartAlone);
    assert.deepEqual(goals, goalsAlone);
    assert.deepEqual(cards, cardsAlone);
    // The pages from their rollup rows too: no pass over the events.
    assert.deepEqual(eventPasses, []);
    assert.ok(cards.page.length === 9 && cards.event.length > 0, JSON.stringify(cards));
    // Each goal's visitors are its rows' conversions in the event types' card: signups, and pageviews of /pricing*.
    const byType = new Map(cards.event.map((r) => [r.value, r]));
    const goal = (name: string) => goals.find((g) => g.goal === name)?.visitors;
    assert.equal(byType.get('signup')?.conversions, goal('event:signup'));
    assert.equal(byType.get('pageview')?.conversions, goal('page:/pricing*'));
    assert.equal(byType.get('outbound')?.conversions, 0);
    assert.equal(chart.length, 30, 'a point a day');
    assert.ok(
      chart.every((p) => Number(p.visitors) > 0),
      JSON.stringify(chart.slice(0, 3)),
    );
    assert.ok(
      goals.length === 2 && goals.every((g) => g.visitors > 0 && g.events > 0),
      JSON.stringify(goals),
    );
    assert.ok(Number(overview.visitors) > Math.max(...chart.map((p) => Number(p.visitors))));
  });

  it('a goal chosen (one page goal): the same rows, the KPIs’ conversions that goal’s', async () => {
    const q = statsQuery(undefined);
    const pricing = { ...q, goal: goalCondition([GOALS[1]]) };
    const overviewAlone = await overviewQuery(pricing);
    const chartAlone = await timeseriesCounts(pricing, 'day');
    const goalsAlone = await goalsQuery(q, GOALS);
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([overviewQuery(pricing), timeseriesCounts(pricing, 'day'), goalsQuery(q, GOALS)]);
    await busy;
    const [overview, chart, goals] = await all;
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(chart, chartAlone);
    assert.deepEqual(goals, goalsAlone);
    const byDay = chart.reduce((sum, p) => sum + Number(p.conversions), 0);
    assert.ok(byDay > 0, JSON.stringify(chart.slice(0, 3)));
  });

  it('under a page filter: that page’s rows for the KPIs’ counts and the chart, one statement', async () => {
    const q = statsQuery([['is', 'page', ['/pricing']]]);
    rollupStatements = [];
    const overviewAlone = await overviewQuery(q);
    const chartAlone = await chartOf(q);
    assert.equal(rollupStatements.length, 2, rollupStatements.join('\n---\n'));
    rollupStatements = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([overviewQuery(q), chartOf(q)]);
    await busy;
    const [overview, chart] = await all;
    assert.equal(rollupStatements.length, 1, rollupStatements.join('\n---\n'));
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(chart, chartAlone);
    const pageviews = chart.reduce((sum, p) => sum + Number(p.pageviews), 0);
    assert.ok(
      pageviews > 0 && pageviews === Number(overview.pageviews),
      `${pageviews} ${overview.pageviews}`,
    );
    assert.ok(Number(overview.conversions) > 0, JSON.stringify(overview));
  });

  it('under a page filter: its cards’ pages and event types and the goals list join them, no events read', async () => {
    const q = statsQuery([['is', 'page', ['/pricing', '/docs']]]);
    rollupStatements = [];
    const overviewAlone = await overviewQuery(q);
    const chartAlone = await chartOf(q);
    const cardsAlone = await breakdownsQuery(q, DIMENSIONS, 9, { visits: false });
    const goalsAlone = await goalsQuery(q, GOALS);
    assert.equal(rollupStatements.length, 4, rollupStatements.join('\n---\n'));
    rollupStatements = [];
    eventPasses = [];
    const busy = server.store.query('SELECT sleep(0.3)');
    const all = Promise.all([
      overviewQuery(q),
      chartOf(q),
      breakdownsQuery(q, DIMENSIONS, 9, { visits: false }),
      goalsQuery(q, GOALS),
    ]);
    await busy;
    const [overview, chart, cards, goals] = await all;
    assert.equal(rollupStatements.length, 1, rollupStatements.join('\n---\n'));
    assert.deepEqual(eventPasses, [], 'no pass over the events');
    assert.deepEqual(overview, overviewAlone);
    assert.deepEqual(chart, chartAlone);
    assert.deepEqual(cards, cardsAlone);
    assert.deepEqual(goals, goalsAlone);
    // The filter's two pages, and only they; the types of their events; the page goal reached on /pricing only.
    assert.deepEqual(cards.page.map((r) => r.value).sort(), ['/docs', '/pricing']);
    assert.ok(cards.event.some((r) => r.value === 'pageview'));
    const pricing = goals.find((g) => g.goal === 'page:/pricing*');
    const pricingRow = cards.page.find((r) => r.value === '/pricing');
    assert.ok(
      pricing && pricingRow && pricing.visitors === pricingRow.visitors,
      JSON.stringify({ goals, cards }),
    );
    assert.equal(
      cards.page.reduce((sum, r) => sum + r.events, 0),
      Number(overview.events),
    );
  });

  it('a chart of local days off UTC reads the hourly rows, still not the events', async () => {
    const q = { ...statsQuery(undefined), tz: 'America/New_York' };
    statements = [];
    const chart = await chartOf(q);
    // What the chart read (the server's own background reads of other tables aside).
    const read = statements.filter((s) => /\bevents(_hourly|_daily)?\b/.test(s));
    assert.equal(read.length, 1, read.join('\n---\n'));
    assert.match(read[0], /\bevents_hourly\b/);
    assert.doesNotMatch(read[0], /\bevents_daily\b|FROM events\b/);
    assert.ok(chart.some((p) => Number(p.visitors) > 0));
  });
});
