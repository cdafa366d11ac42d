// POST /logs end to end: shipper bodies in, `logs` rows out; bad lines reported and dead-lettered, good ones kept.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startInProcess } from '../support/in-process-server.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({
    SIGHTLINE_PROJECTS: 'infra,locked:locked-key-1',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server.cleanup();
});

async function post(query: string, body: string, headers: Record<string, string> = { 'x-app': 'infra' }) {
  const res = await fetch(`${server.url}/logs${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

type Row = Record<string, unknown> & { attributes: Record<string, string> };
async function logRows(where: string, atLeast: number): Promise<Row[]> {
  return eventually(async () => {
    const rows = await server.store.query<Row>(
      `SELECT * FROM logs WHERE project = 'infra' AND ${where} ORDER BY timestamp`,
    );
    return rows.length >= atLeast ? rows : undefined;
  });
}

describe('POST /logs', () => {
  it('stores Fluent Bit json_lines with every field mapped', async () => {
    const res = await post(
      '',
      '{"date":1713326652.5,"log":"payment failed","level":"ERROR","service":"billing","host":"app-1","order":"A-17"}\n',
    );
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 1, rejected: [] });
    const [row] = await logRows("service = 'billing'", 1);
    assert.deepEqual(
      [row.timestamp, row.level, row.host, row.message, row.source],
      ['2024-04-17 04:04:12.500', 'error', 'app-1', 'payment failed', 'fluentbit'],
    );
    assert.deepEqual(row.attributes, { order: 'A-17' });
  });

  it('parses nginx access lines, with the client country', async () => {
    const lines = [
      '81.169.145.1 - - [17/Apr/2024:06:04:12 +0200] "GET /pricing HTTP/1.1" 200 5120 "-" "Mozilla/5.0" 0.012',
      '8.8.8.8 - - [17/Apr/2024:06:04:13 +0200] "GET /missing HTTP/1.1" 404 0 "-" "curl/8.5.0"',
    ].join('\n');
    const res = await post('?format=nginx', lines, { 'x-app': 'infra', 'content-type': 'text/plain' });
    assert.equal(res.status, 202);
    const rows = await logRows("source = 'nginx'", 2);
    assert.deepEqual(
      rows.map((r) => [r.level, r.attributes.status, r.attributes.path, r.attributes.country]),
      [
        ['info', '200', '/pricing', 'DE'],
        ['warn', '404', '/missing', 'US'],
      ],
    );
    assert.equal(rows[0].attributes.duration_ms, '12');
  });

  it('accepts syslog lines', async () => {
    const res = await post(
      '?format=syslog',
      '<11>1 2024-04-17T04:04:12Z db-1 postgres 77 - - connection refused',
      {
        'x-app': 'infra',
      },
    );
    assert.equal(res.status, 202);
    const [row] = await logRows("service = 'postgres'", 1);
    assert.deepEqual([row.host, row.level, row.message], ['db-1', 'error', 'connection refused']);
  });

  it('keeps the good lines of a body with broken ones, reports each bad line and dead-letters it', async () => {
    const body = [
      '{"message":"good one","service":"mixed"}',
      '{"message":',
      '\u0000\u0001junk',
      '{"message":"good two","service":"mixed"}',
    ].join('\n');
    const res = await post('', body);
    assert.equal(res.status, 202);
    assert.equal(res.json.accepted, 2);
    assert.deepEqual(
      (res.json.rejected as Array<{ line: number }>).map((r) => r.line),
      [2, 3],
    );
    const rows = await logRows("service = 'mixed'", 2);
    assert.deepEqual(rows.map((r) => r.message).sort(), ['good one', 'good two']);
    const dead = await eventually(async () => {
      const r = await server.store.query<{ reason: string }>(
        "SELECT reason FROM dead_letters WHERE source = 'logs' ORDER BY reason",
      );
      return r.length >= 2 ? r : undefined;
    });
    assert.match(dead[0].reason, /^bad_log_line: line 2: not valid JSON/);
    assert.match(dead[1].reason, /^bad_log_line: line 3: contains binary data/);
  });

  it('refuses a body with no usable line, an unknown format, and projects it may not write to', async () => {
    const junk = await post('', 'not json at all');
    assert.equal(junk.status, 400);
    assert.equal((junk.json.error as { code: string }).code, 'COLLECT_ERR_INVALID_LOGS');
    const format = await post('?format=xml', '<log/>');
    assert.equal(format.status, 400);
    assert.equal((format.json.error as { code: string }).code, 'COLLECT_ERR_BAD_FORMAT');
    const keyed = await post('', '{"message":"x"}', { 'x-app': 'locked' });
    assert.equal(keyed.status, 401);
  });
});
