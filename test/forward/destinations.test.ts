import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { formatBatch } from '../../src/forward/destination.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { type ForwardEvent, toForwardEvent } from '../../src/forward/forward-event.ts';
import { SIGNATURE_HEADER, verifySignature } from '../../src/forward/webhook.destination.ts';
import { blankRow } from '../../src/process/event-row.ts';

const SECRET = 'a-secret-of-16-bytes';
const specs = parseForwardConfig(
  JSON.stringify({
    destinations: [
      { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/hook', secret: SECRET },
      { name: 'mp', type: 'mixpanel', token: 'mp-token' },
      { name: 'seg', type: 'segment', writeKey: 'seg-key', url: 'http://127.0.0.1:9/v1/batch' },
    ],
  }),
).destinations;

function event(id: string, over: Partial<ForwardEvent> = {}): ForwardEvent {
  const row = blankRow();
  row.event_id = id;
  row.project = 'app';
  row.type = 'signup';
  row.timestamp = '2026-12-01T10:00:00.000Z';
  row.received_at = '2026-12-01T10:00:00.250Z';
  row.user_id = 'u1';
  row.visitor_id = '1234567890123';
  row.host = 'example.com';
  row.path = '/pricing';
  row.props = '{"plan":"pro"}';
  return { ...toForwardEvent(row), ...over };
}

const A = '0b6f1c9e-4a51-4b0e-9d55-0123456789ab';
const B = '0b6f1c9e-4a51-4b0e-9d55-0123456789ac';

describe('destination wire formats', () => {
  it('webhook: {events}, each with its idempotency key; HMAC-SHA256 of the exact body; a batch key', () => {
    const req = formatBatch([event(A), event(B)], specs[0]);
    const body = JSON.parse(req.body) as { events: ForwardEvent[] };
    assert.deepEqual(
      body.events.map((e) => [e.event_id, e.idempotency_key]),
      [
        [A, A],
        [B, B],
      ],
    );
    assert.equal(body.events[0].props.plan, 'pro');
    assert.equal('ip' in body.events[0], false, 'the client IP never leaves');
    const expected = `sha256=${createHmac('sha256', SECRET).update(req.body).digest('hex')}`;
    assert.equal(req.headers[SIGNATURE_HEADER], expected);
    assert.equal(verifySignature(SECRET, req.body, req.headers[SIGNATURE_HEADER]), true);
    assert.equal(verifySignature(SECRET, `${req.body} `, req.headers[SIGNATURE_HEADER]), false);
    assert.equal(verifySignature('another-secret-16b', req.body, req.headers[SIGNATURE_HEADER]), false);
    assert.match(req.headers['idempotency-key'], /^[0-9a-f]{32}$/);
    assert.equal(
      formatBatch([event(A), event(B)], specs[0]).headers['idempotency-key'],
      req.headers['idempotency-key'],
    );
    assert.notEqual(
      formatBatch([event(A)], specs[0]).headers['idempotency-key'],
      req.headers['idempotency-key'],
    );
  });

  it('mixpanel: Import API array with time in ms, distinct_id, $insert_id; Basic auth with the token', () => {
    const req = formatBatch([event(A), event(B, { user_id: '', type: 'pageview' })], specs[1]);
    const body = JSON.parse(req.body) as Array<{ event: string; properties: Record<string, unknown> }>;
    assert.equal(body[0].event, 'signup');
    assert.equal(body[0].properties.time, Date.UTC(2026, 11, 1, 10));
    assert.equal(body[0].properties.distinct_id, 'u1');
    assert.equal(body[0].properties.$insert_id, A);
    assert.equal(body[0].properties.plan, 'pro');
    assert.equal(body[0].properties.$current_url, 'https://example.com/pricing');
    assert.equal(body[1].event, '$mp_web_page_view');
    assert.equal(body[1].properties.distinct_id, '$device:1234567890123');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('mp-token:').toString('base64')}`);
  });

  it('segment: /v1/batch with messageId = event id, page/identify/track calls; Basic auth with the write key', () => {
    const req = formatBatch(
      [event(A), event(B, { type: 'pageview', user_id: '' }), event(A, { type: 'identify' })],
      specs[2],
    );
    const { batch } = JSON.parse(req.body) as { batch: Array<Record<string, unknown>> };
    assert.deepEqual(
      batch.map((m) => [m.type, m.messageId, m.event]),
      [
        ['track', A, 'signup'],
        ['page', B, undefined],
        ['identify', A, undefined],
      ],
    );
    assert.equal(batch[0].userId, 'u1');
    assert.equal(batch[1].anonymousId, '1234567890123');
    assert.deepEqual(batch[2].traits, { plan: 'pro' });
    assert.equal(batch[0].timestamp, '2026-12-01T10:00:00.000Z');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('seg-key:').toString('base64')}`);
  });
});
