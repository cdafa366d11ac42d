// The suppression list end to end: a person erased with `suppress_days` sends again — through the native and the
// Segment endpoints — and nothing of theirs is stored, while another person's events in the same requests are;
// the drops are counted in a metric; the list keeps only a hash; another process loads it from the store; an
// expired entry no longer suppresses; another process learns that an erasure ran. Bad `suppress_days` values are
// refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordSuppression, SuppressionList } from '../../src/privacy/suppressions.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { traces } from './store-checks.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

const KEY = 'shop-write-key-123';
const ALICE = "alice+suppress-9Kd/o'k@example.com";
const BOB = 'bob-stays-3Xw@example.com';
const admin = { authorization: `Bearer ${ADMIN}` };
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

async function native(events: unknown[]): Promise<void> {
  const res = await postJson(`${server.url}/e`, events, {
    'x-app': 'shop',
    'x-project-key': KEY,
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0',
  });
  assert.equal(res.status, 202, JSON.stringify(res.json));
}

async function countOf(user: string): Promise<number> {
  const [r] = await server.store.query<{ n: number | string }>(
    "SELECT count() AS n FROM events WHERE project = 'shop' AND user_id = {u:String}",
    { u: user },
  );
  return Number(r.n);
}

async function until(user: string, n: number): Promise<void> {
  await eventually(
    async () => ((await countOf(user)) >= n ? true : undefined),
    30_000,
    `${n} events of ${user}`,
  );
}

async function erase(id: string, query: string) {
  const res = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(id)}?project=shop&${query}`, {
    method: 'DELETE',
    headers: admin,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function suppressedMetric(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('sightline_process_suppressed_events_total '));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: `shop:${KEY},app`,
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
  await native([
    { type: 'pageview', user_id: ALICE, path: '/before' },
    { type: 'pageview', user_id: BOB, path: '/before' },
  ]);
  await until(ALICE, 1);
  await until(BOB, 1);
});

after(async () => {
  await server?.cleanup();
});

describe('privacy: suppression list', () => {
  it('refuses bad suppress_days values with 400', async () => {
    for (const q of ['suppress_days=-1', 'suppress_days=1.5', 'suppress_days=x', 'suppress_days=3651']) {
      const res = await erase(ALICE, q);
      assert.equal(res.status, 400, q);
      assert.equal((res.body.error as { code: string }).code, 'PRIVACY_ERR_BAD_PARAMS');
    }
    const visitor = await erase('12345', 'by=visitor_id&suppress_days=3');
    assert.equal(visitor.status, 400);
    assert.equal(await countOf(ALICE), 1, 'nothing erased by a refused request');
  });

  it("drops a suppressed person's new events unstored and counts them; others' are stored", async () => {
    const dropped = await suppressedMetric();
    assert.equal(dropped, 0);
    const res = await erase(ALICE, 'suppress_days=7');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((res.body.removed as Record<string, number>).events, 1);
    const untilMs = Date.parse(String(res.body.suppressed_until));
    assert.ok(untilMs > Date.now() + 6 * 86_400_000 && untilMs <= Date.now() + 7 * 86_400_000);

    // Alice alone, then both in one request, then through Segment: only Bob's arrive.
    await native([{ type: 'pageview', user_id: ALICE, path: '/after-1' }]);
    await native([
      { type: 'pageview', user_id: ALICE, path: '/after-2' },
      { type: 'pageview', user_id: BOB, path: '/after-2' },
    ]);
    const segment = await postJson(
      `${server.url}/v1/batch`,
      {
        batch: [
          { type: 'track', userId: ALICE, event: 'Order Completed', messageId: 'a-1' },
          { type: 'track', userId: BOB, event: 'Order Completed', messageId: 'b-1' },
        ],
      },
      { authorization: basic },
    );
    assert.equal(segment.status, 200);
    await until(BOB, 3);
    assert.equal(await countOf(ALICE), 0);
    assert.deepEqual(
      await traces(server.store, ALICE),
      [],
      'the id is nowhere, the suppression list included',
    );
    assert.deepEqual(await traces(server.store, '/after-1'), []);
    assert.equal(await suppressedMetric(), 3);
  });

  it('is loaded from the store by another process; an expired entry suppresses no more', async () => {
    const other = new SuppressionList(server.store);
    await other.refresh();
    // Received now, after the erasure: only a suppression drops it (the erasure's marker covers earlier events).
    const received_at = new Date().toISOString();
    assert.ok(other.has({ project: 'shop', user_id: ALICE, received_at }));
    assert.ok(!other.has({ project: 'shop', user_id: BOB, received_at }));
    assert.ok(!other.has({ project: 'app', user_id: ALICE, received_at }), 'suppressed in its project only');
    // Erased with a one-day suppression two days ago: over.
    const carol = { project: 'shop', type: 'user_id' as const, id: 'carol@example.com' };
    await recordSuppression(server.store, carol, 'old-request', 1, Date.now() - 2 * 86_400_000);
    await other.refresh();
    assert.ok(!other.has({ project: 'shop', user_id: carol.id, received_at }));
    assert.ok(other.has({ project: 'shop', user_id: ALICE, received_at }));
  });

  it("tells another process's processor that an erasure ran, so it drops the visits it holds", async () => {
    const other = new SuppressionList(server.store);
    await other.refresh();
    const before = other.erasureGeneration();
    await other.refresh();
    assert.equal(other.erasureGeneration(), before, 'nothing erased: no change');
    await native([{ type: 'pageview', path: '/dave', user_id: 'dave@example.com' }]);
    await until('dave@example.com', 1);
    const res = await erase('dave@example.com', '');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await other.refresh();
    assert.ok(other.erasureGeneration() > before, 'the erasure is seen from the journal');
    const seen = other.erasureGeneration();
    await other.refresh();
    assert.equal(other.erasureGeneration(), seen, 'read again: no change');
  });
});
