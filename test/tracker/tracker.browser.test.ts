// The browser tracker in real Chromium (Debian's, driven by playwright-core): page views, SPA navigations, custom
// events (also queued before load), element events, outbound clicks and the page-hide beacon; storage-less mode;
// the screen's size class.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
let site: http.Server;
let siteUrl: string;
let browser: Browser;

function page(attributes: string): string {
  return `<!doctype html><html><head><title>Test shop</title>
<script>window.sightline=window.sightline||function(){(window.sightline.q=window.sightline.q||[]).push(arguments)};sightline('early',{queued:true});</script>
<script defer src="${server.url}/s.js" data-project="website" data-include-localhost ${attributes}></script>
</head><body>
<button id="cta" data-sightline-event="cta_click" data-sightline-prop-position="hero">Buy</button>
<a id="out" href="https://example.org/out" onclick="event.preventDefault()">elsewhere</a>
</body></html>`;
}

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'website', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
  site = http.createServer((req, res) => {
    const storageLess = req.url?.startsWith('/private');
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      req.url === '/blank'
        ? '<!doctype html><title>blank</title>'
        : page(storageLess ? 'data-storage="none"' : 'data-outbound data-engagement'),
    );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Headless Chromium says so in its agent (and isbot flags it); beacons sent while a page unloads ignore
      // per-context overrides, so the browser-wide switch sets a desktop Chrome agent for every request.
      `--user-agent=${CHROME_UA}`,
    ],
  });
});
after(async () => {
  await browser?.close();
  site?.close();
  await server.cleanup();
});

type Row = Record<string, string | number | boolean>;

/** What the page scripts see, typed for the functions evaluated in the browser (the project has no DOM types). */
interface PageGlobals {
  sightline: ((name: string, props: object) => void) & { q?: unknown };
  history: { pushState(state: object, unused: string, url: string): void };
  localStorage: { length: number; getItem(key: string): string | null };
  sessionStorage: { length: number; getItem(key: string): string | null };
  document: { cookie: string };
}
const CHROME_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
async function eventsFor(where: string, atLeast: number): Promise<Row[]> {
  return eventually(
    async () => {
      const rows = await server.store.query<Row>(
        `SELECT * FROM events WHERE project = 'website' AND ${where} ORDER BY timestamp, type`,
      );
      return rows.length >= atLeast ? rows : undefined;
    },
    15_000,
    `${atLeast} events (${where})`,
  );
}

describe('browser tracker', () => {
  it('serves a script within the gzip budget, with a versioned immutable URL', async () => {
    const res = await fetch(`${server.url}/s.js`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    const gzipped = Number(res.headers.get('content-length'));
    assert.ok(gzipped > 0 && gzipped <= 1536, `gzipped size ${gzipped} > 1536 bytes`);
    const versioned = res.headers.get('x-sightline-tracker')!;
    const pinned = await fetch(`${server.url}${versioned}`);
    assert.equal(pinned.status, 200);
    assert.match(pinned.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(`${server.url}/s.0000000000.js`)).status, 404);
  });

  it('tracks page views, SPA navigations, custom and element events, outbound clicks and the page-hide beacon', async () => {
    const context = await browser.newContext({ screen: { width: 1280, height: 800 } });
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}/app/`, { referer: 'https://news.ycombinator.com/' });
    // The tracker replaces the pre-load stub (which has a queue) once it runs.
    await tab.waitForFunction(() => !('q' in (globalThis as unknown as PageGlobals).sightline));
    await tab.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      g.history.pushState({}, '', '/app/pricing');
      g.history.pushState({}, '', '/app/docs/');
      g.sightline('signup', { plan: 'pro' });
    });
    await tab.click('#cta');
    await tab.click('#out');
    const ids = await tab.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return [g.localStorage.getItem('sl_uid'), g.sessionStorage.getItem('sl_sid')];
    });
    await tab.goto(`${siteUrl}/blank`); // the page is hidden: the engagement beacon goes out
    const rows = await eventsFor("host = '127.0.0.1' AND path LIKE '/app%'", 8);
    const types = rows.map((r) => r.type).sort();
    assert.deepEqual(types, [
      'cta_click',
      'early',
      'engagement',
      'outbound',
      'pageview',
      'pageview',
      'pageview',
      'signup',
    ]);
    const views = rows.filter((r) => r.type === 'pageview');
    assert.deepEqual(
      views.map((r) => r.path),
      ['/app', '/app/pricing', '/app/docs'],
    );
    assert.equal(views[0].referrer_source, 'Hacker News');
    assert.equal(views[0].channel, 'organic social');
    assert.equal(views[1].referrer, '', 'an SPA navigation is internal, not a new referral');
    const props = (type: string) => JSON.parse(String(rows.find((r) => r.type === type)!.props));
    assert.deepEqual(props('signup').plan, 'pro');
    assert.equal(props('early').queued, true, 'calls made before the script loaded are sent');
    assert.equal(props('cta_click').position, 'hero');
    assert.equal(props('outbound').url, 'https://example.org/out');
    assert.ok(Number(props('engagement').seconds) >= 0);
    assert.equal(props('pageview').title, 'Test shop');
    assert.ok(ids[0] && ids[1], 'ids kept in localStorage / sessionStorage');
    assert.deepEqual([...new Set(rows.map((r) => `${r.user_id}/${r.session_id}`))], [`${ids[0]}/${ids[1]}`]);
    assert.equal(rows[0].browser, 'Chrome');
    assert.deepEqual(
      [...new Set(rows.map((r) => r.screen_size))],
      ['Laptop'],
      'screen.width 1280, as a class',
    );
    assert.deepEqual(
      rows.filter((r) => r.is_bot).map((r) => [r.type, r.bot_reason, r.referrer]),
      [],
      'a real browser is not a bot',
    );
    await context.close();
  });

  it('stores nothing in the browser in storage-less mode; the server derives the visitor', async () => {
    const context = await browser.newContext({ screen: { width: 390, height: 844 } });
    const tab = await context.newPage();
    await tab.goto(`${siteUrl}/private/`);
    await tab.evaluate(() =>
      (globalThis as unknown as PageGlobals).history.pushState({}, '', '/private/next'),
    );
    const rows = await eventsFor("path LIKE '/private%'", 3);
    const stored = await tab.evaluate(() => {
      const g = globalThis as unknown as PageGlobals;
      return { local: g.localStorage.length, session: g.sessionStorage.length, cookie: g.document.cookie };
    });
    assert.deepEqual(stored, { local: 0, session: 0, cookie: '' });
    assert.ok(rows.every((r) => r.user_id === '' && String(r.visitor_id) !== '0'));
    assert.equal(new Set(rows.map((r) => r.visitor_id)).size, 1, 'one cookieless visitor');
    assert.equal(new Set(rows.map((r) => r.session_id)).size, 1, 'one server-side session');
    assert.match(String(rows[0].session_id), /^sl-/);
    assert.equal(rows[0].screen_size, 'Mobile', 'screen.width 390');
    await context.close();
  });
});
