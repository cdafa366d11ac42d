// A person's Export and Erase in the dashboard, in Chromium: an admin downloads the JSON of the person's rows, the
// erasure asks for confirmation naming the id (Cancel erases nothing), then erases; Settings lists both requests
// with the id's hash, never the id. A viewer sees neither button. A project's admin erases with a suppression
// (`suppress_days`, set in the confirmation) and sees the requests of its projects.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { desktopPage, launchChromium, logInAsAdmin } from '../support/chromium.ts';
import { ADMIN, eventually, postJson, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser | undefined;

const DANA = 'dana-ui-erase@example.com';
const EVE = 'eve-stays@example.com';
const FRED = 'fred-suppressed@example.com';

async function countOf(user: string): Promise<number> {
  const [r] = await server.store.query<{ n: number | string }>(
    "SELECT count() AS n FROM events WHERE project = 'app' AND user_id = {u:String}",
    { u: user },
  );
  return Number(r.n);
}

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'app,other', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
  for (const user of [DANA, EVE, FRED]) {
    const res = await postJson(
      `${server.url}/e`,
      [
        { type: 'identify', user_id: user, details: { plan: 'pro' } },
        { type: 'pageview', user_id: user, path: '/pricing' },
      ],
      { 'x-app': 'app', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Test/1.0' },
    );
    assert.equal(res.status, 202);
  }
  await eventually(async () =>
    (await countOf(DANA)) === 2 && (await countOf(EVE)) === 2 && (await countOf(FRED)) === 2
      ? true
      : undefined,
  );
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('privacy in the dashboard', () => {
  it('exports and erases a person from their profile; Settings lists the requests', async () => {
    assert.ok(browser);
    const { page, context } = await desktopPage(browser);
    try {
      await logInAsAdmin(page, server.url, ADMIN);
      await page.goto(`${server.url}/users/${encodeURIComponent(DANA)}?project=app`);
      await page.getByTestId('user').getByText('pro', { exact: true }).waitFor();

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export' }).click(),
      ]);
      const exported = JSON.parse(fs.readFileSync((await download.path()) as string, 'utf8')) as {
        subject: string;
        counts: Record<string, number>;
      };
      assert.equal(exported.subject, DANA);
      assert.equal(exported.counts.events, 2);

      // The confirmation names the person; Cancel erases nothing.
      await page.getByRole('button', { name: 'Erase', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Erase this person' });
      assert.equal(await dialog.getByTestId('erase-subject').textContent(), DANA);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await countOf(DANA), 2);

      await page.getByRole('button', { name: 'Erase', exact: true }).click();
      await dialog.getByRole('button', { name: `Erase ${DANA}` }).click();
      await page
        .getByTestId('erase-result')
        .filter({ hasText: /^Erased/ })
        .waitFor();
      assert.match((await page.getByTestId('erase-result').textContent()) ?? '', /2 events/);
      assert.equal(await countOf(DANA), 0);
      assert.equal(await countOf(EVE), 2);

      await page.goto(`${server.url}/settings`);
      const audit = page.getByTestId('privacy-requests');
      await audit.getByRole('cell', { name: 'erase', exact: true }).waitFor();
      const text = (await audit.textContent()) ?? '';
      const hash = createHash('sha256').update(`app\u0000user_id\u0000${DANA}`).digest('hex');
      assert.ok(text.includes(hash.slice(0, 12)), 'the hash is listed');
      assert.ok(!text.includes(DANA), 'never the id');
      assert.match(text, /export/);
      assert.match(text, /2 events/);
    } finally {
      await context.close();
    }
  });

  it("lets a project's admin erase with a suppression set in the confirmation, and list its projects' requests", async () => {
    assert.ok(browser);
    const created = await postJson(
      `${server.url}/api/v1/dashboard/users`,
      {
        email: 'app-admin@example.com',
        name: 'A',
        role: 'admin',
        projects: ['app'],
        password: 'app-admin-password-123',
      },
      { authorization: `Bearer ${ADMIN}` },
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    // A request of another project, which this admin must not see in Settings.
    const other = await fetch(`${server.url}/api/v1/people/someone/export?project=other`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(other.status, 200);
    const { page, context } = await desktopPage(browser);
    try {
      await page.goto(`${server.url}/`);
      await page.getByLabel('E-mail').fill('app-admin@example.com');
      await page.getByLabel('Password').fill('app-admin-password-123');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      await page.goto(`${server.url}/users/${encodeURIComponent(FRED)}?project=app`);
      await page.getByTestId('user').getByText('pro', { exact: true }).waitFor();

      await page.getByRole('button', { name: 'Erase', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Erase this person' });
      await dialog.getByLabel(/Refuse their new events for/).fill('30');
      await dialog.getByRole('button', { name: `Erase ${FRED}` }).click();
      await page
        .getByTestId('erase-result')
        .filter({ hasText: /^Erased/ })
        .waitFor();
      assert.match((await page.getByTestId('erase-result').textContent()) ?? '', /refused for 30 days/);
      assert.equal(await countOf(FRED), 0);

      const hash = createHash('sha256').update(`app\u0000user_id\u0000${FRED}`).digest('hex');
      const [suppression] = await server.store.query<{ days: number | string }>(
        `SELECT dateDiff('day', now64(3), max(until)) AS days FROM privacy_suppressions
         WHERE subject_hash = {h:String} AND project = 'app'`,
        { h: hash },
      );
      assert.ok(Number(suppression.days) >= 29 && Number(suppression.days) <= 30, String(suppression.days));

      await page.goto(`${server.url}/settings`);
      const audit = page.getByTestId('privacy-requests');
      await audit.getByText(hash.slice(0, 12)).waitFor();
      assert.equal(
        await audit.getByRole('cell', { name: 'other', exact: true }).count(),
        0,
        "only app's requests",
      );
    } finally {
      await context.close();
    }
  });

  it('shows a viewer no Export or Erase', async () => {
    assert.ok(browser);
    const created = await postJson(
      `${server.url}/api/v1/dashboard/users`,
      {
        email: 'viewer@example.com',
        name: 'V',
        role: 'viewer',
        projects: '*',
        password: 'viewer-password-123',
      },
      { authorization: `Bearer ${ADMIN}` },
    );
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const { page, context } = await desktopPage(browser);
    try {
      await page.goto(`${server.url}/`);
      await page.getByLabel('E-mail').fill('viewer@example.com');
      await page.getByLabel('Password').fill('viewer-password-123');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
      await page.goto(`${server.url}/users/${encodeURIComponent(EVE)}?project=app`);
      await page.getByTestId('user').getByText('pro', { exact: true }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Erase' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Export' }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
