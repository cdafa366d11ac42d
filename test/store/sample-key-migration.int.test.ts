// Migration 015 re-orders `events` with a sample key: every row survives, the views over events keep working,
// and a run interrupted at any point finishes on the next start.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { listMigrations, migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('sample-key');
after(cleanup);

// Up to 015 itself: later migrations are not this test's business.
const all = listMigrations().filter((m) => m.version <= 15);
const before = all.filter((m) => m.version < 15);

function event(n: number): EventRow {
  return {
    ...blankRow(),
    event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    project: 'p',
    type: n % 3 === 0 ? 'signup' : 'pageview',
    timestamp: `2026-11-${String(1 + (n % 28)).padStart(2, '0')} 10:00:00.000`,
    received_at: '2026-11-30 10:00:00.000',
    session_id: `s${n % 50}`,
    visitor_id: String(1 + (n % 40)),
    user_id: n % 5 === 0 ? `u${n % 7}` : '',
    updates_profile: n % 5 === 0,
    path: `/p/${n % 9}`,
    country: ['DE', 'US', 'FR'][n % 3],
  };
}

async function fingerprint(store: Store) {
  const [row] = await store.query<Record<string, string>>(
    `SELECT (SELECT count() FROM events) AS events,
            (SELECT groupBitXor(cityHash64(*)) FROM events) AS rows_hash,
            (SELECT sum(events) FROM user_profiles) AS profiles,
            (SELECT sum(events) FROM events_hourly WHERE dimension = '') AS hourly,
            (SELECT sum(events) FROM events_daily WHERE dimension = '') AS daily`,
  );
  return row;
}

const sampling = async (store: Store) =>
  (
    await store.query<{ key: string }>(
      "SELECT sampling_key AS key FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
    )
  )[0]?.key;

describe('migration 015: events with a sample key', () => {
  it('copies every row, keeps the views fed, and samples whole visitors', async () => {
    const store = openStore({ url: 'chdb', dataDir: `${dir}/a` });
    try {
      await migrate(store, before);
      await store.insert(
        'events',
        Array.from({ length: 600 }, (_, i) => event(i)),
        'test:first',
      );
      const was = await fingerprint(store);
      assert.equal(await sampling(store), '');

      const result = await migrate(store, all);
      assert.deepEqual(result.applied, ['015_events_sample_key (src/store/events-sample-key.ts)']);
      assert.equal(await sampling(store), 'sample_key');
      assert.deepEqual(await fingerprint(store), was, 'the same rows and views after the copy');

      // New inserts reach every view through the new table.
      await store.insert(
        'events',
        Array.from({ length: 60 }, (_, i) => event(1000 + i)),
        'test:second',
      );
      const now = await fingerprint(store);
      assert.equal(Number(now.events), 660);
      for (const view of ['hourly', 'daily'] as const) assert.equal(Number(now[view]), 660, view);
      assert.equal(Number(now.profiles), Number(was.profiles) + 12);

      // A sample holds whole visitors: each sampled visitor with all of its events.
      const [s] = await store.query<{ sampled: string; whole: string }>(
        `SELECT count() AS sampled,
                (SELECT count() FROM events WHERE visitor_id IN (SELECT visitor_id FROM events SAMPLE 1/2)) AS whole
         FROM events SAMPLE 1/2`,
      );
      assert.equal(s.sampled, s.whole);
      assert.ok(Number(s.sampled) > 0 && Number(s.sampled) < 660, `about half sampled: ${s.sampled}`);
      assert.deepEqual((await migrate(store, all)).applied, [], 'applied once');
    } finally {
      await store.close();
    }
  });

  it('finishes a run interrupted before or after the swap', async () => {
    const store = openStore({ url: 'chdb', dataDir: `${dir}/b` });
    try {
      await migrate(store, before);
      await store.insert(
        'events',
        Array.from({ length: 300 }, (_, i) => event(i)),
        'test:first',
      );
      const was = await fingerprint(store);

      // Killed while copying: a half-built copy is left behind.
      await store.command('CREATE TABLE events_resorted AS events');
      await store.command('INSERT INTO events_resorted SELECT * FROM events LIMIT 10');
      await migrate(store, all);
      assert.deepEqual(await fingerprint(store), was);

      // Killed after the swap, before the views were back: the migration is not recorded, the views are gone.
      await store.command(
        'ALTER TABLE sightline_migrations DELETE WHERE version = 15 SETTINGS mutations_sync = 1',
      );
      for (const view of ['user_profiles_mv', 'events_hourly_mv']) await store.command(`DROP VIEW ${view}`);
      await store.command('CREATE TABLE events_before_sample_key AS events');
      assert.deepEqual((await migrate(store, all)).applied, [
        '015_events_sample_key (src/store/events-sample-key.ts)',
      ]);
      const tables = await store.query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'events%' ORDER BY name",
      );
      assert.deepEqual(
        tables.map((t) => t.name),
        ['events', 'events_daily', 'events_daily_mv', 'events_hourly', 'events_hourly_mv'],
      );
      await store.insert('events', [event(5000)], 'test:after');
      const now = await fingerprint(store);
      assert.equal(Number(now.events), 301);
      assert.equal(Number(now.profiles) > 0, true);
      assert.equal(Number(now.hourly), 301);
    } finally {
      await store.close();
    }
  });
});
