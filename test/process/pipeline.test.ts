import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { encodeEnvelope, eventIdOf } from '../../src/contract/envelope.ts';
import { SessionTracker } from '../../src/process/enrich/session-tracker.ts';
import { type Converter, createConverter, createSteps } from '../../src/process/pipeline.ts';
import { SEED_EVENT } from '../support/seed-event.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('pipeline');
let convertRecords: Converter;
before(async () => {
  convertRecords = createConverter(
    await createSteps({
      ...loadConfig({ SIGHTLINE_DATA_DIR: dir }),
      sessions: new SessionTracker(30 * 60_000),
    }),
  );
});
after(cleanup);

const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

function record(offset: number, body: unknown, over: Record<string, unknown> = {}) {
  const header = {
    v: 1 as const,
    id: '0b6f1c9e-4a51-4b0e-9d55-0123456789ab',
    receivedAt: Date.UTC(2024, 3, 17, 5, 0, 0),
    protocol: 'native' as const,
    project: 'app',
    ip: '203.0.113.9',
    ua: IPHONE,
    headers: {},
    count: Array.isArray(body) ? body.length : 1,
    ...over,
  };
  return {
    offset,
    value: encodeEnvelope(header, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))),
  };
}

describe('processing pipeline', () => {
  it('maps the seed event into the canonical row', async () => {
    const { events, deadLetters } = await convertRecords([record(0, SEED_EVENT)]);
    assert.equal(deadLetters.length, 0);
    assert.equal(events.length, 1);
    const row = events[0];
    assert.equal(row.event_id, '0b6f1c9e-4a51-4b0e-9d55-0123456789ab');
    assert.equal(row.timestamp, '2024-04-17T04:04:12.000Z');
    assert.equal(row.received_at, '2024-04-17T05:00:00.000Z');
    assert.equal(row.type, 'click');
    assert.equal(row.path, '/getting-started');
    assert.equal(row.app_version, '0.0.1');
    assert.equal(row.browser, 'Mobile Safari');
    assert.equal(row.os, 'iOS');
    assert.equal(row.device_type, 'mobile');
    assert.equal(row.ip, '', 'the IP is not stored');
    assert.notEqual(row.visitor_id, '0');
    assert.deepEqual(JSON.parse(row.props), { meta_a: 'meta_a', meta_b: 'meta_b' });
  });

  it('enriches a browser pageview: URL split, UTM, referrer source and channel, country', async () => {
    const { events } = await convertRecords([
      record(
        0,
        {
          type: 'pageview',
          url: 'https://Shop.example.com/pricing/?utm_source=newsletter&utm_medium=email&utm_campaign=spring&token=abc',
          referrer: 'https://www.google.de/search?q=x&password=hunter2',
        },
        { ip: '81.169.145.1' },
      ),
    ]);
    const row = events[0];
    assert.equal(row.host, 'shop.example.com');
    assert.equal(row.path, '/pricing');
    assert.deepEqual([row.utm_source, row.utm_medium, row.utm_campaign], ['newsletter', 'email', 'spring']);
    assert.equal(row.referrer, 'https://www.google.de/search?q=x');
    assert.equal(row.referrer_source, 'Google');
    assert.equal(row.channel, 'email', 'campaign parameters win over the referrer');
    assert.equal(row.country, 'DE');
    assert.equal(row.ip, '');
    assert.equal(JSON.parse(row.props).url, undefined, 'the raw URL (with its token) is not kept');
  });

  it('gives each event of a batch its own deterministic id', async () => {
    const batch = [SEED_EVENT, SEED_EVENT, SEED_EVENT];
    const first = (await convertRecords([record(0, batch)])).events.map((e) => e.event_id);
    const again = (await convertRecords([record(0, batch)])).events.map((e) => e.event_id);
    assert.deepEqual(first, again);
    assert.equal(new Set(first).size, 3);
    assert.equal(first[2], eventIdOf('0b6f1c9e-4a51-4b0e-9d55-0123456789ab', 2));
    assert.equal(first[2], '0b6f1c9e-4a51-4b0e-9d55-0123456789a9');
  });

  it('flags bots instead of dropping them', async () => {
    const { events } = await convertRecords([record(0, SEED_EVENT, { ua: GOOGLEBOT })]);
    assert.equal(events[0].is_bot, true);
    assert.equal(events[0].device_type, 'bot');
  });

  it('counts events sent by HTTP libraries (server-side senders, the seed curl) instead of flagging them as bots', async () => {
    for (const ua of ['curl/7.88.1', 'python-requests/2.31.0', 'Go-http-client/1.1', 'node']) {
      const { events } = await convertRecords([record(0, SEED_EVENT, { ua })]);
      assert.equal(events[0].is_bot, false, ua);
      assert.equal(events[0].device_type, 'server', ua);
    }
  });

  it('turns what cannot become a row into dead letters with the reason and the raw payload', async () => {
    const junk = { offset: 1, value: Buffer.from([1, 0, 0, 0, 0xff]) };
    const { events, deadLetters } = await convertRecords([
      junk,
      record(2, '{not json'),
      record(3, [SEED_EVENT, { ...SEED_EVENT, timestamp: 'never' }, 42]),
    ]);
    assert.equal(events.length, 1);
    assert.deepEqual(
      deadLetters.map((d) => d.reason.split(':')[0]),
      ['bad_envelope', 'bad_json', 'bad_timestamp', 'not_an_object'],
    );
    assert.equal(deadLetters[1].payload, '{not json');
    assert.equal(deadLetters[3].payload, '42');
  });

  it('dead-letters hostile records that reached the log instead of throwing, whatever fails', async () => {
    const deep = `{"type":"deep","details":{"x":${'['.repeat(100_000)}1${']'.repeat(100_000)}}}`;
    const { events, deadLetters } = await convertRecords([
      record(0, deep),
      // A receive time no Date can hold: even the dead letter's own time cannot come from it.
      record(1, SEED_EVENT, { receivedAt: 1e20 }),
      record(
        2,
        { data: [{ e: 'se', aid: 'app', se_ac: 'far', ttm: '8000000000000000' }] },
        { protocol: 'snowplow' },
      ),
      record(
        3,
        { eventType: 'x', metadataJson: `{"a":${'['.repeat(50)}${']'.repeat(50)}}` },
        { protocol: 'telemetry' },
      ),
      record(4, SEED_EVENT),
    ]);
    assert.equal(events.length, 1, 'the good record after the poison is converted');
    assert.deepEqual(
      deadLetters.map((d) => d.reason.split(':')[0]),
      ['too_deep', 'unconvertible', 'bad_timestamp', 'too_deep'],
    );
    assert.equal(deadLetters[0].payload, deep);
    assert.equal(deadLetters[1].envelope_id, '0b6f1c9e-4a51-4b0e-9d55-0123456789ab');
    assert.match(deadLetters[1].payload, /"FaAa31"/);
    assert.match(deadLetters[2].payload, /"far"/);
  });

  it('keeps __proto__ and constructor keys as properties', async () => {
    const { events } = await convertRecords([
      record(0, '{"type":"p","__proto__":{"a":1},"details":{"__proto__":{"b":2},"constructor":"c"}}'),
    ]);
    const props = JSON.parse(events[0].props);
    assert.deepEqual(Object.getOwnPropertyDescriptor(props, '__proto__')?.value, { b: 2 });
    assert.equal(props.constructor, 'c');
  });

  it('maps the telemetry shape, tenant and metadata', async () => {
    const { events } = await convertRecords([
      record(
        0,
        { tenantId: 't-1', sessionId: 's', eventType: 'page_view', itemId: '/home', metadataJson: '{"a":1}' },
        { protocol: 'telemetry' },
      ),
    ]);
    assert.equal(events[0].tenant_id, 't-1');
    assert.equal(events[0].type, 'pageview');
    assert.equal(events[0].path, '/home');
    assert.equal(events[0].props, '{"a":1}');
  });
});
