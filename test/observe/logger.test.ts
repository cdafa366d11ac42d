// Log lines: readable at a terminal (time, level, message, key=value; an error's stack below), JSON for pipes and
// files or when asked; the start banner names the URL, the admin token's file and the projects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { createLogger, formatLogLine, resolveLogFormat } from '../../src/observe/logger.ts';
import { adminTokenFileOf, startBanner } from '../../src/observe/start-banner.ts';

const TIME = /^\d\d:\d\d:\d\d\.\d{3} /;

function capture(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, out: { isTTY, write: (line: string) => lines.push(line) } };
}

describe('formatLogLine', () => {
  it('writes time, level, message and key=value, leaving out what every line has', () => {
    const line = formatLogLine(
      JSON.stringify({
        level: 30,
        time: '2024-04-17T04:04:12.345Z',
        app: 'sightline',
        stage: 'process',
        rows: 12,
        ok: true,
        msg: 'batch stored',
      }),
    );
    assert.match(line, TIME);
    assert.equal(line.replace(TIME, ''), 'INFO  batch stored stage=process rows=12 ok=true\n');
    assert.doesNotMatch(line, /app=|sightline|\{/);
  });

  it('quotes values with spaces or quotes and writes objects as JSON', () => {
    const line = formatLogLine(
      JSON.stringify({
        level: 40,
        time: 0,
        msg: 'store not ready',
        why: 'connection refused',
        roles: ['a', 'b'],
        q: 'a"b',
      }),
    );
    assert.equal(
      line.replace(TIME, ''),
      'WARN  store not ready why="connection refused" roles=["a","b"] q="a\\"b"\n',
    );
  });

  it("puts an error's message on the line and its stack below", () => {
    const line = formatLogLine(
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'unhandled error',
        err: {
          type: 'Error',
          message: 'boom went the store',
          stack: 'Error: boom went the store\n    at x (y.ts:1:2)',
        },
      }),
    );
    const [first, ...rest] = line.split('\n');
    assert.equal(first.replace(TIME, ''), 'ERROR unhandled error err="boom went the store"');
    assert.deepEqual(rest, ['    Error: boom went the store', '        at x (y.ts:1:2)', '']);
  });

  it('colours only when asked, and passes a line that is not JSON through', () => {
    const json = JSON.stringify({ level: 30, time: 0, msg: 'hello', n: 1 });
    const ESC = String.fromCharCode(27);
    assert.ok(!formatLogLine(json).includes(ESC));
    assert.ok(formatLogLine(json, { color: true }).includes(`${ESC}[36mINFO `));
    assert.equal(formatLogLine('not json'), 'not json\n');
  });
});

describe('createLogger', () => {
  it('a terminal gets readable lines, a pipe JSON; SIGHTLINE_LOG_FORMAT forces either', () => {
    for (const [format, isTTY, want] of [
      ['auto', true, 'pretty'],
      ['auto', false, 'json'],
      ['json', true, 'json'],
      ['pretty', false, 'pretty'],
    ] as const) {
      assert.equal(resolveLogFormat(format, { isTTY, write: () => true }), want);
      const { lines, out } = capture(isTTY);
      createLogger('info', format, out).child({ stage: 'process' }).info({ rows: 3 }, 'batch stored');
      assert.equal(lines.length, 1);
      if (want === 'json') {
        const entry = JSON.parse(lines[0]) as Record<string, unknown>;
        assert.equal(entry.msg, 'batch stored');
        assert.equal(entry.rows, 3);
        assert.equal(entry.stage, 'process');
        assert.equal(entry.app, 'sightline');
      } else {
        const ESC = String.fromCharCode(27);
        const plain = lines[0]
          .split(ESC)
          .map((part) => part.replace(/^\[\d+m/, ''))
          .join('');
        assert.match(plain, TIME);
        assert.match(plain, /INFO {2}batch stored stage=process rows=3\n$/);
        // Colours for a terminal (unless NO_COLOR), never into a pipe.
        assert.equal(lines[0].includes(ESC), isTTY && !process.env.NO_COLOR);
      }
    }
  });

  it('SIGHTLINE_LOG_FORMAT must be auto, json or pretty', () => {
    assert.equal(loadConfig({ SIGHTLINE_PROJECTS: 'app' }).logFormat, 'auto');
    assert.equal(loadConfig({ SIGHTLINE_PROJECTS: 'app', SIGHTLINE_LOG_FORMAT: 'json' }).logFormat, 'json');
    assert.throws(
      () => loadConfig({ SIGHTLINE_PROJECTS: 'app', SIGHTLINE_LOG_FORMAT: 'xml' }),
      (err: Error) => err instanceof ConfigError && /SIGHTLINE_LOG_FORMAT/.test(err.message),
    );
  });
});

describe('startBanner', () => {
  it('lists the URL, the admin token file and the projects', () => {
    const banner = startBanner({
      name: 'serve',
      url: 'http://127.0.0.1:8080',
      roles: ['collect', 'process', 'api'],
      projects: ['app', 'website'],
      adminTokenFile: adminTokenFileOf({ dataDir: '/var/lib/sightline' }),
      dashboard: true,
    });
    assert.match(banner, /Sightline serve is running/);
    assert.match(banner, /Dashboard {4}http:\/\/127\.0\.0\.1:8080\//);
    assert.match(banner, /Admin token {2}\/var\/lib\/sightline\/admin-token/);
    assert.match(banner, /Projects {5}app, website/);
    const fromEnv = startBanner({
      name: 'api',
      url: 'http://h:1',
      roles: ['api'],
      projects: ['app'],
      adminTokenFile: adminTokenFileOf({ adminToken: 'x'.repeat(20), dataDir: '/d' }),
      dashboard: false,
    });
    assert.match(fromEnv, /Admin token {2}from SIGHTLINE_ADMIN_TOKEN/);
    assert.doesNotMatch(fromEnv, /Dashboard|Collector|x{20}/);
  });
});
