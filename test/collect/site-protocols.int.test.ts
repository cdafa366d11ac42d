// Plausible's Events API (as its script sends it) and Umami's /api/send (through Umami's own Node client).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Umami } from '@umami/node';
import { eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const UMAMI_SITE = 'b4d1e3c2-7f00-4a8e-9d2b-2c1f6a7e9d10';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'website,shop,docs,locked:locked-key-123',
    SIGHTLINE_SITE_PROJECTS: `example.com=website,${UMAMI_SITE}=shop`,
    SIGHTLINE_TRUST_PROXY: '127.0.0.1',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server.cleanup();
});

async function rowsOf(project: string, where = '1'): Promise<Record<string, unknown>[]> {
  return server.store.query<Record<string, unknown>>(
    `SELECT * FROM events WHERE project = {project:String} AND ${where} ORDER BY received_at`,
    { project },
  );
}

function plausible(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}/api/event`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain',
      'user-agent': CHROME,
      'x-forwarded-for': '81.169.145.1',
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe('Plausible Events API', () => {
  it('accepts the short keys of the script as text/plain, answers 202 ok, and maps every field', async () => {
    const res = await plausible({
      n: 'pageview',
      u: 'https://www.example.com/docs/?utm_source=hn&utm_campaign=launch',
      d: 'example.com',
      r: 'https://news.ycombinator.com/',
      p: '{"author":"ada"}',
    });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), 'ok');
    const custom = await plausible({
      name: 'Purchase',
      url: 'https://www.example.com/checkout',
      domain: 'example.com',
      revenue: { currency: 'EUR', amount: 19.9 },
      props: { plan: 'pro' },
    });
    assert.equal(custom.status, 202);
    const rows = await eventually(async () => {
      const r = await rowsOf('website', "protocol = 'plausible'");
      return r.length >= 2 ? r : undefined;
    });
    const page = rows.find((r) => r.type === 'pageview')!;
    assert.deepEqual(
      [page.host, page.path, page.utm_source, page.utm_campaign, page.referrer_source, page.channel],
      ['www.example.com', '/docs', 'hn', 'launch', 'Hacker News', 'organic social'],
    );
    assert.deepEqual(JSON.parse(String(page.props)), { author: 'ada' });
    assert.equal(page.country, 'DE', 'the client IP from X-Forwarded-For behind a trusted proxy');
    assert.equal(page.browser, 'Chrome');
    assert.notEqual(page.visitor_id, '0');
    const purchase = rows.find((r) => r.type === 'Purchase')!;
    assert.deepEqual(JSON.parse(String(purchase.props)), {
      plan: 'pro',
      revenue: { currency: 'EUR', amount: 19.9 },
    });
  });

  it('maps an unlisted domain to the project of the same name, and refuses what it cannot place', async () => {
    assert.equal((await plausible({ n: 'pageview', u: 'https://docs/x', d: 'docs' })).status, 202);
    const unknown = await plausible({ n: 'pageview', u: 'https://nope.io/', d: 'nope.io' });
    assert.equal(unknown.status, 401);
    assert.equal(
      ((await unknown.json()) as { error: { code: string } }).error.code,
      'COLLECT_ERR_UNKNOWN_PROJECT',
    );
    const keyed = await plausible({ n: 'pageview', u: 'https://locked/', d: 'locked' });
    assert.equal(keyed.status, 403);
    assert.equal(
      ((await keyed.json()) as { error: { code: string } }).error.code,
      'COLLECT_ERR_SITE_NOT_LISTED',
    );
    const missing = await plausible({ n: 'pageview', u: 'not a url' });
    assert.equal(missing.status, 400);
    const fields = (
      (await missing.json()) as { error: { details: Array<{ field: string }> } }
    ).error.details.map((d) => d.field);
    assert.deepEqual(fields, ['domain']);
  });
});

describe('Umami /api/send', () => {
  it("stores pageviews, events and identify calls sent by Umami's Node client", async () => {
    const umami = new Umami({ hostUrl: server.url, websiteId: UMAMI_SITE, userAgent: CHROME });
    const page = await umami.track({
      hostname: 'shop.example.com',
      url: '/pricing?utm_medium=cpc&utm_source=google',
      title: 'Pricing',
      referrer: 'https://www.google.com/',
      language: 'en-GB',
      screen: '1920x1080',
    });
    assert.equal(page.status, 200);
    assert.equal((await umami.track('signup', { plan: 'pro' })).status, 200);
    assert.equal((await umami.identify({ company: 'Acme' })).status, 200);
    const rows = await eventually(async () => {
      const r = await rowsOf('shop', "protocol = 'umami'");
      return r.length >= 3 ? r : undefined;
    });
    const view = rows.find((r) => r.type === 'pageview')!;
    assert.deepEqual(
      [view.host, view.path, view.utm_medium, view.referrer_source, view.channel, view.locale],
      ['shop.example.com', '/pricing', 'cpc', 'Google', 'paid', 'en-GB'],
    );
    assert.deepEqual(JSON.parse(String(view.props)), { title: 'Pricing', screen: '1920x1080' });
    assert.equal(view.screen_size, 'Desktop', 'the screen 1920x1080 as its class');
    assert.deepEqual(JSON.parse(String(rows.find((r) => r.type === 'signup')!.props)), { plan: 'pro' });
    assert.deepEqual(JSON.parse(String(rows.find((r) => r.type === 'identify')!.props)), { company: 'Acme' });
  });

  it('refuses a body without a website', async () => {
    const res = await fetch(`${server.url}/api/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'event', payload: { url: '/' } }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: string; details: Array<{ field: string }> } };
    assert.deepEqual(
      body.error.details.map((d) => d.field),
      ['payload.website'],
    );
  });
});
