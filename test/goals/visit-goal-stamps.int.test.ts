// The goals each visit reached, stamped on its row (src/query/visit-goal-bits.ts), end to end: the processor stamps
// the rows it writes; rows folded in SQL (here: the seed) are stamped by the api's backfill; a request reads the bits
// only when every row it reads holds the current list's, and the dashboard's answers are the same either way —
// before stamping (the lists), after (the bits), and after a goal is added (the lists until the backfill has stamped
// the rows again, then the bits).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { stampVisitGoals } from '../../src/goals/visit-goal-backfill.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { VisitKeeper } from '../../src/process/visits/visit-keeper.ts';
import { parseGoals } from '../../src/query/goal-spec.ts';
import { visitGoalBits } from '../../src/query/visit-goal-bits.ts';
import type { Store } from '../../src/store/store.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';
import { seedOctober } from '../support/seeded-month.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const GOALS = 'demo:event:signup,demo:page:/pricing*';
// The month's second half: its previous period (the first half, for the comparison) is seeded too, so every
// range a call reads holds visit rows (an empty one reads the bits whatever their stamps: there is nothing to misread).
const RANGE = { period: 'custom', from: '2026-10-17', to: '2026-10-31', tz: 'UTC' };
/** The statements the store ran since the last `take()`. */
let seen: string[] = [];
const take = () => {
  const all = seen;
  seen = [];
  return all;
};

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'demo',
    SIGHTLINE_GOALS: GOALS,
    // ~60 000 events in the range: sampled.
    SIGHTLINE_SAMPLE_ROWS: '20000',
  });
  await seedOctober(server.store);
  const store = server.store as Store;
  const query = store.query.bind(store);
  (store as { query: Store['query'] }).query = (sql, params, options) => {
    if (typeof sql === 'string') seen.push(sql);
    else {
      const late = sql;
      const made: typeof late = () => {
        const m = late();
        seen.push(m.sql);
        return m;
      };
      return query(made, params, options);
    }
    return query(sql, params, options);
  };
});
after(async () => {
  await server?.cleanup();
});

async function api(path: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(
    `${server.url}/api/v1/${path}?${new URLSearchParams({ project: 'demo', ...RANGE, ...params })}`,
    { headers: { authorization: `Bearer ${ADMIN}` } },
  );
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(res.status, 200, JSON.stringify(body));
  return body;
}

/** What the dashboard asks for with goals, at once (as the browser does): with a visit filter too. */
async function page(): Promise<unknown[]> {
  const channel = { filters: JSON.stringify([['is', 'channel', ['organic search']]]) };
  const answers = await Promise.all([
    api('stats/overview', { compare: 'previous_period' }),
    api('stats/timeseries', { metrics: 'counts' }),
    api('stats/breakdowns', {
      dimensions: 'channel,country,device,page,event',
      metrics: 'counts',
      limit: '20',
    }),
    api('stats/goals'),
    api('stats/overview', channel),
    api('stats/goals', channel),
    api('stats/breakdowns', { ...channel, dimensions: 'country,device', metrics: 'counts', limit: '20' }),
  ]);
  for (const a of answers) assert.ok(Number(a.sampled) > 0 && Number(a.sampled) < 1, 'a sampled range');
  return answers;
}

const readsBits = (statements: string[]) => statements.some((s) => s.includes('bitAnd(goal_mask'));
const readsLists = (statements: string[]) =>
  statements.some((s) => s.includes('FROM visits') && s.includes('arrayExists(p -> p LIKE'));

describe('goals stamped on the visit rows', () => {
  let fromLists: unknown[] = [];

  it('reads the goals from the lists while rows lack the current stamp', async () => {
    take();
    fromLists = await page();
    const statements = take();
    assert.ok(readsLists(statements), 'the lists were read');
    assert.ok(!readsBits(statements), 'no bits read');
  });

  it('gives the same answers from the bits once the backfill stamped the rows', async () => {
    const goals = parseGoals(GOALS).get('demo') ?? [];
    assert.equal(
      await stampVisitGoals(server.store, 'demo', goals, true),
      true,
      'the seeded rows were stale',
    );
    const [row] = await server.store.query<{ n: string; stamped: string }>(
      `SELECT count() AS n, countIf(goal_epoch = {epoch:UInt32}) AS stamped FROM visits WHERE project = 'demo'`,
      { epoch: visitGoalBits(goals)?.epoch ?? 0 },
    );
    assert.ok(Number(row.n) > 10_000);
    assert.equal(row.stamped, row.n);
    take();
    const fromBits = await page();
    const statements = take();
    assert.ok(readsBits(statements), 'the bits were read');
    assert.ok(!readsLists(statements), 'no list read for a goal');
    assert.deepEqual(fromBits, fromLists);
    assert.equal(await stampVisitGoals(server.store, 'demo', goals, true), false, 'nothing left to stamp');
  });

  it('stamps the rows the processor writes, as the SQL would', async () => {
    const goals = parseGoals(GOALS).get('demo') ?? [];
    const keeper = new VisitKeeper(server.store, { goalsOf: () => goals });
    const at = (m: number) => new Date(Date.UTC(2026, 10, 5, 10, m)).toISOString();
    const ev = (m: number, fields: Partial<EventRow>): EventRow => ({
      ...blankRow(),
      event_id: randomUUID(),
      project: 'demo',
      type: 'pageview',
      timestamp: at(m),
      received_at: at(m),
      session_id: 'stamp-visit',
      visitor_id: '424242',
      ...fields,
    });
    keeper.add([ev(0, { path: '/home' }), ev(1, { path: '/pricing/team' }), ev(2, { type: 'signup' })]);
    const rows = await keeper.rows();
    const bits = visitGoalBits(goals);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].goal_epoch, bits?.epoch);
    assert.equal(rows[0].goal_mask, '3', 'both goals reached');
    const none = new VisitKeeper(server.store, { goalsOf: () => [] });
    none.add([ev(0, { session_id: 'other', path: '/pricing' })]);
    const [plain] = await none.rows();
    assert.equal(plain.goal_epoch, 0);
    assert.equal(plain.goal_mask, '0');
  });

  it('stamps the rows again when a goal is added, and answers as the lists do', async () => {
    const created = await fetch(`${server.url}/api/v1/goals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'demo', kind: 'page', value: '/docs*' }),
    });
    assert.equal(created.status, 201, await created.text());
    // The api's backfill finds the rows of the old list (it looks every 5 s) and stamps them.
    const fromBits = await eventually(
      async () => {
        take();
        const answers = await page();
        return readsBits(take()) ? answers : undefined;
      },
      60_000,
      'the backfill stamping the rows with the new list',
    );
    const goals = (fromBits[3] as { results: Array<{ goal: string }> }).results.map((g) => g.goal);
    assert.ok(goals.includes('page:/docs*'), goals.join(', '));
    // A few rows without the stamp (as an erasure's rebuilt visits are): the lists again, the same answers.
    await server.store.command(
      "ALTER TABLE visits UPDATE goal_epoch = 0 WHERE project = 'demo' AND sample_key % 97 = 0 SETTINGS mutations_sync = 2",
    );
    take();
    const fromLists = await page();
    const statements = take();
    assert.ok(readsLists(statements) && !readsBits(statements), 'a row without the stamp: the lists');
    assert.deepEqual(fromLists, fromBits);
  });
});
