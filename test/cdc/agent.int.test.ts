// `sightline cdc` end to end, all real: Debian's MariaDB with its binlog on, the agent as a child process (the CLI a
// user runs), and a central Sightline in another child process; db_changes is read back over the server's
// ClickHouse-compatible endpoint. What is compared is always the stored row against Maxwell's shape computed here,
// with xids and positions taken from the server's own SHOW BINLOG EVENTS.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { type Agent, spawnCdcAgent } from '../support/cdc-agent.ts';
import { freePort } from '../support/free-port.ts';
import { type MariaDb, startMariaDb } from '../support/mariadb.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const PROJECT = 'shopdb';
const KEY = 'cdc-agent-key-12345';
const CH_PASSWORD = 'endpoint-password-123';
/** 2024-04-17 04:04:12 UTC: the session timestamp of the first scenario, so `ts` is known exactly. */
const T0 = 1713326652;

const { dir, cleanup } = tempDir('cdc-agent');
const stateDir = path.join(dir, 'agent-state');
const serverData = path.join(dir, 'server');
let db: MariaDb;
let server: ServerProcess;
let chPort: number;
let agent: Agent | undefined;
/** Every agent started, so none outlives the test run whatever fails. */
const agents: Agent[] = [];

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out waiting for ${what}${last ? ` (${(last as Error).message})` : ''}\n--- agent output ---\n${agent?.output().slice(-4000) ?? ''}`,
  );
}

function startServer(port?: number): Promise<ServerProcess> {
  return startServerProcess(
    serverData,
    {
      SIGHTLINE_PROJECTS: `${PROJECT}:${KEY}`,
      SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
      SIGHTLINE_CLICKHOUSE_HTTP: `127.0.0.1:${chPort}`,
      SIGHTLINE_CLICKHOUSE_PASSWORD: CH_PASSWORD,
    },
    port,
  );
}

async function stopServer(): Promise<void> {
  server.child.kill('SIGTERM');
  await server.exited;
}

function startAgent(extra: string[] = []): Agent {
  agent = spawnCdcAgent([
    '--mysql',
    db.cdcUrl,
    '--url',
    server.url,
    '--project',
    PROJECT,
    '--key',
    KEY,
    '--state-dir',
    stateDir,
    '--include',
    'shop.*',
    '--output-ddl',
    '--flush-ms',
    '50',
    '--heartbeat-seconds',
    '1',
    '--retry-max-ms',
    '500',
    '--request-timeout-ms',
    '5000',
    ...extra,
  ]);
  agents.push(agent);
  return agent;
}

async function startAgentReading(extra: string[] = []): Promise<Agent> {
  const a = startAgent(extra);
  await until('the agent to read the binlog', () => {
    if (a.child.exitCode !== null) throw new Error(`agent exited ${a.child.exitCode}:\n${a.output()}`);
    return a.output().includes('reading the binlog') ? true : undefined;
  });
  return a;
}

async function stopAgent(a: Agent, signal: NodeJS.Signals = 'SIGTERM') {
  a.child.kill(signal);
  return a.exited;
}

/** A SELECT against the central server's store (ClickHouse HTTP, JSONEachRow). */
async function select<T>(sql: string): Promise<T[]> {
  const res = await fetch(`http://127.0.0.1:${chPort}/`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`sightline:${CH_PASSWORD}`).toString('base64')}` },
    body: `${sql} FORMAT JSONEachRow`,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`store answered ${res.status}: ${text}`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
}

interface StoredRow {
  database: string;
  table: string;
  type: string;
  ts: number;
  xid: string;
  xoffset: number;
  commit: boolean;
  data: string;
  old: string;
  primary_key: string;
  position: string;
  server_id: number;
}

/** db_changes rows as the Maxwell messages they were stored from, in binlog order. */
async function storedMessages(where: string): Promise<Array<Record<string, unknown>>> {
  const rows = await select<StoredRow>(
    `SELECT database, table, type, toUnixTimestamp(ts) AS ts, xid, xoffset, commit, data, old, primary_key,
            position, server_id
       FROM db_changes WHERE project = '${PROJECT}' AND ${where}
      ORDER BY splitByChar(':', position)[1], toUInt64(splitByChar(':', position)[2]), xoffset`,
  );
  return rows.map((r) => ({
    database: r.database,
    table: r.table,
    type: r.type,
    ts: r.ts,
    xid: Number(r.xid),
    xoffset: r.xoffset,
    ...(r.commit ? { commit: true } : {}),
    position: r.position,
    server_id: r.server_id,
    ...(r.primary_key ? { primary_key: JSON.parse(r.primary_key) } : {}),
    data: JSON.parse(r.data),
    ...(r.old ? { old: JSON.parse(r.old) } : {}),
  }));
}

/** The commits after `from` as the database logged them: xid and the position right after each. */
async function commitsSince(from: string): Promise<Array<{ xid: number; position: string }>> {
  const [file, offset] = from.split(':');
  const [events] = await db.root.query<RowDataPacket[]>(
    `SHOW BINLOG EVENTS IN '${file}' FROM ${Number(offset)}`,
  );
  return events
    .filter((e) => e.Event_type === 'Xid')
    .map((e) => ({
      xid: Number(/xid=(\d+)/.exec(String(e.Info))?.[1]),
      position: `${file}:${e.End_log_pos}`,
    }));
}

async function spoolFiles(): Promise<number> {
  try {
    return fs.readdirSync(path.join(stateDir, 'spool')).filter((f) => f.endsWith('.ndjson')).length;
  } catch {
    return 0;
  }
}

before(async () => {
  db = await startMariaDb();
  await db.root.query(`
    CREATE DATABASE shop;
    CREATE TABLE shop.users (
      id INT PRIMARY KEY,
      email VARCHAR(100) NOT NULL,
      plan ENUM('free', 'pro', 'team') NOT NULL DEFAULT 'free',
      balance DECIMAL(10,2),
      visits BIGINT,
      bio TEXT,
      born DATE,
      last_login DATETIME,
      seen TIMESTAMP NULL,
      prefs JSON,
      avatar BLOB,
      tags SET('a', 'b', 'c')
    );
    CREATE TABLE shop.orders (
      id BIGINT UNSIGNED PRIMARY KEY,
      user_id INT NOT NULL,
      total DECIMAL(12,3) NOT NULL,
      note VARCHAR(200),
      placed DATETIME(3),
      paid BIT(1),
      flags TINYINT UNSIGNED
    );
    CREATE TABLE shop.ticks (id INT PRIMARY KEY, n BIGINT NOT NULL, note VARCHAR(20));
    CREATE TABLE shop.legacy (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(8,2), since DATE, meta JSON);
    INSERT INTO shop.legacy SELECT seq, CONCAT('item-', seq), seq / 4, '2020-01-01' + INTERVAL seq DAY,
      JSON_OBJECT('n', seq) FROM shop.seq_1_to_1200;
    CREATE TABLE shop.skipped (id INT PRIMARY KEY);
  `);
  chPort = await freePort();
  server = await startServer();
});

after(async () => {
  for (const a of agents)
    if (a.child.exitCode === null && a.child.signalCode === null) await stopAgent(a, 'SIGKILL');
  if (server && server.child.exitCode === null) await stopServer().catch(() => undefined);
  await db?.stop();
  cleanup();
});

describe('sightline cdc (MariaDB binlog → central Sightline)', { timeout: 180_000 }, () => {
  let conn: Connection;

  it('stores inserts, a one-column update, deletes and a two-table transaction exactly as Maxwell writes them', async () => {
    const start = await db.binlogEnd();
    startAgent([
      '--start-position',
      start,
      '--exclude',
      'shop.skipped',
      '--exclude-columns',
      'shop.users.bio',
    ]);
    await until('the agent to read the binlog', () =>
      agent?.output().includes('reading the binlog') ? true : undefined,
    );
    conn = await db.connect();
    await conn.query("SET time_zone = '+00:00'");
    const at = (k: number) => conn.query(`SET TIMESTAMP = ${T0 + k}`);
    await at(0);
    await conn.query(
      `INSERT INTO shop.users VALUES (1, 'a@x.io', 'free', 19.90, 9007199254740000, 'hidden', '1990-05-17',
         '2024-04-17 04:06:12', '2024-04-17 04:06:13', '{"theme": "dark", "n": [1, 2]}', X'00FF10', 'a,c')`,
    );
    await at(1);
    await conn.query("INSERT INTO shop.users (id, email) VALUES (2, 'b@x.io')");
    await conn.query('INSERT INTO shop.skipped VALUES (1)');
    await at(2);
    await conn.query("UPDATE shop.users SET plan = 'pro' WHERE id = 1");
    await at(3);
    await conn.query('BEGIN');
    await conn.query(
      "INSERT INTO shop.orders VALUES (100, 1, 59.900, 'first', '2024-04-17 05:00:00.250', b'1', 255), (101, 2, 0.5, NULL, NULL, b'0', 0)",
    );
    await conn.query('UPDATE shop.users SET balance = balance - 59.90, visits = visits + 1 WHERE id = 1');
    await conn.query('COMMIT');
    await at(4);
    await conn.query('DELETE FROM shop.users WHERE id = 2');
    await at(5);
    await conn.query('DELETE FROM shop.orders');
    await conn.query('SET TIMESTAMP = DEFAULT');

    const commits = await commitsSince(start);
    // The skipped table's insert commits too (it is filtered, not absent from the binlog).
    assert.equal(commits.length, 7, 'seven transactions were committed');
    const [c1, c2, , c3, c4, c5, c6] = commits;
    const base = (table: string, ts: number, c: { xid: number; position: string }) => ({
      database: 'shop',
      table,
      ts: T0 + ts,
      xid: c.xid,
      position: c.position,
      server_id: 1,
    });
    const user1 = {
      id: 1,
      email: 'a@x.io',
      plan: 'free',
      balance: 19.9,
      visits: 9007199254740000,
      born: '1990-05-17',
      last_login: '2024-04-17 04:06:12',
      seen: '2024-04-17 04:06:13',
      prefs: { theme: 'dark', n: [1, 2] },
      avatar: Buffer.from([0x00, 0xff, 0x10]).toString('base64'),
      tags: ['a', 'c'],
    };
    const user2 = {
      id: 2,
      email: 'b@x.io',
      plan: 'free',
      balance: null,
      visits: null,
      born: null,
      last_login: null,
      seen: null,
      prefs: null,
      avatar: null,
      tags: null,
    };
    const order100 = {
      id: 100,
      user_id: 1,
      total: 59.9,
      note: 'first',
      placed: '2024-04-17 05:00:00.250',
      paid: true,
      flags: 255,
    };
    const order101 = { id: 101, user_id: 2, total: 0.5, note: null, placed: null, paid: false, flags: 0 };
    const user1Pro = { ...user1, plan: 'pro' };
    const user1Paid = { ...user1Pro, balance: -40, visits: 9007199254740001 };
    const expected = [
      { ...base('users', 0, c1), type: 'insert', xoffset: 0, commit: true, primary_key: [1], data: user1 },
      { ...base('users', 1, c2), type: 'insert', xoffset: 0, commit: true, primary_key: [2], data: user2 },
      {
        ...base('users', 2, c3),
        type: 'update',
        xoffset: 0,
        commit: true,
        primary_key: [1],
        data: user1Pro,
        old: { plan: 'free' },
      },
      { ...base('orders', 3, c4), type: 'insert', xoffset: 0, primary_key: [100], data: order100 },
      { ...base('orders', 3, c4), type: 'insert', xoffset: 1, primary_key: [101], data: order101 },
      {
        ...base('users', 3, c4),
        type: 'update',
        xoffset: 2,
        commit: true,
        primary_key: [1],
        data: user1Paid,
        old: { balance: 19.9, visits: 9007199254740000 },
      },
      { ...base('users', 4, c5), type: 'delete', xoffset: 0, commit: true, primary_key: [2], data: user2 },
      { ...base('orders', 5, c6), type: 'delete', xoffset: 0, primary_key: [100], data: order100 },
      {
        ...base('orders', 5, c6),
        type: 'delete',
        xoffset: 1,
        commit: true,
        primary_key: [101],
        data: order101,
      },
    ];
    const stored = await until('nine changes in db_changes', async () => {
      const rows = await storedMessages(`table IN ('users', 'orders', 'skipped')`);
      return rows.length >= expected.length ? rows : undefined;
    });
    assert.deepEqual(stored, expected);
  });

  it('resumes exactly at its checkpoint after SIGKILL during a central outage: no gap, no repeat', async () => {
    const from = await db.binlogEnd();
    await stopServer(); // the central server goes away; the agent keeps reading into its spool
    const port = server.port;
    let written = 0;
    const write = async (first: number, last: number) => {
      for (let i = first; i <= last; i++) {
        if (i % 5 === 0)
          await conn.query(
            `BEGIN; INSERT INTO shop.ticks VALUES (${i}, ${i}, 'tick'); UPDATE shop.ticks SET n = n + 1 WHERE id = ${i - 1}; COMMIT`,
          );
        else await conn.query(`INSERT INTO shop.ticks VALUES (${i}, ${i}, 'tick')`);
        written = i;
        await new Promise((r) => setTimeout(r, 3));
      }
    };
    const writing = write(1, 300);
    await until('a few batches in the spool', async () => ((await spoolFiles()) >= 4 ? true : undefined));
    const killed = await stopAgent(agent as Agent, 'SIGKILL');
    assert.equal(killed.signal, 'SIGKILL');
    assert.ok(written < 300, `killed mid-stream (after ${written} of 300 transactions)`);
    await writing;
    await write(301, 400); // while the agent is down

    server = await startServer(port);
    await startAgentReading();
    const commits = await commitsSince(from);
    assert.equal(commits.length, 400);
    const rows = await until('every tick stored', async () => {
      const r = await storedMessages("table = 'ticks'");
      return r.length >= 480 ? r : undefined;
    });
    const seen = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.xid}/${r.xoffset}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const repeated = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(repeated, [], 'no change is stored twice');
    assert.equal(rows.length, 480, '400 inserts and 80 updates');
    assert.deepEqual(
      [...new Set(rows.map((r) => r.xid))],
      commits.map((c) => c.xid),
      'every transaction, in commit order',
    );
    assert.deepEqual(
      rows.filter((r) => r.commit).map((r) => r.position),
      commits.map((c) => c.position),
    );
    const inserted = rows.filter((r) => r.type === 'insert').map((r) => (r.data as { id: number }).id);
    assert.deepEqual(
      inserted,
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    const checkpoint = await until('an empty spool and a checkpoint at the last commit', async () => {
      const saved = JSON.parse(fs.readFileSync(path.join(stateDir, 'checkpoint.json'), 'utf8'));
      return (await spoolFiles()) === 0 && saved.position === commits.at(-1)?.position ? saved : undefined;
    });
    // Nothing was written since: the checkpoint's GTID is the server's last one.
    const [[{ gtid }]] = await db.root.query<RowDataPacket[]>('SELECT @@gtid_binlog_pos AS gtid');
    assert.equal(checkpoint.gtid, gtid);
  });

  it('loses nothing and stores nothing twice when killed while delivering', async (t) => {
    // With the central server up, a kill can fall between the server's 202 and the agent's checkpoint write: that
    // request is sent again after the restart, and the server recognises its changes by (server, position, offset).
    assert.equal((await stopAgent(agent as Agent)).code, 0);
    const from = await db.binlogEnd();
    const batchRows = 20;
    const kills = 4;
    let stop = false;
    let n = 0;
    const writing = (async () => {
      while (!stop) {
        n++;
        await conn.query(`INSERT INTO shop.ticks VALUES (${1000 + n}, ${n}, 'burst')`);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    try {
      for (let k = 0; k < kills; k++) {
        const a = await startAgentReading(['--batch-rows', String(batchRows)]);
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 400));
        await stopAgent(a, 'SIGKILL');
      }
    } finally {
      stop = true;
      await writing;
    }
    await startAgentReading(['--batch-rows', String(batchRows)]);
    const commits = await commitsSince(from);
    assert.equal(commits.length, n);
    const rows = await until('every burst transaction', async () => {
      const r = await storedMessages("table = 'ticks' AND JSONExtractInt(data, 'id') > 1000");
      return new Set(r.map((m) => m.xid)).size >= n ? r : undefined;
    });
    assert.deepEqual(
      [...new Set(rows.map((r) => r.xid))],
      commits.map((c) => c.xid),
      'every transaction arrived, in commit order',
    );
    t.diagnostic(`${kills} kills during delivery (${n} transactions)`);
    assert.equal(rows.length, n, `${rows.length - n} changes stored twice`);
  });

  it('reconnects when the database drops its connection, and resumes after the last transaction it read', async () => {
    const from = await db.binlogEnd();
    const [threads] = await db.root.query<RowDataPacket[]>(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'cdc' AND COMMAND LIKE 'Binlog Dump%'",
    );
    assert.equal(threads.length, 1, 'the agent reads as one replica');
    await db.root.query(`KILL ${threads[0].ID}`);
    for (let i = 401; i <= 420; i++)
      await conn.query(`INSERT INTO shop.ticks VALUES (${i}, ${i}, 'after kill')`);
    const commits = await commitsSince(from);
    const rows = await until('the ticks written across the reconnect', async () => {
      const r = await storedMessages("table = 'ticks' AND JSONExtractInt(data, 'id') BETWEEN 401 AND 1000");
      return r.length >= 20 ? r : undefined;
    });
    // Give a repeat (a reconnect that resumed too early) the time to show up before counting the whole table.
    await new Promise((r) => setTimeout(r, 1500));
    const all = await storedMessages("table = 'ticks' AND JSONExtractInt(data, 'id') <= 1000");
    assert.equal(all.length, 500, '480 changes from before, 20 after, none twice');
    assert.equal(new Set(all.map((r) => `${r.xid}/${r.xoffset}`)).size, 500);
    assert.deepEqual(
      rows.map((r) => r.xid),
      commits.map((c) => c.xid),
    );
    assert.match(agent?.output() ?? '', /binlog connection lost; reconnecting/);
  });

  it('names columns added by ALTER TABLE mid-stream in the rows that follow', async () => {
    const start = await db.binlogEnd();
    await conn.query("INSERT INTO shop.users (id, email) VALUES (3, 'c@x.io')");
    await conn.query('ALTER TABLE shop.users ADD COLUMN nickname VARCHAR(30) AFTER email');
    await conn.query(
      "INSERT INTO shop.users (id, email, nickname, plan) VALUES (4, 'd@x.io', 'Neo', 'team')",
    );
    await conn.query("UPDATE shop.users SET nickname = 'Trinity' WHERE id = 3");
    const rows = await until('the rows around the ALTER', async () => {
      const r = await storedMessages(
        `table = 'users' AND toUInt64(splitByChar(':', position)[2]) > ${Number(start.split(':')[1])}`,
      );
      return r.length >= 4 ? r : undefined;
    });
    assert.deepEqual(
      rows.map((r) => r.type),
      ['insert', 'table-alter', 'insert', 'update'],
    );
    const [before, alter, added, updated] = rows as Array<{ data: Record<string, unknown>; old?: unknown }>;
    assert.equal('nickname' in before.data, false, 'the row before the ALTER has no such column');
    assert.equal(
      (alter.data as { sql: string }).sql,
      'ALTER TABLE shop.users ADD COLUMN nickname VARCHAR(30) AFTER email',
    );
    assert.deepEqual(Object.keys(added.data).slice(0, 4), ['id', 'email', 'nickname', 'plan']);
    assert.equal(added.data.nickname, 'Neo');
    assert.equal(added.data.plan, 'team', 'columns after the new one keep their names');
    assert.deepEqual(updated.old, { nickname: null });
    assert.equal(updated.data.nickname, 'Trinity');
  });

  it('bootstraps an existing table once, with a progress bar, then keeps following it', async () => {
    const stopped = await stopAgent(agent as Agent);
    assert.equal(stopped.code, 0, 'SIGTERM stops the agent cleanly');
    const a = await startAgentReading(['--bootstrap', 'shop.legacy']);
    await conn.query("INSERT INTO shop.legacy VALUES (5000, 'after', 1.25, '2026-01-01', '{}')");
    const rows = await until(
      'the bootstrap and the insert after it',
      async () => {
        const r = await select<{ type: string; data: string; xoffset: number }>(
          `SELECT type, data, xoffset FROM db_changes WHERE project = '${PROJECT}' AND table = 'legacy'
            ORDER BY ts, xid, xoffset`,
        );
        return r.length >= 1203 ? r : undefined;
      },
      60_000,
    );
    assert.equal(rows.length, 1203);
    assert.deepEqual(
      [rows[0].type, rows[1].type, rows[1200].type, rows[1201].type],
      ['bootstrap-start', 'bootstrap-insert', 'bootstrap-insert', 'bootstrap-complete'],
    );
    assert.deepEqual(JSON.parse(rows[1].data), {
      id: 1,
      name: 'item-1',
      price: 0.25,
      since: '2020-01-02',
      meta: { n: 1 },
    });
    const ids = rows.filter((r) => r.type === 'bootstrap-insert').map((r) => JSON.parse(r.data).id);
    assert.deepEqual(
      ids,
      Array.from({ length: 1200 }, (_, i) => i + 1),
    );
    assert.equal(rows[1202].type, 'insert');
    assert.equal(JSON.parse(rows[1202].data).id, 5000);
    assert.match(a.stderr(), /Bootstrapping shop\.legacy: 100% \(1,200 \/ 1,200 rows\)/);

    // A restart with the same flag (a service unit) does not take the snapshot again.
    await stopAgent(a);
    const b = await startAgentReading(['--bootstrap', 'shop.legacy']);
    assert.match(b.output(), /already bootstrapped/);
    await conn.query("INSERT INTO shop.legacy VALUES (5001, 'later', 2, '2026-01-02', NULL)");
    await until('the next insert', async () => {
      const [n] = await select<{ n: string }>(
        `SELECT count() AS n FROM db_changes WHERE project = '${PROJECT}' AND table = 'legacy'`,
      );
      return Number(n.n) >= 1204 ? true : undefined;
    });
    const [starts] = await select<{ n: string }>(
      `SELECT count() AS n FROM db_changes WHERE project = '${PROJECT}' AND type = 'bootstrap-start'`,
    );
    assert.equal(Number(starts.n), 1);
    await conn.end();
  });
});
