// A poison corpus through a running server, on every ingestion route: deep nesting (in bodies and in embedded JSON),
// huge strings, invalid UTF-8, numbers out of range, `__proto__`/`constructor` keys, and poison that was already on
// the log before the collector checked it. Each item is refused with a 4xx, or ends up stored or in `dead_letters` —
// never lost silently — and a good event sent after all of it is stored within 2 s.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeEnvelope, type Protocol } from '../../src/contract/envelope.ts';
import { CDC_TOPIC, EVENTS_TOPIC, LOGS_TOPIC } from '../../src/contract/topics.ts';
import { eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({ SIGHTLINE_RATE_LIMIT_PER_SECOND: '0', SIGHTLINE_BATCH_MAX_WAIT_MS: '50' });
});
after(async () => {
  await server.cleanup();
});

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);
const DEEP = nested(100_000);
const SEGMENT_AUTH = { authorization: `Basic ${Buffer.from('app:').toString('base64')}` };
const NOW_MS = Date.now();

interface Item {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Text, raw bytes, or a JSON value. */
  body?: string | Buffer | object;
  /** What the door must answer: `4xx` (with this code when given) or `2xx` (then the tag must be stored or dead-lettered). */
  expect: { status: '4xx'; code?: string } | { status: '2xx'; tag: string; in?: 'stored' | 'dead_letters' };
}

let tagSeq = 0;
const tag = () => `pz${String(++tagSeq).padStart(3, '0')}z`;
const refusedDeep = { status: '4xx', code: 'COLLECT_ERR_TOO_DEEP' } as const;
const NATIVE = { 'x-app': 'app' };
const b64url = (text: string) => Buffer.from(text).toString('base64url');

function corpus(): Item[] {
  const items: Item[] = [];
  const add = (item: Item) => items.push(item);

  // Deep nesting in the body, on every route that takes one.
  add({
    name: 'native: 100 000 nested arrays in details (the issue)',
    path: '/',
    headers: NATIVE,
    body: `{"type":"x","details":{"x":${DEEP}}}`,
    expect: refusedDeep,
  });
  add({
    name: 'native /e batch: deep event',
    path: '/e',
    headers: NATIVE,
    body: `[{"type":"x"},{"type":"y","details":{"a":${DEEP}}}]`,
    expect: refusedDeep,
  });
  add({
    name: 'native /beacon: deep',
    path: '/beacon?app=app',
    body: `{"type":"x","deep":${DEEP}}`,
    expect: refusedDeep,
  });
  add({
    name: 'native: 33 levels',
    path: '/',
    headers: NATIVE,
    body: `{"type":"x","details":{"x":${nested(31)}}}`,
    expect: refusedDeep,
  });
  const atLimit = tag();
  add({
    name: 'native: exactly 32 levels is accepted',
    path: '/',
    headers: NATIVE,
    body: `{"type":"${atLimit}","details":{"x":${nested(30)}}}`,
    expect: { status: '2xx', tag: atLimit, in: 'stored' },
  });
  add({
    name: 'telemetry track: deep',
    path: '/api/v1/telemetry/track',
    headers: { 'x-project-key': 'app' },
    body: `{"eventType":"x","junk":${DEEP}}`,
    expect: refusedDeep,
  });
  add({
    name: 'telemetry beacon: deep',
    path: '/api/v1/telemetry/beacon?k=app',
    body: `[{"eventType":"x","junk":${DEEP}}]`,
    expect: refusedDeep,
  });
  add({
    name: 'segment track: deep properties',
    path: '/v1/track',
    headers: SEGMENT_AUTH,
    body: `{"event":"x","userId":"u","properties":{"a":${nested(5000)}}}`,
    expect: refusedDeep,
  });
  add({
    name: 'segment batch: deep message',
    path: '/v1/batch',
    headers: SEGMENT_AUTH,
    body: `{"batch":[{"type":"track","event":"x","userId":"u","properties":{"a":${nested(5000)}}}]}`,
    expect: refusedDeep,
  });
  add({
    name: 'plausible: deep props',
    path: '/api/event',
    body: `{"name":"x","url":"https://app/","domain":"app","props":{"a":${DEEP}}}`,
    expect: refusedDeep,
  });
  add({
    name: 'umami: deep data',
    path: '/api/send',
    body: `{"type":"event","payload":{"website":"app","data":{"a":${DEEP}}}}`,
    expect: refusedDeep,
  });
  add({
    name: 'snowplow tp2: deep event',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: `{"data":[{"e":"pv","aid":"app","x":${DEEP}}]}`,
    expect: refusedDeep,
  });
  add({
    name: 'logs: a deep JSON line among good ones',
    path: '/logs',
    headers: NATIVE,
    body: `{"message":"fine"}\n{"message":"x","a":${DEEP}}\n`,
    expect: refusedDeep,
  });
  add({
    name: 'logs: a deep JSON array',
    path: '/logs',
    headers: NATIVE,
    body: `[{"message":"x","a":${DEEP}}]`,
    expect: refusedDeep,
  });
  add({
    name: 'cdc: deep data (the issue)',
    path: '/cdc',
    headers: NATIVE,
    body: `{"database":"d","table":"t","type":"insert","ts":1700000000,"data":{"x":${DEEP}}}`,
    expect: refusedDeep,
  });
  add({
    name: 'cdc: deep JSON line',
    path: '/cdc',
    headers: NATIVE,
    body: `{"database":"d","table":"t","type":"insert","ts":1}\n{"database":"d","table":"t","type":"insert","ts":1,"data":{"x":${DEEP}}}`,
    expect: refusedDeep,
  });

  // Deep nesting in JSON carried inside a string.
  add({
    name: 'snowplow: deep ue_pr',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: { data: [{ e: 'ue', aid: 'app', ue_pr: `{"data":{"data":${DEEP}}}` }] },
    expect: refusedDeep,
  });
  add({
    name: 'snowplow: deep ue_px (base64)',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: { data: [{ e: 'ue', aid: 'app', ue_px: b64url(`{"data":{"data":${DEEP}}}`) }] },
    expect: refusedDeep,
  });
  add({
    name: 'snowplow pixel: deep cx',
    method: 'GET',
    path: `/i?e=pv&aid=app&cx=${b64url(`{"data":${nested(2000)}}`)}`,
    expect: refusedDeep,
  });
  add({
    name: 'telemetry: deep metadataJson',
    path: '/api/v1/telemetry/track',
    headers: { 'x-project-key': 'app' },
    body: { eventType: 'x', metadataJson: `{"a":${nested(3000)}}` },
    expect: refusedDeep,
  });
  add({
    name: 'plausible: deep props as a JSON string',
    path: '/api/event',
    body: { n: 'x', u: 'https://app/', d: 'app', p: `{"a":${DEEP}}` },
    expect: refusedDeep,
  });

  // Huge strings: within the body limit they are stored, beyond it refused.
  const big = tag();
  add({
    name: 'native: a 900 KB string in details',
    path: '/',
    headers: NATIVE,
    body: { type: big, details: { blob: 'A'.repeat(900_000) } },
    expect: { status: '2xx', tag: big, in: 'stored' },
  });
  add({
    name: 'native: a body over the limit',
    path: '/',
    headers: NATIVE,
    body: { type: 'x', blob: 'B'.repeat(1_100_000) },
    expect: { status: '4xx', code: 'COLLECT_ERR_BODY_TOO_LARGE' },
  });
  const bigCdc = tag();
  add({
    name: 'cdc: a 900 KB column',
    path: '/cdc',
    headers: NATIVE,
    body: {
      database: 'd',
      table: bigCdc,
      type: 'insert',
      ts: 1_700_000_000,
      data: { blob: 'C'.repeat(900_000) },
    },
    expect: { status: '2xx', tag: bigCdc, in: 'stored' },
  });
  const bigLog = tag();
  add({
    name: 'logs: a line over 64 KiB next to a good one',
    path: '/logs?format=text',
    headers: NATIVE,
    body: `${bigLog} ${'D'.repeat(70_000)}\nfine\n`,
    expect: { status: '2xx', tag: bigLog, in: 'dead_letters' },
  });
  const bigSegment = tag();
  add({
    name: 'segment: a 30 KB property',
    path: '/v1/track',
    headers: SEGMENT_AUTH,
    body: { event: bigSegment, userId: 'u', properties: { blob: 'E'.repeat(30_000) } },
    expect: { status: '2xx', tag: bigSegment, in: 'stored' },
  });

  // Bytes that are not UTF-8: refused where the body is JSON; a log line keeps what can be read.
  const bad = (text: string) =>
    Buffer.concat([
      Buffer.from(text.split('\u00ff')[0]),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(text.split('\u00ff')[1]),
    ]);
  add({
    name: 'native: invalid UTF-8',
    path: '/',
    headers: NATIVE,
    body: bad('{"type":"x","details":{"s":"\u00ff"}}'),
    expect: { status: '4xx', code: 'COLLECT_ERR_NOT_UTF8' },
  });
  add({
    name: 'segment: invalid UTF-8',
    path: '/v1/track',
    headers: SEGMENT_AUTH,
    body: bad('{"event":"x","userId":"\u00ff"}'),
    expect: { status: '4xx', code: 'COLLECT_ERR_NOT_UTF8' },
  });
  add({
    name: 'umami: invalid UTF-8',
    path: '/api/send',
    body: bad('{"type":"event","payload":{"website":"app","name":"\u00ff"}}'),
    expect: { status: '4xx', code: 'COLLECT_ERR_NOT_UTF8' },
  });
  add({
    name: 'cdc: invalid UTF-8',
    path: '/cdc',
    headers: NATIVE,
    body: bad('{"database":"d","table":"t","type":"insert","ts":1,"data":{"s":"\u00ff"}}'),
    expect: { status: '4xx', code: 'COLLECT_ERR_NOT_UTF8' },
  });
  const utf8Log = tag();
  add({
    name: 'logs: invalid UTF-8 in a text line',
    path: '/logs?format=text',
    headers: NATIVE,
    body: bad(`${utf8Log} \u00ff`),
    expect: { status: '2xx', tag: utf8Log, in: 'stored' },
  });
  const surrogate = tag();
  add({
    name: 'native: lone surrogates as JSON escapes',
    path: '/',
    headers: NATIVE,
    body: `{"type":"${surrogate}","user_id":"\\udfff","details":{"s":"\\ud800\\u0000"}}`,
    expect: { status: '2xx', tag: surrogate, in: 'stored' },
  });

  // Numbers out of range.
  add({
    name: 'native: timestamp 1e400',
    path: '/',
    headers: NATIVE,
    body: '{"type":"x","timestamp":1e400}',
    expect: { status: '4xx', code: 'COLLECT_ERR_INVALID_EVENT' },
  });
  add({
    name: 'native: timestamp past the Date range',
    path: '/',
    headers: NATIVE,
    body: '{"type":"x","timestamp":8.64e16}',
    expect: { status: '4xx', code: 'COLLECT_ERR_INVALID_EVENT' },
  });
  const hugeNumbers = tag();
  add({
    name: 'native: huge numbers in details',
    path: '/',
    headers: NATIVE,
    body: `{"type":"${hugeNumbers}","details":{"a":1e400,"b":-1e400,"c":123456789012345678901234567890,"d":5e-324}}`,
    expect: { status: '2xx', tag: hugeNumbers, in: 'stored' },
  });
  const ttm = tag();
  add({
    name: 'snowplow: true timestamp beyond the Date range',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: { data: [{ e: 'se', aid: 'app', se_ac: ttm, ttm: '99999999999999999999' }] },
    expect: { status: '2xx', tag: ttm, in: 'dead_letters' },
  });
  const farTtm = tag();
  add({
    name: 'snowplow: true timestamp in the year 255 479',
    method: 'GET',
    path: `/i?e=se&aid=app&se_ac=${farTtm}&ttm=8000000000000000`,
    expect: { status: '2xx', tag: farTtm, in: 'dead_letters' },
  });
  const skew = tag();
  add({
    name: 'segment: a sentAt that skews the time out of range',
    path: '/v1/track',
    headers: SEGMENT_AUTH,
    body: {
      event: skew,
      userId: 'u',
      originalTimestamp: new Date(NOW_MS).toISOString(),
      sentAt: -8.64e15 + 1,
    },
    expect: { status: '2xx', tag: skew, in: 'dead_letters' },
  });
  add({
    name: 'cdc: ts 1e300',
    path: '/cdc',
    headers: NATIVE,
    body: '{"database":"d","table":"t","type":"insert","ts":1e300}',
    expect: { status: '4xx', code: 'COLLECT_ERR_INVALID_EVENT' },
  });
  const negative = tag();
  add({
    name: 'cdc: negative xid and xoffset, oversized server_id',
    path: '/cdc',
    headers: NATIVE,
    body: {
      database: 'd',
      table: negative,
      type: 'insert',
      ts: 1_700_000_000,
      xid: -5,
      xoffset: -1,
      server_id: 2 ** 50,
    },
    expect: { status: '2xx', tag: negative, in: 'stored' },
  });
  const logTime = tag();
  add({
    name: 'logs: times the store cannot hold',
    path: '/logs',
    headers: NATIVE,
    body: `{"message":"${logTime}","time":1e300}\n{"message":"${logTime}","timestamp":"+275760-09-13T00:00:00Z"}\n{"message":"${logTime}","ts":-62198755200}`,
    expect: { status: '2xx', tag: logTime, in: 'stored' },
  });

  // Keys that name Object.prototype's parts.
  const proto = tag();
  add({
    name: 'native: __proto__ and constructor keys',
    path: '/',
    headers: NATIVE,
    body: `{"type":"${proto}","__proto__":{"polluted":"yes"},"details":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"toString":"x"}}`,
    expect: { status: '2xx', tag: proto, in: 'stored' },
  });
  const protoPlausible = tag();
  add({
    name: 'plausible: __proto__ and constructor keys',
    path: '/api/event',
    body: `{"n":"${protoPlausible}","u":"https://app/","d":"app","__proto__":{"polluted":"yes"},"constructor":"c","p":{"__proto__":{"polluted":"yes"}}}`,
    expect: { status: '2xx', tag: protoPlausible, in: 'stored' },
  });
  const protoUmami = tag();
  add({
    name: 'umami: __proto__ in data',
    path: '/api/send',
    body: `{"type":"event","payload":{"website":"app","name":"${protoUmami}","url":"/","data":{"__proto__":{"polluted":"yes"}}}}`,
    expect: { status: '2xx', tag: protoUmami, in: 'stored' },
  });
  const protoSegment = tag();
  add({
    name: 'segment: __proto__ in properties and context',
    path: '/v1/track',
    headers: SEGMENT_AUTH,
    body: `{"event":"${protoSegment}","userId":"u","properties":{"__proto__":{"polluted":"yes"}},"context":{"__proto__":{"ip":"1.2.3.4"}}}`,
    expect: { status: '2xx', tag: protoSegment, in: 'stored' },
  });
  const protoTelemetry = tag();
  add({
    name: 'telemetry: __proto__ in metadataJson',
    path: '/api/v1/telemetry/track',
    headers: { 'x-project-key': 'app' },
    body: { eventType: protoTelemetry, metadataJson: '{"__proto__":{"polluted":"yes"}}' },
    expect: { status: '2xx', tag: protoTelemetry, in: 'stored' },
  });
  const protoSnowplow = tag();
  add({
    name: 'snowplow: __proto__ in a self-describing event',
    path: '/com.snowplowanalytics.snowplow/tp2',
    body: `{"data":[{"e":"se","aid":"app","se_ac":"${protoSnowplow}","__proto__":{"x":1},"co":"{\\"data\\":[{\\"__proto__\\":{\\"polluted\\":\\"yes\\"}}]}"}]}`,
    expect: { status: '2xx', tag: protoSnowplow, in: 'stored' },
  });
  const protoLog = tag();
  add({
    name: 'logs: __proto__ and constructor attributes',
    path: '/logs',
    headers: NATIVE,
    body: `{"message":"${protoLog}","__proto__":{"polluted":"yes"},"constructor":"c"}`,
    expect: { status: '2xx', tag: protoLog, in: 'stored' },
  });
  const protoCdc = tag();
  add({
    name: 'cdc: __proto__ in data',
    path: '/cdc',
    headers: NATIVE,
    body: `{"database":"d","table":"${protoCdc}","type":"insert","ts":1700000000,"data":{"__proto__":{"polluted":"yes"}}}`,
    expect: { status: '2xx', tag: protoCdc, in: 'stored' },
  });
  return items;
}

async function send(item: Item): Promise<{ status: number; code?: string }> {
  const body =
    item.body === undefined || typeof item.body === 'string' || Buffer.isBuffer(item.body)
      ? item.body
      : JSON.stringify(item.body);
  const res = await fetch(`${server.url}${item.path}`, {
    method: item.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...item.headers },
    body: body as RequestInit['body'],
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = JSON.parse(text)?.error?.code;
  } catch {
    // GIF, "ok" or empty: no error code
  }
  return { status: res.status, code };
}

/** Where a tag ended up: rows of the target tables that hold it, and dead letters that do. */
async function whereIs(tagText: string): Promise<{ stored: number; dead: number }> {
  const [row] = await server.store.query<{ e: string; l: string; c: string; d: string }>(
    `SELECT
       (SELECT count() FROM events WHERE type = {t:String} OR position(props, {t:String}) > 0) AS e,
       (SELECT count() FROM logs WHERE startsWith(message, {t:String})) AS l,
       (SELECT count() FROM db_changes WHERE table = {t:String}) AS c,
       (SELECT count() FROM dead_letters WHERE position(payload, {t:String}) > 0) AS d`,
    { t: tagText },
  );
  return { stored: Number(row.e) + Number(row.l) + Number(row.c), dead: Number(row.d) };
}

const envelope = (protocol: Protocol, body: string | Buffer, call?: string) =>
  encodeEnvelope(
    {
      v: 1,
      id: crypto.randomUUID(),
      receivedAt: Date.now(),
      protocol,
      project: 'app',
      ip: '203.0.113.7',
      ua: 'poison',
      headers: {},
      count: 1,
      ...(call ? { call } : {}),
    },
    Buffer.isBuffer(body) ? body : Buffer.from(body),
  );

describe('poison corpus', () => {
  it('refuses, stores or dead-letters every item on every route, and a good event is stored within 2 s after it', async () => {
    const items = corpus();
    const failures: string[] = [];
    const accepted: Array<Extract<Item['expect'], { status: '2xx' }> & { name: string }> = [];
    for (const item of items) {
      const { status, code } = await send(item);
      if (item.expect.status === '4xx') {
        if (status < 400 || status >= 500)
          failures.push(`${item.name}: expected a 4xx, got ${status} ${code ?? ''}`);
        else if (item.expect.code && code !== item.expect.code)
          failures.push(`${item.name}: expected ${item.expect.code}, got ${status} ${code}`);
      } else if (status < 200 || status >= 300)
        failures.push(`${item.name}: expected a 2xx, got ${status} ${code ?? ''}`);
      else accepted.push({ ...item.expect, name: item.name });
    }
    assert.deepEqual(failures, [], 'answers at the door');

    // Poison that reached the log before the collector measured nesting, and records that are no envelope at all.
    const early = [tag(), tag(), tag()];
    await server.log.append(EVENTS_TOPIC, [
      envelope('native', `{"type":"${early[0]}","details":{"x":${DEEP}}}`),
      Buffer.from('not an envelope'),
    ]);
    await server.log.append(LOGS_TOPIC, [envelope('logs', `{"message":"${early[1]}","a":${DEEP}}`, 'json')]);
    await server.log.append(CDC_TOPIC, [
      envelope('cdc', `{"database":"d","table":"${early[2]}","type":"insert","ts":1,"data":{"x":${DEEP}}}`),
    ]);
    for (const t of early)
      accepted.push({ status: '2xx', tag: t, in: 'dead_letters', name: `already on the log: ${t}` });

    const sentAt = Date.now();
    const good = await send({
      name: 'good',
      path: '/',
      headers: NATIVE,
      body: { type: 'good-after-poison' },
      expect: { status: '4xx' },
    });
    assert.equal(good.status, 202);
    await eventually(
      async () => {
        const [r] = await server.store.query<{ c: string }>(
          "SELECT count() AS c FROM events WHERE type = 'good-after-poison'",
        );
        return Number(r.c) === 1 ? true : undefined;
      },
      2_000,
      'the good event after the corpus',
    );
    assert.ok(Date.now() - sentAt < 2_000);

    // Every accepted item is accounted for: stored where it belongs, or a dead letter.
    const missing = new Map<string, string>();
    await eventually(
      async () => {
        missing.clear();
        for (const item of accepted) {
          const where = await whereIs(item.tag);
          const found =
            item.in === 'dead_letters'
              ? where.dead > 0
              : item.in === 'stored'
                ? where.stored > 0
                : where.stored + where.dead > 0;
          if (!found) missing.set(item.name, JSON.stringify(where));
        }
        return missing.size === 0 ? true : undefined;
      },
      20_000,
      'every accepted corpus item stored or dead-lettered',
    ).catch(() => assert.fail(`not accounted for: ${[...missing].map(([k, v]) => `${k} ${v}`).join('; ')}`));

    const reasons = await server.store.query<{ reason: string }>(
      "SELECT DISTINCT splitByChar(':', reason)[1] AS reason FROM dead_letters ORDER BY reason",
    );
    assert.deepEqual(
      reasons.map((r) => r.reason).filter((r) => ['bad_envelope', 'too_deep'].includes(r)),
      ['bad_envelope', 'too_deep'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
  });

  it('keeps __proto__ keys as data in the stored rows', async () => {
    const [event] = await server.store.query<{ props: string }>(
      "SELECT props FROM events WHERE type = (SELECT type FROM events WHERE position(props, '__proto__') > 0 AND protocol = 'native' LIMIT 1)",
    );
    const props = JSON.parse(event.props);
    assert.ok(Object.hasOwn(props, '__proto__'), event.props);
    assert.deepEqual(Object.getOwnPropertyDescriptor(props, '__proto__')?.value, { polluted: 'yes' });
    const [log] = await server.store.query<{ a: string }>(
      "SELECT attributes['__proto__.polluted'] AS a FROM logs WHERE mapContains(attributes, '__proto__.polluted')",
    );
    assert.equal(log.a, 'yes');
  });
});
