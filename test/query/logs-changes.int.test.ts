// The Logs and Database changes APIs over rows that came in through POST /logs and POST /cdc: text and level
// search, volume per level (zero-filled), facets; change rates, latest changes, one row's history.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const now = Date.now();
const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
/** The last two hours, as exact instants (a run just after midnight must not lose half of the rows). */
const RANGE = `from=${encodeURIComponent(at(120))}&to=${encodeURIComponent(at(-5))}`;

async function get<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  return { status: res.status, body: (await res.json()) as T };
}

const LINES = [
  { time: at(50), level: 'info', service: 'api', host: 'web-1', message: 'GET /health 200' },
  { time: at(40), level: 'error', service: 'api', host: 'web-1', message: 'Payment FAILED for order 17' },
  { time: at(30), level: 'warn', service: 'worker', host: 'web-2', message: 'retrying payment job' },
  { time: at(20), level: 'error', service: 'worker', host: 'web-2', message: 'payment gateway timeout' },
  { time: at(10), level: 'info', service: 'api', host: 'web-2', message: 'order 17 shipped' },
];

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'app,website' });
  const logs = await fetch(`${server.url}/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'app' },
    body: LINES.map((l) => JSON.stringify(l)).join('\n'),
  });
  assert.equal(logs.status, 202);
  const ts = Math.floor(now / 1000);
  const changes = [
    {
      database: 'shop',
      table: 'orders',
      type: 'insert',
      ts: ts - 300,
      xid: 1,
      primary_key: [17],
      data: { id: 17, status: 'new' },
    },
    {
      database: 'shop',
      table: 'orders',
      type: 'update',
      ts: ts - 200,
      xid: 2,
      primary_key: [17],
      data: { id: 17, status: 'paid' },
      old: { status: 'new' },
    },
    {
      database: 'shop',
      table: 'orders',
      type: 'insert',
      ts: ts - 150,
      xid: 3,
      primary_key: [18],
      data: { id: 18, status: 'new' },
    },
    {
      database: 'shop',
      table: 'orders',
      type: 'update',
      ts: ts - 100,
      xid: 4,
      primary_key: [17],
      data: { id: 17, status: 'shipped' },
      old: { status: 'paid' },
    },
    {
      database: 'shop',
      table: 'users',
      type: 'delete',
      ts: ts - 50,
      xid: 5,
      primary_key: [3],
      data: { id: 3, email: 'x@y.z' },
    },
  ];
  const cdc = await fetch(`${server.url}/cdc`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'app' },
    body: changes.map((c) => JSON.stringify({ ...c, commit: true })).join('\n'),
  });
  assert.equal(cdc.status, 202, await cdc.clone().text());
  await eventually(async () => {
    const l = await get<{ results: unknown[] }>(`/api/v1/logs?project=app&${RANGE}`);
    const c = await get<{ results: unknown[] }>(`/api/v1/db/changes?project=app&${RANGE}`);
    return l.body.results?.length === 5 && c.body.results?.length === 5 ? true : undefined;
  }, 20_000);
});
after(async () => {
  await server?.cleanup();
});

describe('logs API', () => {
  it('lists newest first and searches words case-insensitively, with level/service/host filters', async () => {
    const all = await get<{ results: Array<{ message: string }> }>(`/api/v1/logs?project=app&${RANGE}`);
    assert.deepEqual(
      all.body.results.map((r) => r.message),
      [...LINES].reverse().map((l) => l.message),
    );
    const payment = await get<{ results: Array<{ message: string }> }>(
      `/api/v1/logs?project=app&${RANGE}&q=PAYMENT`,
    );
    assert.equal(payment.body.results.length, 3);
    const both = await get<{ results: Array<{ message: string }> }>(
      `/api/v1/logs?project=app&${RANGE}&q=payment%20order`,
    );
    assert.deepEqual(
      both.body.results.map((r) => r.message),
      ['Payment FAILED for order 17'],
    );
    const errors = await get<{ results: Array<{ level: string; host: string }> }>(
      `/api/v1/logs?project=app&${RANGE}&level=error&host=web-2`,
    );
    assert.deepEqual(
      errors.body.results.map((r) => [r.level, r.host]),
      [['error', 'web-2']],
    );
  });

  it('counts volume per level per bucket, zero-filled, and lists facets', async () => {
    const v = await get<{
      levels: string[];
      results: Array<{ date: string; counts: Record<string, number> }>;
    }>(`/api/v1/logs/volume?project=app&${RANGE}&interval=hour&tz=UTC`);
    assert.deepEqual(v.body.levels, ['error', 'info', 'warn']);
    const total = v.body.results.reduce((n, b) => n + b.counts.error + b.counts.info + b.counts.warn, 0);
    assert.equal(total, 5);
    assert.ok(v.body.results.length >= 1 && v.body.results.every((b) => Object.keys(b.counts).length === 3));
    const f = await get<Record<string, string[]>>(`/api/v1/logs/facets?project=app&${RANGE}`);
    assert.deepEqual([...f.body.services].sort(), ['api', 'worker']);
    assert.deepEqual([...f.body.hosts].sort(), ['web-1', 'web-2']);
  });
});

describe('database changes API', () => {
  it('gives per-table rates and the latest changes', async () => {
    const rates = await get<{ results: Array<Record<string, number | string>> }>(
      `/api/v1/db/rates?project=app&${RANGE}`,
    );
    const orders = rates.body.results.find((r) => r.table === 'orders');
    assert.deepEqual(
      { inserts: orders?.inserts, updates: orders?.updates, deletes: orders?.deletes },
      { inserts: 2, updates: 2, deletes: 0 },
    );
    const latest = await get<{ results: Array<{ type: string; table: string }> }>(
      `/api/v1/db/changes?project=app&${RANGE}&table=orders&limit=2`,
    );
    assert.deepEqual(
      latest.body.results.map((c) => c.type),
      ['update', 'insert'],
    );
  });

  it("lists the latest change of each row (per=row), filtered on that change's type", async () => {
    type Latest = {
      table: string;
      type: string;
      primary_key: unknown;
      versions: number;
      data: { status?: string };
    };
    const rows = await get<{ results: Latest[] }>(`/api/v1/db/changes?project=app&${RANGE}&per=row`);
    assert.equal(rows.status, 200, JSON.stringify(rows.body));
    assert.deepEqual(
      rows.body.results.map((c) => [c.table, c.primary_key, c.type, c.versions, c.data.status ?? null]),
      [
        ['users', [3], 'delete', 1, null],
        ['orders', [17], 'update', 3, 'shipped'],
        ['orders', [18], 'insert', 1, 'new'],
      ],
    );
    const deleted = await get<{ results: Latest[] }>(
      `/api/v1/db/changes?project=app&${RANGE}&per=row&type=delete`,
    );
    assert.deepEqual(
      deleted.body.results.map((c) => [c.table, c.primary_key]),
      [['users', [3]]],
    );
    // A row whose latest change is an update is not "inserted" any more, though it once was.
    const inserted = await get<{ results: Latest[] }>(
      `/api/v1/db/changes?project=app&${RANGE}&per=row&type=insert&table=orders`,
    );
    assert.deepEqual(
      inserted.body.results.map((c) => c.primary_key),
      [[18]],
    );
    const bad = await get(`/api/v1/db/changes?project=app&${RANGE}&per=table`);
    assert.equal(bad.status, 400);
  });

  it('shows every version of one row, oldest first', async () => {
    const h = await get<{ results: Array<{ type: string; data: { status: string }; old: unknown }> }>(
      `/api/v1/db/row-history?project=app&database=shop&table=orders&key=${encodeURIComponent('{"id":17}')}`,
    );
    assert.deepEqual(
      h.body.results.map((c) => [c.type, c.data.status]),
      [
        ['insert', 'new'],
        ['update', 'paid'],
        ['update', 'shipped'],
      ],
    );
    const bad = await get('/api/v1/db/row-history?project=app&database=shop&table=orders&key=17');
    assert.equal(bad.status, 400);
  });
});
