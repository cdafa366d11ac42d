// Every rule kind measured against data sent through the collector (events, log lines, database changes, bad
// lines that become dead letters), evaluated at chosen instants; and the api role's scheduler itself, running
// every second, notifying a silent project once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAlertEngine } from '../../src/alerts/alert-engine.ts';
import { parseAlertRules } from '../../src/alerts/alert-rules.ts';
import { parseWebhookAllow } from '../../src/alerts/webhook-target.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { eventually, startInProcess } from '../support/in-process-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const MIN = 60_000;
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 6 * 3_600_000;

let server: Awaited<ReturnType<typeof startInProcess>>;
let hook: WebhookReceiver;

async function post(path: string, body: string, type = 'application/json', project = 'app') {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type, 'x-app': project },
    body,
  });
  assert.equal(res.status, 202, await res.text());
}

async function count(sql: string): Promise<number> {
  const [row] = await server.store.query<{ n: number }>(sql);
  return Number(row.n);
}

before(async () => {
  hook = await startWebhookReceiver();
  server = await startInProcess({
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '1',
    SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1',
    // `locked` never receives anything in this file: the running scheduler must say so, once.
    SIGHTLINE_ALERTS: JSON.stringify([
      {
        id: 'locked-silent',
        name: 'Locked silent',
        kind: 'no_events',
        project: 'locked',
        minutes: 5,
        channels: [{ type: 'webhook', url: hook.url }],
      },
    ]),
  });
});

after(async () => {
  await server?.cleanup();
  await hook?.close();
});

describe('rule kinds', () => {
  it('change, log count, no database changes and dead letters fire on what was sent', async () => {
    // Pageviews: 20 in the first hour, 5 in the second (a 75% drop).
    const views = [
      ...Array.from({ length: 20 }, (_, i) => T0 + i * 3 * MIN),
      ...Array.from({ length: 5 }, (_, i) => T0 + 60 * MIN + i * 10 * MIN),
    ].map((t, i) => ({
      type: 'pageview',
      user_id: `k${i}`,
      session_id: `ks${i}`,
      timestamp: new Date(t + 1000).toISOString(),
      path: '/',
    }));
    await post('/e', JSON.stringify(views));
    // Log lines in the second hour: 3 errors mentioning a timeout, 1 other error, 2 infos with the word.
    const lines = [
      ['error', 'upstream timeout'],
      ['error', 'db timeout after 5 s'],
      ['error', 'Timeout talking to payments'],
      ['error', 'card declined'],
      ['info', 'timeout raised to 10 s'],
      ['info', 'timeout ok'],
    ].map(([level, message], i) =>
      JSON.stringify({
        time: new Date(T0 + 70 * MIN + i * MIN).toISOString(),
        level,
        service: 'api',
        message,
      }),
    );
    await post('/logs', lines.join('\n'), 'application/x-ndjson');
    // Database changes of `shop` until minute 90.
    const changes = [80, 85, 90].map((m, i) =>
      JSON.stringify({
        database: 'shop',
        table: 'orders',
        type: 'insert',
        ts: Math.floor((T0 + m * MIN) / 1000),
        xid: i + 1,
        commit: true,
        data: { id: i },
        primary_key: [i],
      }),
    );
    await post('/cdc', changes.join('\n'), 'application/x-ndjson');
    // Two bad lines among good ones: 202, and two dead letters.
    await post('/logs', ['{"message":"fine"}', '{not json', '[1,'].join('\n'), 'application/x-ndjson');
    await eventually(
      async () =>
        (await count("SELECT count() AS n FROM events WHERE project = 'app'")) === 25 &&
        (await count("SELECT count() AS n FROM logs WHERE project = 'app'")) === 7 &&
        (await count("SELECT count() AS n FROM db_changes WHERE project = 'app'")) === 3 &&
        (await count("SELECT count() AS n FROM dead_letters WHERE project = 'app'")) === 2
          ? true
          : undefined,
      30_000,
      'everything stored',
    );

    const rules = parseAlertRules(
      JSON.stringify([
        {
          id: 'drop',
          name: 'Drop',
          kind: 'change',
          project: 'app',
          metric: 'pageviews',
          dropPercent: 50,
          channels: [{ type: 'webhook', url: hook.url }],
        },
        {
          id: 'errors',
          name: 'Timeouts',
          kind: 'threshold',
          project: 'app',
          metric: 'logs',
          logs: { levels: ['error'], text: 'timeout' },
          above: 2,
          channels: [{ type: 'webhook', url: hook.url }],
        },
        {
          id: 'cdc',
          name: 'Shop quiet',
          kind: 'no_events',
          project: 'app',
          source: 'db_changes',
          database: 'shop',
          minutes: 15,
          channels: [{ type: 'webhook', url: hook.url }],
        },
        {
          id: 'other-db',
          name: 'Other quiet',
          kind: 'no_events',
          project: 'app',
          source: 'db_changes',
          database: 'crm',
          minutes: 15,
          channels: [{ type: 'webhook', url: hook.url }],
        },
      ]),
    );
    let now = T0 + 95 * MIN;
    const engine = createAlertEngine({
      store: server.store,
      configRules: rules,
      logger: createLogger('silent'),
      now: () => now,
      webhook: { allow: parseWebhookAllow('127.0.0.1') },
    });
    const byRule = async () =>
      Object.fromEntries((await engine.evaluate()).map((n) => [n.rule.id, [n.state, n.value]]));

    const inWindow = (from: number, to: number) =>
      views.filter(
        (v) => Date.parse(v.timestamp) >= T0 + from * MIN && Date.parse(v.timestamp) < T0 + to * MIN,
      ).length;
    const pct = (a: number, b: number) => Math.round((1000 * (a - b)) / b) / 10;
    // Minute 95: pageviews in [35, 95) vs [-25, 35) have not dropped by half; three error lines mention a timeout
    // within the hour; shop changed 5 minutes ago, crm never.
    assert.ok(pct(inWindow(35, 95), inWindow(-25, 35)) > -50);
    assert.deepEqual(await byRule(), { errors: ['firing', 3], 'other-db': ['firing', 0] });
    // Minute 120: 5 pageviews in the second hour after 20 in the first; shop silent for 30 minutes; the error lines
    // (minutes 70–73) are still inside the hour, so nothing changes for them.
    now = T0 + 120 * MIN;
    assert.equal(pct(inWindow(60, 120), inWindow(0, 60)), -75);
    assert.deepEqual(await byRule(), { drop: ['firing', -75], cdc: ['firing', 0] });
    // Minute 250: the logs left the window; no pageviews in this hour nor the one before (no drop from nothing).
    now = T0 + 250 * MIN;
    assert.equal(inWindow(130, 250), 0);
    assert.deepEqual(await byRule(), { drop: ['resolved', 0], errors: ['resolved', 0] });

    // Dead letters are counted by when they arrived, so this rule is evaluated on the real clock.
    const dlq = createAlertEngine({
      store: server.store,
      configRules: parseAlertRules(
        JSON.stringify([
          {
            id: 'dlq',
            name: 'Dead letters',
            kind: 'dead_letters',
            project: 'app',
            windowMinutes: 30,
            above: 1,
            channels: [{ type: 'webhook', url: hook.url }],
          },
          {
            id: 'dlq-other',
            name: 'Other',
            kind: 'dead_letters',
            project: 'website',
            channels: [{ type: 'webhook', url: hook.url }],
          },
        ]),
      ),
      logger: createLogger('silent'),
      webhook: { allow: parseWebhookAllow('127.0.0.1') },
    });
    assert.deepEqual(
      (await dlq.evaluate()).map((n) => [n.rule.id, n.state, n.value]),
      [['dlq', 'firing', 2]],
    );
  });
});

describe('scheduler', () => {
  it('the api role evaluates on its own and notifies a silent project once', async () => {
    await eventually(
      async () =>
        hook.bodies.some((b) => (b.rule as { id: string }).id === 'locked-silent') ? true : undefined,
      15_000,
    );
    // Three more passes: still one notice.
    await new Promise((r) => setTimeout(r, 3_500));
    const notices = hook.bodies.filter((b) => (b.rule as { id: string }).id === 'locked-silent');
    assert.equal(notices.length, 1);
    assert.equal(notices[0].state, 'firing');
    assert.equal(notices[0].message, 'no events for 5 min');
  });
});
