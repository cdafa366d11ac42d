// Snowplow's tracker protocol, driven by Snowplow's own Node tracker and by a hand-made pixel request.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  buildPageView,
  buildSelfDescribingEvent,
  buildStructEvent,
  newTracker,
} from '@snowplow/node-tracker';
import { eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({ SIGHTLINE_PROJECTS: 'shop,app', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' });
});
after(async () => {
  await server.cleanup();
});

async function rowsOf(where: string): Promise<Record<string, unknown>[]> {
  return server.store.query<Record<string, unknown>>(
    `SELECT * FROM events WHERE project = 'shop' AND protocol = 'snowplow' AND ${where} ORDER BY timestamp`,
  );
}

describe('Snowplow tracker protocol', () => {
  it("stores page views, structured and self-describing events from Snowplow's Node tracker", async () => {
    const port = Number(new URL(server.url).port);
    const tracker = newTracker(
      { namespace: 'test', appId: 'shop', encodeBase64: true },
      { endpoint: '127.0.0.1', protocol: 'http', port, eventMethod: 'post', bufferSize: 1 },
    );
    tracker.setUserId('u-7');
    tracker.setDomainUserId('duid-1');
    tracker.setSessionId('snow-session-1');
    tracker.setUseragent(
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
    );
    tracker.setIpAddress('81.169.145.1');
    tracker.setLang('fr-FR');
    tracker.setScreenResolution('1280', '800');
    tracker.track(
      buildPageView({
        pageUrl: 'https://shop.example.com/cart/?utm_source=google&utm_medium=cpc',
        pageTitle: 'Cart',
        referrer: 'https://www.bing.com/',
      }),
      [{ schema: 'iglu:com.acme/user_context/jsonschema/1-0-0', data: { tier: 'gold' } }],
    );
    tracker.track(
      buildStructEvent({
        category: 'checkout',
        action: 'add-to-basket',
        label: 'sku-1',
        property: 'red',
        value: 2,
      }),
    );
    tracker.track(
      buildSelfDescribingEvent({
        event: { schema: 'iglu:com.acme/sign_up/jsonschema/1-0-0', data: { plan: 'pro' } },
      }),
    );
    await tracker.flush();

    const rows = await eventually(async () => {
      const r = await rowsOf('1');
      return r.length >= 3 ? r : undefined;
    });
    const byType = new Map(rows.map((r) => [r.type, r]));
    const page = byType.get('pageview')!;
    assert.deepEqual(
      [page.host, page.path, page.utm_source, page.utm_medium, page.channel, page.referrer_source],
      ['shop.example.com', '/cart', 'google', 'cpc', 'paid', 'Bing'],
    );
    assert.deepEqual(
      [page.user_id, page.session_id, page.locale, page.country],
      ['u-7', 'snow-session-1', 'fr-FR', 'DE'],
    );
    assert.equal(page.screen_size, 'Laptop', 'res 1280x800 as its class');
    assert.deepEqual([page.browser, page.os], ['Safari', 'Mac OS']);
    const pageProps = JSON.parse(String(page.props));
    assert.equal(pageProps.title, 'Cart');
    assert.deepEqual(pageProps.contexts, [
      { schema: 'iglu:com.acme/user_context/jsonschema/1-0-0', data: { tier: 'gold' } },
    ]);
    assert.match(String(page.event_id), /^[0-9a-f-]{36}$/);
    const structured = byType.get('add-to-basket')!;
    assert.deepEqual(JSON.parse(String(structured.props)), {
      category: 'checkout',
      action: 'add-to-basket',
      label: 'sku-1',
      property: 'red',
      value: '2',
      platform: 'srv',
    });
    const signUp = byType.get('sign_up')!;
    assert.deepEqual(JSON.parse(String(signUp.props)), {
      plan: 'pro',
      schema: 'iglu:com.acme/sign_up/jsonschema/1-0-0',
      platform: 'srv',
    });
  });

  it('answers the GET pixel with a GIF, keeps eid, and corrects device clock skew', async () => {
    const eid = '5b2e9c1a-0f4d-4c3e-8a7b-9d6c5e4f3a21';
    const now = Date.now();
    const cx = Buffer.from(
      JSON.stringify({ schema: 'contexts', data: [{ schema: 'iglu:x/y/jsonschema/1-0-0', data: { a: 1 } }] }),
    ).toString('base64url');
    // The device clock is 10 minutes slow; the event was created 2 s before it was sent.
    const dtm = now - 600_000 - 2_000;
    const stm = now - 600_000;
    const res = await fetch(
      `${server.url}/i?e=pv&aid=shop&p=web&tv=js-4.0.0&eid=${eid}&url=${encodeURIComponent('https://shop.example.com/pixel')}&dtm=${dtm}&stm=${stm}&cx=${cx}`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/gif');
    const gif = Buffer.from(await res.arrayBuffer());
    assert.equal(gif.subarray(0, 6).toString(), 'GIF89a');
    const [row] = await eventually(async () => {
      const r = await rowsOf(`event_id = '${eid}'`);
      return r.length ? r : undefined;
    });
    assert.equal(row.path, '/pixel');
    const stored = Date.parse(`${String(row.timestamp).replace(' ', 'T')}Z`);
    const received = Date.parse(`${String(row.received_at).replace(' ', 'T')}Z`);
    assert.ok(Math.abs(received - 2_000 - stored) < 50, 'derived time = received − (sent − created)');
    assert.deepEqual(JSON.parse(String(row.props)).contexts, [
      { schema: 'iglu:x/y/jsonschema/1-0-0', data: { a: 1 } },
    ]);
  });

  it('refuses bad events with the field and reason, and answers browser preflights with credentials', async () => {
    const bad = await fetch(`${server.url}/com.snowplowanalytics.snowplow/tp2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schema: 'iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4',
        data: [
          { e: 'ue', aid: 'shop', ue_px: '!!!' },
          { e: 'zz', aid: 'shop' },
        ],
      }),
    });
    assert.equal(bad.status, 400);
    const details = ((await bad.json()) as { error: { details: Array<{ index: number; field: string }> } })
      .error.details;
    assert.deepEqual(
      details.map((d) => [d.index, d.field]),
      [
        [0, 'ue_px'],
        [1, 'e'],
      ],
    );
    const unknownApp = await fetch(`${server.url}/i?e=pv&aid=elsewhere`);
    assert.equal(unknownApp.status, 401);
    const preflight = await fetch(`${server.url}/com.snowplowanalytics.snowplow/tp2`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example.com');
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
  });
});
