// Migration 029 on a store made before it: both rollup tables made again with small granules, their rows the same,
// their views writing them as before; and a run interrupted after it dropped a view (its copy half made) completes.
// Migration 030 the same way: the daily table made again sorted by value before day.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DAILY_TABLE,
  DAILY_VIEW,
  granularityOf,
  ROLLUP_GRANULARITY,
  ROLLUP_GRANULES_MIGRATION,
  ROLLUP_PAGES_FIRST_MIGRATION,
  ROLLUP_TABLE,
  ROLLUP_UNIQ_MERGE,
} from '../../src/store/rollups.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { migrateBefore, migrateThrough } from '../support/migrate-to.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('rollup-granules-migration');
after(() => cleanup());

const T0 = Date.UTC(2026, 9, 1);

/** Pageviews over four days on 30 paths, and a signup every tenth event. */
function events(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const timestamp = new Date(T0 + ((n * 47 * 60_000) % (4 * 86_400_000))).toISOString();
    return {
      event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      project: 'g',
      type: n % 10 === 9 ? 'signup' : 'pageview',
      timestamp,
      received_at: timestamp,
      session_id: `s${n % 90}`,
      visitor_id: String(1 + (n % 90)),
      path: `/p/${n % 30}`,
    };
  });
}

/** Every rollup row of a table, merged, as text: what the migration must keep. */
async function rollupRows(store: Store, table: string, time: string): Promise<string> {
  const rows = await store.query(
    `SELECT dimension, value, type, ${time} AS t, sum(events) AS events, sum(pageviews) AS pageviews,
            ${ROLLUP_UNIQ_MERGE}(visitors) AS visitors, ${ROLLUP_UNIQ_MERGE}(visits) AS visits
     FROM ${table} WHERE project = 'g' GROUP BY dimension, value, type, t ORDER BY dimension, value, type, t`,
  );
  return JSON.stringify(rows);
}

/** Stands for a store of the version before: the table made again as `change` makes its DDL (default granules). */
async function madeBefore(
  store: Store,
  table: string,
  change = (ddl: string) => ddl.replace(/index_granularity = \d+, /, ''),
) {
  const [{ ddl }] = await store.query<{ ddl: string }>(
    `SELECT create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name = {t:String}`,
    { t: table },
  );
  const old = `${table}_before`;
  await store.command(change(ddl.replace(`.${table} `, `.${old} `)));
  await store.command(`INSERT INTO ${old} SELECT * FROM ${table}`);
  await store.command(`EXCHANGE TABLES ${table} AND ${old}`);
  await store.command(`DROP TABLE ${old}`);
}

describe('migration 029 (rollup granules)', () => {
  it('makes both rollup tables again with small granules, rows and views as before, and resumes', async () => {
    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      await migrateBefore(store, 29);
      await store.insert('events', events(0, 3_000), 'before-029');
      for (const table of [ROLLUP_TABLE, DAILY_TABLE]) {
        await madeBefore(store, table);
        assert.equal(await granularityOf(store, table), 8192, `${table} before`);
      }
      const before = {
        hourly: await rollupRows(store, ROLLUP_TABLE, 'hour'),
        daily: await rollupRows(store, DAILY_TABLE, 'day'),
      };

      // A first run stopped after it dropped the daily view, its copy half made.
      await store.command(`DROP VIEW ${DAILY_VIEW}`);
      await store.command(`CREATE TABLE ${DAILY_TABLE}_regranulated AS ${DAILY_TABLE}`);
      await store.command(`INSERT INTO ${DAILY_TABLE}_regranulated SELECT * FROM ${DAILY_TABLE} LIMIT 10`);

      assert.deepEqual((await migrateThrough(store, 29)).applied, [ROLLUP_GRANULES_MIGRATION.name]);
      for (const table of [ROLLUP_TABLE, DAILY_TABLE])
        assert.equal(await granularityOf(store, table), ROLLUP_GRANULARITY, table);
      assert.equal(await rollupRows(store, ROLLUP_TABLE, 'hour'), before.hourly, 'hourly rows kept');
      assert.equal(await rollupRows(store, DAILY_TABLE, 'day'), before.daily, 'daily rows kept');
      const left = await store.query(
        `SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%regranulated%'`,
      );
      assert.deepEqual(left, [], 'no copy left');

      // The views write the new tables: the events inserted after reach both, once.
      await store.insert('events', events(3_000, 1_000), 'after-029');
      for (const [table, time] of [
        [ROLLUP_TABLE, 'hour'],
        [DAILY_TABLE, 'day'],
      ]) {
        const [row] = await store.query<{ n: string }>(
          `SELECT sum(events) AS n FROM ${table} WHERE project = 'g' AND dimension = ''`,
        );
        assert.equal(Number(row.n), 4_000, `${table} (${time})`);
      }
      assert.deepEqual((await migrateThrough(store, 29)).applied, [], 'applied once');
    } finally {
      await store.close();
    }
  });

  it('030: sorts the daily rows by value before day, rows and views as before', async () => {
    const store = openStore({ url: 'chdb', dataDir: `${dir}/s030` });
    try {
      await migrateBefore(store, 30);
      const key = async () =>
        (
          await store.query<{ key: string }>(
            `SELECT sorting_key AS key FROM system.tables WHERE database = currentDatabase() AND name = {t:String}`,
            { t: DAILY_TABLE },
          )
        )[0].key;
      await madeBefore(store, DAILY_TABLE, (ddl) =>
        ddl.replace(/ORDER BY \([^)]*\)/, 'ORDER BY (project, dimension, day, tenant_id, value, type)'),
      );
      assert.equal(await key(), 'project, dimension, day, tenant_id, value, type', 'the order before');
      await store.insert('events', events(0, 3_000), 'before-030');
      const before = await rollupRows(store, DAILY_TABLE, 'day');

      assert.deepEqual((await migrateThrough(store, 30)).applied, [ROLLUP_PAGES_FIRST_MIGRATION.name]);
      assert.equal(await key(), 'project, dimension, value, day, tenant_id, type');
      assert.equal(await rollupRows(store, DAILY_TABLE, 'day'), before, 'daily rows kept');
      await store.insert('events', events(3_000, 1_000), 'after-030');
      const [row] = await store.query<{ n: string }>(
        `SELECT sum(events) AS n FROM ${DAILY_TABLE} WHERE project = 'g' AND dimension = 'page'`,
      );
      assert.equal(Number(row.n), 4_000, 'the view writes the new table');
      assert.deepEqual((await migrateThrough(store, 30)).applied, [], 'applied once');
    } finally {
      await store.close();
    }
  });
});
