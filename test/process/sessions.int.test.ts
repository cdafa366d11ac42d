// Server-side sessions and user profiles, end to end through a real server that is restarted mid-session.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { ADMIN_TOKEN, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const { dir, cleanup } = tempDir('sessions');
after(cleanup);

const T0 = Date.UTC(2026, 5, 1, 9, 0, 0);
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function send(server: ServerProcess, events: object[]) {
  const res = await fetch(`${server.url}/e`, {
    method: 'POST',
    headers: {
      'x-app': 'app',
      'content-type': 'application/json',
      'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    },
    body: JSON.stringify(events),
  });
  assert.equal(res.status, 202);
}

async function storedEvents(server: ServerProcess): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/stats/overview?project=app&from=2026-06-01&to=2026-06-02`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return ((await res.json()) as { events: number }).events;
}

async function waitStored(server: ServerProcess, n: number) {
  const deadline = Date.now() + 15_000;
  while ((await storedEvents(server)) < n) {
    assert.ok(Date.now() < deadline, `expected ${n} stored events`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(server: ServerProcess) {
  server.child.kill('SIGTERM');
  assert.equal((await server.exited).code, 0, server.output());
}

describe('sessions and profiles', () => {
  it('sessionises by inactivity across a restart, and aggregates sessions and the user profile', async () => {
    const port = await freePort();
    let server = await startServerProcess(dir, { SIGHTLINE_BATCH_MAX_WAIT_MS: '50' }, port);
    // Visit 1 starts: landing page, then 10 minutes later a second page.
    await send(server, [
      {
        type: 'pageview',
        user_id: 'u1',
        path: '/landing',
        url: 'https://shop.example/landing',
        referrer: 'https://news.ycombinator.com/item?id=1',
        timestamp: at(0),
      },
      { type: 'pageview', user_id: 'u1', path: '/pricing', timestamp: at(10) },
    ]);
    await waitStored(server, 2);
    await stop(server);
    // The processor restarts in the middle of visit 1; 9 minutes later the visitor identifies and signs up.
    server = await startServerProcess(dir, { SIGHTLINE_BATCH_MAX_WAIT_MS: '50' }, port);
    await send(server, [
      { type: 'identify', user_id: 'u1', timestamp: at(19), details: { plan: 'pro', name: 'Ada' } },
      { type: 'pageview', user_id: 'u1', path: '/signup/', timestamp: at(20) },
      // 40 minutes of silence: visit 2, a bounce.
      { type: 'pageview', user_id: 'u1', path: '/docs', timestamp: at(60) },
      // Visit 3 with its own client session id, and a later identify that wins.
      { type: 'pageview', user_id: 'u1', session_id: 'client-s', path: '/blog', timestamp: at(200) },
      {
        type: 'identify',
        user_id: 'u1',
        session_id: 'client-s',
        timestamp: at(201),
        details: { plan: 'team' },
      },
      // Another visitor, cookieless (no user id): its own session.
      { type: 'pageview', path: '/landing', timestamp: at(5) },
    ]);
    await waitStored(server, 8);
    await stop(server);

    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      const sessions = await store.query<Record<string, string | number | boolean>>(
        "SELECT * FROM sessions_view WHERE project = 'app' ORDER BY started_at, session_id",
      );
      const mine = sessions.filter((s) => s.visitor_id === sessions[0].visitor_id);
      assert.equal(mine.length, 3, JSON.stringify(sessions, null, 1));
      const [first, second, third] = mine;
      assert.equal(first.event_count, 4, 'the restart did not split visit 1');
      assert.equal(first.pageview_count, 3);
      assert.equal(first.entry_path, '/landing');
      assert.equal(first.exit_path, '/signup');
      assert.equal(first.duration, 20 * 60);
      assert.equal(first.bounce, false);
      assert.equal(first.source, 'Hacker News');
      assert.equal(first.channel, 'organic social');
      assert.match(String(first.session_id), /^sl-/);
      assert.equal(second.event_count, 1);
      assert.equal(second.bounce, true, 'one pageview, nothing else: a bounce');
      assert.equal(second.entry_path, '/docs');
      assert.equal(third.session_id, 'client-s');
      assert.equal(third.bounce, false, 'an engagement event after the pageview is not a bounce');
      const cookieless = sessions.filter((s) => s.visitor_id !== first.visitor_id);
      assert.equal(cookieless.length, 1);

      const profiles = await store.query<Record<string, string | number>>(
        "SELECT * FROM user_profiles_view WHERE project = 'app'",
      );
      assert.equal(profiles.length, 1, 'only identified users have profiles');
      const p = profiles[0];
      assert.equal(p.user_id, 'u1');
      assert.equal(p.event_count, 7);
      assert.equal(p.session_count, 3);
      assert.equal(p.first_seen_at, at(0).replace('T', ' ').replace('Z', ''));
      assert.equal(p.last_seen_at, at(201).replace('T', ' ').replace('Z', ''));
      assert.equal(p.browser, 'Firefox');
      assert.deepEqual(JSON.parse(String(p.traits)), { plan: 'team' });

      // Visits as rows: the same three visits, each one live row equal to its events folded, across the restart.
      assert.equal(await assertVisitsMatchEvents(store, 'app'), 4);
      const [v] = await store.query<{ n_visits: string; n_pageviews: string; n_bounces: string }>(
        `SELECT sum(sign) AS n_visits, sum(sign * pageviews) AS n_pageviews,
                sum(sign * (pageviews = 1 AND events = 1)) AS n_bounces
         FROM visits WHERE project = 'app' AND NOT is_bot`,
      );
      assert.deepEqual(
        [Number(v.n_visits), Number(v.n_pageviews), Number(v.n_bounces)],
        [
          sessions.length,
          sessions.reduce((n, s) => n + Number(s.pageview_count), 0),
          sessions.filter((s) => s.bounce).length,
        ],
      );
    } finally {
      await store.close();
    }
  });
});
