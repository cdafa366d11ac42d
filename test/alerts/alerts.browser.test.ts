// The Alerts page in real Chromium: an admin sees the configured rule (read-only), adds a rule with the form, sees
// it listed with its state, sends a test notice to a local webhook and sees it in the history.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { desktopPage, launchChromium, logInAsAdmin } from '../support/chromium.ts';
import { ADMIN, eventually, startInProcess } from '../support/in-process-server.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

let server: Awaited<ReturnType<typeof startInProcess>>;
let hook: WebhookReceiver;
let browser: Browser;
let page: Page;
const shots = tempDir('alert-shots');
// `SIGHTLINE_SCREENSHOTS_DIR=docs/screenshots` refreshes the documentation's picture of the page.
const SHOTS = process.env.SIGHTLINE_SCREENSHOTS_DIR ?? shots.dir;

before(async () => {
  hook = await startWebhookReceiver();
  server = await startInProcess({
    SIGHTLINE_ALERT_INTERVAL_SECONDS: '0',
    SIGHTLINE_WEBHOOK_ALLOW: '127.0.0.1',
    SIGHTLINE_ALERTS: JSON.stringify([
      {
        id: 'dlq',
        name: 'Dead letters',
        kind: 'dead_letters',
        channels: [{ type: 'webhook', url: hook.url }],
      },
    ]),
  });
  browser = await launchChromium();
  ({ page } = await desktopPage(browser));
});

after(async () => {
  await browser?.close();
  await server?.cleanup();
  await hook?.close();
  shots.cleanup();
});

describe('alerts page', () => {
  it('an admin adds a rule in the UI and sees it, with the config rule read-only', async () => {
    await logInAsAdmin(page, server.url, ADMIN);
    await page.getByRole('link', { name: 'Alerts' }).click();
    const rules = page.locator('[data-testid=alert-rules]');
    await rules.locator('tr[data-rule=dlq]').waitFor();
    assert.equal(await rules.locator('tr[data-rule=dlq] .badge').textContent(), 'config');
    assert.equal(await rules.locator('tr[data-rule=dlq]').getByRole('button', { name: 'Remove' }).count(), 0);

    await page.getByLabel('Rule name').fill('Website quiet');
    await page.getByLabel('Rule project').selectOption('website');
    await page.getByLabel('Kind').selectOption('threshold');
    await page.getByLabel('Metric').selectOption('pageviews');
    await page.getByLabel('Direction').selectOption('below');
    await page.getByLabel('Value').fill('5');
    await page.getByLabel('Window (minutes)').fill('30');
    await page.getByLabel('Notify').fill(hook.url);
    await page.getByRole('button', { name: 'Add rule' }).click();
    const added = rules.locator('tr', { hasText: 'Website quiet' });
    await added.waitFor();
    assert.match((await added.textContent()) ?? '', /pageviews in 30 min < 5/);

    // The same rule through the API: stored as the form described it.
    const res = await fetch(`${server.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const { results } = (await res.json()) as { results: Array<Record<string, unknown>> };
    const rule = results.find((r) => r.name === 'Website quiet');
    assert.ok(rule);
    assert.equal(rule.origin, 'dashboard');
    assert.equal(rule.project, 'website');
    assert.equal(rule.below, 5);
    assert.deepEqual(rule.channels, [{ type: 'webhook', url: hook.url }]);

    await added.getByRole('button', { name: 'Test' }).click();
    await eventually(async () => (hook.bodies.length === 1 ? true : undefined));
    assert.equal(hook.bodies[0].state, 'test');
    await page.locator('[data-testid=alert-history] li', { hasText: 'Website quiet' }).waitFor();
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'alerts.png'), fullPage: true });

    await added.getByRole('button', { name: 'Remove' }).click();
    await rules.locator('tr', { hasText: 'Website quiet' }).waitFor({ state: 'detached' });
  });
});
