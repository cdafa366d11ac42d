// Erasure and export of one person end to end, on a real server: their events through the native, Segment and
// Snowplow endpoints, a profile with traits, a dead letter and a forwarding dead letter carrying their id, and
// other people's traffic around them. Export returns their rows; erasure leaves no trace of the id in any
// String/Map/JSON/Array column of any table (system.columns enumerated, aggregate states included), while
// everyone else's rows stay as they were and the rollups (hourly, daily) hold exactly what the remaining events
// roll up to, so the stats lose the person's contribution and nothing else. Only admins may ask.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { encodeEnvelope } from '../../src/contract/envelope.ts';
import { breakdownQuery } from '../../src/query/queries/breakdown.query.ts';
import { overviewQuery } from '../../src/query/queries/overview.query.ts';
import { NO_FILTER } from '../../src/query/stats-filters.ts';
import type { StatsQuery } from '../../src/query/stats-query.ts';
import { rangeOf } from '../../src/query/time-range.ts';
import { ROLLUP_COLUMNS } from '../../src/store/rollups.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { assertRollupsExact, traces } from './store-checks.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let refusing: http.Server;

const KEY = 'shop-write-key-123';
const JWT_SECRET = 'privacy-test-jwt-secret-0123456789abcdef';
// Characters a URL and SQL must both carry intact.
const ALICE = "alice+erase-7Qz/o'k@example.com";
const BOB = 'bob-keeps-4Rt@example.com';
const UA_ALICE = 'Mozilla/5.0 (X11; Linux x86_64) AliceBrowser/1.0';
const UA_BOB = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) BobBrowser/2.0';
const UA_CAROL = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) CarolBrowser/3.0';

const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;
const admin = { authorization: `Bearer ${ADMIN}` };

async function native(events: unknown[], ua: string): Promise<void> {
  const res = await postJson(`${server.url}/e`, events, {
    'x-app': 'shop',
    'x-project-key': KEY,
    'user-agent': ua,
  });
  assert.equal(res.status, 202, JSON.stringify(res.json));
}

async function segment(batch: unknown[]): Promise<void> {
  const res = await postJson(`${server.url}/v1/batch`, { batch }, { authorization: basic });
  assert.equal(res.status, 200, JSON.stringify(res.json));
}

async function snowplow(data: Array<Record<string, string>>, ua: string): Promise<void> {
  const res = await fetch(`${server.url}/com.snowplowanalytics.snowplow/tp2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': ua },
    body: JSON.stringify({
      schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
      data: data.map((d) => ({ aid: 'shop-web', p: 'web', tv: 'js-3.0.0', dtm: String(Date.now()), ...d })),
    }),
  });
  assert.ok(res.status < 300, await res.text());
}

/** A person's traffic: a page view before login, then identified through every protocol, a signup, a bad event. */
async function traffic(user: string, ua: string, tag: string): Promise<void> {
  // The client's own session id links the page view before login to the person.
  const visit = `${tag}-visit-1`;
  await native([{ type: 'pageview', path: `/${tag}/landing`, session_id: visit }], ua);
  await native(
    [
      { type: 'identify', user_id: user, session_id: visit, details: { email: user, plan: `${tag}-plan` } },
      { type: 'pageview', user_id: user, session_id: visit, path: `/${tag}/account` },
      { type: 'signup', user_id: user, session_id: visit, path: '/signup', details: { plan: 'pro' } },
    ],
    ua,
  );
  await segment([
    {
      type: 'identify',
      userId: user,
      messageId: `${tag}-identify`,
      traits: { email: user, name: tag },
      context: { ip: '81.169.145.1', userAgent: ua },
    },
    {
      type: 'track',
      userId: user,
      messageId: `${tag}-order`,
      event: 'Order Completed',
      properties: { revenue: 42 },
      context: { ip: '81.169.145.1', userAgent: ua },
    },
  ]);
  await snowplow(
    [
      { e: 'pv', uid: user, url: `https://shop.example.com/${tag}/cart`, page: 'Cart' },
      { e: 'se', uid: user, se_ca: 'checkout', se_ac: 'add', url: 'https://shop.example.com/cart' },
    ],
    ua,
  );
  // What the collector accepted but processing could not use (an older collector let bad dates through) becomes
  // a dead letter, holding the id in its payload.
  const body = Buffer.from(JSON.stringify([{ type: 'purchase', user_id: user, timestamp: 'not-a-date' }]));
  await server.log.append('events', [
    encodeEnvelope(
      {
        v: 1,
        id: randomUUID(),
        receivedAt: Date.now(),
        protocol: 'native',
        project: 'shop',
        ip: '203.0.113.1',
        ua,
        headers: {},
        count: 1,
      },
      body,
    ),
  ]);
}

/** Log lines and captured database rows that carry the person's id in the configured fields. */
async function logsAndChanges(user: string, tag: string, id: number): Promise<void> {
  const lines = [
    { message: `${tag} logged in`, level: 'info', service: 'auth', user_id: user },
    { message: `${tag} paid`, level: 'info', service: 'billing', email: user, amount: 42 },
    { message: `${tag} page rendered`, level: 'debug', service: 'web', route: `/${tag}` },
  ];
  const logs = await fetch(`${server.url}/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'shop', 'x-project-key': KEY },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  assert.equal(logs.status, 202, await logs.clone().text());
  const ts = Math.floor(Date.now() / 1000);
  const changes = [
    { table: 'users', type: 'insert', xid: id * 10, data: { id, email: user, plan: 'free' } },
    // An update that changed the e-mail away from the id: the old value still names the person.
    {
      table: 'users',
      type: 'update',
      xid: id * 10 + 1,
      data: { id, email: `${tag}-renamed@example.org`, plan: 'pro' },
      old: { email: user, plan: 'free' },
    },
    { table: 'orders', type: 'insert', xid: id * 10 + 2, data: { id: id * 100, total: 42 } },
  ];
  const cdc = await fetch(`${server.url}/cdc`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'shop', 'x-project-key': KEY },
    body: changes
      .map((c) => JSON.stringify({ database: 'shopdb', ts, xoffset: 0, commit: true, ...c }))
      .join('\n'),
  });
  assert.equal(cdc.status, 202, await cdc.clone().text());
}

async function exportOf(user: string, headers: Record<string, string> = admin) {
  const res = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(user)}/export?project=shop`, {
    headers,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function erase(id: string, by = 'user_id', headers: Record<string, string> = admin) {
  const res = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(id)}?project=shop&by=${by}`, {
    method: 'DELETE',
    headers,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const tablesOf = (body: Record<string, unknown>) =>
  body.tables as Record<string, Array<Record<string, unknown>>>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Ranges of whole UTC days (read from `events_daily`) and of whole hours within a day (`events_hourly`): the
 * rollups answer only such ranges, so both tables are put to the test.
 */
function ranges() {
  const today = Math.floor(Date.now() / DAY) * DAY;
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  return { days: rangeOf(today - DAY, today + 2 * DAY), hours: rangeOf(hour - 2 * HOUR, hour + 2 * HOUR) };
}

function statsQuery(range: StatsQuery['range']): StatsQuery {
  return {
    store: server.store,
    target: { project: 'shop' },
    range,
    tz: 'UTC',
    filter: NO_FILTER,
    timeoutMs: 30_000,
  };
}

/** The overview and every rolled-up breakdown, as the API answers them from the rollups. */
async function stats() {
  const out: Record<string, { overview: Record<string, number>; breakdowns: Record<string, unknown> }> = {};
  for (const [name, range] of Object.entries(ranges())) {
    const q = statsQuery(range);
    const breakdowns: Record<string, unknown> = {};
    for (const dimension of Object.keys(ROLLUP_COLUMNS).filter((d) => d !== ''))
      breakdowns[dimension] = await breakdownQuery(q, dimension, 100, 1, true);
    out[name] = {
      overview: { ...(await overviewQuery(q)) } as unknown as Record<string, number>,
      breakdowns,
    };
  }
  return out;
}

const stable = (body: Record<string, unknown>) => ({ counts: body.counts, tables: body.tables });

before(async () => {
  const port = await freePort();
  // A forwarding destination that refuses for good: every signup becomes a forward dead letter.
  refusing = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"refused"}');
    });
  });
  await new Promise<void>((resolve) => refusing.listen(port, '127.0.0.1', resolve));
  server = await startInProcess({
    SIGHTLINE_PROJECTS: `shop:${KEY},app`,
    SIGHTLINE_SITE_PROJECTS: 'shop-web=shop',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
    SIGHTLINE_JWT_SECRET: JWT_SECRET,
    SIGHTLINE_FORWARD: JSON.stringify({
      destinations: [{ name: 'crm', type: 'webhook', url: `http://127.0.0.1:${port}/hook`, maxAttempts: 1 }],
      rules: [{ destination: 'crm', project: 'shop', types: ['signup'] }],
    }),
  });
  await traffic(ALICE, UA_ALICE, 'alice');
  await traffic(BOB, UA_BOB, 'bob');
  await logsAndChanges(ALICE, 'alice', 1);
  await logsAndChanges(BOB, 'bob', 2);
  // Carol never logs in: a visitor only.
  await native(
    [
      { type: 'pageview', path: '/carol/a' },
      { type: 'pageview', path: '/carol/b' },
    ],
    UA_CAROL,
  );
  await eventually(
    async () => {
      const [r] = await server.store.query<Record<string, number | string>>(
        `SELECT (SELECT count() FROM events WHERE project = 'shop') AS events,
                (SELECT count() FROM dead_letters WHERE project = 'shop') AS dead,
                (SELECT count() FROM forward_dead_letters WHERE project = 'shop') AS forward,
                (SELECT count() FROM logs WHERE project = 'shop') AS logs,
                (SELECT count() FROM db_changes WHERE project = 'shop') AS changes`,
      );
      return Number(r.events) >= 2 * 8 + 2 &&
        Number(r.dead) >= 2 &&
        Number(r.forward) >= 2 &&
        Number(r.logs) === 6 &&
        Number(r.changes) === 6
        ? r
        : undefined;
    },
    60_000,
    'every event, dead letter and forward dead letter stored',
  );
});

after(async () => {
  await server?.cleanup();
  await new Promise((resolve) => refusing?.close(resolve));
});

describe('privacy: erase and export one person', () => {
  let aliceExport: Record<string, unknown>;
  let bobBefore: Record<string, unknown>;
  let statsBefore: Awaited<ReturnType<typeof stats>>;

  it('is for admins only: no token 401; a project JWT, a tenant JWT, a share link 403', async () => {
    const jwt = (claims: Record<string, unknown>) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(JWT_SECRET));
    const share = await postJson(`${server.url}/api/v1/shares`, { project: 'shop' }, admin);
    assert.equal(share.status, 201);
    const callers: Array<[string, Record<string, string>, number]> = [
      ['nobody', {}, 401],
      ['project JWT', { authorization: `Bearer ${await jwt({ project_id: 'shop' })}` }, 403],
      ['tenant JWT', { authorization: `Bearer ${await jwt({ project_id: 'shop', tenant_id: 't1' })}` }, 403],
      ['share link', { authorization: `Bearer ${share.json.token}` }, 403],
    ];
    for (const [who, headers, status] of callers) {
      assert.equal((await erase(ALICE, 'user_id', headers)).status, status, `${who} erasing`);
      assert.equal((await exportOf(ALICE, headers)).status, status, `${who} exporting`);
      const list = await fetch(`${server.url}/api/v1/privacy/requests`, { headers });
      assert.equal(list.status, status, `${who} listing requests`);
    }
    // A share link in the URL, as public dashboards carry it.
    const viaUrl = await fetch(
      `${server.url}/api/v1/people/${encodeURIComponent(ALICE)}/export?project=shop&auth=${share.json.token}`,
    );
    assert.equal(viaUrl.status, 403);
    // Nothing was touched by the refused calls.
    const [n] = await server.store.query<{ n: number | string }>(
      'SELECT count() AS n FROM events WHERE user_id = {u:String}',
      { u: ALICE },
    );
    assert.ok(Number(n.n) >= 5);
  });

  it('refuses bad parameters with 400 and a code', async () => {
    const unknown = await fetch(`${server.url}/api/v1/people/x?project=nope`, {
      method: 'DELETE',
      headers: admin,
    });
    assert.equal(unknown.status, 400);
    assert.equal(
      ((await unknown.json()) as { error: { code: string } }).error.code,
      'PRIVACY_ERR_BAD_PARAMS',
    );
    assert.equal((await erase('not-a-number', 'visitor_id')).status, 400);
    assert.equal((await erase(ALICE, 'email')).status, 400);
  });

  it("exports every row the store holds for the person, through every protocol, and no one else's", async () => {
    const res = await exportOf(ALICE);
    assert.equal(res.status, 200);
    aliceExport = res.body;
    const t = tablesOf(aliceExport);
    const protocols = new Set(t.events.map((e) => e.protocol));
    assert.deepEqual([...protocols].sort(), ['native', 'segment', 'snowplow']);
    for (const e of t.events)
      assert.ok(e.user_id === ALICE || e.user_id === '', `an event of ${e.user_id} exported`);
    // The page view before she logged in is hers: the same visit.
    assert.ok(t.events.some((e) => e.user_id === '' && e.path === '/alice/landing'));
    assert.ok(t.sessions.length >= 1);
    assert.equal(t.user_profiles.length, 1);
    assert.match(String(t.user_profiles[0].traits), /alice/);
    assert.equal(t.dead_letters.length, 1);
    assert.match(String(t.dead_letters[0].payload), /not-a-date/);
    assert.ok(t.forward_dead_letters.length >= 1);
    // Log lines with her id in `user_id` or `email`; her user row's insert and the update whose old e-mail was hers.
    assert.deepEqual(t.logs.map((l) => l.message).sort(), ['alice logged in', 'alice paid']);
    assert.deepEqual(
      t.db_changes.map((c) => c.type),
      ['insert', 'update'],
    );
    assert.ok(!JSON.stringify(t).includes(BOB), "bob's rows are not in alice's export");
    assert.deepEqual(aliceExport.counts, {
      events: t.events.length,
      sessions: t.sessions.length,
      user_profiles: 1,
      dead_letters: 1,
      forward_dead_letters: t.forward_dead_letters.length,
      logs: 2,
      db_changes: 2,
    });
  });

  it('erases the person: no trace of the id in any column of any table, counts per table answered', async () => {
    bobBefore = (await exportOf(BOB)).body;
    await assertRollupsExact(server.store, 'shop');
    statsBefore = await stats();
    // The scan finds what is there: the id is in every kind of table before.
    const before = await traces(server.store, ALICE);
    for (const where of [
      'events.user_id',
      'user_profiles.traits',
      'dead_letters.payload',
      'forward_dead_letters.payload',
      'logs.attributes',
      'db_changes.data',
      'db_changes.old',
    ])
      assert.ok(before.includes(where), `${where} not found before erasure (${before.join(', ')})`);

    const res = await erase(ALICE);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const exported = aliceExport.counts as Record<string, number>;
    const removed = res.body.removed as Record<string, number>;
    assert.equal(removed.events, exported.events);
    assert.equal(removed.sessions, exported.sessions);
    assert.equal(removed.user_profiles, 1);
    assert.equal(removed.dead_letters, 1);
    assert.equal(removed.forward_dead_letters, exported.forward_dead_letters);
    assert.equal(removed.logs, 2);
    assert.equal(removed.db_changes, 2);
    assert.ok(removed.rollup_days >= 1);

    assert.deepEqual(await traces(server.store, ALICE), []);
    // Her sessions' ids and her anonymous page view are gone too.
    const sessionIds = tablesOf(aliceExport).sessions.map((s) => String(s.session_id));
    for (const id of sessionIds) assert.deepEqual(await traces(server.store, id), [], `session ${id}`);
    assert.deepEqual(await traces(server.store, '/alice/landing'), []);
    // Her log line without an id in a configured field, the order row and everyone else's stay.
    const [left] = await server.store.query<Record<string, number | string>>(
      `SELECT (SELECT count() FROM logs WHERE project = 'shop') AS logs,
              (SELECT count() FROM logs WHERE message = 'alice page rendered') AS untagged,
              (SELECT count() FROM db_changes WHERE project = 'shop') AS changes,
              (SELECT count() FROM db_changes WHERE \`table\` = 'orders') AS orders`,
    );
    assert.deepEqual(
      {
        logs: Number(left.logs),
        untagged: Number(left.untagged),
        changes: Number(left.changes),
        orders: Number(left.orders),
      },
      { logs: 4, untagged: 1, changes: 4, orders: 2 },
    );
  });

  it("leaves everyone else's rows as they were; rollups hold exactly the remaining events", async () => {
    assert.deepEqual(stable((await exportOf(BOB)).body), stable(bobBefore));
    await assertRollupsExact(server.store, 'shop');
    const after = await stats();
    // Her contribution, and only hers, left the totals.
    const hers = tablesOf(aliceExport).events;
    for (const range of ['days', 'hours'] as const) {
      const [now, then] = [after[range].overview, statsBefore[range].overview];
      assert.equal(now.events, then.events - hers.length, range);
      assert.equal(now.pageviews, then.pageviews - hers.filter((e) => e.type === 'pageview').length, range);
      assert.equal(now.visitors, then.visitors - new Set(hers.map((e) => e.visitor_id)).size, range);
      assert.equal(now.visits, then.visits - new Set(hers.map((e) => e.session_id)).size, range);
    }
    assert.notDeepEqual(after.days.breakdowns, statsBefore.days.breakdowns);
    assert.notDeepEqual(after.hours.breakdowns, statsBefore.hours.breakdowns);
  });

  it('records every request in the audit, with a hash of the id and never the id', async () => {
    const res = await fetch(`${server.url}/api/v1/privacy/requests`, { headers: admin });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { results: Array<Record<string, unknown>> };
    const hash = createHash('sha256').update(`shop\u0000user_id\u0000${ALICE}`).digest('hex');
    const hers = body.results.filter((r) => r.subject_hash === hash);
    assert.deepEqual(hers.map((r) => r.kind).sort(), ['erase', 'export']);
    for (const r of hers) {
      assert.equal(r.status, 'done');
      assert.equal(r.requested_by, 'admin token');
      assert.ok(r.finished_at);
    }
    const erased = hers.find((r) => r.kind === 'erase');
    assert.ok(erased);
    assert.equal((erased.counts as Record<string, number>).user_profiles, 1);
    assert.ok(!JSON.stringify(body).includes(ALICE));
  });

  it('erasing again finds nothing; the export is empty', async () => {
    const again = await erase(ALICE);
    assert.equal(again.status, 200);
    assert.deepEqual(Object.values(again.body.removed as Record<string, number>), [0, 0, 0, 0, 0, 0, 0, 0]);
    const empty = await exportOf(ALICE);
    assert.deepEqual(Object.values(empty.body.counts as Record<string, number>), [0, 0, 0, 0, 0, 0, 0]);
  });

  it('erases a visitor who never logged in by visitor id, the stats staying exact', async () => {
    const [carol] = await server.store.query<{ visitor: string; events: number | string }>(
      `SELECT toString(any(visitor_id)) AS visitor, count() AS events FROM events
       WHERE project = 'shop' AND path LIKE '/carol/%'`,
    );
    assert.equal(Number(carol.events), 2);
    const overviewBefore = (await stats()).days.overview;
    const res = await erase(carol.visitor, 'visitor_id');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body.removed as Record<string, number>).events, 2);
    assert.equal((res.body.removed as Record<string, number>).sessions, 1);
    assert.deepEqual(await traces(server.store, '/carol/'), []);
    await assertRollupsExact(server.store, 'shop');
    const overview = (await stats()).days.overview;
    assert.equal(overview.events, overviewBefore.events - 2);
    assert.equal(overview.visitors, overviewBefore.visitors - 1);
  });
});
