/** Aggregate pushes against a real store: per-user totals of each closed period, none skipped, none repeated. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { AGGREGATE_EVENT_TYPE, pushDuePeriods } from '../../src/forward/aggregate-push.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { type Forwarder, startForwarder } from '../../src/forward/forward-consumer.ts';
import type { ForwardEvent } from '../../src/forward/forward-event.ts';
import { createForwardMetrics } from '../../src/forward/forward-metrics.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { freePort } from '../support/free-port.ts';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { Receiver } from './receiver.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
const DAY = 86_400_000;
const D1 = Date.UTC(2026, 10, 1);

/** Events per (day offset, user): the expected totals are counted from this list, not from the store. */
const SENT = [
  { day: 0, user: 'ann', type: 'pageview' },
  { day: 0, user: 'ann', type: 'click' },
  { day: 0, user: 'bob', type: 'pageview' },
  { day: 1, user: 'ann', type: 'signup' },
  { day: 2, user: 'bob', type: 'pageview' },
  { day: 2, user: 'bob', type: 'pageview' },
  { day: 2, user: 'cy', type: 'click' },
  { day: 2, user: '', type: 'click' },
];

function expectedTotals(day: number) {
  const out = new Map<string, { events: number; pageviews: number }>();
  for (const e of SENT.filter((s) => s.day === day && s.user !== '')) {
    const t = out.get(e.user) ?? { events: 0, pageviews: 0 };
    t.events++;
    if (e.type === 'pageview') t.pageviews++;
    out.set(e.user, t);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)));
}

describe('aggregate pushes', () => {
  let server: Server;
  let forwarder: Forwarder;
  const receiver = new Receiver();
  const forward = (port: number) =>
    parseForwardConfig(
      JSON.stringify({
        destinations: [{ name: 'totals', type: 'webhook', url: `http://127.0.0.1:${port}/`, backoffMs: 5 }],
        aggregates: [{ destination: 'totals', every: 'day', project: 'app' }],
      }),
    );

  before(async () => {
    const port = await freePort();
    await receiver.listen(port);
    // The server's own pushes (destination `daily`) run on the real clock; the tests below drive `totals`.
    server = await startInProcess({
      SIGHTLINE_FORWARD: JSON.stringify({
        destinations: [{ name: 'daily', type: 'webhook', url: `http://127.0.0.1:${port}/` }],
        aggregates: [{ destination: 'daily', every: 'hour', project: 'app' }],
      }),
    });
    const config = forward(port);
    forwarder = startForwarder({
      log: server.log,
      store: server.store,
      spec: config.destinations[0],
      rules: config.rules,
      map: async () => [],
      metrics: createForwardMetrics(new Registry()),
      logger: createLogger('silent'),
      maxWaitMs: 100,
    });
    const res = await postJson(
      `${server.url}/e`,
      SENT.map((s, i) => ({
        type: s.type,
        user_id: s.user,
        session_id: `s-${s.user}-${s.day}`,
        timestamp: new Date(D1 + s.day * DAY + 3_600_000 + i * 1000).toISOString(),
      })),
      { 'x-app': 'app' },
    );
    assert.equal(res.status, 202);
    await eventually(async () => {
      const r = await server.store.query<{ c: number }>(
        `SELECT count() AS c FROM events WHERE project = 'app'`,
      );
      return Number(r[0].c) === SENT.length ? true : undefined;
    });
  });

  after(async () => {
    await forwarder?.stop();
    await server?.cleanup();
    await receiver.close();
  });

  const spec = {
    destination: 'totals',
    every: 'day' as const,
    metric: 'per-user-totals' as const,
    project: 'app',
  };
  const pushed = () =>
    receiver
      .accepted()
      .flatMap((r) => (JSON.parse(r.body) as { events: ForwardEvent[] }).events)
      .filter((e) => e.type === AGGREGATE_EVENT_TYPE);
  const byDay = (events: ForwardEvent[], day: number) =>
    Object.fromEntries(
      events
        .filter((e) => e.props.period_start === new Date(D1 + day * DAY).toISOString())
        .map((e) => [e.user_id, { events: e.props.events, pageviews: e.props.pageviews }])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    );

  it('a first start pushes the last closed period only', async () => {
    const n = await pushDuePeriods(server.store, spec, forwarder, D1 + DAY + 10 * 60_000, 5 * 60_000);
    assert.equal(n, 1);
    assert.deepEqual(byDay(pushed(), 0), expectedTotals(0));
    assert.equal(pushed().length, Object.keys(expectedTotals(0)).length);
    const first = pushed()[0];
    assert.equal(first.props.period_end, new Date(D1 + DAY).toISOString());
    assert.equal(first.props.sessions, 1);
  });

  it('within the grace period of the next day nothing is pushed; again later, nothing is repeated', async () => {
    assert.equal(await pushDuePeriods(server.store, spec, forwarder, D1 + 2 * DAY + 60_000, 5 * 60_000), 0);
    assert.equal(await pushDuePeriods(server.store, spec, forwarder, D1 + DAY + 20 * 60_000, 5 * 60_000), 0);
    assert.equal(pushed().length, Object.keys(expectedTotals(0)).length);
  });

  it('after a pause, every period since the last push is pushed once, in order', async () => {
    const before = pushed().length;
    const n = await pushDuePeriods(server.store, spec, forwarder, D1 + 3 * DAY + 6 * 60_000, 5 * 60_000);
    assert.equal(n, 2);
    const fresh = pushed().slice(before);
    assert.deepEqual(byDay(fresh, 1), expectedTotals(1));
    assert.deepEqual(byDay(fresh, 2), expectedTotals(2));
    assert.equal(fresh.length, Object.keys(expectedTotals(1)).length + Object.keys(expectedTotals(2)).length);
    const ids = pushed().map((e) => e.event_id);
    assert.equal(new Set(ids).size, ids.length, 'one event id per user and period');
    assert.equal(
      await pushDuePeriods(server.store, spec, forwarder, D1 + 3 * DAY + 6 * 60_000, 5 * 60_000),
      0,
    );
  });

  it('the server pushes on its own: the last closed hour is recorded as pushed at start', async () => {
    const hour = 3_600_000;
    const expected = Math.floor((Date.now() - 5 * 60_000) / hour) * hour - hour;
    const rows = await eventually(async () => {
      const r = await server.store.query<{ start: number }>(
        `SELECT toUnixTimestamp(period_start) * 1000 AS start FROM forward_aggregate_pushes
         WHERE destination = 'daily' AND project = 'app' AND every = 'hour'`,
      );
      return r.length > 0 ? r : undefined;
    });
    // A push that starts just after an hour's grace ends may take the next hour too.
    assert.ok(rows.length <= 2, JSON.stringify(rows));
    assert.ok(
      rows.every((r) => Number(r.start) === expected || Number(r.start) === expected + hour),
      JSON.stringify(rows),
    );
  });
});
