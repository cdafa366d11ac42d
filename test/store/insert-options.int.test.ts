import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

// A block of two rows with the same key: merged on insert, a ReplacingMergeTree keeps one of them in the new part.
const ROWS = [
  { k: 1, v: 'a' },
  { k: 1, v: 'b' },
];

test('mergeOnInsert: false stores a block as it comes, and the next calls merge again', async () => {
  const { dir, cleanup } = tempDir('insert-options');
  const store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
  try {
    await store.command('CREATE TABLE kv (k UInt32, v String) ENGINE = ReplacingMergeTree ORDER BY k');
    const rowsOf = async (table: string) =>
      Number((await store.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0].n);

    await store.insert('kv', ROWS, 'as-is', { columns: ['k', 'v'], mergeOnInsert: false });
    assert.equal(await rowsOf('kv'), 2, 'the block is stored unmerged');
    await store.insert('kv', ROWS, 'merged-here', { columns: ['k', 'v'] });
    assert.equal(await rowsOf('kv'), 3, 'by default the block is merged first');

    // chDB runs one session: the setting must not stick to the calls after it.
    await store.command('CREATE TABLE kv2 AS kv');
    await store.insert('kv2', ROWS, 'merged', { columns: ['k', 'v'] });
    assert.equal(await rowsOf('kv2'), 1, 'a later insert merges its block');
    await store.command('CREATE TABLE kv3 AS kv');
    await store.command("INSERT INTO kv3 SELECT 1, 'a' UNION ALL SELECT 1, 'b'");
    assert.equal(await rowsOf('kv3'), 1, 'a later statement merges its block');
    await store.insert('kv2', ROWS, 'as-is-again', { mergeOnInsert: false });
    assert.equal(await rowsOf('kv2'), 3, 'object rows too');
  } finally {
    await store.close();
    cleanup();
  }
});
