// The engine's side of the SQL guard, on the embedded store: what `readonly = 1` (store.ts's read-only calls) stops
// and what it does not (so sql-guard.ts must), that the guard's lists cover every table function the engine knows,
// and that a read-only call leaves the store writable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkRead, SqlRefused } from '../../src/store/sql-guard.ts';
import {
  HOST_FUNCTIONS,
  OUTSIDE_FUNCTIONS,
  SAFE_TABLE_FUNCTIONS,
  SECRET_TABLES,
} from '../../src/store/sql-guard-names.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

let store: Store;
let dir: string;
let cleanup: () => void;

before(async () => {
  ({ dir, cleanup } = tempDir('sqlguard'));
  store = openStore({ url: 'chdb', dataDir: dir });
  await store.command('CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a');
  await store.command('INSERT INTO t VALUES (1)');
});
after(async () => {
  await store?.close();
  cleanup?.();
});

const readonly = { readonly: true };
const text = async (sql: string) =>
  (await store.exec(`${sql} FORMAT TSV`, {}, {}, undefined, readonly)).toString();

describe('readonly = 1 in a session of its own', () => {
  it('is on for a read-only call and off again for the next ordinary one', async () => {
    assert.equal(await text("SELECT getSetting('readonly')"), '1\n');
    const [row] = await store.query<{ r: number }>("SELECT getSetting('readonly') AS r");
    assert.equal(Number(row.r), 0);
    await store.command('INSERT INTO t VALUES (2)');
    const [count] = await store.query<{ n: number }>('SELECT count() AS n FROM t', {}, readonly);
    assert.equal(Number(count.n), 2);
  });

  it('the engine refuses writes, DDL, SYSTEM, file()/url() tables and top-level settings changes', async () => {
    for (const sql of [
      'INSERT INTO t VALUES (3)',
      'CREATE TABLE u (a UInt8) ENGINE = Memory',
      'DROP TABLE t',
      'SYSTEM DROP DNS CACHE',
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      'SELECT 1 SETTINGS readonly = 0',
      'SELECT 1 SETTINGS max_threads = 3',
      'SET readonly = 0',
    ])
      await assert.rejects(store.exec(sql, {}, {}, undefined, readonly), /readonly mode/i, sql);
    const [count] = await store.query<{ n: number }>('SELECT count() AS n FROM t');
    assert.equal(Number(count.n), 2);
  });

  it('the engine does NOT stop a subquery lifting readonly, file(path), INTO OUTFILE or KILL: the guard must', async () => {
    // Each of these runs under readonly = 1 in chDB 26.7; checkRead refuses all of them.
    const out = path.join(dir, 'outfile.txt');
    const holes = [
      "SELECT * FROM (SELECT getSetting('readonly') SETTINGS readonly = 0)",
      "SELECT substring(file('/etc/hostname'), 1, 0)",
      `SELECT 1 INTO OUTFILE '${out}'`,
    ];
    assert.equal(await text(holes[0]), '0\n', 'a subquery lifts readonly');
    assert.equal(await text(holes[1]), '\n', 'file(path) reads the host under readonly');
    await store.exec(holes[2], {}, {}, undefined, readonly);
    assert.ok(fs.existsSync(out), 'INTO OUTFILE writes under readonly');
    for (const sql of [...holes, 'KILL QUERY WHERE 1']) assert.throws(() => checkRead(sql), SqlRefused, sql);
  });

  it('every spelling of file() the guard refuses does reach the function in the engine', async () => {
    for (const name of [
      'file',
      '`file`',
      '"file"',
      '“file”',
      '`fi\\x6ce`',
      'file\u200b',
      'file\u00a0',
      'file /* c */',
    ]) {
      const sql = `SELECT length(${name}('/etc/hostname')) > 0`;
      assert.equal(await text(sql), '1\n', sql);
      assert.throws(() => checkRead(sql), SqlRefused, sql);
    }
  });

  it('many read-only calls alongside writes', async () => {
    const reads = Array.from({ length: 20 }, () => store.query('SELECT count() FROM t', {}, readonly));
    const writes = Array.from({ length: 5 }, (_, i) => store.command(`INSERT INTO t VALUES (${10 + i})`));
    await Promise.all([...reads, ...writes]);
    const [count] = await store.query<{ n: number }>('SELECT count() AS n FROM t');
    assert.equal(Number(count.n), 7);
  });
});

describe('the guard’s lists against the engine', () => {
  it('every table function the engine knows is either safe or refused', async () => {
    const rows = await store.query<{ name: string }>('SELECT name FROM system.table_functions');
    assert.ok(rows.length > 50);
    const safe = new Set(SAFE_TABLE_FUNCTIONS);
    const unplaced = rows
      .map((r) => r.name)
      .filter((n) => !safe.has(n) && !OUTSIDE_FUNCTIONS.has(n.toLowerCase()));
    assert.deepEqual(unplaced, [], 'new table functions: add them to sql-guard.ts (SAFE_… or OUTSIDE_…)');
  });

  it('refuses no ordinary function by accident: only the host functions and the table functions named alike', async () => {
    const rows = await store.query<{ name: string }>('SELECT name FROM system.functions');
    const host = new Set(HOST_FUNCTIONS.map((n) => n.toLowerCase()));
    const caught = rows
      .map((r) => r.name)
      .filter((n) => OUTSIDE_FUNCTIONS.has(n.toLowerCase()) && !host.has(n.toLowerCase()));
    assert.deepEqual(caught.sort(), ['fuzzQuery']);
    const missing = HOST_FUNCTIONS.filter((n) => !rows.some((r) => r.name === n));
    assert.deepEqual(missing, [], 'host functions the engine does not know (renamed?)');
  });

  it('every table of the migrations with a secret column is refused', () => {
    const dirPath = path.join(import.meta.dirname, '../../src/store/migrations');
    const sql = fs
      .readdirSync(dirPath)
      .map((f) => fs.readFileSync(path.join(dirPath, f), 'utf8'))
      .join('\n');
    const tables = [...sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)\s*\(([\s\S]*?)\)\s*ENGINE/g)];
    assert.ok(tables.length > 10);
    const secret = /^\s*(\w*(hash|token|password|secret|delivery)\w*|rule)\s/im;
    for (const [, name, columns] of tables)
      if (secret.test(columns)) assert.ok(SECRET_TABLES.has(name), `${name} holds a secret column`);
  });
});
