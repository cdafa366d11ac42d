// Segment's HTTP Tracking API, driven by Segment's own Node SDK pointed at a running Sightline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import { eventIdFromMessageId } from '../../src/process/adapters/segment.adapter.ts';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;
const WRITE_KEY = 'seg-write-key-123';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: `shop:${WRITE_KEY},app`,
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server.cleanup();
});

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

async function rows(where: string): Promise<Record<string, unknown>[]> {
  return server.store.query<Record<string, unknown>>(
    `SELECT * FROM events WHERE project = 'shop' AND ${where} ORDER BY timestamp`,
  );
}

describe('Segment HTTP Tracking API', () => {
  it("stores what Segment's Node SDK sends, every mapped field", async () => {
    const analytics = new Analytics({
      writeKey: WRITE_KEY,
      host: server.url,
      flushAt: 20,
      flushInterval: 200,
    });
    const errors: unknown[] = [];
    analytics.on('error', (err) => errors.push(err));
    const user = {
      context: {
        ip: '81.169.145.1',
        userAgent: IPHONE,
        locale: 'de-DE',
        app: { version: '2.4.1' },
        screen: { width: 390, height: 844 },
      },
    };
    analytics.identify({ userId: 'u1', traits: { plan: 'pro', name: 'Ada' }, ...user });
    analytics.track({
      userId: 'u1',
      event: 'Order Completed',
      messageId: 'order-msg-1',
      properties: { revenue: 42, currency: 'EUR' },
      context: {
        ...user.context,
        campaign: { source: 'newsletter', medium: 'email', name: 'nov', term: 't', content: 'c' },
      },
    });
    analytics.page({
      anonymousId: 'anon-9',
      name: 'Pricing',
      properties: {
        url: 'https://shop.example.com/pricing/?plan=pro',
        path: '/pricing/',
        referrer: 'https://www.google.com/',
      },
      context: { ip: '8.8.8.8' },
    });
    analytics.screen({ userId: 'u1', name: 'Home', ...user });
    analytics.group({ userId: 'u1', groupId: 'acme', traits: { size: 50 }, ...user });
    analytics.alias({ userId: 'u1', previousId: 'anon-9', ...user });
    await analytics.closeAndFlush({ timeout: 10_000 });
    assert.deepEqual(errors, []);

    const stored = await eventually(async () => {
      const r = await rows("protocol = 'segment'");
      return r.length >= 6 ? r : undefined;
    });
    const byType = new Map(stored.map((r) => [r.type, r]));
    assert.deepEqual([...byType.keys()].sort(), [
      'Order Completed',
      'alias',
      'group',
      'identify',
      'pageview',
      'screen',
    ]);

    const order = byType.get('Order Completed')!;
    assert.equal(order.event_id, eventIdFromMessageId('order-msg-1'), 'messageId is the event id');
    assert.equal(order.user_id, 'u1');
    assert.deepEqual(JSON.parse(String(order.props)), { revenue: 42, currency: 'EUR' });
    assert.deepEqual(
      [order.utm_source, order.utm_medium, order.utm_campaign, order.utm_term, order.utm_content],
      ['newsletter', 'email', 'nov', 't', 'c'],
    );
    assert.equal(order.channel, 'email');
    assert.equal(order.country, 'DE', 'context.ip is the end user');
    assert.deepEqual([order.browser, order.os, order.device_type], ['Mobile Safari', 'iOS', 'mobile']);
    assert.equal(order.locale, 'de-DE');
    assert.equal(order.app_version, '2.4.1');
    assert.equal(order.screen_size, 'Mobile', 'context.screen.width 390 as its class');

    const page = byType.get('pageview')!;
    assert.deepEqual(
      [page.host, page.path, page.referrer_source, page.channel],
      ['shop.example.com', '/pricing', 'Google', 'organic search'],
    );
    assert.equal(page.country, 'US');
    assert.equal(JSON.parse(String(page.props)).name, 'Pricing');
    assert.notEqual(page.visitor_id, byType.get('identify')!.visitor_id, 'anonymous visitor differs from u1');

    assert.deepEqual(JSON.parse(String(byType.get('identify')!.props)), { plan: 'pro', name: 'Ada' });
    assert.deepEqual(JSON.parse(String(byType.get('group')!.props)), { groupId: 'acme', size: 50 });
    assert.deepEqual(JSON.parse(String(byType.get('alias')!.props)), { previousId: 'anon-9' });
    assert.equal(JSON.parse(String(byType.get('screen')!.props)).name, 'Home');

    const profile = await eventually(async () => {
      const r = await server.store.query<{ traits: string }>(
        "SELECT traits FROM user_profiles_view WHERE project = 'shop' AND user_id = 'u1'",
      );
      return r.length ? r[0] : undefined;
    });
    assert.deepEqual(
      JSON.parse(profile.traits),
      { plan: 'pro', name: 'Ada' },
      'identify traits reach the profile',
    );
  });

  it('answers single calls as Segment does, and corrects client clock skew', async () => {
    const sentAt = new Date(Date.now() + 3_600_000); // the device's clock is an hour fast
    const original = new Date(sentAt.getTime() - 5_000); // the event happened 5 s before it was sent
    const res = await postJson(
      `${server.url}/v1/track`,
      {
        anonymousId: 'skewed',
        event: 'Clicked',
        originalTimestamp: original.toISOString(),
        sentAt: sentAt.toISOString(),
      },
      { authorization: basic(WRITE_KEY) },
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { success: true });
    const [row] = await eventually(async () => {
      const r = await rows("type = 'Clicked'");
      return r.length ? r : undefined;
    });
    const stored = Date.parse(`${String(row.timestamp).replace(' ', 'T')}Z`);
    const received = Date.parse(`${String(row.received_at).replace(' ', 'T')}Z`);
    assert.ok(
      Math.abs(received - 5_000 - stored) < 50,
      `corrected to received − 5 s (${row.timestamp} vs ${row.received_at})`,
    );
  });

  it('stores a message once when the client retries it (same messageId, other request or same batch)', async () => {
    const auth = { authorization: basic(WRITE_KEY) };
    const message = {
      userId: 'r1',
      event: 'Retried',
      messageId: 'retry-msg-1',
      timestamp: '2026-11-24T10:00:00Z',
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      assert.equal((await postJson(`${server.url}/v1/track`, message, auth)).status, 200);
      await eventually(async () => ((await rows("type = 'Retried'")).length >= 1 ? true : undefined));
    }
    const batch = await postJson(
      `${server.url}/v1/batch`,
      {
        batch: [
          { ...message, type: 'track', messageId: 'retry-msg-2' },
          { ...message, type: 'track', messageId: 'retry-msg-2' },
        ],
      },
      auth,
    );
    assert.equal(batch.status, 200);
    await eventually(async () => ((await rows("type = 'Retried'")).length >= 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const stored = await rows("type = 'Retried'");
    assert.deepEqual(
      stored.map((r) => r.event_id).sort(),
      [eventIdFromMessageId('retry-msg-1'), eventIdFromMessageId('retry-msg-2')].sort(),
    );
  });

  it('refuses bad calls with clear errors', async () => {
    const auth = { authorization: basic(WRITE_KEY) };
    const noIdentity = await postJson(`${server.url}/v1/track`, { event: 'x' }, auth);
    assert.equal(noIdentity.status, 400);
    assert.deepEqual(
      (noIdentity.json.error as { details: Array<{ field: string }> }).details.map((d) => d.field),
      ['userId'],
    );
    const noEvent = await postJson(`${server.url}/v1/track`, { userId: 'u' }, auth);
    assert.equal(noEvent.status, 400);
    const badItem = await postJson(
      `${server.url}/v1/batch`,
      {
        batch: [
          { type: 'track', userId: 'u', event: 'ok' },
          { type: 'launch', userId: 'u' },
        ],
      },
      auth,
    );
    assert.equal(badItem.status, 400);
    assert.deepEqual((badItem.json.error as { details: Array<{ index: number }> }).details[0].index, 1);
    const big = await postJson(
      `${server.url}/v1/track`,
      { userId: 'u', event: 'big', properties: { blob: 'x'.repeat(33_000) } },
      auth,
    );
    assert.equal(big.status, 413);
    const noKey = await postJson(`${server.url}/v1/track`, { userId: 'u', event: 'x' });
    assert.equal(noKey.status, 401);
    const wrongKey = await postJson(
      `${server.url}/v1/track`,
      { userId: 'u', event: 'x' },
      { authorization: basic('nope-nope-nope') },
    );
    assert.equal(wrongKey.status, 403);
  });
});
