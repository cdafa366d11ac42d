// The dashboard says when its numbers come from a sample, and switches to the exact ones: in Chromium, over a
// seeded month with a low sampling threshold.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { seed } from '../../src/seed/seed.ts';
import { desktopPage, launchChromium, logInAsAdmin } from '../support/chromium.ts';
import { ADMIN, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let browser: Browser | undefined;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'demo',
    // ~90 000 events in the month: a sample of 1/4.
    SIGHTLINE_SAMPLE_ROWS: '20000',
    SIGHTLINE_GOALS: 'demo:event:signup,demo:page:/pricing*',
  });
  await seed(server.store, {
    project: 'demo',
    days: 30,
    eventsPerDay: 3000,
    seed: 42,
    end: '2026-11-30',
    tz: 'UTC',
    now: Date.parse('2026-12-01T00:00:00Z'),
  });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe('sampled numbers in the dashboard', () => {
  it('marks sampled cards "estimated", names the sample, and shows exact numbers on request', async () => {
    assert.ok(browser);
    const { page, context } = await desktopPage(browser);
    try {
      await logInAsAdmin(page, server.url, ADMIN);
      await page.goto(`${server.url}/?project=demo&from=2026-11-01&to=2026-11-30&tz=UTC`);
      const note = page.getByTestId('sample-note');
      await note.waitFor();
      assert.match((await note.textContent()) ?? '', /Estimated from a sample of 25% of visitors/);
      await page.getByTestId('pages').getByText('estimated').waitFor();
      await page.getByTestId('main-chart').getByText('estimated').waitFor();
      const sampled = Number(
        await page.getByTestId('kpi-visitors').locator('.kpi-value').getAttribute('data-value'),
      );

      await note.getByRole('button', { name: 'Show exact numbers' }).click();
      await page
        .getByTestId('sample-note')
        .filter({ hasText: /^Exact numbers/ })
        .waitFor();
      assert.match(page.url(), /exact=1/);
      // The cards answer again after the KPIs: wait until the pages card drops its badge too.
      await page.getByTestId('pages').getByText('estimated').waitFor({ state: 'detached', timeout: 15_000 });
      const exact = Number(
        await page.getByTestId('kpi-visitors').locator('.kpi-value').getAttribute('data-value'),
      );
      const res = await fetch(
        `${server.url}/api/v1/stats/overview?project=demo&from=2026-11-01&to=2026-11-30&tz=UTC&exact=1`,
        { headers: { authorization: `Bearer ${ADMIN}` } },
      );
      assert.equal(
        exact,
        ((await res.json()) as { visitors: number }).visitors,
        'the page shows the exact count',
      );
      assert.ok(Math.abs(sampled - exact) <= 0.05 * exact, `estimate ${sampled} near ${exact}`);
    } finally {
      await context.close();
    }
  });
});
