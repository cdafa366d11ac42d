// The README's quick start, as a new user runs it: start the server, send the seed's curl, read the overview.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const run = promisify(execFile);
const { dir, cleanup } = tempDir('quick');
after(cleanup);

const SEED_CURL_BODY =
  '{"type":"click","user_id":"1","session_id":"FaAa31","timestamp":"2024-04-17T04:04:12","locale":"en","path":"/getting-started","appVersion":"0.0.1","details":{"meta_a":"meta_a","meta_b":"meta_b"}}';

describe('quick start', () => {
  it('the seed curl is acknowledged and counted by the overview within 2 s; SIGTERM stops cleanly', async () => {
    const server = await startServerProcess(dir, {
      SIGHTLINE_ADMIN_TOKEN: '',
      SIGHTLINE_BATCH_MAX_WAIT_MS: '1000',
    });
    try {
      const token = fs.readFileSync(path.join(dir, 'admin-token'), 'utf8').trim();
      assert.match(server.output(), new RegExp(token), 'the generated admin token is printed once');
      const { stdout } = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--location',
        server.url,
        '--header',
        'X-App: app',
        '--header',
        'Content-Type: application/json',
        '--data',
        SEED_CURL_BODY,
      ]);
      assert.equal(stdout, '202');
      const sentAt = Date.now();
      let overview: Record<string, number> = {};
      while (Date.now() - sentAt < 2000) {
        const res = await fetch(
          `${server.url}/api/v1/stats/overview?project=app&from=2024-04-01&to=2024-05-01`,
          {
            headers: { authorization: `Bearer ${token}` },
          },
        );
        overview = (await res.json()) as Record<string, number>;
        if (overview.events === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const { events, pageviews, visitors, sessions } = overview;
      assert.deepEqual(
        { events, pageviews, visitors, sessions },
        { events: 1, pageviews: 0, visitors: 1, sessions: 1 },
      );
    } finally {
      server.child.kill('SIGTERM');
    }
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.output());
  });

  it('`sightline migrate` and `--help` work from the checkout through npx', async () => {
    const env = { ...process.env, SIGHTLINE_DATA_DIR: dir, SIGHTLINE_LOG_LEVEL: 'warn' };
    const migrated = await run('npx', ['--no-install', 'sightline', 'migrate'], { cwd: ROOT, env });
    assert.match(migrated.stdout, /already applied {2}001_events\.sql/);
    const help = await run('npx', ['--no-install', 'sightline', '--help'], { cwd: ROOT, env });
    assert.match(help.stdout, /Usage: sightline <command>/);
    const bad = await run('npx', ['--no-install', 'sightline', 'serve'], {
      cwd: ROOT,
      env: { ...env, SIGHTLINE_PORT: 'eighty' },
    }).catch((err: { code: number; stderr: string }) => err);
    assert.equal((bad as { code: number }).code, 1);
    assert.match((bad as { stderr: string }).stderr, /SIGHTLINE_PORT: expected a whole number, got "eighty"/);
  });
});
