import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { encodeEnvelope, eventIdOf } from '../../src/contract/envelope.ts';
import { createForwardMapper } from '../../src/forward/forward-mapping.ts';
import { openGeoLookup } from '../../src/process/enrich/geo-lookup.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('forward-mapping');
after(cleanup);

const UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const ENVELOPE_ID = '0b6f1c9e-4a51-4b0e-9d55-0123456789ab';

function record(offset: number, body: unknown) {
  const header = {
    v: 1 as const,
    id: ENVELOPE_ID,
    receivedAt: Date.UTC(2026, 11, 1, 9, 30),
    protocol: 'native' as const,
    project: 'app',
    ip: '203.0.113.9',
    ua: UA,
    headers: {},
    count: Array.isArray(body) ? body.length : 1,
  };
  return { offset, value: encodeEnvelope(header, Buffer.from(JSON.stringify(body))) };
}

describe('forward mapping', () => {
  it('maps envelopes to events with the stored event ids, the same on every call', async () => {
    const map = createForwardMapper({
      ...loadConfig({ SIGHTLINE_DATA_DIR: dir }),
      geo: await openGeoLookup(),
    });
    const records = [
      record(0, [
        {
          type: 'signup',
          user_id: 'u1',
          url: 'https://example.com/pricing/?utm_source=news',
          details: { plan: 'pro' },
        },
        { type: 'click', path: '/docs' },
      ]),
      record(1, 'not an event'),
    ];
    const first = await map(records);
    const again = await map(records);
    assert.deepEqual(again, first, 'deterministic: a redelivered batch yields the same events');
    assert.deepEqual(
      first.map((e) => e.event_id),
      [ENVELOPE_ID, eventIdOf(ENVELOPE_ID, 1)],
    );
    assert.equal(first[0].idempotency_key, ENVELOPE_ID);
    assert.equal(first[0].host, 'example.com');
    assert.equal(first[0].path, '/pricing');
    assert.equal(first[0].utm_source, 'news');
    assert.equal(first[0].browser, 'Chrome');
    assert.deepEqual(first[0].props, { plan: 'pro' });
    assert.equal(first[1].user_id, '');
    assert.notEqual(first[1].visitor_id, '0', 'cookieless visitor hash');
    assert.equal(first[1].session_id, '', 'no session state shared with the processor');
  });
});
