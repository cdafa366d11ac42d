// Settings → Sites in Chromium: an admin adds a site, copies the `<script>` snippet of its setup screen into a page
// served locally, and sees "Waiting for the first event…" turn green when that page's pageview is stored; then
// marks it public and a stranger sees its dashboard; rotates the key (no grace period) and the old key is refused
// while the new one is taken; a configured project is shown read-only; deleting asks with the event count.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import { desktopPage, logInAsAdmin } from '../support/chromium.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';

// Headless Chromium names itself in its agent and would be stored as a bot; a desktop agent for every request.
const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser | undefined;
let site: http.Server;
let siteUrl: string;
/** What the locally served page carries in its head: the snippet as copied from the dashboard. */
let snippet = '';

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'app', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
  site = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!doctype html><html><head><title>Shop</title>${snippet}</head><body>Shop</body></html>`);
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
      `--user-agent=${CHROME_UA}`,
    ],
  });
});
after(async () => {
  await browser?.close();
  site?.close();
  await server?.cleanup();
});

/** One native event with the given key, as a server would send it. */
async function sendWith(key: string): Promise<number> {
  const res = await fetch(`${server.url}/e`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-app': 'shop', 'x-project-key': key },
    body: JSON.stringify({ type: 'pageview', url: 'https://shop.example/' }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function storedEvents(): Promise<number> {
  const [r] = await server.store.query<{ n: string }>(
    "SELECT count() AS n FROM events WHERE project = 'shop'",
  );
  return Number(r.n);
}

describe('sites in the dashboard', () => {
  it('adds a site, shows its snippet, sees the first pageview arrive, rotates the key, deletes with the count', async () => {
    assert.ok(browser);
    const { page, context } = await desktopPage(browser);
    try {
      await logInAsAdmin(page, server.url, ADMIN);
      await page.goto(`${server.url}/settings`);
      const sites = page.getByTestId('sites');
      const configured = sites.getByTestId('site-app');
      await configured.getByText('managed by configuration').waitFor();
      assert.equal(await configured.getByRole('button', { name: 'Edit' }).count(), 0, 'read-only');
      assert.equal(await configured.getByRole('button', { name: /^Delete/ }).count(), 0);

      // A bad origin is refused, naming the field.
      await sites.getByLabel('Site name').fill('shop');
      await sites.getByLabel('Domains').fill('127.0.0.1');
      await sites.getByLabel('Allowed origins').fill(`${siteUrl}/path`);
      await sites.getByRole('button', { name: 'Add site' }).click();
      await sites
        .getByRole('alert')
        .getByText(/allowed_origins/)
        .waitFor();

      await sites.getByLabel('Time zone').fill('Asia/Tokyo');
      await sites.getByLabel('Allowed origins').fill(siteUrl);
      await sites.getByRole('button', { name: 'Add site' }).click();
      const onboarding = page.getByTestId('onboarding');
      await onboarding.waitFor();
      const status = onboarding.getByTestId('first-event');
      assert.match((await status.textContent()) ?? '', /Waiting for the first event/);
      const key = ((await onboarding.getByTestId('new-key').textContent()) ?? '').trim();
      assert.match(key, /^slw_/);
      const script = ((await onboarding.getByTestId('snippet-script').textContent()) ?? '').trim();
      assert.ok(script.includes(`data-key="${key}"`), script);
      assert.match((await onboarding.getByTestId('snippet-curl').textContent()) ?? '', /X-Project-Key: slw_/);
      assert.match((await onboarding.getByTestId('snippet-segment').textContent()) ?? '', /writeKey: 'slw_/);

      // The copied tag, on a page served from 127.0.0.1 (which the tracker skips unless told otherwise).
      snippet = script.replace('<script ', '<script data-include-localhost ');
      const visitor = await context.newPage();
      await visitor.goto(`${siteUrl}/`);
      await status.getByText(/First event received/).waitFor({ timeout: 30_000 });
      assert.match((await status.getAttribute('class')) ?? '', /received/);
      await visitor.close();

      // Marked public, its dashboard opens at /share/shop for anyone, without a login or a token.
      await onboarding.getByRole('button', { name: 'Close' }).click();
      const row = sites.getByTestId('site-shop');
      await row.getByRole('button', { name: 'Edit' }).click();
      const edit = sites.getByTestId('site-edit-shop');
      await edit.getByLabel('Public').check();
      await edit.getByRole('button', { name: 'Save' }).click();
      await row.getByText('public', { exact: true }).waitFor();
      const stranger = await browser.newContext({ timezoneId: 'UTC', locale: 'en-US' });
      const anonymous = await stranger.newPage();
      const asked = anonymous.waitForRequest(/\/api\/v1\/stats\/overview/);
      await anonymous.goto(`${server.url}/share/shop?period=7d`);
      assert.equal(new URL((await asked).url()).searchParams.get('tz'), 'Asia/Tokyo', "the site's zone");
      await anonymous.getByTestId('kpi-pageviews').locator('.kpi-value[data-value="1"]').waitFor();
      await stranger.close();

      // Rotation with no grace period: the old key is refused at once, the new one is taken.
      await sites.getByLabel('Grace period').selectOption('0');
      await row.getByRole('button', { name: 'Rotate' }).click();
      const fresh = ((await row.getByTestId('fresh-key').textContent()) ?? '').trim();
      assert.match(fresh, /^slw_/);
      assert.notEqual(fresh, key);
      assert.equal(await sendWith(key), 403, 'the old key is refused');
      const before = await storedEvents();
      snippet = snippet.replace(key, fresh);
      const again = await context.newPage();
      await again.goto(`${siteUrl}/again`);
      await eventually(
        async () => ((await storedEvents()) > before ? true : undefined),
        20_000,
        'the new key',
      );
      await again.close();

      // Deleting names the number of events it removes.
      const n = await storedEvents();
      await row.getByRole('button', { name: 'Delete' }).click();
      await row.getByText(`Delete shop and its ${n} events?`).waitFor();
      await row.getByRole('button', { name: `Delete ${n} events` }).click();
      await row.waitFor({ state: 'detached' });
      assert.equal(await storedEvents(), 0);
      assert.equal(await sendWith(fresh), 401, 'the collector no longer knows the site');
    } finally {
      await context.close();
    }
  });
});
