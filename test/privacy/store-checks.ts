/** What the privacy tests check in a store: traces of a value anywhere, and rollups against the remaining events. */
import assert from 'node:assert/strict';
import {
  DAILY_TABLE,
  dailySelect,
  HOURLY_DIMENSIONS,
  ROLLUP_TABLE,
  rollupSelect,
} from '../../src/store/rollups.ts';
import type { Store } from '../../src/store/store.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

/**
 * A column as searchable text. `toString` of a Map or an Array quotes its strings and escapes `'` and `\\` in them,
 * so an id with a quote would not be found there: their elements are joined unescaped as well.
 */
function asText(column: string, type: string): string {
  const joined = (array: string) => `arrayStringConcat(arrayMap(x -> toString(x), ${array}), '\\n')`;
  if (type.startsWith('Map('))
    return `concat(toString(${column}), ${joined(`mapKeys(${column})`)}, ${joined(`mapValues(${column})`)})`;
  if (type.startsWith('Array(')) return `concat(toString(${column}), ${joined(column)})`;
  return `toString(${column})`;
}

/** Every place a value could hide: each String/Map/JSON/Array(String) column (and aggregate state) of each table. */
export async function traces(store: Store, needle: string): Promise<string[]> {
  const columns = await store.query<{ table: string; name: string; type: string }>(
    `SELECT table, name, type FROM system.columns
     WHERE database = currentDatabase() AND (type LIKE '%String%' OR type LIKE '%JSON%' OR type LIKE 'Map%')
     ORDER BY table, name`,
  );
  assert.ok(columns.length > 50, `only ${columns.length} columns to scan`);
  const found: string[] = [];
  for (const c of columns) {
    const [row] = await store.query<{ n: number | string }>(
      `SELECT count() AS n FROM \`${c.table}\` WHERE position(${asText(`\`${c.name}\``, c.type)}, {needle:String}) > 0`,
      { needle },
    );
    if (Number(row.n) > 0) found.push(`${c.table}.${c.name}`);
  }
  return found;
}

/**
 * A rollup table's rows merged (sums, exact-at-this-size visitor and visit counts), and the same rows rolled up
 * afresh from the events the store holds now: equal when the rollups count exactly the remaining events.
 */
async function rollups(store: Store, project: string, table: typeof ROLLUP_TABLE | typeof DAILY_TABLE) {
  const time = table === ROLLUP_TABLE ? 'hour' : 'day';
  const events = '(SELECT * FROM events WHERE project = {project:String}) AS e';
  const source =
    table === ROLLUP_TABLE
      ? `(${rollupSelect(events, HOURLY_DIMENSIONS)})`
      : `(${dailySelect(`(${rollupSelect(events)})`)})`;
  const merged = (from: string) =>
    store.query<Record<string, unknown>>(
      `SELECT dimension, value, type, tenant_id, toString(${time}) AS t, sum(events) AS events,
              sum(pageviews) AS pageviews, sum(visit_pageviews) AS visit_pageviews,
              uniqCombined64Merge(14)(visitors) AS visitors, uniqCombined64Merge(14)(visits) AS visits
       FROM ${from} WHERE project = {project:String}
       GROUP BY dimension, value, type, tenant_id, t ORDER BY dimension, value, type, tenant_id, t`,
      { project },
    );
  return { stored: await merged(table), fresh: await merged(source) };
}

export async function assertRollupsExact(store: Store, project: string): Promise<void> {
  for (const table of [ROLLUP_TABLE, DAILY_TABLE] as const) {
    const { stored, fresh } = await rollups(store, project, table);
    assert.ok(fresh.length > 5, `${table}: ${fresh.length} rows`);
    assert.deepEqual(stored, fresh, `${table} holds exactly the rollup of the remaining events`);
  }
  await assertVisitsMatchEvents(store, project, 'visits after the erasure');
}
