import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { SEED_EVENT } from '../support/seed-event.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_TRUST_PROXY: '127.0.0.1/32',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '1',
    SIGHTLINE_RATE_LIMIT_BURST: '1000',
    SIGHTLINE_BODY_LIMIT_BYTES: '4096',
  });
});
after(async () => {
  await server.cleanup();
});

async function storedCount(where: string, params: Record<string, string> = {}): Promise<number> {
  const rows = await server.store.query<{ c: number }>(
    `SELECT count() AS c FROM events WHERE ${where}`,
    params,
  );
  return Number(rows[0].c);
}

describe('native protocol', () => {
  it('accepts the seed body with X-App and stores it with every field mapped', async () => {
    const res = await postJson(`${server.url}/`, SEED_EVENT, {
      'x-app': 'app',
      'user-agent':
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
    });
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 1 });
    const rows = await eventually(async () => {
      const r = await server.store.query<Record<string, unknown>>(
        "SELECT * FROM events WHERE project = 'app' AND session_id = 'FaAa31'",
      );
      return r.length > 0 ? r : undefined;
    });
    const row = rows[0];
    assert.equal(row.type, 'click');
    assert.equal(row.user_id, '1');
    assert.equal(row.locale, 'en');
    assert.equal(row.path, '/getting-started');
    assert.equal(row.app_version, '0.0.1');
    assert.equal(row.timestamp, '2024-04-17 04:04:12.000');
    assert.equal(row.protocol, 'native');
    assert.equal(row.browser, 'Chrome');
    assert.equal(row.browser_version, '126');
    assert.equal(row.os, 'Linux');
    assert.equal(row.device_type, 'desktop');
    assert.equal(row.is_bot, false);
    assert.deepEqual(JSON.parse(String(row.props)), { meta_a: 'meta_a', meta_b: 'meta_b' });
  });

  it('accepts a batch on /e and answers how many', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => ({ ...SEED_EVENT, session_id: `batch-${i}` }));
    const res = await postJson(`${server.url}/e`, batch, { 'x-app': 'website' });
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 5 });
    await eventually(async () =>
      (await storedCount("project = 'website' AND startsWith(session_id, 'batch-')")) === 5
        ? true
        : undefined,
    );
  });

  it('accepts sendBeacon bodies (text/plain) on /beacon with the project in the query', async () => {
    const res = await fetch(`${server.url}/beacon?app=app`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify([
        { ...SEED_EVENT, session_id: 'beacon-1' },
        { ...SEED_EVENT, session_id: 'beacon-2' },
      ]),
    });
    assert.equal(res.status, 202);
    await eventually(async () =>
      (await storedCount("startsWith(session_id, 'beacon-')")) === 2 ? true : undefined,
    );
  });

  it('requires the write key of a keyed project (header or ?k=)', async () => {
    const missing = await postJson(`${server.url}/e`, SEED_EVENT, { 'x-app': 'locked' });
    assert.equal(missing.status, 401);
    assert.equal((missing.json.error as { code: string }).code, 'COLLECT_ERR_KEY_REQUIRED');
    const wrong = await postJson(`${server.url}/e`, SEED_EVENT, {
      'x-app': 'locked',
      'x-project-key': 'nope-nope-nope',
    });
    assert.equal(wrong.status, 403);
    assert.equal((wrong.json.error as { code: string }).code, 'COLLECT_ERR_WRONG_KEY');
    const ok = await postJson(`${server.url}/e?k=secret-key-123`, SEED_EVENT, { 'x-app': 'locked' });
    assert.equal(ok.status, 202);
  });

  it('refuses unknown and missing projects with 401', async () => {
    const unknown = await postJson(`${server.url}/e`, SEED_EVENT, { 'x-app': 'nope' });
    assert.equal(unknown.status, 401);
    assert.equal((unknown.json.error as { code: string }).code, 'COLLECT_ERR_UNKNOWN_PROJECT');
    const none = await postJson(`${server.url}/e`, SEED_EVENT);
    assert.equal(none.status, 401);
    assert.equal((none.json.error as { code: string }).code, 'COLLECT_ERR_PROJECT_REQUIRED');
  });

  it('answers malformed JSON with 400 and the position', async () => {
    const res = await postJson(`${server.url}/e`, '{"type": "click",, }', { 'x-app': 'app' });
    assert.equal(res.status, 400);
    const error = res.json.error as { code: string; details: { position: number } };
    assert.equal(error.code, 'COLLECT_ERR_MALFORMED_JSON');
    assert.equal(error.details.position, 17);
  });

  it('lists each schema violation by field, and by index in a batch, accepting none', async () => {
    const res = await postJson(
      `${server.url}/e`,
      [
        { ...SEED_EVENT, session_id: 'never-stored' },
        { user_id: {} },
        { ...SEED_EVENT, timestamp: 'yesterday' },
      ],
      { 'x-app': 'app' },
    );
    assert.equal(res.status, 400);
    const error = res.json.error as {
      code: string;
      details: Array<{ index: number; field: string; message: string }>;
    };
    assert.equal(error.code, 'COLLECT_ERR_INVALID_EVENT');
    assert.deepEqual(
      error.details.map((d) => [d.index, d.field]),
      [
        [1, 'type'],
        [1, 'user_id'],
        [2, 'timestamp'],
      ],
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await storedCount("session_id = 'never-stored'"), 0);
  });

  it('refuses an empty batch', async () => {
    const res = await postJson(`${server.url}/e`, [], { 'x-app': 'app' });
    assert.equal(res.status, 400);
    assert.equal((res.json.error as { code: string }).code, 'COLLECT_ERR_EMPTY_BATCH');
  });

  it('answers 413 past the body limit', async () => {
    const big = Array.from({ length: 100 }, () => SEED_EVENT);
    const res = await postJson(`${server.url}/e`, big, { 'x-app': 'app' });
    assert.equal(res.status, 413);
    assert.equal((res.json.error as { code: string }).code, 'COLLECT_ERR_BODY_TOO_LARGE');
  });

  it('sets security headers and never leaks a stack', async () => {
    const res = await fetch(`${server.url}/e`, { method: 'POST', headers: { 'x-app': 'app' }, body: '[' });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.equal(res.headers.get('referrer-policy'), 'strict-origin-when-cross-origin');
    const text = await res.text();
    assert.doesNotMatch(text, /at .*\.ts:\d+/);
  });

  it('answers CORS preflights for browsers', async () => {
    const res = await fetch(`${server.url}/e`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-app',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://example.com');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-app/);
  });
});

describe('telemetry protocol (Nealytics shape)', () => {
  it('tracks one event with project:key in X-Project-Key and stores the tenant', async () => {
    const res = await postJson(
      `${server.url}/api/v1/telemetry/track`,
      {
        projectId: 'app',
        tenantId: 'tenant-1',
        sessionId: 'abc-123',
        eventType: 'page_view',
        itemId: '/home',
        metadataJson: '{"referrer": "google.com"}',
      },
      { 'x-project-key': 'app' },
    );
    assert.equal(res.status, 202);
    const rows = await eventually(async () => {
      const r = await server.store.query<Record<string, unknown>>(
        "SELECT * FROM events WHERE session_id = 'abc-123'",
      );
      return r.length ? r : undefined;
    });
    assert.equal(rows[0].tenant_id, 'tenant-1');
    assert.equal(rows[0].type, 'pageview');
    assert.equal(rows[0].path, '/home');
    assert.equal(rows[0].protocol, 'telemetry');
    assert.deepEqual(JSON.parse(String(rows[0].props)), { referrer: 'google.com' });
  });

  it('takes arrays on /beacon with ?k= and refuses a project the key does not own', async () => {
    const ok = await postJson(`${server.url}/api/v1/telemetry/beacon?k=locked:secret-key-123`, [
      { eventType: 'click', sessionId: 'tb-1' },
      { eventType: 'click', sessionId: 'tb-2', tenantId: 't2' },
    ]);
    assert.equal(ok.status, 202);
    assert.deepEqual(ok.json, { accepted: 2 });
    const mismatch = await postJson(`${server.url}/api/v1/telemetry/beacon?k=locked:secret-key-123`, [
      { eventType: 'click', projectId: 'app' },
    ]);
    assert.equal(mismatch.status, 403);
    assert.equal((mismatch.json.error as { code: string }).code, 'COLLECT_ERR_PROJECT_MISMATCH');
  });

  it('refuses bad metadataJson and unknown fields', async () => {
    const res = await postJson(
      `${server.url}/api/v1/telemetry/track`,
      { eventType: 'x', metadataJson: '{nope', colour: 'red' },
      { 'x-project-key': 'app' },
    );
    assert.equal(res.status, 400);
    const details = (res.json.error as { details: Array<{ field: string }> }).details;
    assert.deepEqual(
      details.map((d) => d.field),
      ['colour'],
    );
  });
});

describe('dead letters', () => {
  it('stores what cannot become a row with the reason and the raw payload, and keeps processing', async () => {
    await server.log.append('events', [Buffer.from('not an envelope')]);
    const res = await postJson(
      `${server.url}/e`,
      { ...SEED_EVENT, session_id: 'after-junk' },
      { 'x-app': 'app' },
    );
    assert.equal(res.status, 202);
    const dead = await eventually(async () => {
      const r = await server.store.query<{ reason: string; payload: string }>(
        'SELECT reason, payload FROM dead_letters',
      );
      return r.length > 0 ? r : undefined;
    });
    assert.match(dead[0].reason, /^bad_envelope: /);
    assert.equal(Buffer.from(dead[0].payload, 'base64').toString(), 'not an envelope');
    await eventually(async () => ((await storedCount("session_id = 'after-junk'")) === 1 ? true : undefined));
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once the burst is spent, per client IP behind a trusted proxy', async () => {
    // One chDB per process, so this server is shared: burst 1000 at 1/s, keyed by X-Forwarded-For from 127.0.0.1.
    const send = (ip: string) =>
      fetch(`${server.url}/e`, {
        method: 'POST',
        headers: { 'x-app': 'nope', 'x-forwarded-for': ip },
        body: '{}',
      });
    let limited: Response | undefined;
    for (let i = 0; i < 1100 && !limited; i++) {
      const res = await send('198.51.100.7');
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    assert.ok(limited, 'expected a 429 within 1100 requests');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    const body = (await limited.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'COLLECT_ERR_RATE_LIMITED');
    const other = await send('198.51.100.8');
    assert.equal(other.status, 401, 'another client still gets through to the project check');
    await other.arrayBuffer();
  });
});
