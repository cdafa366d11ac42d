// Migration 027 on an upgraded store: pages leave the hourly rollups (kept per day), the daily rows stay as they
// were, the page card answers as before, and new events reach both tables through the feed.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { breakdownQuery } from '../../src/query/queries/breakdown.query.ts';
import { NO_FILTER } from '../../src/query/stats-filters.ts';
import type { StatsQuery } from '../../src/query/stats-query.ts';
import { rangeOf } from '../../src/query/time-range.ts';
import { migrate } from '../../src/store/migrate.ts';
import { DAILY_TABLE, ROLLUP_TABLE } from '../../src/store/rollups.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { migrateBefore } from '../support/migrate-to.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('rollup-feed-migration');
after(() => cleanup());

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 9, 1);

/** Pageviews and a signup over two days and a half, visitor `v` on path `/p/(v % 7)`. */
function events(from: number, count: number, tag: string) {
  return Array.from({ length: count }, (_, i) => {
    const timestamp = new Date(T0 + (((from + i) * 61 * 60_000) % (2.5 * DAY))).toISOString();
    return {
      event_id: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
      project: 'm',
      type: i % 10 === 9 ? 'signup' : 'pageview',
      timestamp,
      received_at: timestamp,
      session_id: `${tag}-s${i % 40}`,
      visitor_id: String(1 + (i % 40)),
      path: `/p/${i % 7}`,
    };
  });
}

async function rollupRows(store: Store, table: string) {
  const rows = await store.query<{ dimension: string; n: string; events: string }>(
    `SELECT dimension, count() AS n, sum(events) AS events FROM ${table} WHERE project = 'm'
     GROUP BY dimension ORDER BY dimension`,
  );
  return Object.fromEntries(rows.map((r) => [r.dimension, { rows: Number(r.n), events: Number(r.events) }]));
}

describe('migration 027 (pages rolled up per day only)', () => {
  it('drops the hourly page rows, keeps the daily ones, and the feed fills both tables from then on', async () => {
    const store = openStore({ url: 'chdb', dataDir: dir });
    const q = (range: [number, number]): StatsQuery => ({
      store,
      target: { project: 'm' },
      range: rangeOf(...range),
      tz: 'UTC',
      filter: NO_FILTER,
      timeoutMs: 30_000,
    });
    // A whole day with hours on both sides, and hours within a day.
    const ranges: Array<[number, number]> = [
      [T0 + 5 * 3_600_000, T0 + DAY + 30 * 3_600_000],
      [T0 + DAY + 3 * 3_600_000, T0 + DAY + 9 * 3_600_000],
    ];
    try {
      await migrateBefore(store, 27);
      await store.insert('events', events(0, 300, 'a'), 'before-027');
      const hourlyBefore = await rollupRows(store, ROLLUP_TABLE);
      assert.ok(hourlyBefore.page.rows > 0, 'hourly page rows before the migration');
      const dailyBefore = await rollupRows(store, DAILY_TABLE);
      const cards = [];
      // What the events give (the queries of this version read rollups as migration 027 leaves them).
      for (const range of ranges)
        cards.push(await breakdownQuery({ ...q(range), exact: true }, 'page', 10, 1, true));

      const applied = (await migrate(store)).applied;
      assert.equal(applied[0], '027_rollup_pages_per_day (src/store/rollups.ts)');
      const hourly = await rollupRows(store, ROLLUP_TABLE);
      assert.equal(hourly.page, undefined, 'no page rows per hour');
      assert.deepEqual(hourly[''], hourlyBefore['']);
      assert.deepEqual(hourly.event, hourlyBefore.event);
      assert.deepEqual(await rollupRows(store, DAILY_TABLE), dailyBefore);
      for (const [i, range] of ranges.entries()) {
        assert.ok(cards[i].length > 0);
        assert.deepEqual(await breakdownQuery(q(range), 'page', 10, 1, true), cards[i], `range ${i}`);
        assert.deepEqual(
          await breakdownQuery({ ...q(range), exact: true }, 'page', 10, 1, true),
          cards[i],
          `range ${i} is what the events give`,
        );
      }

      // Inserted after: hourly rows of the totals and event types, daily rows of all, each event once.
      await store.insert('events', events(300, 200, 'b'), 'after-027');
      const after = {
        hourly: await rollupRows(store, ROLLUP_TABLE),
        daily: await rollupRows(store, DAILY_TABLE),
      };
      assert.equal(after.hourly.page, undefined);
      for (const table of ['hourly', 'daily'] as const) assert.equal(after[table][''].events, 500, table);
      assert.equal(after.daily.page.events, 500);
      assert.equal(after.hourly.event.events, 500);
      assert.deepEqual((await migrate(store)).applied, [], 'applied once');
    } finally {
      await store.close();
    }
  });
});
