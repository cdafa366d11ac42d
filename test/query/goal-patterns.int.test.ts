// Page goals match with LIKE: `*` is any run of characters, everything else literal — `%`, `_` and `\` included,
// checked in the engine itself.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { goalCondition, patternToLike } from '../../src/query/goals.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('goal-patterns');
const store = openStore({ url: 'chdb', dataDir: dir });
after(async () => {
  await store.close();
  cleanup();
});

describe('page goal patterns', () => {
  it('turn * into % and keep every other character literal', () => {
    assert.equal(patternToLike('/thanks*'), '/thanks%');
    assert.equal(patternToLike('/a_b/*/100%'), '/a\\_b/%/100\\%');
    assert.equal(patternToLike('C:\\*'), 'C:\\\\%');
  });

  it('match in the engine exactly the paths the pattern names', async () => {
    const cases: Array<[string, string, boolean]> = [
      ['/thanks*', '/thanks', true],
      ['/thanks*', '/thanks/order/1', true],
      ['/thanks*', '/thank', false],
      ['/a_b', '/axb', false],
      ['/a_b', '/a_b', true],
      ['/100%', '/1000', false],
      ['/100%', '/100%', true],
      ['/docs/*/intro', '/docs/v2/intro', true],
      ['/docs/*/intro', '/docs/v2/intro/more', false],
      ['/x\\y', '/x\\y', true],
    ];
    for (const [pattern, path, expected] of cases) {
      const goal = goalCondition([{ name: `page:${pattern}`, kind: 'page', value: pattern }]);
      assert.ok(goal);
      const [row] = await store.query<{ hit: number }>(
        `SELECT toUInt8(${goal.sql}) AS hit FROM (SELECT 'pageview' AS type, {path:String} AS path)`,
        { ...goal.params, path } as Record<string, string>,
      );
      assert.equal(Number(row.hit) === 1, expected, `${pattern} vs ${path}`);
    }
  });
});

describe('event goals with property conditions', () => {
  it('match in the engine only the events whose properties hold every condition', async () => {
    const goal = goalCondition([
      { name: 'signup', kind: 'event', value: 'signup' },
      {
        name: 'pro purchase',
        kind: 'event',
        value: 'purchase',
        conditions: [
          { key: 'plan', op: 'is', value: 'pro' },
          { key: 'coupon', op: 'is_not', value: 'FREE' },
        ],
      },
    ]);
    assert.ok(goal);
    assert.equal(goal.properties, true, 'the rollups cannot answer it');
    assert.deepEqual(goal.events, ['signup', 'purchase']);
    const cases: Array<[string, Record<string, string>, boolean]> = [
      ['signup', {}, true],
      ['purchase', { plan: 'pro' }, true],
      ['purchase', { plan: 'pro', coupon: 'SPRING' }, true],
      ['purchase', { plan: 'pro', coupon: 'FREE' }, false],
      ['purchase', { plan: 'free' }, false],
      ['purchase', {}, false],
      ['refund', { plan: 'pro' }, false],
    ];
    for (const [type, props, expected] of cases) {
      const rows: Array<{ hit: number }> = await store.query<{ hit: number }>(
        `SELECT toUInt8(${goal.sql}) AS hit FROM (SELECT {type:String} AS type, {props:String} AS props)`,
        { ...goal.params, type, props: JSON.stringify(props) } as Record<string, string>,
      );
      assert.equal(Number(rows[0].hit) === 1, expected, `${type} ${JSON.stringify(props)}`);
    }
    const plain = goalCondition([{ name: 'signup', kind: 'event', value: 'signup' }]);
    assert.equal(plain?.properties, false);
  });
});
