/**
 * Screenshots of the dashboard over a year of demo traffic (`sightline seed --days 365`), the "does it look like a
 * real site" check: `npm run screenshots:seed` seeds a private data folder, starts `sightline serve` on a free port,
 * logs in with Debian's Chromium and saves docs/screenshots/seeded-*.png. Nothing is left behind.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'docs/screenshots');
const TOKEN = 'screenshot-admin-token-0123456789';
const NODE = process.execPath;
const CLI = path.join(ROOT, 'src/cli/main.ts');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-seed-shots-'));
const env = {
  ...process.env,
  SIGHTLINE_DATA_DIR: dir,
  SIGHTLINE_PROJECTS: 'demo',
  SIGHTLINE_ADMIN_TOKEN: TOKEN,
  SIGHTLINE_GOALS: 'demo:event:signup,demo:event:purchase,demo:page:/pricing',
};
const port = await freePort();
let server: ReturnType<typeof spawn> | undefined;
try {
  process.stderr.write('[shots] seeding a year of demo traffic (5 000 events a day) …\n');
  execFileSync(
    NODE,
    [CLI, 'seed', '--project', 'demo', '--days', '365', '--events-per-day', '5000', '--seed', '42'],
    {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  server = spawn(NODE, [CLI, 'serve'], {
    env: { ...env, SIGHTLINE_PORT: String(port), SIGHTLINE_HOST: '127.0.0.1', SIGHTLINE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error('the server did not become ready');
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC' });
    await page.goto(`${url}/login`);
    await page.getByRole('tab', { name: 'Admin token' }).click();
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[data-testid=kpi-visitors] .kpi-value').waitFor();
    const shoot = async (name: string, route: string, ready: string, fullPage = true) => {
      await page.goto(`${url}${route}`);
      await page.locator(ready).first().waitFor({ timeout: 60_000 });
      // Every panel loads on its own: wait until none is busy (polling pages never go network-idle).
      for (const deadline = Date.now() + 120_000; await page.locator('[aria-busy=true]').count(); ) {
        if (Date.now() > deadline) throw new Error(`${name}: panels still loading after 2 minutes`);
        await page.waitForTimeout(200);
      }
      await page.waitForTimeout(300);
      await page.screenshot({ path: path.join(OUT, `seeded-${name}.png`), fullPage });
      process.stderr.write(`[shots] seeded-${name}.png\n`);
    };
    await shoot('overview-12mo', '/?project=demo&period=12mo', '[data-testid=pages] .row');
    await shoot(
      'overview-30d',
      '/?project=demo&period=30d&compare=previous_period',
      '[data-testid=pages] .row',
    );
    await shoot(
      'retention',
      '/retention?project=demo&period=12mo&unit=month',
      '[data-testid=retention] table',
    );
    await shoot('logs', '/logs?project=demo&period=7d', '[data-testid=log-lines] li', false);
  } finally {
    await browser.close();
  }
} finally {
  server?.kill('SIGTERM');
  if (server) await new Promise((r) => server?.once('exit', r));
  fs.rmSync(dir, { recursive: true, force: true });
}
