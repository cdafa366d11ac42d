/** Debian's Chromium through playwright-core, set up the way every dashboard browser test uses it. */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-sync',
    ],
  });
}

/** A desktop-sized page in UTC and US English, so screenshots and formatted numbers are the same on every run. */
export async function desktopPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 },
    locale: 'en-US',
  });
  return { context, page: await context.newPage() };
}

/** Logs in on the dashboard's login form with the admin token; returns once the session is in place. */
export async function logInAsAdmin(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByRole('tab', { name: 'Admin token' }).click();
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  // The session cookie comes with the login's answer: a navigation before it would land on the login form again.
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}
