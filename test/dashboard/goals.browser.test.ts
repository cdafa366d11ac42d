// Goals and the "events outside the period" notice in real Chromium against a real server fed through the native
// route: the Goal conversions card's empty state leads to Settings → Goals, a page goal with a wildcard added there
// shows its conversions on the overview at once (past events), a saved funnel is picked again, and a project whose
// only event is the seed's (2024-04-17) says so over its zeros, with a link that switches to that range.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { desktopPage, launchChromium, logInAsAdmin } from '../support/chromium.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { SEED_EVENT } from '../support/seed-event.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser;
let page: Page;

async function api<T = Record<string, unknown>>(url: string): Promise<T> {
  const res = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, `${url}: ${await res.clone().text()}`);
  return (await res.json()) as T;
}

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'website,app', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const visits: Array<[string, string]> = [
    ['/', 'v1'],
    ['/thanks/order-1', 'v1'],
    ['/thanks', 'v2'],
    ['/pricing', 'v3'],
    ['/thank', 'v4'],
  ];
  for (const [i, [path, visitor]] of visits.entries()) {
    const res = await postJson(
      `${server.url}/`,
      { type: 'pageview', user_id: visitor, session_id: `s-${visitor}`, timestamp: minutesAgo(30 - i), path },
      { 'x-app': 'website' },
    );
    assert.equal(res.status, 202);
  }
  assert.equal((await postJson(`${server.url}/`, SEED_EVENT, { 'x-app': 'app' })).status, 202);
  await eventually(
    async () => {
      const w = await api<{ events: number }>('/api/v1/stats/overview?project=website&period=7d');
      const a = await api<{ count: number }>('/api/v1/stats/extent?project=app');
      return w.events === 5 && a.count === 1 ? true : undefined;
    },
    30_000,
    'the events to be stored',
  );
  browser = await launchChromium();
  ({ page } = await desktopPage(browser));
  await logInAsAdmin(page, server.url, ADMIN);
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('goals in the dashboard', () => {
  it('the empty goals card leads to Settings, where a page goal is added; the overview counts it at once', async () => {
    await page.goto(`${server.url}/?project=website&period=7d`);
    const empty = page.locator('[data-testid=goals-empty]');
    await empty.waitFor();
    assert.doesNotMatch((await empty.textContent()) ?? '', /SIGHTLINE_GOALS/);
    await empty.getByRole('button', { name: 'Add one in Settings → Goals' }).click();
    const card = page.locator('[data-testid=goals-settings]');
    await card.waitFor();
    assert.equal(await card.getByLabel('Project of the goals').inputValue(), 'website');
    await card.getByLabel('Goal kind').selectOption('page');
    await card.getByLabel('Page path').fill('thanks*');
    await card.getByRole('button', { name: 'Add goal' }).click();
    await card.locator('[data-testid=goal-message]').waitFor();
    assert.match(
      (await card.locator('[data-testid=goal-message]').textContent()) ?? '',
      /value: a page pattern is a path starting with "\/"/,
      'a bad wildcard is refused, naming the field',
    );
    await card.getByLabel('Page path').fill('/thanks*');
    await card.getByRole('button', { name: 'Add goal' }).click();
    await card.locator('[data-testid=goal-row]', { hasText: 'page:/thanks*' }).waitFor();

    await page.goto(`${server.url}/?project=website&period=7d`);
    const row = page.locator('[data-testid=goal-conversions] tbody tr', { hasText: 'page:/thanks*' });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    const want = await api<{ results: Array<{ goal: string; visitors: number; events: number }> }>(
      '/api/v1/stats/goals?project=website&period=7d',
    );
    assert.deepEqual(want.results, [{ goal: 'page:/thanks*', visitors: 2, events: 2, conversion_rate: 50 }]);
    assert.deepEqual(cells, ['page:/thanks*', '2', '2', '50%']);
  });

  it('an event goal with a property condition is edited and deleted in Settings', async () => {
    await page.goto(`${server.url}/settings?project=website`);
    const card = page.locator('[data-testid=goals-settings]');
    await card.waitFor();
    await card.getByLabel('Goal kind').selectOption('event');
    await card.getByLabel('Event type').fill('purchase');
    await card.getByRole('button', { name: '+ Property condition' }).click();
    await card.getByLabel('Condition 1 property').fill('plan');
    await card.getByLabel('Condition 1 value').fill('pro');
    await card.getByLabel('Goal name').fill('Pro purchase');
    await card.getByRole('button', { name: 'Add goal' }).click();
    const row = card.locator('[data-testid=goal-row]', { hasText: 'Pro purchase' });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /event purchase where plan is pro/);
    await row.getByRole('button', { name: 'Edit' }).click();
    await card.getByLabel('Condition 1 test').selectOption('is_not');
    await card.getByRole('button', { name: 'Save goal' }).click();
    await card.locator('[data-testid=goal-row]', { hasText: 'where plan is not pro' }).waitFor();
    page.once('dialog', (d) => d.accept());
    await card
      .locator('[data-testid=goal-row]', { hasText: 'Pro purchase' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await eventually(async () =>
      (await card.locator('[data-testid=goal-row]', { hasText: 'Pro purchase' }).count()) === 0
        ? true
        : undefined,
    );
  });

  it('a funnel is saved and picked again', async () => {
    const steps = encodeURIComponent(JSON.stringify([{ page: '/' }, { page: '/thanks*' }]));
    await page.goto(`${server.url}/funnels?project=website&period=7d&steps=${steps}`);
    const saved = page.locator('[data-testid=saved-funnels]');
    await saved.getByLabel('Funnel name').fill('Thank-you path');
    await saved.getByRole('button', { name: 'Save funnel' }).click();
    await saved.getByText('Saved "Thank-you path".').waitFor();
    await page.goto(`${server.url}/funnels?project=website&period=7d`);
    await saved.getByLabel('Saved funnel').selectOption({ label: 'Thank-you path' });
    await eventually(async () => (decodeURIComponent(page.url()).includes('/thanks*') ? true : undefined));
    // The page first shows its default steps; the picked funnel's answer replaces them.
    await eventually(async () =>
      /^1 · 100%/.test((await page.locator('[data-testid=funnel-step-2]').textContent()) ?? '')
        ? true
        : undefined,
    );
    assert.match((await page.locator('[data-testid=funnel]').textContent()) ?? '', /\/thanks\*/);
  });

  it("a project's admin manages that project's goals only; a viewer is pointed to an admin", async () => {
    const headers = { authorization: `Bearer ${ADMIN}` };
    for (const [email, role] of [
      ['owner@example.com', 'admin'],
      ['reader@example.com', 'viewer'],
    ] as const) {
      const res = await postJson(
        `${server.url}/api/v1/dashboard/users`,
        { email, password: 'long-enough-password-1', role, projects: ['app'] },
        headers,
      );
      assert.equal(res.status, 201);
    }
    const logIn = async (email: string) => {
      const context = await browser.newContext();
      const p = await context.newPage();
      await p.goto(`${server.url}/login`);
      await p.getByLabel('E-mail').fill(email);
      await p.getByLabel('Password').fill('long-enough-password-1');
      await p.getByRole('button', { name: 'Log in' }).click();
      await p.getByRole('button', { name: 'Log out' }).waitFor();
      return { context, p };
    };
    const owner = await logIn('owner@example.com');
    await owner.p.goto(`${server.url}/?project=app&period=7d`);
    await owner.p
      .locator('[data-testid=goals-empty]')
      .getByRole('button', { name: /Settings → Goals/ })
      .click();
    const card = owner.p.locator('[data-testid=goals-settings]');
    await card.waitFor();
    assert.deepEqual(await card.getByLabel('Project of the goals').locator('option').allTextContents(), [
      'app',
    ]);
    assert.equal(await owner.p.getByText('Dashboard users').count(), 0, 'no installation-wide settings');
    await card.getByLabel('Goal kind').selectOption('event');
    await card.getByLabel('Event type').fill('click');
    await card.getByRole('button', { name: 'Add goal' }).click();
    await card.locator('[data-testid=goal-row]', { hasText: 'event:click' }).waitFor();
    await owner.context.close();

    const reader = await logIn('reader@example.com');
    await reader.p.goto(`${server.url}/?project=app&from=2024-04-17&to=2024-04-17&tz=UTC`);
    const row = reader.p.locator('[data-testid=goal-conversions] tbody tr', { hasText: 'event:click' });
    await row.waitFor();
    assert.deepEqual(await row.locator('td').allTextContents(), ['event:click', '1', '1', '100%']);
    assert.equal(await reader.p.getByRole('link', { name: 'Settings' }).count(), 0);
    await reader.p.goto(`${server.url}/?project=app&period=7d`);
    await reader.p.locator('[data-testid=kpis]').waitFor();
    await reader.context.close();
  });

  it('a period without events says how many are stored and switches to them', async () => {
    await page.goto(`${server.url}/?project=app&period=30d&tz=UTC`);
    const note = page.locator('[data-testid=extent-note]');
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', /1 event stored, latest 2024-04-17 — show all time/);
    await note.getByRole('button', { name: 'show all time' }).click();
    await eventually(async () =>
      (await page.locator('[data-testid=kpi-events] .kpi-value').getAttribute('data-value')) === '1'
        ? true
        : undefined,
    );
    assert.match(page.url(), /from=2024-04-17&to=2024-04-17/);
    assert.equal(await note.count(), 0);
  });
});
