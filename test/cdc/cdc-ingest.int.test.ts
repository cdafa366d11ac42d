// POST /cdc with Maxwell's documented message shapes → db_changes rows (and a row's history from them).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'shopdb:cdc-key-12345',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server.cleanup();
});

const headers = { 'x-app': 'shopdb', 'x-project-key': 'cdc-key-12345' };
const TS = 1713326652;

describe('POST /cdc (Maxwell JSON)', () => {
  it('stores inserts, updates with their old values, deletes and a multi-row transaction', async () => {
    const lines = [
      {
        database: 'shop',
        table: 'users',
        type: 'insert',
        ts: TS,
        xid: 100,
        commit: true,
        data: { id: 1, email: 'a@x.io', plan: 'free' },
        position: 'mariadb-bin.000001:1200',
      },
      {
        database: 'shop',
        table: 'users',
        type: 'update',
        ts: TS + 60,
        xid: 101,
        commit: true,
        data: { id: 1, email: 'a@x.io', plan: 'pro' },
        old: { plan: 'free' },
      },
      {
        database: 'shop',
        table: 'orders',
        type: 'insert',
        ts: TS + 120,
        xid: 102,
        xoffset: 0,
        data: { id: 7, user_id: 1, total: '19.90', paid_at: '2024-04-17 04:06:12' },
      },
      {
        database: 'shop',
        table: 'orders',
        type: 'insert',
        ts: TS + 120,
        xid: 102,
        xoffset: 1,
        data: { id: 8, user_id: 1, total: '5.00', paid_at: null },
      },
      {
        database: 'shop',
        table: 'users',
        type: 'update',
        ts: TS + 120,
        xid: 102,
        xoffset: 2,
        commit: true,
        data: { id: 1, email: 'a@x.io', plan: 'team' },
        old: { plan: 'pro' },
      },
      {
        database: 'shop',
        table: 'users',
        type: 'delete',
        ts: TS + 600,
        xid: 103,
        commit: true,
        data: { id: 1, email: 'a@x.io', plan: 'team' },
      },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n');
    const res = await postJson(`${server.url}/cdc`, lines, headers);
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 6 });
    const history = await eventually(async () => {
      const r = await server.store.query<{
        type: string;
        data: string;
        old: string;
        xid: string;
        commit: boolean;
      }>(
        "SELECT type, data, old, xid, commit FROM db_changes WHERE project = 'shopdb' AND table = 'users' AND JSONExtractInt(data, 'id') = 1 ORDER BY ts, xid, xoffset",
      );
      return r.length >= 4 ? r : undefined;
    });
    assert.deepEqual(
      history.map((h) => [h.type, JSON.parse(h.data).plan, h.old ? JSON.parse(h.old) : null]),
      [
        ['insert', 'free', null],
        ['update', 'pro', { plan: 'free' }],
        ['update', 'team', { plan: 'pro' }],
        ['delete', 'team', null],
      ],
    );
    const txn = await server.store.query<{ n: string; commits: string }>(
      'SELECT count() AS n, countIf(commit) AS commits FROM db_changes WHERE xid = 102',
    );
    assert.deepEqual(
      [Number(txn[0].n), Number(txn[0].commits)],
      [3, 1],
      'one commit flag per transaction, on its last row',
    );
  });

  it('accepts DDL messages and refuses malformed ones with every problem, storing nothing of that body', async () => {
    const ddl = await postJson(
      `${server.url}/cdc`,
      {
        database: 'shop',
        table: 'users',
        type: 'table-alter',
        ts: TS,
        sql: 'ALTER TABLE users ADD COLUMN name text',
      },
      headers,
    );
    assert.equal(ddl.status, 202);
    const bad = await postJson(
      `${server.url}/cdc`,
      [
        { database: 'shop', table: 'users', type: 'insert', ts: TS, data: { id: 99 } },
        { table: 'users', type: 'upsert', ts: 'yesterday' },
      ],
      headers,
    );
    assert.equal(bad.status, 400);
    const details = (bad.json.error as { details: Array<{ index: number; field: string }> }).details;
    assert.deepEqual(
      details.map((d) => [d.index, d.field]),
      [
        [1, 'database'],
        [1, 'type'],
        [1, 'ts'],
      ],
    );
    const wrongKey = await postJson(
      `${server.url}/cdc`,
      { database: 'd', table: 't', type: 'insert', ts: TS },
      { 'x-app': 'shopdb' },
    );
    assert.equal(wrongKey.status, 401);
    await new Promise((r) => setTimeout(r, 300));
    const stray = await server.store.query<{ n: string }>(
      "SELECT count() AS n FROM db_changes WHERE JSONExtractInt(data, 'id') = 99",
    );
    assert.equal(Number(stray[0].n), 0);
  });

  it('stores a change a sender repeats (same server, position, offset) once; unnamed changes are kept', async () => {
    const change = (xoffset: number, extra: object = {}) => ({
      database: 'shop',
      table: 'repeats',
      type: 'insert',
      ts: TS + 900,
      xid: 500,
      xoffset,
      server_id: 7,
      position: 'mariadb-bin.000002:4400',
      data: { id: xoffset },
      ...extra,
    });
    const first = [change(0), change(1)];
    // The resend overlaps the first request and repeats a change within itself; one change is new.
    const resend = [change(1), change(1), change(2, { commit: true })];
    // Without a position nothing names a change: both copies are kept.
    const unnamed = { database: 'shop', table: 'repeats', type: 'insert', ts: TS + 900, data: { id: 99 } };
    for (const body of [first, resend, [unnamed], [unnamed]])
      assert.equal((await postJson(`${server.url}/cdc`, body, headers)).status, 202);
    const ids = await eventually(async () => {
      const r = await server.store.query<{ id: string }>(
        "SELECT JSONExtractInt(data, 'id') AS id FROM db_changes WHERE table = 'repeats' ORDER BY id",
      );
      return r.length >= 5 ? r.map((x) => Number(x.id)) : undefined;
    });
    // Let a late duplicate show up before the final count.
    await new Promise((r) => setTimeout(r, 500));
    const all = await server.store.query<{ id: string }>(
      "SELECT JSONExtractInt(data, 'id') AS id FROM db_changes WHERE table = 'repeats' ORDER BY id",
    );
    assert.deepEqual(ids, [0, 1, 2, 99, 99]);
    assert.equal(all.length, 5);
  });
});
