// The ClickHouse-compatible HTTP endpoint over the embedded store, driven by @clickhouse/client (as ClickHouse's
// own users and other Sightline processes use it): ping, create, insert JSONEachRow, parameterised select, auth,
// read-only mode; and a second Sightline process whose processor writes into this store through it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../src/observe/logger.ts';
import { dropClientRetries } from '../../src/process/client-retries.ts';
import type { EventRow } from '../../src/process/event-row.ts';
import { startClickHouseHttp } from '../../src/store/clickhouse-http/clickhouse-http.server.ts';
import { openStore } from '../../src/store/store.ts';
import { queryWithClickHouseGo } from '../support/clickhouse-go.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';
import { ADMIN_TOKEN, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const PASSWORD = 'endpoint-password-123';
type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let port: number;
let client: ClickHouseClient;
let readOnly: FastifyInstance;
let readOnlyPort: number;

before(async () => {
  port = await freePort();
  server = await startInProcess({
    SIGHTLINE_CLICKHOUSE_HTTP: `127.0.0.1:${port}`,
    SIGHTLINE_CLICKHOUSE_PASSWORD: PASSWORD,
    SIGHTLINE_CLICKHOUSE_WRITES: 'true',
  });
  client = createClient({ url: `http://127.0.0.1:${port}`, username: 'sightline', password: PASSWORD });
  readOnlyPort = await freePort();
  readOnly = await startClickHouseHttp({
    store: server.store,
    host: '127.0.0.1',
    port: readOnlyPort,
    user: 'reader',
    password: PASSWORD,
    writes: false,
    logger: createLogger('silent'),
  });
});
after(async () => {
  await client?.close();
  await readOnly?.close();
  await server?.cleanup();
});

describe('ClickHouse-compatible endpoint', () => {
  it('pings, creates, inserts JSONEachRow and answers parameterised selects', async () => {
    assert.equal((await client.ping()).success, true);
    await client.command({
      query:
        'CREATE TABLE IF NOT EXISTS visits_test (id UInt32, page String, at DateTime) ENGINE = MergeTree ORDER BY id',
    });
    await client.insert({
      table: 'visits_test',
      values: [
        { id: 1, page: '/', at: '2024-04-17 04:04:12' },
        { id: 2, page: '/pricing', at: '2024-04-17 05:00:00' },
        { id: 3, page: '/pricing', at: '2024-04-18 06:00:00' },
      ],
      format: 'JSONEachRow',
    });
    const result = await client.query({
      query:
        'SELECT page, count() AS n FROM visits_test WHERE at >= {since:DateTime} GROUP BY page ORDER BY page',
      query_params: { since: '2024-04-17 04:30:00' },
      format: 'JSONEachRow',
    });
    assert.deepEqual(await result.json(), [{ page: '/pricing', n: '2' }]);
    const csv = await client.query({ query: 'SELECT id FROM visits_test ORDER BY id', format: 'CSV' });
    assert.equal(await csv.text(), '1\n2\n3\n');
  });

  it('reads Sightline tables, and its errors look like ClickHouse errors', async () => {
    const rows = await (
      await client.query({ query: 'SELECT count() AS n FROM events', format: 'JSONEachRow' })
    ).json();
    assert.equal(rows.length, 1);
    await assert.rejects(client.query({ query: 'SELEC 1' }), (err: Error & { code?: string }) => {
      assert.equal(err.code, '62');
      assert.match(err.message, /Syntax error/i);
      return true;
    });
  });

  it('refuses wrong credentials', async () => {
    const wrong = createClient({
      url: `http://127.0.0.1:${port}`,
      username: 'sightline',
      password: 'nope-nope-nope',
    });
    await assert.rejects(wrong.query({ query: 'SELECT 1' }), /Authentication failed/);
    await wrong.close();
    const res = await fetch(`http://127.0.0.1:${port}/?query=SELECT%201`);
    assert.equal(res.status, 401);
  });

  it('a read-only endpoint answers SELECTs and refuses writes and outside reads', async () => {
    const reader = createClient({
      url: `http://127.0.0.1:${readOnlyPort}`,
      username: 'reader',
      password: PASSWORD,
    });
    const rows = await (
      await reader.query({ query: 'SELECT count() AS n FROM visits_test', format: 'JSONEachRow' })
    ).json();
    assert.deepEqual(rows, [{ n: '3' }]);
    await assert.rejects(reader.command({ query: 'DROP TABLE visits_test' }), /readonly/i);
    await assert.rejects(
      reader.insert({ table: 'visits_test', values: [{ id: 9 }], format: 'JSONEachRow' }),
      /readonly/i,
    );
    await assert.rejects(
      reader.query({ query: "SELECT * FROM file('/etc/hostname', 'LineAsString')" }),
      /outside the store/,
    );
    await assert.rejects(reader.query({ query: 'SELECT 1; DROP TABLE visits_test' }), /Multi-statements/);
    const still = await (
      await client.query({ query: 'SELECT count() AS n FROM visits_test', format: 'JSONEachRow' })
    ).json();
    assert.deepEqual(still, [{ n: '3' }]);
    // A plain GET with the SQL in the URL, as curl users do.
    const res = await fetch(
      `http://127.0.0.1:${readOnlyPort}/?user=reader&password=${PASSWORD}&query=${encodeURIComponent('SELECT 41 + 1')}`,
    );
    assert.equal(await res.text(), '42\n');
    await reader.close();
  });

  it('another Sightline process stores its events through the endpoint (SIGHTLINE_STORE=http://…)', async () => {
    const { dir, cleanup } = tempDir('remote-proc');
    let remote: ServerProcess | undefined;
    try {
      remote = await startServerProcess(dir, {
        SIGHTLINE_STORE: `http://sightline:${PASSWORD}@127.0.0.1:${port}/default`,
        SIGHTLINE_DASHBOARD: 'false',
      });
      const sent = 25;
      for (let i = 0; i < sent; i++) {
        const res = await fetch(`${remote.url}/e`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-app': 'website' },
          body: JSON.stringify({ type: 'remote-proc', session_id: `r${i}`, path: '/remote' }),
        });
        assert.equal(res.status, 202);
      }
      await eventually(async () => {
        const res = await fetch(
          `${server.url}/api/v1/stats/overview?project=website&period=7d&filters=${encodeURIComponent(JSON.stringify([['is', 'event', ['remote-proc']]]))}`,
          {
            headers: { authorization: `Bearer ${ADMIN}` },
          },
        );
        const body = (await res.json()) as { events: number };
        return body.events === sent ? true : undefined;
      }, 30_000);
      // Its visit rows came over the endpoint too (JSONCompactEachRow), one live row per visit equal to its events.
      await eventually(async () => {
        try {
          return (
            (await assertVisitsMatchEvents(server.store, 'website', 'written over HTTP')) >= sent || undefined
          );
        } catch {
          return undefined;
        }
      }, 30_000);
      assert.ok((await assertVisitsMatchEvents(server.store, 'website', 'written over HTTP')) >= sent);
      // The remote's own read API reads the same store through the endpoint.
      const mirrored = await fetch(`${remote.url}/api/v1/stats/overview?project=website&period=7d`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      assert.ok(((await mirrored.json()) as { events: number }).events >= sent);
    } finally {
      remote?.child.kill('SIGTERM');
      if (remote) await remote.exited;
      cleanup();
    }
  });

  it('checks a caught-up batch of 40 000 event ids against a store over HTTP (in URL-sized lookups)', async () => {
    // After an outage a processor's batch holds tens of thousands of events; their ids in one URL would pass
    // the 1 MiB a ClickHouse server (or this endpoint) accepts, and the batch could never be stored.
    const remote = openStore({ url: `http://sightline:${PASSWORD}@127.0.0.1:${port}/default`, dataDir: '' });
    try {
      const stored = await eventually(async () => {
        const rows = await server.store.query<{ id: string; ts: string }>(
          "SELECT toString(event_id) AS id, toString(timestamp) AS ts FROM events WHERE type = 'remote-proc' LIMIT 5",
        );
        return rows.length === 5 ? rows : undefined;
      });
      const at = `${stored[0].ts.replace(' ', 'T')}Z`;
      const row = (event_id: string) =>
        ({ project: 'website', event_id, timestamp: at, protocol: 'native' }) as EventRow;
      const fresh = Array.from({ length: 40_000 }, (_, i) =>
        row(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
      );
      const batch = [...fresh, ...stored.map((r) => row(r.id))];
      const { kept, dropped } = await dropClientRetries(remote, batch, {
        token: 'events-0-1-40005#0',
        redelivery: false,
        everyProtocol: true,
      });
      assert.equal(dropped, 5, 'the five stored events are recognised');
      assert.equal(kept.length, 40_000);
    } finally {
      await remote.close();
    }
  });

  it("serves clickhouse-go over HTTP (Grafana's driver): Native blocks in its protocol revision, every common type", async () => {
    const results = await queryWithClickHouseGo(`127.0.0.1:${port}`, PASSWORD, {
      types: `SELECT toUUID('61f0c404-5cb3-11e7-907b-a6006ad3dba0') AS id, toDecimal64(1.5, 2) AS d,
                [1, 2, 3] AS arr, map('a', 1, 'b', 2) AS m, (7, 'x') AS t, CAST(NULL AS Nullable(String)) AS n,
                toNullable('y') AS ny, toDateTime64('2024-01-01 00:00:00.123', 3, 'UTC') AS ts,
                toIPv4('1.2.3.4') AS ip, toFixedString('ab', 2) AS fs, true AS b, toDate('2024-01-02') AS day,
                CAST('x' AS LowCardinality(String)) AS lc, CAST('a' AS Enum8('a' = 1, 'b' = 2)) AS e, -5 AS neg,
                2.5 AS f, [NULL, 'z'] AS an, CAST(number % 3 AS LowCardinality(Nullable(String))) AS lcn
              FROM numbers(1)`,
      // Several blocks, strings and LowCardinality dictionaries across them.
      blocks: `SELECT number AS k, toString(number) AS s, CAST(toString(number % 7) AS LowCardinality(String)) AS lc
               FROM numbers(200000)`,
      empty: 'SELECT number FROM numbers(0)',
      unknown: 'SELECT nope FROM system.one',
      json: `SELECT CAST('{"a": 1}' AS JSON) AS j`,
    });
    const types = results.get('types');
    assert.equal(types?.error, undefined, types?.error);
    const row = Object.fromEntries((types?.columns ?? []).map((c, i) => [c.name, types?.rows?.[0][i]]));
    assert.deepEqual(row, {
      id: '61f0c404-5cb3-11e7-907b-a6006ad3dba0',
      d: '1.5',
      arr: 'AQID', // []uint8, as Go's JSON writes bytes
      m: { a: 1, b: 2 },
      t: [7, 'x'],
      n: null,
      ny: 'y',
      ts: '2024-01-01T00:00:00.123Z',
      ip: '1.2.3.4',
      fs: 'ab',
      b: true,
      day: '2024-01-02T00:00:00Z',
      lc: 'x',
      e: 'a',
      neg: -5,
      f: 2.5,
      an: [null, 'z'],
      lcn: '0',
    });
    const blocks = results.get('blocks');
    assert.equal(blocks?.error, undefined, blocks?.error);
    assert.equal(blocks?.rows?.length, 200_000);
    assert.deepEqual(blocks?.rows?.[199_999], [199_999, '199999', String(199_999 % 7)]);
    assert.deepEqual(results.get('empty')?.rows ?? [], []);
    assert.match(results.get('unknown')?.error ?? '', /code: 47/);
    assert.match(
      results.get('json')?.error ?? '',
      /columns of type JSON cannot be sent in Native format.*cast them/,
    );
  });
});

describe('a read-only endpoint: what an attacker with its password tries', () => {
  let guarded: FastifyInstance;
  let guardedPort: number;
  let probe: http.Server;
  let probeHits = 0;
  let probeUrl: string;
  const hostname = fs.readFileSync('/etc/hostname', 'utf8').trim();
  const { dir: outDir, cleanup: outCleanup } = tempDir('outfile');

  before(async () => {
    // The same user name as a writer would have, so clickhouse-go (which logs in as "sightline") can be used.
    guardedPort = await freePort();
    guarded = await startClickHouseHttp({
      store: server.store,
      host: '127.0.0.1',
      port: guardedPort,
      user: 'sightline',
      password: PASSWORD,
      writes: false,
      logger: createLogger('silent'),
    });
    probe = http.createServer((_req, res) => {
      probeHits++;
      res.end('reached\n');
    });
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    probeUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await guarded?.close();
    await new Promise((resolve) => probe?.close(resolve));
    outCleanup();
  });

  /** One request as curl would send it: SQL in ?query= and/or the body. */
  async function send(sql: { query?: string; body?: string; method?: string }) {
    const url = new URL(`http://127.0.0.1:${guardedPort}/`);
    if (sql.query !== undefined) url.searchParams.set('query', sql.query);
    const res = await fetch(url, {
      method: sql.method ?? 'POST',
      headers: { 'x-clickhouse-user': 'sightline', 'x-clickhouse-key': PASSWORD },
      body: sql.body,
    });
    return {
      status: res.status,
      code: res.headers.get('x-clickhouse-exception-code'),
      text: await res.text(),
    };
  }

  async function tableExists(name: string): Promise<boolean> {
    const [row] = await server.store.query<{ n: number }>(
      'SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
      { name },
    );
    return Number(row.n) > 0;
  }

  it('reads run with the engine’s readonly = 1', async () => {
    const res = await send({ body: "SELECT getSetting('readonly')" });
    assert.deepEqual([res.status, res.text], [200, '1\n']);
  });

  it('a body beside ?query=SELECT is not more SQL (no appended CREATE TABLE / INSERT INTO dashboard_users)', async () => {
    for (const body of [
      '; CREATE TABLE pwned_a (a UInt8) ENGINE = Memory',
      '; INSERT INTO dashboard_users (email, roles) VALUES (\'evil@example.com\', \'{"*":"admin"}\')',
      '\nUNION ALL SELECT 2',
    ]) {
      const res = await send({ query: 'SELECT 1', body });
      assert.equal(res.status, 403, body);
      assert.equal(res.code, '164');
    }
    assert.equal(await tableExists('pwned_a'), false);
    const users = await server.store.query("SELECT 1 FROM dashboard_users WHERE email = 'evil@example.com'");
    assert.deepEqual(users, []);
  });

  it('writes and a second statement are refused however they are hidden', async () => {
    const cases: Array<[string, number, string]> = [
      ['CREATE TABLE pwned_b (a UInt8) ENGINE = Memory', 403, '164'],
      [
        'INSERT INTO dashboard_users (email, roles) VALUES (\'evil@example.com\', \'{"*":"admin"}\')',
        403,
        '164',
      ],
      ["SELECT 1 /* ' */; CREATE TABLE pwned_b (a UInt8) ENGINE = Memory -- '", 400, '62'],
      ["SELECT 1 -- '\n; CREATE TABLE pwned_b (a UInt8) ENGINE = Memory", 400, '62'],
      ['SELECT 1 /* /* */ ; */ ; CREATE TABLE pwned_b (a UInt8) ENGINE = Memory', 400, '62'],
      ["SELECT 'a;b'; CREATE TABLE pwned_b (a UInt8) ENGINE = Memory", 400, '62'],
      ['KILL QUERY WHERE 1', 403, '164'],
      ['SYSTEM SHUTDOWN', 403, '164'],
      ['DETACH TABLE events', 403, '164'],
      ['ATTACH TABLE events', 403, '164'],
      ['SET readonly = 0', 403, '164'],
    ];
    for (const [sql, status, code] of cases) {
      const res = await send({ body: sql });
      assert.deepEqual([res.status, res.code], [status, code], `${sql}\n${res.text}`);
    }
    // The same with the SQL in the URL (GET), and clickhouse-js's command().
    assert.equal((await send({ query: 'DROP TABLE events', method: 'GET' })).status, 403);
    assert.equal(await tableExists('pwned_b'), false);
    assert.equal(await tableExists('events'), true);
    const users = await server.store.query("SELECT 1 FROM dashboard_users WHERE email = 'evil@example.com'");
    assert.deepEqual(users, []);
  });

  it('nothing reads files or URLs or writes files: table functions, file(path), INTO OUTFILE, settings lifted', async () => {
    const out = path.join(outDir, 'written.txt');
    const cases = [
      "SELECT * FROM file('/etc/hostname', 'LineAsString')",
      "SELECT * FROM `file`('/etc/hostname', 'LineAsString')",
      "SELECT * FROM FILE('/etc/hostname', 'LineAsString')",
      "SELECT file('/etc/hostname')",
      "SELECT `file`('/etc/hostname')",
      'SELECT "file"(\'/etc/hostname\')',
      "SELECT “file”('/etc/hostname')",
      "SELECT `fi\\x6ce`('/etc/hostname')",
      "SELECT file\u200b('/etc/hostname')",
      "SELECT file /* ( */ ('/etc/hostname')",
      "SELECT file('/proc/self/environ')",
      "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
      "SELECT * FROM (SELECT file('/etc/hostname') SETTINGS readonly = 0)",
      'SELECT * FROM (SELECT 1 SETTINGS allow_ddl = 1)',
      'SELECT 1 SETTINGS readonly = 0',
      `SELECT * FROM url('${probeUrl}', 'LineAsString')`,
      `SELECT * FROM urlCluster('default', '${probeUrl}', 'LineAsString')`,
      `SELECT * FROM remote('127.0.0.1:${guardedPort}', system.one)`,
      `SELECT 1 INTO OUTFILE '${out}'`,
      `SELECT 1 INTO /**/ OUTFILE '${out}' TRUNCATE`,
      "SELECT * FROM executable('cat /etc/hostname', 'LineAsString', 'x String')",
      "SELECT * FROM s3('http://127.0.0.1:1/x.csv')",
      "SELECT * FROM merge(currentDatabase(), '^dashboard_')",
      "SELECT getServerSetting('path')",
    ];
    for (const sql of cases) {
      const res = await send({ body: sql });
      assert.equal(res.status, 403, `${sql}\n${res.text}`);
      assert.equal(res.code, '164', sql);
      assert.doesNotMatch(res.text, new RegExp(`${hostname}|SIGHTLINE_|reached`), sql);
    }
    assert.equal(probeHits, 0, 'no request reached the probe');
    assert.equal(fs.existsSync(out), false, 'no file was written');
  });

  it('tables holding secrets and system tables with other callers’ data are not readable', async () => {
    for (const sql of [
      'SELECT * FROM dashboard_users',
      'SELECT email, password_hash FROM default.`dashboard_users`',
      'SELECT token_hash FROM dashboard_sessions',
      'SELECT token_hash FROM share_links',
      'SELECT rule FROM alert_rules',
      'SELECT delivery FROM alert_history',
      'SELECT count() FROM events WHERE session_id IN (SELECT email FROM dashboard_users)',
      'SELECT query FROM system.processes',
      'SELECT * FROM system.users',
      'SELECT * FROM system.named_collections',
    ]) {
      const res = await send({ body: sql });
      assert.deepEqual([res.status, res.code], [403, '497'], `${sql}\n${res.text}`);
    }
    const identifier = await fetch(
      `http://127.0.0.1:${guardedPort}/?param_t=dashboard_users&query=${encodeURIComponent('SELECT * FROM {t:Identifier}')}`,
      { headers: { 'x-clickhouse-user': 'sightline', 'x-clickhouse-key': PASSWORD } },
    );
    assert.equal(identifier.status, 403);
    assert.equal((await send({ body: 'SHOW PROCESSLIST' })).status, 403);
  });

  it('through clickhouse-go (Grafana’s driver) the same: reads work, bypasses are refused', async () => {
    const results = await queryWithClickHouseGo(`127.0.0.1:${guardedPort}`, PASSWORD, {
      count: 'SELECT count() AS n FROM events',
      tables: "SELECT name FROM system.tables WHERE database = currentDatabase() AND name = 'events'",
      file: "SELECT file('/etc/hostname') AS f",
      lifted: "SELECT * FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
      users: 'SELECT email FROM dashboard_users',
      drop: 'DROP TABLE visits_test',
    });
    assert.equal(results.get('count')?.error, undefined);
    assert.deepEqual(results.get('tables')?.rows, [['events']]);
    for (const name of ['file', 'lifted', 'users', 'drop']) {
      assert.match(results.get(name)?.error ?? '', /code: (164|497)/, name);
      assert.equal(results.get(name)?.rows, undefined, name);
    }
    assert.equal(await tableExists('visits_test'), true);
  });

  it('a write-enabled endpoint too refuses what reaches outside the store, and takes a body only as INSERT data', async () => {
    const writer = async (query: string | undefined, body?: string) => {
      const url = new URL(`http://127.0.0.1:${port}/`);
      if (query !== undefined) url.searchParams.set('query', query);
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'x-clickhouse-user': 'sightline', 'x-clickhouse-key': PASSWORD },
        body,
      });
      return { status: res.status, text: await res.text() };
    };
    assert.equal((await writer("SELECT file('/etc/hostname')")).status, 403);
    assert.equal((await writer(`SELECT * FROM url('${probeUrl}', 'LineAsString')`)).status, 403);
    assert.equal(
      (await writer('INSERT INTO visits_test (id, page) VALUES', "(9, file('/etc/hostname'))")).status,
      403,
    );
    assert.equal((await writer('SELECT 1', '; DROP TABLE visits_test')).status, 400);
    assert.equal((await writer('SELECT 1; DROP TABLE visits_test')).status, 400);
    assert.equal(probeHits, 0);
    const ok = await writer('INSERT INTO visits_test FORMAT JSONEachRow', '{"id": 10, "page": "/x;--\'"}');
    assert.equal(ok.status, 200, ok.text);
    const [row] = await server.store.query<{ page: string }>('SELECT page FROM visits_test WHERE id = 10');
    assert.equal(row.page, "/x;--'");
  });
});
