// Explore's SQL through a running server, as an admin (or a stolen admin session) would try to reach past it: the
// string function file(path) and every other way out of the store, settings lifted in a subquery, a statement that
// steps out of Explore's subquery, tables holding secrets. Each is a 400 with code QUERY_ERR_SQL_REFUSED and nothing
// of the file in the answer; ordinary queries still run, with the engine's readonly = 1, and the store stays writable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';
import { tempDir } from '../support/temp-dir.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const { dir, cleanup } = tempDir('explore-secret');
const secretFile = path.join(dir, 'secret.txt');
const MARKER = 'explore-secret-marker-4f1c';

before(async () => {
  fs.writeFileSync(secretFile, `${MARKER}\n`);
  server = await startInProcess();
});
after(async () => {
  await server?.cleanup();
  cleanup();
});

async function explore(
  sql: string,
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const res = await fetch(`${server.url}/api/v1/explore/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
}

describe('Explore SQL is read-only, enforced by the engine and the guard', () => {
  it('runs ordinary reads, with readonly = 1 set by the engine', async () => {
    const rows = async (sql: string) => {
      const res = await explore(sql);
      assert.equal(res.status, 200, `${sql}\n${res.text}`);
      return res.body.rows;
    };
    assert.deepEqual(await rows("SELECT getSetting('readonly') AS r"), [{ r: 1 }]);
    assert.deepEqual(await rows("SELECT 'a;b' AS s -- trailing comment ; with a semicolon"), [{ s: 'a;b' }]);
    assert.deepEqual(await rows('WITH 2 AS x SELECT x * 3 AS y;'), [{ y: 6 }]);
    assert.deepEqual(await rows('(SELECT 1 AS one) /* a /* nested */ comment */'), [{ one: 1 }]);
    assert.deepEqual(
      await rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'events'"),
      [{ name: 'events' }],
    );
  });

  it('refuses every way out of the store, and the file’s content is never returned', async () => {
    const cases = [
      `SELECT file('${secretFile}') AS f`,
      "SELECT file('/proc/self/environ') AS f",
      `SELECT FILE('${secretFile}') AS f`,
      `SELECT \`file\`('${secretFile}') AS f`,
      `SELECT "file"('${secretFile}') AS f`,
      `SELECT \`fi\\x6ce\`('${secretFile}') AS f`,
      `SELECT file\u00a0('${secretFile}') AS f`,
      `SELECT file /* ' */ ('${secretFile}') AS f`,
      `SELECT * FROM file('${secretFile}', 'LineAsString')`,
      `SELECT * FROM (SELECT * FROM file('${secretFile}', 'LineAsString') SETTINGS readonly = 0)`,
      `SELECT * FROM (SELECT file('${secretFile}') SETTINGS readonly = 0)`,
      'SELECT * FROM (SELECT 1 SETTINGS allow_ddl = 1)',
      "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
      "SELECT * FROM remote('127.0.0.1', system.one)",
      `SELECT 1 INTO OUTFILE '${path.join(dir, 'out.txt')}'`,
      "SELECT * FROM executable('id', 'LineAsString', 'x String')",
      "SELECT * FROM merge(currentDatabase(), '^dashboard_')",
      // Stepping out of the subquery Explore wraps the statement in.
      '1) UNION ALL (SELECT 2',
      'SELECT 1) SETTINGS readonly = 0 --',
      // A second statement, however hidden.
      'SELECT 1; DROP TABLE events',
      "SELECT 1 /* ' */; DROP TABLE events -- '",
      'SHOW TABLES',
      // Tables holding secrets, and system tables with other callers' queries or users.
      'SELECT email, password_hash FROM dashboard_users',
      'SELECT * FROM `dashboard_sessions`',
      'SELECT token_hash FROM share_links',
      'SELECT rule FROM alert_rules',
      'SELECT delivery FROM alert_history',
      'SELECT query FROM system.processes',
      'SELECT * FROM system.users',
    ];
    for (const sql of cases) {
      const res = await explore(sql);
      assert.equal(res.status, 400, `${sql}\n${res.text}`);
      assert.equal((res.body.error as { code: string }).code, 'QUERY_ERR_SQL_REFUSED', sql);
      assert.doesNotMatch(res.text, new RegExp(`${MARKER}|PATH=|SIGHTLINE_`), sql);
    }
    assert.equal(fs.existsSync(path.join(dir, 'out.txt')), false);
  });

  it('the store still takes writes afterwards', async () => {
    const res = await fetch(`${server.url}/e`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-app': 'website' },
      body: JSON.stringify({ type: 'after-explore-guard' }),
    });
    assert.equal(res.status, 202);
    await eventually(async () => {
      const r = await explore("SELECT count() AS n FROM events WHERE type = 'after-explore-guard'");
      return (r.body.rows as Array<{ n: number }>)[0]?.n === 1 ? true : undefined;
    });
  });
});
