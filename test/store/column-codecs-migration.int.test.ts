// Migration 028 on a store made before it: every column of events and visits gets the codec its spec names, the rows
// read back unchanged (before and after their parts are rewritten with the new codecs), and the parts shrink.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { COLUMN_CODECS_MIGRATION } from '../../src/store/column-codecs.ts';
import { EVENT_COLUMNS, type EventColumn } from '../../src/store/event-columns.ts';
import { listMigrations, migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { insertVisitsFromEvents, VISIT_COLUMNS, VISITS_TABLE } from '../../src/store/visits.ts';
import { migrateBefore, migrateThrough } from '../support/migrate-to.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('column-codecs-migration');
after(() => cleanup());

const T0 = Date.UTC(2026, 9, 1);
const CHANNELS = ['direct', 'organic search', 'referral', 'email'];
const COUNTRIES = ['DE', 'FR', 'US', 'BR', 'JP'];

/** Visitor `i % 500` viewing pages over a day, each with its channel, country and a few events of a visit. */
function events(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const timestamp = new Date(T0 + ((i * 7_919) % 86_400_000)).toISOString();
    const visitor = i % 500;
    return {
      event_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      project: 'c',
      type: i % 9 === 8 ? 'signup' : 'pageview',
      timestamp,
      received_at: timestamp,
      session_id: `s${visitor}-${i % 3}`,
      visitor_id: String(1 + visitor),
      path: `/p/${i % 13}`,
      channel: CHANNELS[visitor % CHANNELS.length],
      country: COUNTRIES[visitor % COUNTRIES.length],
      device_type: visitor % 2 ? 'desktop' : 'mobile',
    };
  });
}

const TABLES: ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, EventColumn]>]> = [
  // Not `session_hash`: migration 032 adds it.
  ['events', Object.entries(EVENT_COLUMNS).filter(([name]) => name !== 'session_hash')],
  [VISITS_TABLE, VISIT_COLUMNS],
];

/** The visits columns 028 gave a codec: the labels, the lists, the counts and the sample key. */
const NEW_IN_028 = (name: string, c: EventColumn) =>
  c.codec !== undefined &&
  (/^(LowCardinality|Array)\(/.test(c.type) || ['pageviews', 'events', 'sample_key'].includes(name));

async function codecs(store: Store, table: string): Promise<Record<string, string>> {
  const rows = await store.query<{ name: string; codec_expression: string }>(`DESCRIBE TABLE ${table}`);
  return Object.fromEntries(rows.map((r) => [r.name, r.codec_expression]));
}

/** Every row of both tables, in a fixed order, as text: what must not change. */
async function contents(store: Store): Promise<string> {
  const e = await store.query(`SELECT *, sample_key FROM events ORDER BY event_id`);
  const v = await store.query(`SELECT *, sample_key FROM ${VISITS_TABLE} ORDER BY session_id, version, sign`);
  return JSON.stringify([e, v]);
}

async function bytes(store: Store, table: string): Promise<number> {
  const [row] = await store.query<{ n: string }>(
    `SELECT sum(data_compressed_bytes) AS n FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String}`,
    { t: table },
  );
  return Number(row?.n ?? 0);
}

describe('migration 028 (column codecs)', () => {
  it('gives a store made before it the codecs of the specs, its rows unchanged', async () => {
    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      await migrateBefore(store, 28);
      // Before 028 the dictionary columns, the counts and the sample key had no codec of their own; this version's
      // visits DDL already names them, so take them off to stand for a store of the version before.
      for (const [name, c] of VISIT_COLUMNS)
        if (NEW_IN_028(name, c))
          await store.command(`ALTER TABLE ${VISITS_TABLE} MODIFY COLUMN ${name} REMOVE CODEC`);
      await store.insert('events', events(20_000), 'before-028');
      await insertVisitsFromEvents(store, "project = 'c'");
      for (const table of ['events', VISITS_TABLE]) await store.command(`OPTIMIZE TABLE ${table} FINAL`);
      const before = await contents(store);
      const sizes = { events: await bytes(store, 'events'), visits: await bytes(store, VISITS_TABLE) };
      assert.equal((await codecs(store, 'events')).channel, '', 'no codec on a label before');
      assert.equal((await codecs(store, VISITS_TABLE)).pageviews, '', 'no codec on a count before');

      const applied = await migrateThrough(store, 28);
      assert.deepEqual(applied.applied, [COLUMN_CODECS_MIGRATION.name]);
      for (const [table, columns] of TABLES) {
        const got = await codecs(store, table);
        for (const [name, c] of columns) assert.equal(got[name], c.codec ?? '', `${table}.${name}`);
      }
      assert.equal(await contents(store), before, 'rows unchanged');

      // The parts written from now on, merges included, use the new codecs.
      for (const table of ['events', VISITS_TABLE]) await store.command(`OPTIMIZE TABLE ${table} FINAL`);
      assert.equal(await contents(store), before, 'rows unchanged once rewritten');
      const after = { events: await bytes(store, 'events'), visits: await bytes(store, VISITS_TABLE) };
      assert.ok(after.events < sizes.events, `events ${sizes.events} → ${after.events} bytes`);
      assert.ok(after.visits < sizes.visits, `visits ${sizes.visits} → ${after.visits} bytes`);
      assert.deepEqual(
        (await migrate(store, listMigrations())).applied.includes(COLUMN_CODECS_MIGRATION.name),
        false,
        'applied once',
      );
    } finally {
      await store.close();
    }
  });
});
