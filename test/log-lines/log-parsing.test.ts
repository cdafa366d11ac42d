// Log bodies as the shippers document them → parsed records.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitLogBody } from '../../src/log-lines/log-body.ts';
import { normaliseLevel } from '../../src/log-lines/log-level.ts';

describe('log bodies', () => {
  it("Fluent Bit's http output, format json: an array with the `date` key as epoch seconds", () => {
    const body = JSON.stringify([
      {
        date: 1713326652.25,
        log: 'GET /health 200',
        stream: 'stdout',
        kubernetes: { pod_name: 'web-1', container_name: 'web' },
      },
      { date: 1713326653, message: 'db timeout', level: 'ERROR', service: 'api', host: 'app-2' },
    ]);
    const { records, bad } = splitLogBody(body);
    assert.deepEqual(bad, []);
    assert.equal(records[0].time, 1713326652250);
    assert.equal(records[0].message, 'GET /health 200');
    assert.equal(records[0].service, 'web', 'kubernetes.container_name names the service');
    assert.equal(records[0].source, 'fluentbit');
    assert.deepEqual(records[0].attributes, { stream: 'stdout', 'kubernetes.pod_name': 'web-1' });
    assert.deepEqual([records[1].level, records[1].service, records[1].host], ['error', 'api', 'app-2']);
  });

  it("Fluent Bit json_lines with iso8601 dates, and Vector's ndjson", () => {
    const fluent = splitLogBody(
      '{"date":"2024-04-17T04:04:12.123Z","log":"hello"}\n{"date":"2024-04-17T04:04:13.000Z","log":"world"}\n',
    );
    assert.deepEqual(
      fluent.records.map((r) => [r.time, r.message]),
      [
        [Date.UTC(2024, 3, 17, 4, 4, 12, 123), 'hello'],
        [Date.UTC(2024, 3, 17, 4, 4, 13), 'world'],
      ],
    );
    const vector = splitLogBody(
      '{"timestamp":"2024-04-17T04:04:12Z","message":"started","source_type":"file","file":"/var/log/app.log","host":"box"}',
    );
    assert.deepEqual(
      [vector.records[0].source, vector.records[0].host, vector.records[0].attributes],
      ['vector', 'box', { source_type: 'file', file: '/var/log/app.log' }],
    );
  });

  it('Filebeat (ECS) and journald records', () => {
    const filebeat = splitLogBody(
      JSON.stringify({
        '@timestamp': '2024-04-17T04:04:12.000Z',
        '@metadata': { beat: 'filebeat', version: '8.14.0' },
        message: 'user logged in',
        log: { level: 'warning', file: { path: '/var/log/auth.log' } },
        host: { name: 'web-3' },
        service: { name: 'auth' },
      }),
    );
    const r = filebeat.records[0];
    assert.deepEqual(
      [r.source, r.level, r.host, r.service, r.message],
      ['filebeat', 'warn', 'web-3', 'auth', 'user logged in'],
    );
    assert.deepEqual(r.attributes, { 'log.file.path': '/var/log/auth.log' });
    const journald = splitLogBody(
      '{"MESSAGE":"Started nginx","PRIORITY":"6","SYSLOG_IDENTIFIER":"systemd","_HOSTNAME":"h1"}',
    );
    assert.deepEqual(
      [
        journald.records[0].message,
        journald.records[0].level,
        journald.records[0].service,
        journald.records[0].host,
      ],
      ['Started nginx', 'info', 'systemd', 'h1'],
    );
  });

  it('nginx combined lines (with request and upstream times) and nginx JSON access logs', () => {
    const line =
      '81.169.145.1 - alice [17/Apr/2024:06:04:12 +0200] "POST /api/orders?x=1 HTTP/1.1" 502 173 "https://shop.example.com/cart" "Mozilla/5.0 (X11; Linux x86_64)" 0.250 0.249';
    const { records, bad } = splitLogBody(`${line}\n`, 'nginx');
    assert.deepEqual(bad, []);
    const r = records[0];
    assert.equal(r.time, Date.UTC(2024, 3, 17, 4, 4, 12));
    assert.deepEqual([r.level, r.service, r.source], ['error', 'nginx', 'nginx']);
    assert.deepEqual(r.attributes, {
      ip: '81.169.145.1',
      user: 'alice',
      method: 'POST',
      path: '/api/orders?x=1',
      protocol: 'HTTP/1.1',
      status: '502',
      bytes: '173',
      referrer: 'https://shop.example.com/cart',
      user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
      duration_ms: '250',
      upstream_ms: '249',
    });
    const json = splitLogBody(
      '{"time_iso8601":"2024-04-17T04:04:12+00:00","remote_addr":"8.8.8.8","request":"GET / HTTP/1.1","status":"404","body_bytes_sent":"12"}',
    );
    assert.deepEqual(
      [json.records[0].source, json.records[0].level, json.records[0].message],
      ['nginx', 'warn', 'GET / HTTP/1.1'],
    );
  });

  it('syslog lines, RFC 5424 and RFC 3164', () => {
    const { records } = splitLogBody(
      [
        '<165>1 2024-04-17T04:04:12.000Z web-1 payments 812 ID47 [exampleSDID@32473 iut="3"] card declined',
        '<34>Apr 17 04:04:12 mail-2 sshd[4242]: Failed password for root',
      ].join('\n'),
      'syslog',
    );
    assert.deepEqual(
      records.map((r) => [r.host, r.service, r.level, r.message]),
      [
        ['web-1', 'payments', 'info', 'card declined'],
        ['mail-2', 'sshd', 'fatal', 'Failed password for root'],
      ],
    );
    assert.equal(records[0].time, Date.UTC(2024, 3, 17, 4, 4, 12));
    assert.deepEqual(records[0].attributes, {
      facility: 'local4',
      proc_id: '812',
      msg_id: 'ID47',
      structured_data: '[exampleSDID@32473 iut="3"]',
    });
    assert.equal(records[1].attributes.facility, 'auth');
  });

  it('keeps good lines when others are broken JSON, oversize or binary junk, reporting each bad one', () => {
    const body = [
      '{"message":"ok 1"}',
      '{"message": broken',
      `{"message":"${'x'.repeat(70_000)}"}`,
      '\u0000\u0001\u0002binary',
      '42',
      '{"message":"ok 2"}',
    ].join('\n');
    const { records, bad } = splitLogBody(body);
    assert.deepEqual(
      records.map((r) => r.message),
      ['ok 1', 'ok 2'],
    );
    assert.deepEqual(
      bad.map((b) => b.line),
      [2, 3, 4, 5],
    );
    assert.match(bad[0].reason, /not valid JSON/);
    assert.match(bad[1].reason, /longer than/);
    assert.match(bad[2].reason, /binary/);
    assert.match(bad[3].reason, /not a JSON object/);
  });

  it('normalises levels', () => {
    assert.deepEqual(['WARNING', 'err', 'Information', 'crit', 3, '7', 'debug', ''].map(normaliseLevel), [
      'warn',
      'error',
      'info',
      'fatal',
      'error',
      'debug',
      'debug',
      '',
    ]);
  });
});
