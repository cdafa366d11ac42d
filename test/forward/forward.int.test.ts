/**
 * Forwarding end to end: a real server (WAL, chDB) forwards to node:http receivers that fail at random (seeded),
 * are down for a while, or down for good (dead letters, then `forward retry`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { retryDeadLetters } from '../../src/forward/dead-letter-retry.ts';
import { runForwardCli } from '../../src/forward/forward.command.ts';
import { listDeadLetters } from '../../src/forward/forward-dead-letters.ts';
import type { ForwardEvent } from '../../src/forward/forward-event.ts';
import { verifySignature } from '../../src/forward/webhook.destination.ts';
import { eventIdFromMessageId } from '../../src/process/adapters/segment.adapter.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { Receiver, seeded } from './receiver.ts';

const SECRET = 'flaky-secret-0123456789';
type Server = Awaited<ReturnType<typeof startInProcess>>;

interface Sent {
  n: number;
  project: 'app' | 'website';
  type: string;
  plan: string;
  path: string;
}

/** The events the test posts: a seeded mix of projects, types, plans and paths. */
function plan(): Sent[] {
  const rnd = seeded(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)];
  return Array.from({ length: 80 }, (_, n) => ({
    n,
    project: rnd() < 0.7 ? 'app' : 'website',
    type: pick(['signup', 'purchase', 'click', 'pageview'] as const),
    plan: pick(['free', 'pro', 'team'] as const),
    path: pick(['/checkout/pay', '/home'] as const),
  }));
}

// The rules' meaning, computed here independently of the code under test.
const toFlaky = (e: Sent) =>
  e.project === 'app' && ['signup', 'purchase'].includes(e.type) && e.plan !== 'free';
const toDown = (e: Sent) => e.project === 'website';
const toDlq = (e: Sent) => e.project === 'app' && e.type === 'purchase' && e.path.startsWith('/checkout');

const events = plan();
const numbers = (list: Sent[]) => list.map((e) => e.n).sort((a, b) => a - b);

function webhookEvents(requests: { body: string }[]): ForwardEvent[] {
  return requests.flatMap((r) => (JSON.parse(r.body) as { events: ForwardEvent[] }).events);
}

describe('forwarding', () => {
  const backlog = async (destination: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = new RegExp(
      `^sightline_forward_backlog_records\\{destination="${destination}"\\} (\\d+)$`,
      'm',
    ).exec(text);
    return line ? Number(line[1]) : -1;
  };
  let server: Server;
  let forwardJson: string;
  const flaky = new Receiver();
  const down = new Receiver();
  const dlq = new Receiver();
  const ports = { flaky: 0, down: 0, dlq: 0, self: 0 };

  before(async () => {
    ports.flaky = await freePort();
    ports.down = await freePort();
    ports.dlq = await freePort();
    ports.self = await freePort();
    // 30 % 500s, 15 % hangs past the timeout, 20 % slow but fine, the rest fine.
    const rnd = seeded(42);
    flaky.answer = (n) => {
      // The first two requests fail for sure (a 500, then a hang); after that it is up to the seeded dice.
      if (n === 0) return { status: 500 };
      if (n === 1) return 'hang';
      const r = rnd();
      if (r < 0.3) return { status: 500 };
      if (r < 0.45) return 'hang';
      if (r < 0.65) return { status: 200, delayMs: 50 + Math.floor(rnd() * 150) };
      return { status: 200 };
    };
    await flaky.listen(ports.flaky);
    // `down` and `dlq` are not listening yet: connections are refused.
    forwardJson = JSON.stringify({
      destinations: [
        {
          name: 'flaky',
          type: 'webhook',
          url: `http://127.0.0.1:${ports.flaky}/hook`,
          secret: SECRET,
          batchSize: 5,
          maxAttempts: 200,
          timeoutMs: 400,
          backoffMs: 10,
          backoffMaxMs: 100,
          ratePerSecond: 200,
        },
        {
          name: 'down',
          type: 'webhook',
          url: `http://127.0.0.1:${ports.down}/hook`,
          maxAttempts: 1000,
          backoffMs: 20,
          backoffMaxMs: 200,
          timeoutMs: 1000,
        },
        {
          name: 'dlq',
          type: 'segment',
          url: `http://127.0.0.1:${ports.dlq}/v1/batch`,
          writeKey: 'dlq-write-key',
          maxAttempts: 2,
          backoffMs: 10,
          backoffMaxMs: 20,
        },
        // Sightline's own Segment endpoint as a destination: project `locked` (its key) gets the app's signups.
        {
          name: 'self',
          type: 'segment',
          url: `http://127.0.0.1:${ports.self}/v1/batch`,
          writeKey: 'secret-key-123',
        },
      ],
      rules: [
        { destination: 'self', project: 'app', types: ['signup'] },
        {
          destination: 'flaky',
          project: 'app',
          types: ['signup', 'purchase'],
          props: { plan: { is_not: 'free' } },
        },
        { destination: 'down', project: 'website' },
        {
          destination: 'dlq',
          project: 'app',
          types: ['purchase'],
          fields: { path: { matches: '^/checkout' } },
        },
      ],
    });
    server = await startInProcess({ SIGHTLINE_FORWARD: forwardJson, SIGHTLINE_PORT: String(ports.self) });
    // One to three events per request, in order, each project on its own requests.
    for (let i = 0; i < events.length; ) {
      const group = [events[i]];
      while (group.length < 1 + (i % 3) && events[i + group.length]?.project === events[i].project)
        group.push(events[i + group.length]);
      i += group.length;
      const res = await postJson(
        `${server.url}/e`,
        group.map((e) => ({
          type: e.type,
          user_id: `u${e.n % 5}`,
          path: e.path,
          details: { n: e.n, plan: e.plan },
        })),
        { 'x-app': group[0].project },
      );
      assert.equal(res.status, 202, JSON.stringify(res.json));
    }
  });

  after(async () => {
    await server?.cleanup();
    await Promise.all([flaky.close(), down.close(), dlq.close()]);
  });

  it('delivers every matching event at least once, signed, with its idempotency key, and never another', async () => {
    const expected = numbers(events.filter(toFlaky));
    assert.ok(expected.length > 10, `the plan has ${expected.length} matching events`);
    await eventually(
      async () => {
        const got = new Set(webhookEvents(flaky.accepted()).map((e) => e.props.n as number));
        return expected.every((n) => got.has(n)) ? true : undefined;
      },
      60_000,
      'every matching event at the flaky receiver',
    );
    const all = webhookEvents(flaky.requests);
    const allowed = new Set(expected);
    for (const e of all) assert.ok(allowed.has(e.props.n as number), `event ${e.props.n} does not match`);
    for (const r of flaky.requests) {
      assert.equal(verifySignature(SECRET, r.body, r.headers['x-sightline-signature'] as string), true);
      assert.match(String(r.headers['idempotency-key']), /^[0-9a-f]{32}$/);
    }
    assert.ok(
      flaky.requests.some((r) => r.answer === 500) && flaky.requests.some((r) => r.answer === 'hang'),
      'the receiver did fail',
    );
    // The idempotency key is the stored event id, the same in every copy of an event.
    // Forwarding reads the log, not the store: an event can reach the receiver before the processor stored it.
    const idOf = await eventually(
      async () => {
        const stored = await server.store.query<{ event_id: string; n: number }>(
          `SELECT event_id, JSONExtractInt(props, 'n') AS n FROM events WHERE project = 'app'`,
        );
        const byN = new Map(stored.map((r) => [Number(r.n), r.event_id]));
        return all.every((e) => byN.has(e.props.n as number)) ? byN : undefined;
      },
      30_000,
      'every forwarded event in the store',
    );
    for (const e of all) {
      assert.equal(e.idempotency_key, e.event_id);
      assert.equal(e.event_id, idOf.get(e.props.n as number), `event ${e.props.n}`);
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /sightline_forward_delivered_events_total\{destination="flaky"\} \d+/);
    assert.match(metrics, /sightline_forward_failed_attempts_total\{destination="flaky",reason="http_500"\}/);
    assert.match(metrics, /sightline_forward_failed_attempts_total\{destination="flaky",reason="timeout"\}/);
  });

  it('a destination that is down delays nothing: events reach the store meanwhile', async () => {
    const pageviews = events.filter((e) => e.project === 'website' && e.type === 'pageview').length;
    await eventually(
      async () => {
        const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
        const res = await fetch(
          `${server.url}/api/v1/stats/overview?project=website&from=${day(-1)}&to=${day(1)}`,
          { headers: { authorization: `Bearer ${ADMIN}` } },
        );
        const body = (await res.json()) as { pageviews?: number };
        if (body.pageviews !== pageviews)
          throw new Error(`pageviews ${JSON.stringify(body)}, want ${pageviews}`);
        return true;
      },
      30_000,
      'website pageviews in the stats API',
    );
    const stored = await server.store.query<{ c: number }>(
      `SELECT count() AS c FROM events WHERE project = 'website'`,
    );
    assert.equal(Number(stored[0].c), events.filter(toDown).length);
    assert.equal(down.requests.length, 0, 'the down destination has not taken anything');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /sightline_forward_failed_attempts_total\{destination="down",reason="network"\}/);
    // Its consumer group lags behind; the processor's does not.
    await eventually(
      async () => ((await backlog('down')) > 0 ? true : undefined),
      10_000,
      'a backlog for down',
    );
    assert.equal(server.log.stats().groups?.events?.processor, 0);
  });

  it('when the destination comes back, it gets the backlog', async () => {
    await down.listen(ports.down);
    const expected = numbers(events.filter(toDown));
    await eventually(
      async () => {
        const got = new Set(webhookEvents(down.accepted()).map((e) => e.props.n as number));
        return expected.every((n) => got.has(n)) ? true : undefined;
      },
      30_000,
      'the backlog at the receiver that came back',
    );
    assert.deepEqual(
      [...new Set(webhookEvents(down.requests).map((e) => e.props.n as number))].sort((a, b) => a - b),
      expected,
    );
    assert.equal(down.requests[0].headers['x-sightline-signature'], undefined, 'no secret, no signature');
    await eventually(
      async () => ((await backlog('down')) === 0 ? true : undefined),
      10_000,
      'no backlog left',
    );
  });

  it('after maxAttempts the events are dead letters; forward retry delivers them and marks them', async () => {
    const expected = numbers(events.filter(toDlq));
    assert.ok(expected.length > 0);
    const dead = await eventually(
      async () => {
        const rows = await listDeadLetters(server.store, { destination: 'dlq', limit: 1000 });
        return rows.length === expected.length ? rows : undefined;
      },
      30_000,
      'dead letters of dlq',
    );
    assert.deepEqual(
      dead.map((r) => (JSON.parse(r.payload) as ForwardEvent).props.n as number).sort((a, b) => a - b),
      expected,
    );
    assert.ok(
      dead.every((r) => r.attempts === 2 && /^network/.test(r.reason)),
      dead[0].reason,
    );

    // The CLI refuses a destination that is not configured before touching the store.
    const env = {
      SIGHTLINE_DATA_DIR: server.dataDir,
      SIGHTLINE_FORWARD: forwardJson,
      SIGHTLINE_ADMIN_TOKEN: ADMIN,
    };
    assert.equal(await runForwardCli(['retry', '--destination', 'nope'], env), 2);
    const anonymous = await fetch(`${server.url}/api/v1/forward/retry`, { method: 'POST' });
    assert.equal(anonymous.status, 401);
    assert.equal(
      ((await anonymous.json()) as { error: { code: string } }).error.code,
      'FORWARD_ERR_UNAUTHENTICATED',
    );

    // While the destination is still down a retry fails, and the dead letters stay.
    assert.equal(await runForwardCli(['retry', '--destination', 'dlq', '--url', server.url], env), 1);
    assert.equal(
      (await listDeadLetters(server.store, { destination: 'dlq', limit: 1000 })).length,
      expected.length,
    );

    await dlq.listen(ports.dlq);
    // As an operator runs it while the server is up: the CLI asks the server, which holds the embedded store.
    assert.equal(await runForwardCli(['list', '--url', server.url, '--since', '1h'], env), 0);
    assert.equal(await runForwardCli(['retry', '--destination', 'dlq', '--url', server.url], env), 0);
    assert.match(
      await (await fetch(`${server.url}/metrics`)).text(),
      new RegExp(`sightline_forward_delivered_events_total\\{destination="dlq"\\} ${expected.length}\\b`),
      'retried events count as delivered',
    );
    const batch = dlq
      .accepted()
      .flatMap((r) => (JSON.parse(r.body) as { batch: Record<string, unknown>[] }).batch);
    assert.deepEqual(
      batch.map((m) => (m.properties as { n: number }).n).sort((a, b) => a - b),
      expected,
    );
    const ids = new Map(dead.map((r) => [r.event_id, r]));
    for (const m of batch) {
      assert.equal(m.type, 'track');
      assert.equal(m.event, 'purchase');
      assert.ok(ids.has(m.messageId as string), 'messageId is the event id');
    }
    assert.equal(
      dlq.requests[0].headers.authorization,
      `Basic ${Buffer.from('dlq-write-key:').toString('base64')}`,
    );
    assert.equal((await listDeadLetters(server.store, { destination: 'dlq', limit: 1000 })).length, 0);
    const history = await listDeadLetters(server.store, {
      destination: 'dlq',
      limit: 1000,
      includeRetried: true,
    });
    assert.equal(history.length, expected.length);
    assert.ok(history.every((r) => r.retried && r.retried_at > r.failed_at));
    const config = loadConfig(env);
    const again = await retryDeadLetters(server.store, config.forward, { destination: 'dlq', limit: 1000 });
    assert.deepEqual(again.destinations, {}, 'nothing left to retry');
  });

  it('a second Sightline takes the Segment format: same users, ids derived from the messageId', async () => {
    const signups = events.filter((e) => e.project === 'app' && e.type === 'signup');
    const rows = await eventually(
      async () => {
        const r = await server.store.query<{
          event_id: string;
          user_id: string;
          n: number;
          protocol: string;
        }>(
          `SELECT event_id, user_id, JSONExtractInt(props, 'n') AS n, protocol FROM events
           WHERE project = 'locked' AND type = 'signup' ORDER BY n`,
        );
        return r.length === signups.length ? r : undefined;
      },
      30_000,
      'the signups in project locked',
    );
    const original = await server.store.query<{ event_id: string; n: number }>(
      `SELECT event_id, JSONExtractInt(props, 'n') AS n FROM events WHERE project = 'app' AND type = 'signup' ORDER BY n`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.n), r.user_id, r.protocol, r.event_id]),
      original.map((o) => [Number(o.n), `u${Number(o.n) % 5}`, 'segment', eventIdFromMessageId(o.event_id)]),
    );
  });
});
