// The dashboard in real Chromium (Debian's, via playwright-core) against a real server fed through the collector:
// log in, overview numbers equal the API's, a row click filters every panel, realtime shows a new event within
// 5 s, funnel and retention render, Explore runs SQL and draws a chart, a share link opens read-only.
// Screenshots go to $SIGHTLINE_SCREENSHOTS_DIR when set (`npm run screenshots` → docs/screenshots), else a temp dir.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { desktopPage, launchChromium, logInAsAdmin } from '../support/chromium.ts';
import { sendDemoTraffic } from '../support/demo-traffic.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';
import { SEED_EVENT } from '../support/seed-event.ts';
import { tempDir } from '../support/temp-dir.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let sent = 0;
const shots = tempDir('shots');
const SHOTS = process.env.SIGHTLINE_SCREENSHOTS_DIR ?? shots.dir;

async function api<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}

async function shot(name: string) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

/** The number a KPI card shows (its exact value rides in data-value). */
async function kpi(name: string): Promise<number> {
  return Number(await page.locator(`[data-testid=kpi-${name}] .kpi-value`).getAttribute('data-value'));
}

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'website,app',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
    SIGHTLINE_TRUST_PROXY: '127.0.0.1/32',
    SIGHTLINE_GOALS: 'website:event:signup,website:page:/pricing',
  });
  sent = await sendDemoTraffic({ url: server.url, project: 'website', visits: 160, days: 20, seed: 3 });
  await eventually(async () => {
    const o = await api<{ events: number }>('/api/v1/stats/overview?project=website&period=30d&tz=UTC');
    assert.equal(o.events, sent);
    return true;
  }, 30_000);
  // Logs and database changes for their pages.
  const lines = ['checkout started', 'payment failed: card declined', 'order 7 shipped'].map(
    (message, i) => ({
      time: new Date(Date.now() - (10 - i) * 60_000).toISOString(),
      level: i === 1 ? 'error' : 'info',
      service: 'shop',
      host: 'web-1',
      message,
    }),
  );
  const logs = await fetch(`${server.url}/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'website' },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  assert.equal(logs.status, 202);
  const ts = Math.floor(Date.now() / 1000);
  const changes = [
    { type: 'insert', ts: ts - 300, xid: 1, data: { id: 7, status: 'new' } },
    { type: 'update', ts: ts - 200, xid: 2, data: { id: 7, status: 'paid' }, old: { status: 'new' } },
    { type: 'update', ts: ts - 100, xid: 3, data: { id: 7, status: 'shipped' }, old: { status: 'paid' } },
  ].map((c) => JSON.stringify({ database: 'shop', table: 'orders', commit: true, primary_key: [7], ...c }));
  const cdc = await fetch(`${server.url}/cdc`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'website' },
    body: changes.join('\n'),
  });
  assert.equal(cdc.status, 202);
  browser = await launchChromium();
  ({ context, page } = await desktopPage(browser));
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
  shots.cleanup();
});

describe('dashboard', () => {
  it('logs in with the admin token and shows the API overview numbers', async () => {
    await logInAsAdmin(page, server.url, ADMIN);
    await page.locator('[data-testid=kpi-visitors] .kpi-value').waitFor();
    const want = await api<Record<string, number>>(
      '/api/v1/stats/overview?project=website&period=30d&tz=UTC',
    );
    for (const name of ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'events'])
      assert.equal(await kpi(name), want[name], name);
    await page.locator('[data-testid=main-chart] canvas').first().waitFor();
    await page.locator('[data-testid=pages] .row').first().waitFor();
    await page.locator('[data-testid=locations] .row').first().waitFor();
    await shot('overview');
    // The chart asks for the one metric it plots; picking another KPI asks for that one.
    const asks = (metric: string) =>
      page.waitForRequest(
        (r) =>
          r.url().includes('/api/v1/stats/timeseries') &&
          new URL(r.url()).searchParams.get('metrics') === metric,
      );
    const pageviews = asks('pageviews');
    await page.getByTestId('kpi-pageviews').click();
    await pageviews;
    await page.getByTestId('main-chart').getByText('Pageviews').first().waitFor();
    const visitors = asks('visitors');
    await page.getByTestId('kpi-visitors').click();
    await visitors;
  });

  it('a wrong token is refused with a message', async () => {
    const other = await browser.newContext();
    const p = await other.newPage();
    await p.goto(`${server.url}/login`);
    await p.getByRole('tab', { name: 'Admin token' }).click();
    await p.getByLabel('Admin token').fill('not-the-token');
    await p.getByRole('button', { name: 'Log in' }).click();
    await p.getByRole('alert').waitFor();
    assert.match((await p.getByRole('alert').textContent()) ?? '', /not the admin token/);
    await other.close();
  });

  it('clicking a page row adds a filter chip and narrows every panel', async () => {
    const row = page.locator('[data-testid=pages] .row').nth(1);
    const label = ((await row.locator('.label').textContent()) ?? '').trim();
    await row.click();
    await page.locator('[data-testid=filter-chip]').waitFor();
    assert.match((await page.locator('[data-testid=filter-chip]').textContent()) ?? '', new RegExp(label));
    assert.match(page.url(), /filters=/);
    const filters = encodeURIComponent(JSON.stringify([['is', 'page', [label]]]));
    const want = await api<Record<string, number>>(
      `/api/v1/stats/overview?project=website&period=30d&tz=UTC&filters=${filters}`,
    );
    const all = await api<Record<string, number>>('/api/v1/stats/overview?project=website&period=30d&tz=UTC');
    assert.ok(want.visitors < all.visitors, 'the page is not on every visit');
    await eventually(async () => {
      assert.equal(await kpi('visitors'), want.visitors);
      return true;
    }, 5_000);
    // Other panels narrow too: the countries' visitors now sum to at most the filtered visitors.
    const countries = await api<{ results: Array<{ visitors: number }> }>(
      `/api/v1/stats/breakdown/country?project=website&period=30d&tz=UTC&filters=${filters}`,
    );
    await eventually(async () => {
      const shown = await page.locator('[data-testid=locations] .row .num').allTextContents();
      assert.deepEqual(
        shown.map(Number),
        countries.results.slice(0, 9).map((c) => c.visitors),
      );
      return true;
    }, 5_000);
    await shot('overview-filtered');
    await page.getByRole('button', { name: 'Remove filter page' }).click();
    await eventually(async () => {
      assert.equal(await kpi('visitors'), all.visitors);
      return true;
    }, 5_000);
  });

  it('realtime shows an event sent now within 5 seconds', async () => {
    await page.goto(`${server.url}/realtime?project=website`);
    const counter = page.locator('[data-testid=realtime-events]');
    await counter.waitFor();
    const before = Number.parseInt((await counter.textContent()) ?? '0', 10);
    const sentAt = Date.now();
    const res = await fetch(`${server.url}/e`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-app': 'website' },
      body: JSON.stringify({ type: 'pageview', path: '/live-now', session_id: 'live-visit' }),
    });
    assert.equal(res.status, 202);
    await eventually(async () => {
      assert.equal(Number.parseInt((await counter.textContent()) ?? '0', 10), before + 1);
      return true;
    }, 5_000);
    assert.ok(Date.now() - sentAt <= 5_000, `shown after ${Date.now() - sentAt} ms`);
    await page.getByText('/live-now').waitFor();
    await shot('realtime');
  });

  it('funnel shows the API step counts', async () => {
    const steps = [{ page: '/' }, { page: '/pricing' }, { event: 'signup' }];
    const q = `project=website&period=30d&tz=UTC&window=1d&steps=${encodeURIComponent(JSON.stringify(steps))}`;
    await page.goto(`${server.url}/funnels?${q}`);
    const want = await api<{ steps: Array<{ visitors: number; conversion_rate: number }> }>(
      `/api/v1/stats/funnel?${q}`,
    );
    await page.locator('[data-testid=funnel-step-3]').waitFor();
    for (const [i, s] of want.steps.entries())
      assert.match(
        (await page.locator(`[data-testid=funnel-step-${i + 1}]`).textContent()) ?? '',
        new RegExp(`^${s.visitors} · ${s.conversion_rate}%`),
      );
    await shot('funnels');
  });

  it('retention renders the cohort grid', async () => {
    await page.goto(`${server.url}/retention?project=website&period=30d&unit=day`);
    const want = await api<{ cohorts: unknown[] }>(
      '/api/v1/stats/retention?project=website&period=30d&tz=UTC&unit=day',
    );
    assert.ok(want.cohorts.length > 0);
    await page.locator('table.retention tbody tr').first().waitFor();
    assert.equal(await page.locator('table.retention tbody tr').count(), want.cohorts.length);
    await shot('retention');
    // Without a cohort size, the period picks one that keeps the grid readable: months for a year.
    await page.goto(`${server.url}/retention?project=website&period=12mo`);
    await page.locator('table.retention tbody tr').first().waitFor();
    assert.equal(await page.getByLabel('Cohort size').inputValue(), 'month');
  });

  it('Explore runs SQL, draws a chart, and shows SQL errors', async () => {
    await page.goto(`${server.url}/explore`);
    await page
      .getByLabel('SQL')
      .fill(
        "SELECT toStartOfDay(timestamp) AS day, count() AS events, uniqExact(session_id) AS visits FROM events WHERE project = 'website' GROUP BY day ORDER BY day",
      );
    await page.getByTestId('explore-run').click();
    await page.locator('[data-testid=explore-chart] canvas').first().waitFor();
    const rows = await page.locator('[data-testid=explore-table] tbody tr').count();
    assert.ok(rows >= 15, `${rows} days`);
    await page.getByLabel('Visualisation').selectOption('bar');
    await page.locator('[data-testid=explore-chart] canvas').first().waitFor();
    await shot('explore');
    await page.getByLabel('SQL').fill('DROP TABLE events');
    await page.getByTestId('explore-run').click();
    await page.getByTestId('explore-error').waitFor();
    const stillThere = await api<{ events: number }>(
      '/api/v1/stats/overview?project=website&period=30d&tz=UTC',
    );
    assert.ok(stillThere.events >= sent);
  });

  it('users and events pages list what the API lists', async () => {
    await page.goto(`${server.url}/users?project=website`);
    const users = await api<{ results: Array<{ user_id: string }> }>(
      '/api/v1/stats/users?project=website&limit=50',
    );
    await page.locator('[data-testid=users] tbody tr').first().waitFor();
    assert.equal(await page.locator('[data-testid=users] tbody tr').count(), users.results.length);
    await shot('users');
    await page.locator('[data-testid=users] tbody tr a').first().click();
    await page.locator('[data-testid=user] .timeline li').first().waitFor();
    await shot('user-profile');
  });

  it("a user's profile shows the app version the API reports (the dashboard reads the API's own types)", async () => {
    const res = await fetch(`${server.url}/e`, {
      method: 'POST',
      headers: { 'x-app': 'app', 'content-type': 'application/json' },
      body: JSON.stringify({
        ...SEED_EVENT,
        user_id: 'versioned',
        timestamp: new Date().toISOString(),
        appVersion: '2.3.1',
      }),
    });
    assert.equal(res.status, 202);
    const found = await eventually(
      () => api<{ user: { app_version: string } }>('/api/v1/stats/users/versioned?project=app'),
      30_000,
      'the user with an app version',
    );
    assert.equal(found.user.app_version, '2.3.1');
    await page.goto(`${server.url}/users/versioned?project=app`);
    await page.locator('[data-testid=user] .timeline li').first().waitFor();
    const facts = await page.locator('[data-testid=user] dl').textContent();
    assert.match(facts ?? '', /App version\s*2\.3\.1/);
  });

  it('logs: search narrows the lines, live tail shows a new line within 2 s', async () => {
    await page.goto(`${server.url}/logs?project=website&period=realtime`);
    await page.locator('[data-testid=log-lines] li').first().waitFor();
    assert.equal(await page.locator('[data-testid=log-lines] li').count(), 3);
    await page.getByLabel('Search logs').fill('payment');
    await page.getByRole('button', { name: 'Search' }).click();
    await eventually(
      async () => ((await page.locator('[data-testid=log-lines] li').count()) === 1 ? true : undefined),
      5_000,
    );
    await shot('logs');
    await page.getByLabel('Search logs').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByLabel('Live tail').check();
    await page.locator('[data-testid=log-lines] li').first().waitFor();
    const sentAt = Date.now();
    const res = await fetch(`${server.url}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-app': 'website' },
      body: JSON.stringify({ level: 'warn', service: 'shop', message: 'live tail line' }),
    });
    assert.equal(res.status, 202);
    await page.getByText('live tail line').waitFor({ timeout: 5_000 });
    const shownAfter = Date.now() - sentAt;
    assert.ok(shownAfter <= 3_000, `shown after ${shownAfter} ms (processing + one 2 s poll)`);
  });

  it('database changes: per-table rates, latest changes and a row history', async () => {
    await page.goto(`${server.url}/changes?project=website&period=realtime`);
    await page.locator('[data-testid=db-rates] tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'shop.orders' }).click();
    await page.locator('[data-testid=db-latest] li').first().waitFor();
    await page.getByLabel('Primary key (JSON)').fill('{"id": 7}');
    await page.getByRole('button', { name: 'Show every version' }).click();
    await page.locator('[data-testid=db-history] li').nth(2).waitFor();
    const types = await page.locator('[data-testid=db-history] li b').allTextContents();
    assert.deepEqual(types, ['insert', 'update', 'update']);
    await shot('db-changes');
    // One line per row: order 7's latest change, with how many it had.
    await page.getByTestId('db-per-row').check();
    await page.getByText('Latest change of each row of shop.orders').waitFor();
    await page.locator('[data-testid=db-latest] li', { hasText: '3 changes' }).waitFor();
    assert.equal(await page.locator('[data-testid=db-latest] li').count(), 1);
    assert.match(
      (await page.locator('[data-testid=db-latest] li').first().textContent()) ?? '',
      /update[\s\S]*key \[7\][\s\S]*shipped/,
    );
  });

  it('a share link opens the overview read-only, without logging in', async () => {
    const res = await fetch(`${server.url}/api/v1/shares`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ project: 'website', name: 'public' }),
    });
    const link = (await res.json()) as { url: string };
    const anonymous = await browser.newContext({ timezoneId: 'UTC' });
    const p = await anonymous.newPage();
    await p.goto(`${server.url}${link.url}&period=30d`);
    await p.locator('[data-testid=kpi-visitors] .kpi-value').waitFor();
    assert.equal(await p.getByRole('link', { name: 'Explore' }).count(), 0, 'no navigation to member pages');
    const want = await api<{ visitors: number }>('/api/v1/stats/overview?project=website&period=30d&tz=UTC');
    assert.equal(
      Number(await p.locator('[data-testid=kpi-visitors] .kpi-value').getAttribute('data-value')),
      want.visitors,
    );
    await anonymous.close();
  });

  it('serves a dark theme and a phone layout', async () => {
    const phone = await browser.newContext({
      timezoneId: 'UTC',
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      storageState: await context.storageState(),
    });
    page = await phone.newPage();
    await page.goto(`${server.url}/?project=website&period=30d`);
    await page.locator('[data-testid=kpi-visitors] .kpi-value').waitFor();
    const width = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
          .documentElement.scrollWidth,
    );
    assert.ok(width <= 400, `no horizontal scrolling on a phone (${width}px)`);
    await shot('overview-phone-dark');
    await phone.close();
  });
});
