// A re-delivered group drops exactly what its first attempt dropped (the decision recorded in `batch_drops`),
// not what a second lookup would find now that the first attempt's own events may be stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dropClientRetries } from '../../src/process/client-retries.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('batch-drops');
let store: Store;
before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  await migrate(store);
});
after(async () => {
  await store.close();
  cleanup();
});

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
function event(n: number, protocol = 'segment'): EventRow {
  return { ...blankRow(), project: 'shop', event_id: id(n), protocol, timestamp: '2026-12-01 10:00:00.000' };
}
const ids = (rows: readonly EventRow[]) => rows.map((r) => r.event_id);

describe('client retries under re-delivery', () => {
  it('records the first decision and replays it, whatever the store holds by then', async () => {
    await store.insert('events', [event(1)], 'test:stored-before');
    // 1 is stored already, 3 repeats within the group, 4 is native (never checked on the WAL).
    const group = [event(1), event(2), event(3), event(3), event(4, 'native')];
    const context = { token: 'events-0-10-14#0', redelivery: false, everyProtocol: false };
    const first = await dropClientRetries(store, group, context);
    assert.deepEqual(ids(first.kept), [id(2), id(3), id(4)]);
    assert.equal(first.dropped, 2);

    // The first attempt's insert reached `events` (and maybe not every view) before a crash.
    await store.insert('events', first.kept, 'events:events-0-10-14#0.0');
    const again = await dropClientRetries(store, group, { ...context, redelivery: true });
    assert.deepEqual(ids(again.kept), ids(first.kept), 'the same block as the first attempt');

    // Without the record a second lookup would have dropped the group's own events: that is what is avoided.
    const fresh = await dropClientRetries(store, group, {
      ...context,
      token: 'events-0-10-14#1',
      redelivery: true,
    });
    assert.deepEqual(ids(fresh.kept), [id(4)]);
  });

  it('keeps no decision for a group without candidates, and checks every id where the log may duplicate', async () => {
    const before = await store.query<{ c: string }>('SELECT count() AS c FROM batch_drops');
    const natives = [event(20, 'native'), event(21, 'native')];
    const plain = await dropClientRetries(store, natives, {
      token: 'x#0',
      redelivery: false,
      everyProtocol: false,
    });
    assert.equal(plain.dropped, 0);
    const after = await store.query<{ c: string }>('SELECT count() AS c FROM batch_drops');
    assert.equal(after[0].c, before[0].c);

    await store.insert('events', [natives[0]], 'test:kafka-copy');
    const kafka = await dropClientRetries(store, natives, {
      token: 'y#0',
      redelivery: false,
      everyProtocol: true,
    });
    assert.deepEqual(ids(kafka.kept), [id(21)]);
  });
});
