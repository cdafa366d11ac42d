// Inserts with column types go to the embedded store as RowBinary through a file of their own: the rows stored are
// those the JSON path stores, the dedup token still holds, settings do not stick, and no file outlives its insert.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { INSERT_SPOOL, openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['k', 'UInt32'],
  ['label', 'LowCardinality(String)'],
  ['text', 'String'],
  ['sign', 'Int8'],
  ['small', 'UInt8'],
  ['mid', 'UInt16'],
  ['big', 'UInt64'],
  ['flag', 'Bool'],
  ['at', "DateTime64(3, 'UTC')"],
  ['labels', 'Array(LowCardinality(String))'],
  ['counts', 'Array(UInt32)'],
];
const names = COLUMNS.map(([n]) => n);
const types = COLUMNS.map(([, t]) => t);
const DDL = (table: string) =>
  `CREATE TABLE ${table} (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')}) ENGINE = MergeTree ORDER BY k
   SETTINGS non_replicated_deduplication_window = 100`;

const TEXTS = ['', '/', 'Zürich', '東京', '🚀 launch', 'tab\there "q" \\ \n', '\u0000nul', 'x'.repeat(300)];
const rows = Array.from({ length: 1_500 }, (_, k) => ({
  k,
  label: ['app', 'shop', ''][k % 3],
  text: TEXTS[k % TEXTS.length].repeat(1 + (k % 3)),
  sign: k % 2 ? 1 : -1,
  small: k % 256,
  mid: (k * 97) % 65_536,
  big: ['0', '18446744073709551615', String(BigInt(k) * 12_345_678_901_234n), String(k)][k % 4],
  flag: k % 5 === 0,
  at: new Date(Date.UTC(2026, 10, 24) + k * 1_234_567).toISOString(),
  labels: TEXTS.slice(0, k % 4),
  counts: Array.from({ length: k % 5 }, (_, i) => i * k),
}));

test('RowBinary inserts store what JSON inserts store, once per token, leaving no file behind', async () => {
  const { dir, cleanup } = tempDir('row-binary');
  const dataDir = path.join(dir, 'data');
  const store = openStore({ url: 'chdb', dataDir });
  const spool = path.join(dataDir, INSERT_SPOOL);
  const read = (table: string) =>
    store
      .query<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY k, sign`)
      .then((r) => JSON.stringify(r));
  try {
    await store.command(DDL('by_json'));
    await store.command(DDL('by_binary'));
    await store.insert('by_json', rows, 'json', { columns: names });
    await store.insert('by_binary', rows, 'binary', { columns: names, types });
    assert.equal(await read('by_binary'), await read('by_json'), 'the same rows, value for value');
    assert.equal((await read('by_binary')).length > 100_000, true);

    // The token holds through the file (a re-delivered batch), in the second session too.
    await store.insert('by_binary', rows, 'binary', { columns: names, types });
    await store.insert('by_binary', rows.slice(0, 10), 'binary', { columns: names, types, alongside: true });
    const [{ n }] = await store.query<{ n: string }>('SELECT count() AS n FROM by_binary');
    assert.equal(Number(n), rows.length, 'a repeated token stores nothing');
    await store.insert('by_binary', rows.slice(0, 10), 'beside', { columns: names, types, alongside: true });
    // The token was the statement's own: a plain insert after it is not taken for a repeat.
    await store.insert('by_binary', rows.slice(0, 1), 'main', { columns: names, types });
    await store.command('INSERT INTO by_binary (k) VALUES (100000)');
    const [{ m }] = await store.query<{ m: string }>('SELECT count() AS m FROM by_binary');
    assert.equal(Number(m), rows.length + 10 + 1 + 1);
    assert.deepEqual(fs.readdirSync(spool), [], 'each insert removed its file');

    // A value the type cannot take fails the insert before the store is asked; a refusal by the engine after.
    // Refused as bad rows (split and quarantined by the processor), never taken for the store being away (retried
    // whole, forever: one bad row would stall processing).
    await assert.rejects(
      store.insert('by_binary', [{ ...rows[0], at: 'not a time' }], 'bad-time', { columns: names, types }),
      (err: Error & { code?: string }) => err.code === 'STORE_ERR_REJECTED' && /not a time/.test(err.message),
    );
    await assert.rejects(
      store.insert('by_binary', [{ ...rows[0], big: '-1' }], 'bad-number', { columns: names, types }),
      (err: Error & { code?: string }) => err.code === 'STORE_ERR_REJECTED',
    );
    await assert.rejects(store.insert('missing', rows, 'no-table', { columns: names, types }));
    await assert.rejects(
      store.insert('by_binary', rows, 'hostile', { columns: ['k, text) SELECT 1 --'], types: ['UInt32'] }),
      /not a column name/,
    );
    assert.deepEqual(fs.readdirSync(spool), [], 'a failed insert removed its file too');
    // The spool removed while the store runs is made again by the next insert.
    fs.rmSync(spool, { recursive: true });
    await store.insert('by_binary', rows.slice(0, 1), 'after-tidy-up', { columns: names, types });
    assert.deepEqual(fs.readdirSync(spool), []);
    const [{ c }] = await store.query<{ c: string }>('SELECT count() AS c FROM by_binary');
    assert.equal(Number(c), rows.length + 13, 'nothing of the failed inserts stored');
  } finally {
    await store.close();
    cleanup();
  }
});

test('a file a killed process left in the spool is removed at the next start, a fresh one is left alone', async () => {
  const { dir, cleanup } = tempDir('row-binary-spool');
  const dataDir = path.join(dir, 'data');
  const spool = path.join(dataDir, INSERT_SPOOL);
  fs.mkdirSync(spool, { recursive: true });
  fs.writeFileSync(path.join(spool, 'old.rowbinary'), 'x');
  const hoursAgo = new Date(Date.now() - 2 * 3_600_000);
  fs.utimesSync(path.join(spool, 'old.rowbinary'), hoursAgo, hoursAgo);
  fs.writeFileSync(path.join(spool, 'fresh.rowbinary'), 'x');
  const store = openStore({ url: 'chdb', dataDir });
  try {
    assert.deepEqual(fs.readdirSync(spool), ['fresh.rowbinary']);
    assert.equal(fs.statSync(spool).mode & 0o077, 0, 'the spool is private');
  } finally {
    await store.close();
    cleanup();
  }
});
