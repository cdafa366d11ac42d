// Alerts and reports against a real server (chDB), a local SMTP server and a local webhook receiver. The clock is
// injected: evaluations happen at chosen instants, nothing sleeps. Expected numbers are computed here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAlerts } from '../../src/alerts/alerts.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { blankRow, type EventRow } from '../../src/process/event-row.ts';
import { insertVisitsFromEvents } from '../../src/store/visits.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { type MailCapture, startMailCapture } from '../support/mail-capture.ts';
import { modelMetrics, visitorOf } from '../support/stats-model.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const MIN = 60_000;
// Whole hours in the past: the collector takes client timestamps as they are.
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000;

let server: Awaited<ReturnType<typeof startInProcess>>;
let mail: MailCapture;
let hook: WebhookReceiver;
let env: Record<string, string>;

async function sendTraffic(fromMin: number, toMin: number, tag: string): Promise<number> {
  const batch = [];
  for (let m = fromMin; m < toMin; m++)
    batch.push({
      type: 'pageview',
      user_id: `${tag}-${m}`,
      session_id: `${tag}-s${m}`,
      timestamp: new Date(T0 + m * MIN + 5_000).toISOString(),
      path: '/',
    });
  const res = await fetch(`${server.url}/e`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-app': 'website' },
    body: JSON.stringify(batch),
  });
  assert.equal(res.status, 202);
  return batch.length;
}

async function storedEvents(project: string): Promise<number> {
  const [row] = await server.store.query<{ n: number }>(
    'SELECT count() AS n FROM events WHERE project = {p:String}',
    { p: project },
  );
  return Number(row.n);
}

before(async () => {
  // Each is kept as soon as it runs, so that when the other fails to start, after() still stops it.
  const started = await Promise.allSettled([
    startMailCapture().then((m) => {
      mail = m;
    }),
    startWebhookReceiver().then((h) => {
      hook = h;
    }),
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  env = {
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
    // The receiver listens on loopback, which webhooks may only reach when the operator allows it.
    SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1',
    SIGHTLINE_SMTP_URL: mail.url,
    SIGHTLINE_SMTP_FROM: 'Sightline <alerts@sightline.test>',
    SIGHTLINE_PUBLIC_URL: 'https://stats.example.com',
    SIGHTLINE_ALERTS: JSON.stringify([
      {
        id: 'traffic-drop',
        name: 'Website traffic stopped',
        kind: 'threshold',
        project: 'website',
        metric: 'visitors',
        windowMinutes: 10,
        below: 1,
        channels: [
          { type: 'webhook', url: hook.url },
          { type: 'email', to: ['ops@example.com'] },
        ],
      },
    ]),
    SIGHTLINE_REPORTS: JSON.stringify([{ project: 'app', every: 'week', to: ['team@example.com'] }]),
  };
  server = await startInProcess(env);
});

after(async () => {
  await server?.cleanup();
  await Promise.all([mail?.close(), hook?.close()]);
});

describe('alerts', () => {
  it('a traffic drop fires exactly once (webhook and e-mail), survives a restart, and resolves once', async () => {
    const config = loadConfig({ ...env, SIGHTLINE_DATA_DIR: server.dataDir });
    let now = T0;
    const engine = () =>
      createAlerts(config, server.store, createLogger('silent'), {
        now: () => now,
        webhook: { firstDelayMs: 10 },
      }).engine;
    const sent = await sendTraffic(0, 30, 'steady');
    await eventually(async () => ((await storedEvents('website')) >= sent ? true : undefined), 20_000);

    let alerts = engine();
    // Traffic flows: nothing to say.
    now = T0 + 20 * MIN;
    assert.deepEqual(await alerts.evaluate(), []);
    // Traffic stopped at minute 30; from minute 40 the 10-minute window is empty.
    now = T0 + 39 * MIN;
    assert.deepEqual(await alerts.evaluate(), []);
    now = T0 + 41 * MIN;
    hook.failNext = 1; // the first delivery attempt fails and is retried
    const fired = await alerts.evaluate();
    assert.equal(fired.length, 1);
    assert.equal(fired[0].state, 'firing');
    for (const m of [42, 45, 50]) {
      now = T0 + m * MIN;
      assert.deepEqual(await alerts.evaluate(), [], `no repeat at minute ${m}`);
    }
    // A restart (a new engine reading the stored state) does not fire again.
    alerts = engine();
    now = T0 + 55 * MIN;
    assert.deepEqual(await alerts.evaluate(), []);

    assert.equal(hook.bodies.length, 1);
    const body = hook.bodies[0];
    assert.equal(body.state, 'firing');
    assert.equal(body.value, 0);
    assert.equal(body.threshold, 1);
    assert.equal(body.project, 'website');
    assert.deepEqual(body.rule, {
      id: 'traffic-drop',
      name: 'Website traffic stopped',
      kind: 'threshold',
      metric: 'visitors',
    });
    assert.equal(body.link, 'https://stats.example.com/?project=website&period=today');
    await eventually(async () => (mail.messages.length >= 1 ? true : undefined));
    assert.equal(mail.messages.length, 1);
    assert.match(mail.messages[0].subject ?? '', /FIRING: Website traffic stopped \(website\)/);
    assert.deepEqual(
      (Array.isArray(mail.messages[0].to) ? mail.messages[0].to : [mail.messages[0].to]).flatMap((a) =>
        a ? a.value.map((v) => v.address) : [],
      ),
      ['ops@example.com'],
    );

    // Traffic returns: one resolve, then quiet again.
    await sendTraffic(56, 60, 'back');
    await eventually(async () => ((await storedEvents('website')) >= sent + 4 ? true : undefined), 20_000);
    now = T0 + 60 * MIN;
    const resolved = await alerts.evaluate();
    assert.deepEqual(
      resolved.map((n) => [n.state, n.value]),
      [['resolved', 4]],
    );
    now = T0 + 61 * MIN;
    assert.deepEqual(await alerts.evaluate(), []);
    assert.deepEqual(
      hook.bodies.map((b) => b.state),
      ['firing', 'resolved'],
    );
    await eventually(async () => (mail.messages.length >= 2 ? true : undefined));
    assert.match(mail.messages[1].subject ?? '', /RESOLVED/);

    const history = await alerts.alerts.history(10, 'traffic-drop');
    assert.deepEqual(
      history.map((h) => h.state),
      ['resolved', 'firing'],
    );
    assert.match(history[1].delivery, /webhook \S+ delivered/);
    assert.match(history[1].delivery, /email ops@example.com ok/);
  });
});

describe('alert delivery failures', () => {
  it('an unreachable mail server is recorded in the history and does not make the rule fire again', async () => {
    const base = loadConfig({ ...env, SIGHTLINE_DATA_DIR: server.dataDir });
    const closed = await freePort();
    const rule = {
      ...base.alerts[0],
      id: 'smtp-down',
      channels: [{ type: 'email' as const, to: ['ops@example.com'] }],
    };
    let now = T0 + 45 * MIN;
    const alerts = createAlerts(
      { ...base, smtpUrl: `smtp://127.0.0.1:${closed}`, alerts: [rule] },
      server.store,
      createLogger('silent'),
      { now: () => now },
    ).engine;
    assert.deepEqual(
      (await alerts.evaluate()).map((n) => n.state),
      ['firing'],
    );
    now = T0 + 46 * MIN;
    assert.deepEqual(await alerts.evaluate(), []);
    const [entry] = await alerts.alerts.history(5, 'smtp-down');
    assert.equal(entry.state, 'firing');
    assert.match(entry.delivery, /^email ops@example.com failed: /);
  });
});

describe('reports', () => {
  // Monday 2 March 2026 .. Monday 9 March is the week reported when "now" is Tuesday 10 March.
  const WEEK = Date.UTC(2026, 2, 2);
  const DAY = 86_400_000;
  const NOW = Date.UTC(2026, 2, 10, 8);
  const rows: EventRow[] = [];
  const row = (over: Partial<EventRow>): EventRow => ({
    ...blankRow(),
    event_id: crypto.randomUUID(),
    project: 'app',
    received_at: new Date(NOW).toISOString(),
    protocol: 'native',
    ...over,
  });
  const PAGES = ['/', '/pricing', '/docs', '/blog'];
  const COUNTRIES = ['DE', 'US', 'FR'];
  const SOURCES = ['Google', 'Twitter', ''];
  // Visits in the reported week and the week before (for the change), and one after (not in the report).
  for (let i = 0; i < 40; i++) {
    const start =
      (i < 25 ? WEEK : i < 35 ? WEEK - 7 * DAY : WEEK + 7 * DAY) + (i % 7) * DAY + 3_600_000 * (1 + (i % 11));
    const views = 1 + (i % 3);
    for (let v = 0; v < views; v++)
      rows.push(
        row({
          type: 'pageview',
          user_id: `u${i % 17}`,
          session_id: `r${i}`,
          path: PAGES[(i + v) % PAGES.length],
          country: COUNTRIES[i % 3],
          referrer_source: SOURCES[i % 3],
          timestamp: new Date(start + v * 45_000).toISOString(),
        }),
      );
  }

  it('the weekly report has the numbers computed from the events, is sent once and not again after a restart', async () => {
    await server.store.insert('events', rows, 'report-test-rows');
    // The processor keeps visits beside the events it stores; rows written straight to `events` get theirs here.
    await insertVisitsFromEvents(server.store, "match(session_id, '^r[0-9]+$')");
    const config = loadConfig({ ...env, SIGHTLINE_DATA_DIR: server.dataDir });
    let now = NOW;
    const reporter = () =>
      createAlerts(config, server.store, createLogger('silent'), { now: () => now }).reporter;
    const before = mail.messages.length;
    assert.deepEqual(await reporter().sendDue(), ['app-week']);
    assert.deepEqual(await reporter().sendDue(), [], 'a restart does not repeat the week');
    now = NOW + 5 * DAY; // Sunday: still the same week to report
    assert.deepEqual(await reporter().sendDue(), []);
    await eventually(async () => (mail.messages.length > before ? true : undefined));
    assert.equal(mail.messages.length, before + 1);
    const message = mail.messages[before];

    const inRange = (r: EventRow, from: number) =>
      Date.parse(r.timestamp) >= from && Date.parse(r.timestamp) < from + 7 * DAY;
    const week = rows.filter((r) => inRange(r, WEEK));
    const expected = modelMetrics(week, week).get('');
    assert.ok(expected);
    const previous = rows.filter((r) => inRange(r, WEEK - 7 * DAY));
    const was = modelMetrics(previous, previous).get('');
    assert.ok(was);
    assert.match(message.subject ?? '', /Weekly report for app: 2 Mar 2026 – 8 Mar 2026/);
    const text = message.text ?? '';
    const line = (label: string) => new RegExp(`^\\s+${label}\\s+(\\S+)\\s+\\(([^)\\s]+)`, 'm').exec(text);
    assert.equal(line('Visitors')?.[1], String(expected.visitors));
    assert.equal(line('Pageviews')?.[1], String(expected.pageviews));
    assert.equal(line('Visits')?.[1], String(expected.visits));
    assert.equal(line('Bounce rate')?.[1], `${expected.bounce_rate}%`);
    const pct = (a: number, b: number) => Math.round((1000 * (a - b)) / b) / 10;
    const signed = (n: number) => `${n > 0 ? '+' : ''}${n}%`;
    assert.equal(line('Visitors')?.[2], signed(pct(expected.visitors, was.visitors)));
    assert.equal(line('Pageviews')?.[2], signed(pct(expected.pageviews, was.pageviews)));

    // Top pages: visitors per page, most first (ties: more events, then by name), as the test counts them.
    const perPage = new Map<string, { visitors: Set<string>; events: number }>();
    for (const r of week) {
      const p = perPage.get(r.path) ?? { visitors: new Set<string>(), events: 0 };
      p.visitors.add(visitorOf(r));
      p.events++;
      perPage.set(r.path, p);
    }
    const top = [...perPage].map(([p, v]) => [p, v.visitors.size, v.events] as const);
    top.sort((a, b) => b[1] - a[1] || b[2] - a[2] || (a[0] < b[0] ? -1 : 1));
    const pagesText = /Top pages\n([\s\S]*?)\n\n/.exec(text)?.[1] ?? '';
    const listed = pagesText.split('\n').map((l) => l.trim().split(/\s+/));
    assert.deepEqual(
      listed.map(([p, n]) => [p, Number(n)]),
      top.map(([p, n]) => [p, n]),
    );
    const countries = new Set(week.map((r) => r.country));
    for (const c of countries) assert.match(text, new RegExp(`^\\s+${c}\\s`, 'm'));

    // The HTML part carries the same numbers.
    const html = String(message.html);
    assert.match(html, new RegExp(`data-kpi="visitors">${expected.visitors}<`));
    assert.match(html, new RegExp(`data-kpi="pageviews">${expected.pageviews}<`));
  });

  it('the admin API sends one report now', async () => {
    const before = mail.messages.length;
    const res = await postJson(
      `${server.url}/api/v1/reports/send`,
      { project: 'app', period: 'week', to: ['someone@example.com'] },
      { authorization: `Bearer ${ADMIN}` },
    );
    assert.equal(res.status, 200, JSON.stringify(res.json));
    await eventually(async () => (mail.messages.length > before ? true : undefined));
    assert.match(mail.messages[before].subject ?? '', /Weekly report for app/);
    const bad = await postJson(
      `${server.url}/api/v1/reports/send`,
      { project: 'app', period: 'year', to: ['x'.repeat(321)], tz: 'Mars/Base' },
      { authorization: `Bearer ${ADMIN}` },
    );
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.json as { error: { details: string[] } }).error.details, [
      'period: "week" or "month"',
      'to: one or more e-mail addresses (at most 50)',
      'tz: an IANA time zone, e.g. "Europe/Berlin"',
    ]);
  });
});

describe('sightline report', () => {
  it('sends a report now through the running server', async () => {
    const before = mail.messages.length;
    const child = spawn(
      process.execPath,
      [
        path.join(import.meta.dirname, '../../src/cli/main.ts'),
        'report',
        '--project',
        'app',
        '--period',
        'month',
        '--to',
        'cli@example.com',
        '--url',
        server.url,
      ],
      { env: { PATH: process.env.PATH, SIGHTLINE_ADMIN_TOKEN: ADMIN, SIGHTLINE_DATA_DIR: server.dataDir } },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, out);
    assert.match(out, /Sent the month report of app/);
    await eventually(async () => (mail.messages.length > before ? true : undefined));
    assert.match(mail.messages[before].subject ?? '', /Monthly report for app/);
  });
});

describe('alerts API', () => {
  const auth = { authorization: `Bearer ${ADMIN}` };
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = auth,
  ) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  };

  it('adds, lists, tests and deletes dashboard rules; config rules are read-only; admins only', async () => {
    assert.equal((await call('GET', '/api/v1/alerts', undefined, {})).status, 401);
    const bad = await call('POST', '/api/v1/alerts', {
      name: 'x',
      kind: 'threshold',
      project: 'website',
      metric: 'revenue',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.code, 'ALERT_ERR_BAD_RULE');
    assert.ok(bad.json.error.details.some((d: string) => d.startsWith('rule.metric:')));
    assert.equal(
      (
        await call('POST', '/api/v1/alerts', {
          name: 'x',
          kind: 'no_events',
          project: 'nope',
          minutes: 5,
          channels: [{ type: 'webhook', url: hook.url }],
        })
      ).status,
      400,
    );

    const created = await call('POST', '/api/v1/alerts', {
      name: 'App silent',
      kind: 'no_events',
      project: 'app',
      minutes: 15,
      channels: [{ type: 'webhook', url: hook.url }],
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id as string;
    assert.match(id, /^d-/);
    const list = await call('GET', '/api/v1/alerts');
    assert.deepEqual(
      list.json.results.map((r: { id: string; origin: string }) => [r.id, r.origin]),
      [
        ['traffic-drop', 'config'],
        [id, 'dashboard'],
      ],
    );
    assert.equal(list.json.email, true);

    const hooks = hook.bodies.length;
    const tested = await call('POST', `/api/v1/alerts/${id}/test`);
    assert.equal(tested.status, 200);
    assert.equal(tested.json.notice.state, 'test');
    assert.equal(hook.bodies.length, hooks + 1);
    assert.equal(hook.bodies.at(-1)?.state, 'test');
    const history = await call('GET', `/api/v1/alerts/history?rule=${id}`);
    assert.deepEqual(
      history.json.results.map((h: { state: string }) => h.state),
      ['test'],
    );

    const readOnly = await call('DELETE', '/api/v1/alerts/traffic-drop');
    assert.equal(readOnly.status, 409);
    assert.equal(readOnly.json.error.code, 'ALERT_ERR_READ_ONLY');
    assert.equal((await call('DELETE', `/api/v1/alerts/${id}`)).status, 204);
    assert.equal((await call('DELETE', `/api/v1/alerts/${id}`)).status, 404);
    assert.deepEqual(
      (await call('GET', '/api/v1/alerts')).json.results.map((r: { id: string }) => r.id),
      ['traffic-drop'],
    );
  });
});
