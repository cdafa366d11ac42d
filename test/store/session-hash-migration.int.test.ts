// Migration 032 on a store made before it: every event stored before gets `session_hash` (src/store/event-columns.ts) —
// read back right before and after the engine rewrites the column — events stored after it get theirs on insert,
// and `SELECT *` (exports, the processor's reads) does not show it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { migrateBefore, migrateThrough } from '../support/migrate-to.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('session-hash-migration');
after(() => cleanup());

const T0 = Date.UTC(2026, 9, 1);

function events(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const timestamp = new Date(T0 + n * 60_000).toISOString();
    return {
      event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      project: 'h',
      type: 'pageview',
      timestamp,
      received_at: timestamp,
      // Every fifth without a visit (a server-side event): its hash is that of the empty id.
      session_id: n % 5 === 4 ? '' : `visit-${n % 37}`,
      visitor_id: String(1 + (n % 37)),
      path: '/',
    };
  });
}

describe('migration 032: the events’ session hash', () => {
  it('hashes the events stored before it and those after, and stays out of SELECT *', async () => {
    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      await migrateBefore(store, 32);
      await store.insert('events', events(0, 500), 'before-032');
      const applied = await migrateThrough(store, 32);
      assert.deepEqual(applied.applied, ['032_session_hash (src/store/events-session-hash.ts)']);
      await store.insert('events', events(500, 500), 'after-032');
      const wrong = `SELECT count() AS n, countIf(session_hash != xxHash32(session_id)) AS wrong,
                            uniqExact(session_hash) AS hashes FROM events`;
      const check = async (when: string) => {
        const [row] = await store.query<{ n: string; wrong: string; hashes: string }>(wrong);
        assert.equal(Number(row.n), 1000, when);
        assert.equal(Number(row.wrong), 0, when);
        // 37 visits and the empty id.
        assert.equal(Number(row.hashes), 38, when);
      };
      await check('computed on read');
      // The engine rewrites the column of the parts stored before in the background: then it is read from disk.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const [m] = await store.query<{ todo: string }>(
          `SELECT count() AS todo FROM system.mutations
           WHERE database = currentDatabase() AND table = 'events' AND NOT is_done`,
        );
        if (Number(m.todo) === 0) break;
        assert.ok(Date.now() < deadline, 'the column is materialized within a minute');
        await new Promise((r) => setTimeout(r, 100));
      }
      // Every part holds the column now (the parts stored before it did not).
      const [parts] = await store.query<{ all: string; holding: string }>(
        `SELECT (SELECT count() FROM system.parts
                 WHERE database = currentDatabase() AND table = 'events' AND active) AS all,
                (SELECT count() FROM system.parts_columns
                 WHERE database = currentDatabase() AND table = 'events' AND active AND column = {name:String}) AS holding`,
        { name: 'session_hash' },
      );
      assert.ok(Number(parts.all) > 0);
      assert.equal(Number(parts.holding), Number(parts.all));
      await check('stored');
      const [row] = await store.query<Record<string, unknown>>('SELECT * FROM events LIMIT 1');
      assert.ok(!('session_hash' in row), Object.keys(row).join(', '));
    } finally {
      await store.close();
    }
  });
});
