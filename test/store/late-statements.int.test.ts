// The embedded store runs one call at a time. A late statement (made when it runs: a shared pass) lets the plain
// reads waiting behind it go first — they cannot join anything, it can — but only so many times, and never lets a
// read go before a write; on an idle store it lingers a few milliseconds for what may join it. Every call is
// answered, its own answer.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('late-statements');
const store = openStore({ url: 'chdb', dataDir: dir });
after(async () => {
  await store.close();
  cleanup();
});

/** A call that notes when it ran (its statement made, or its answer back), by name. */
function calls() {
  const order: string[] = [];
  const late = (name: string) =>
    store
      .query<{ n: number }>(() => {
        order.push(`${name} made`);
        return { sql: 'SELECT {n:UInt32} AS n', params: { n: name.length } };
      })
      .then((rows) => {
        order.push(name);
        return rows;
      });
  const plain = (name: string) =>
    store.query<{ n: number }>('SELECT {n:UInt32} AS n', { n: name.length }).then((rows) => {
      order.push(name);
      return rows;
    });
  return { order, late, plain };
}

describe('late statements on the embedded store', () => {
  it('let the plain calls waiting behind them go first, each answered its own', async () => {
    const { order, late, plain } = calls();
    const busy = store.query('SELECT sleep(0.2)');
    const answers = await Promise.all([late('pass'), plain('p1'), plain('p22'), busy]);
    assert.deepEqual(order, ['p1', 'p22', 'pass made', 'pass']);
    assert.deepEqual(answers.slice(0, 3), [[{ n: 4 }], [{ n: 2 }], [{ n: 3 }]]);
  });

  it('go in their turn after LATE_PATIENCE plain calls, however many more wait', async () => {
    const { order, late, plain } = calls();
    const busy = store.query('SELECT sleep(0.2)');
    const all = [late('pass'), ...Array.from({ length: 40 }, (_, i) => plain(`p${i}`)), busy];
    await Promise.all(all);
    const at = order.indexOf('pass made');
    assert.equal(at, 32, order.join(' '));
    assert.equal(order.filter((o) => o.startsWith('p') && o !== 'pass' && o !== 'pass made').length, 40);
  });

  it('linger on an idle store, so a call a few milliseconds later joins the wait; late ones keep their order', async () => {
    const { order, late, plain } = calls();
    const first = late('first');
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = late('second');
    const third = plain('third');
    await Promise.all([first, second, third]);
    assert.deepEqual(order, ['third', 'first made', 'first', 'second made', 'second']);
  });

  it('never let a read go before a write waiting ahead of it (a read issued after a write sees it)', async () => {
    const { order, late } = calls();
    await store.command('CREATE TABLE IF NOT EXISTS written (x UInt8) ENGINE = Memory');
    const busy = store.query('SELECT sleep(0.2)');
    const pass = late('pass');
    const write = store
      .insert('written', [{ x: 1 }], 'late-statements-write')
      .then(() => order.push('write'));
    // The insert encodes its rows before it waits for the store: let it reach the queue first.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const read = store.query<{ n: string }>('SELECT count() AS n FROM written').then((rows) => {
      order.push('read');
      return rows;
    });
    const answers = await Promise.all([busy, pass, write, read]);
    assert.deepEqual(order, ['pass made', 'pass', 'write', 'read']);
    assert.deepEqual(answers[3], [{ n: 1 }], 'the read sees the write');
  });
});
