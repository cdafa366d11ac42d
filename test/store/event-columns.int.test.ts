// The column spec (src/store/event-columns.ts) against what the migrations build: every column, in table order,
// with its type, codec and default; the rows the processor writes; the rollups' dimensions; the visits' columns.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blankRow } from '../../src/process/event-row.ts';
import {
  EVENT_COLUMNS,
  type EventColumn,
  STORED_COLUMNS,
  VISIT_ATTRIBUTE_COLUMNS,
} from '../../src/store/event-columns.ts';
import { migrate } from '../../src/store/migrate.ts';
import { DAILY_TABLE, HOURLY_DIMENSIONS, ROLLUP_COLUMNS, ROLLUP_TABLE } from '../../src/store/rollups.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { VISIT_ATTRIBUTES, VISIT_COLUMNS, VISITS_TABLE } from '../../src/store/visits.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('event-columns');
let store: Store;

interface Described {
  name: string;
  type: string;
  default_type: string;
  default_expression: string;
  codec_expression: string;
}

/** Fixed table names only (no input reaches this text). */
const describeTable = async (table: string) =>
  (await store.query<Described>(`DESCRIBE TABLE ${table}`)).map(
    ({ name, type, default_type, default_expression, codec_expression }) => ({
      name,
      type,
      default_type,
      default_expression,
      codec_expression,
    }),
  );

/** What the spec says `DESCRIBE` prints for a column. */
function expected(name: string, c: EventColumn): Described {
  return {
    name,
    type: c.type,
    default_type: c.materialized !== undefined ? 'MATERIALIZED' : c.default !== undefined ? 'DEFAULT' : '',
    default_expression: c.materialized ?? c.default ?? '',
    codec_expression: c.codec ?? '',
  };
}

/** ClickHouse normalises expressions: compare them without spaces. */
const squeeze = (d: Described): Described => ({
  ...d,
  default_expression: d.default_expression.replaceAll(' ', ''),
});

before(async () => {
  store = openStore({ url: 'chdb', dataDir: `${dir}/store` });
  await migrate(store);
});
after(async () => {
  await store.close();
  cleanup();
});

describe('the events column spec', () => {
  it('is what a freshly migrated store holds: names in order, types, codecs and defaults', async () => {
    const described = await describeTable('events');
    assert.deepEqual(
      described.map((c) => c.name),
      Object.keys(EVENT_COLUMNS),
    );
    for (const [name, c] of Object.entries(EVENT_COLUMNS)) {
      const got = described.find((d) => d.name === name);
      assert.deepEqual(got && squeeze(got), squeeze(expected(name, c)), name);
    }
  });

  it('gives blankRow exactly the stored columns, and such a row is written and read back unchanged', async () => {
    const row = blankRow();
    assert.deepEqual(Object.keys(row), STORED_COLUMNS);
    const written = {
      ...row,
      event_id: '00000000-0000-4000-8000-000000000001',
      project: 'p',
      type: 'pageview',
      timestamp: '2026-11-02 10:00:00.000',
      received_at: '2026-11-02 10:00:01.000',
      path: '/',
    };
    await store.insert('events', [written], 'event-columns-1');
    const [back] = await store.query<Record<string, unknown>>(
      `SELECT ${STORED_COLUMNS.join(', ')} FROM events WHERE project = 'p'`,
    );
    assert.deepEqual(Object.keys(back), STORED_COLUMNS);
    assert.equal(back.props, '{}');
    assert.equal(String(back.visitor_id), '0');
    assert.equal(back.is_bot, false);
  });

  // Reads the rollup rows of the event the test before wrote.
  it('names the dimensions the rollup views of the store roll up, and no others', async () => {
    const dimensions = async (table: string) =>
      (
        await store.query<{ dimension: string }>(
          `SELECT DISTINCT dimension FROM ${table} WHERE project = 'p' ORDER BY dimension`,
        )
      ).map((r) => r.dimension);
    assert.deepEqual(await dimensions(DAILY_TABLE), Object.keys(ROLLUP_COLUMNS).sort());
    assert.deepEqual(await dimensions(ROLLUP_TABLE), [...HOURLY_DIMENSIONS].sort());
  });

  it('is, for visits, what a freshly migrated store holds too', async () => {
    const visits = await describeTable(VISITS_TABLE);
    assert.deepEqual(
      visits.map(squeeze),
      VISIT_COLUMNS.map(([name, c]) => squeeze(expected(name, c))),
    );
  });

  it('marks the columns a visit carries, with the same types in visits', async () => {
    assert.deepEqual([...VISIT_ATTRIBUTE_COLUMNS].sort(), [...VISIT_ATTRIBUTES].sort());
    const visits = await describeTable(VISITS_TABLE);
    for (const name of VISIT_ATTRIBUTE_COLUMNS) {
      const got = visits.find((c) => c.name === name);
      assert.equal(got?.type, EVENT_COLUMNS[name].type, name);
    }
  });
});
