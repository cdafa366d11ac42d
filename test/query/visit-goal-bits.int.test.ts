// Visit goal bits (src/query/visit-goal-bits.ts): the processor computes a row's bits in JavaScript, the backfill's
// mutation in SQL, and the queries used to read the same goals from the row's lists with LIKE — all three must agree
// on every path, the characters LIKE treats specially included. Here the JavaScript bits are checked against the
// SQL ones, and both against the lists' condition the queries read (src/query/goals.ts), in the embedded store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GoalSpec } from '../../src/query/goal-spec.ts';
import { goalCondition } from '../../src/query/goals.ts';
import { maskSql, NO_EPOCH, VISIT_GOAL_BITS, visitGoalBits } from '../../src/query/visit-goal-bits.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const goal = (kind: 'event' | 'page', value: string): GoalSpec => ({ name: `${kind}:${value}`, kind, value });

const GOALS: GoalSpec[] = [
  goal('page', '/pricing*'),
  goal('event', 'signup'),
  goal('page', '/a_b'),
  goal('page', '/100%*'),
  goal('page', '*thanks'),
  goal('page', '/x\\y'),
  goal('page', '/exact'),
  goal('event', 'Order Completed'),
  // Not a visit goal: the rows keep no properties.
  {
    name: 'pro signup',
    kind: 'event',
    value: 'signup',
    conditions: [{ key: 'plan', op: 'is', value: 'pro' }],
  },
];

const PATHS = [
  '/pricing',
  '/pricing/pro',
  '/Pricing',
  '/a_b',
  '/axb',
  '/100%/x',
  '/100x',
  '/thanks',
  '/a/thanks',
  '/thanks/no',
  '/x\\y',
  '/xy',
  '/exact',
  '/exact/',
  '/pri\ncing',
  '/pricing\n',
  'line\nthanks',
  '/ünïcode/thanks',
  '',
];
const TYPES = ['pageview', 'signup', 'Order Completed', 'order completed', 'signup2'];

let store: Store;
let cleanup: () => void;
before(() => {
  const dir = tempDir('visit-goal-bits');
  cleanup = dir.cleanup;
  store = openStore({ url: 'chdb', dataDir: dir.dir });
});
after(async () => {
  await store?.close();
  cleanup?.();
});

describe('visit goal bits', () => {
  it('orders the visit goals by their bytes, leaves goals with properties out, and hashes the list', () => {
    const bits = visitGoalBits(GOALS);
    assert.ok(bits);
    assert.equal(bits.keys.length, 8);
    assert.deepEqual(
      [...bits.keys],
      [...bits.keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    );
    assert.equal(bits.bitOf(GOALS[8]), undefined);
    assert.notEqual(bits.epoch, NO_EPOCH);
    // The same goals in another order: the same bits; another list: another epoch.
    assert.equal(visitGoalBits([...GOALS].reverse())?.epoch, bits.epoch);
    assert.notEqual(visitGoalBits(GOALS.slice(1))?.epoch, bits.epoch);
    assert.equal(visitGoalBits([GOALS[8]]), undefined);
    const many = Array.from({ length: 70 }, (_, i) => goal('event', `e${String(i).padStart(2, '0')}`));
    const capped = visitGoalBits(many);
    assert.equal(capped?.keys.length, VISIT_GOAL_BITS);
    assert.equal(capped?.bitOf(many[69]), undefined);
  });

  it('gives the bits the SQL of the backfill gives, and each bit is the lists’ condition the queries read', async () => {
    const bits = visitGoalBits(GOALS);
    assert.ok(bits);
    const mask = maskSql(bits);
    // One visit per path (with every type list), and visits of several paths.
    const visits: Array<{ pages: string[]; types: string[] }> = [];
    for (const p of PATHS) for (const t of TYPES) visits.push({ pages: [p], types: ['pageview', t] });
    visits.push({ pages: ['/home', '/pricing/pro', '/a/thanks'], types: ['pageview', 'signup'] });
    visits.push({ pages: [], types: [] });
    const goalOf = (key: string) => GOALS.find((g) => `${g.kind}:${g.value}` === key) as GoalSpec;
    const conditions = bits.keys.map((key, i) => goalCondition([goalOf(key)], `c${i}`));
    const params: Record<string, string | string[]> = { ...mask.params };
    for (const c of conditions) Object.assign(params, c?.params);
    let reached = 0;
    for (const v of visits) {
      const [row] = await store.query<Record<string, string>>(
        `SELECT toString(${mask.sql}) AS mask, ${conditions.map((c, i) => `${c?.visit} AS b${i}`).join(', ')}
         FROM (SELECT {pages:Array(String)} AS pages, {types:Array(String)} AS event_types)`,
        { ...params, pages: v.pages, types: v.types },
      );
      const js = bits.maskOf(v.pages, v.types);
      assert.equal(row.mask, String(js), `${JSON.stringify(v)}: SQL ${row.mask}, JS ${js}`);
      bits.keys.forEach((key, i) => {
        const bit = ((js >> BigInt(i)) & 1n) === 1n;
        assert.equal(Number(row[`b${i}`]) === 1, bit, `${key} on ${JSON.stringify(v)}`);
      });
      if (js !== 0n) reached++;
    }
    assert.ok(
      reached > 20 && reached < visits.length,
      `visits reaching a goal: ${reached} of ${visits.length}`,
    );
  });

  it('reads a goal from the bits when asked to, and from the lists otherwise', () => {
    const bits = visitGoalBits(GOALS);
    assert.ok(bits);
    const byBits = goalCondition([GOALS[0], GOALS[1]], 'goal', bits);
    assert.match(byBits?.visit ?? '', /bitAnd\(goal_mask, \{goal_mask:UInt64\}\)/);
    assert.equal(byBits?.params.goal_epoch, String(bits.epoch));
    const b0 = bits.bitOf(GOALS[0]) as number;
    const b1 = bits.bitOf(GOALS[1]) as number;
    assert.equal(BigInt(byBits?.params.goal_mask as string), (1n << BigInt(b0)) | (1n << BigInt(b1)));
    // A goal with property conditions has no bit: the visit rows cannot answer it either way.
    assert.equal(goalCondition([GOALS[8]], 'goal', bits)?.visit, undefined);
    assert.match(goalCondition([GOALS[0]], 'goal')?.visit ?? '', /arrayExists/);
  });
});
