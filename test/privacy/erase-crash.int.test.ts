// An erasure killed with SIGKILL half-way is finished by the next start: one stopped after the events were deleted
// and the rollups of a day emptied but not yet rebuilt, one stopped before anything was deleted. The server, started
// again on the same data, completes both before it reports ready; then no trace of either person is left, the
// rollups hold exactly the remaining events, and the other person's rows are as they were.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { eventually } from '../support/in-process-server.ts';
import { ADMIN_TOKEN, ROOT, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertRollupsExact, traces } from './store-checks.ts';

const { dir, cleanup } = tempDir('erase-crash');
const ALICE = 'alice-crash-9Kd@example.com';
const DAVE = 'dave-crash-2Wp@example.com';
const BOB = 'bob-stays-5Lm@example.com';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const DAY = 86_400_000;
let server: ServerProcess | undefined;

after(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  cleanup();
});

async function stop(s: ServerProcess): Promise<void> {
  s.child.kill('SIGTERM');
  const exit = await s.exited;
  assert.equal(exit.code, 0, s.output());
}

/** Two days of visits per person, each visit with a page view before login. */
async function send(url: string, user: string, tag: string): Promise<void> {
  const today = Math.floor(Date.now() / DAY) * DAY;
  for (const [n, day] of [today - DAY, today].entries()) {
    const visit = `${tag}-visit-${n}`;
    const at = (minutes: number) => new Date(day + 10 * 3_600_000 + minutes * 60_000).toISOString();
    const res = await fetch(`${url}/e`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-app': 'shop',
        'user-agent': `Mozilla/5.0 (X11; Linux x86_64; ${tag}) Gecko/20100101 Firefox/128.0`,
      },
      body: JSON.stringify([
        { type: 'pageview', session_id: visit, path: `/${tag}/landing`, timestamp: at(0) },
        { type: 'identify', user_id: user, session_id: visit, details: { email: user }, timestamp: at(1) },
        { type: 'pageview', user_id: user, session_id: visit, path: `/${tag}/account`, timestamp: at(2) },
        { type: 'signup', user_id: user, session_id: visit, path: '/signup', timestamp: at(3) },
      ]),
    });
    assert.equal(res.status, 202, await res.text());
  }
}

async function exportOf(url: string, user: string) {
  const res = await fetch(`${url}/api/v1/people/${encodeURIComponent(user)}/export?project=shop`, {
    headers: admin,
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { counts: Record<string, number>; tables: unknown };
}

/** Runs an erasure in a child process and kills it with SIGKILL where it stops (before the statement `pauseAt`). */
async function eraseAndKill(user: string, pauseAt: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'test/privacy/erase-child.ts'), dir, 'shop', user, pauseAt],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  await eventually(
    async () => (out.includes('PAUSED') ? true : undefined),
    120_000,
    `the erasure to pause: ${out}`,
  );
  assert.ok(!out.includes('FINISHED'));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
}

describe('privacy: an erasure killed half-way', () => {
  it('is finished by the next start', async () => {
    const env = { SIGHTLINE_PROJECTS: 'shop,app', SIGHTLINE_RATE_LIMIT_PER_SECOND: '0' };
    server = await startServerProcess(dir, env);
    const url = server.url;
    for (const [user, tag] of [
      [ALICE, 'alice'],
      [DAVE, 'dave'],
      [BOB, 'bob'],
    ])
      await send(url, user, tag);
    await eventually(
      async () => ((await exportOf(url, BOB)).counts.events === 8 ? true : undefined),
      60_000,
      "bob's events stored",
    );
    await eventually(
      async () => ((await exportOf(url, ALICE)).counts.events === 8 ? true : undefined),
      60_000,
      "alice's events stored",
    );
    assert.equal((await exportOf(url, DAVE)).counts.events, 8);
    const bob = await exportOf(url, BOB);
    await stop(server);

    // After her events are deleted and a day's rollup rows are emptied, before they are rebuilt.
    await eraseAndKill(ALICE, '^INSERT INTO events_rollup_feed');
    // Journalled, nothing deleted yet.
    await eraseAndKill(DAVE, '^ALTER TABLE events DELETE');

    server = await startServerProcess(dir, env);
    const requests = await fetch(`${server.url}/api/v1/privacy/requests`, { headers: admin });
    const audit = (await requests.json()) as { results: Array<Record<string, unknown>> };
    const erasures = audit.results.filter((r) => r.kind === 'erase');
    assert.equal(erasures.length, 2);
    for (const r of erasures) {
      assert.equal(r.status, 'done', JSON.stringify(r));
      assert.equal(r.requested_by, 'crash test');
      assert.equal((r.counts as Record<string, number>).events, 8);
    }
    for (const user of [ALICE, DAVE])
      assert.deepEqual(Object.values((await exportOf(server.url, user)).counts), [0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual((await exportOf(server.url, BOB)).tables, bob.tables);
    // The CLI goes through the running server, which holds the embedded store.
    const out = path.join(dir, 'bob.json');
    const cli = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'src/cli/main.ts'),
        'export-person',
        '--project',
        'shop',
        '--user-id',
        BOB,
        '--out',
        out,
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          SIGHTLINE_DATA_DIR: dir,
          SIGHTLINE_PORT: String(server.port),
          SIGHTLINE_PROJECTS: 'shop,app',
          SIGHTLINE_ADMIN_TOKEN: ADMIN_TOKEN,
        },
      },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(out, 'utf8')).tables, bob.tables);
    assert.equal((fs.statSync(out).mode & 0o777).toString(8), '600');
    await stop(server);
    server = undefined;

    // The store itself, with the server stopped: no trace of either, rollups exact.
    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      for (const needle of [ALICE, DAVE, '/alice/', '/dave/', 'alice-visit', 'dave-visit'])
        assert.deepEqual(await traces(store, needle), [], needle);
      assert.ok((await traces(store, BOB)).includes('events.user_id'));
      await assertRollupsExact(store, 'shop');
    } finally {
      await store.close();
    }
  });
});
