// The crash test: a child server under concurrent load is killed with SIGKILL at random moments and restarted,
// again and again — on the WAL, and on Kafka (where the broker is also stopped for a while under load). Every
// event whose 202 (Segment: 200) the client saw must end up stored exactly once, and every view that rolls up the
// inserts (sessions, user profiles, hourly and daily rollups) must hold each stored event exactly once. Part of
// the load comes through Segment's API with client-chosen message ids, some sent twice as a retrying client does:
// the processor drops those repeats, and a re-delivered batch must drop exactly what its first attempt dropped.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { eventIdFromMessageId } from '../../src/process/adapters/segment.adapter.ts';
import { parseGoals } from '../../src/query/goal-spec.ts';
import { openStore } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertGoalStamps, assertVisitsMatchEvents } from '../support/visits-check.ts';

const KILLS = 10;
const WORKERS = 24;
/** Every third worker sends through Segment's batch API (project `shop`), the others the native API (`app`). */
const SEGMENT_KEY = 'crash-segment-key';
const PROJECTS = `app,shop:${SEGMENT_KEY}`;
/** Goals the load reaches, so the processor stamps its visit rows (checked at the end: assertGoalStamps). */
const GOALS = 'app:event:click,shop:event:crash,shop:page:/pricing*';
const SEGMENT_AUTH = `Basic ${Buffer.from(`${SEGMENT_KEY}:`).toString('base64')}`;
const BROWSER =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const { dir, cleanup } = tempDir('crash');
after(cleanup);

/** Deterministic pseudo-random numbers, so a failing run can be repeated with the same seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface CrashRun {
  dir: string;
  kills: number;
  env: Record<string, string>;
  /** Runs between two kills (with the load going on); the Kafka run stops the broker once here. */
  between?: (kill: number) => Promise<void>;
}

async function crashRun(run: CrashRun): Promise<{ refused: number }> {
  const { dir, env } = run;
  {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    const port = await freePort();
    let server: ServerProcess = await startServerProcess(dir, env, port);
    const url = server.url;

    const acked = new Set<string>();
    const ackedSegment = new Set<string>();
    let sent = 0;
    let refused = 0;
    let running = true;
    let next = 0;
    const post = async (path: string, headers: Record<string, string>, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        // A browser, so the events count in the stats and their rollups (checked at the end).
        headers: { 'content-type': 'application/json', 'user-agent': BROWSER, ...headers },
        body: JSON.stringify(body),
      });
      await res.arrayBuffer();
      if (res.status === 503) refused++;
      return res.status;
    };
    const native = async (w: number) => {
      // Mix single events and small batches: a batch is one log record holding several events.
      const size = random() < 0.3 ? 1 + Math.floor(random() * 8) : 1;
      const ids = Array.from({ length: size }, () => `c${w}-${next++}`);
      const body = ids.map((id) => ({ type: 'click', user_id: String(w), session_id: id, path: '/crash' }));
      sent += size;
      if ((await post('/e', { 'x-app': 'app' }, size === 1 ? body[0] : body)) === 202)
        for (const id of ids) acked.add(id);
    };
    const segment = async (w: number) => {
      const size = 1 + Math.floor(random() * 5);
      const ids = Array.from({ length: size }, () => `m${w}-${next++}`);
      const batch = ids.map((messageId) => ({
        type: 'track',
        event: 'crash',
        userId: `s${w}`,
        messageId,
        context: { userAgent: BROWSER },
      }));
      sent += size;
      // A client that lost the answer sends the same messages again: stored once all the same.
      const attempts = random() < 0.2 ? 2 : 1;
      for (let a = 0; a < attempts; a++)
        if ((await post('/v1/batch', { authorization: SEGMENT_AUTH }, { batch })) === 200)
          for (const id of ids) ackedSegment.add(id);
    };
    const worker = async (w: number) => {
      while (running) {
        try {
          await (w % 3 === 0 ? segment(w) : native(w));
        } catch {
          await new Promise((r) => setTimeout(r, 20)); // server is down: try again shortly
        }
      }
    };
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));

    for (let kill = 0; kill < run.kills; kill++) {
      await new Promise((r) => setTimeout(r, 300 + random() * 1200));
      await run.between?.(kill);
      server.child.kill('SIGKILL');
      await server.exited;
      server = await startServerProcess(dir, env, port);
    }
    // Enough acknowledged load to mean something, however slow the machine is today.
    const enough = Date.now() + 90_000;
    while (acked.size + ackedSegment.size < 1_500 && Date.now() < enough)
      await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(load);

    // Drain: wait until the processor has caught up with the log, then stop the server cleanly.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const backlog = /sightline_log_backlog_records\{topic="events"\} (\d+)/.exec(metrics)?.[1];
      if (backlog === '0') break;
      assert.ok(Date.now() < deadline, `backlog did not drain (last: ${backlog})`);
      await new Promise((r) => setTimeout(r, 200));
    }
    server.child.kill('SIGTERM');
    const exit = await server.exited;
    assert.equal(exit.code, 0, `clean shutdown expected:\n${server.output()}`);

    const store = openStore({ url: 'chdb', dataDir: dir });
    try {
      const rows = await store.query<{ session_id: string; n: string; ids: string }>(
        "SELECT session_id, count() AS n, uniqExact(event_id) AS ids FROM events WHERE path = '/crash' GROUP BY session_id",
      );
      const stored = new Map(rows.map((r) => [r.session_id, Number(r.n)]));
      const duplicated = rows.filter((r) => Number(r.n) !== 1);
      const missing = [...acked].filter((id) => !stored.has(id));
      const totals = await store.query<{ c: string; d: string }>(
        "SELECT count() AS c, uniqExact(event_id) AS d FROM events WHERE path = '/crash'",
      );
      const context = `seed=${seed} sent=${sent} acked=${acked.size} stored=${totals[0].c}`;
      assert.ok(acked.size > 500, `too little load to mean anything (${context})`);
      assert.deepEqual(missing.slice(0, 10), [], `acknowledged events missing (${context})`);
      assert.deepEqual(duplicated.slice(0, 10), [], `events stored more than once (${context})`);
      assert.equal(Number(totals[0].c), Number(totals[0].d), `count == distinct event ids (${context})`);
      // Unacknowledged requests (cut by a kill) may or may not be stored — but only once, checked above.
      assert.ok(Number(totals[0].c) >= acked.size);
      // Segment: every acknowledged message once, repeats (retries, re-deliveries) dropped.
      const segmentRows = await store.query<{ id: string; n: string }>(
        "SELECT toString(event_id) AS id, count() AS n FROM events WHERE project = 'shop' AND type = 'crash' GROUP BY id",
      );
      const segmentStored = new Map(segmentRows.map((r) => [r.id, Number(r.n)]));
      const segmentMissing = [...ackedSegment].filter((m) => !segmentStored.has(eventIdFromMessageId(m)));
      const segmentRepeated = segmentRows.filter((r) => Number(r.n) !== 1);
      const segmentContext = `${context} segment acked=${ackedSegment.size} stored=${segmentRows.length}`;
      assert.ok(ackedSegment.size > 100, `too little Segment load (${segmentContext})`);
      assert.deepEqual(
        segmentMissing.slice(0, 10),
        [],
        `acknowledged Segment messages missing (${segmentContext})`,
      );
      assert.deepEqual(segmentRepeated.slice(0, 10), [], `Segment messages stored twice (${segmentContext})`);
      // The views that roll up each insert hold each stored event exactly once: a re-sent batch adds nothing
      // there, and a batch re-delivered after a kill between an insert's events part and a view's part completes
      // the view (its insert is the same block as the first attempt's, dropped repeats included).
      for (const project of ['app', 'shop']) {
        const [v] = await store.query<Record<string, string>>(
          `SELECT (SELECT count() FROM events WHERE project = {p:String} AND NOT is_bot) AS events,
                  (SELECT count() FROM events WHERE project = {p:String} AND updates_profile AND NOT is_bot) AS profiled,
                  (SELECT sum(events) FROM events_hourly WHERE project = {p:String} AND dimension = '') AS hourly,
                  (SELECT sum(events) FROM events_daily WHERE project = {p:String} AND dimension = '') AS daily,
                  (SELECT sum(events) FROM user_profiles WHERE project = {p:String}) AS profiles`,
          { p: project },
        );
        const at = `${project}: ${JSON.stringify(v)} (${segmentContext})`;
        assert.ok(Number(v.events) > 0, `the load counts in the stats (${at})`);
        assert.equal(Number(v.hourly), Number(v.events), `hourly rollups == events (${at})`);
        assert.equal(Number(v.daily), Number(v.events), `daily rollups == events (${at})`);
        assert.equal(Number(v.profiles), Number(v.profiled), `user profiles == profile events (${at})`);
        const visits = await assertVisitsMatchEvents(store, project, at);
        assert.ok(visits > 0, `the load has visits (${at})`);
        const stamped = await assertGoalStamps(store, project, parseGoals(GOALS).get(project) ?? [], at);
        assert.ok(stamped > 0, `the processor stamped visit rows with their goals (${at})`);
      }
    } finally {
      await store.close();
    }
    return { refused };
  }
}

describe('crash safety', () => {
  it(`stores every acknowledged event exactly once across ${KILLS} SIGKILLs under load (WAL)`, async () => {
    await crashRun({
      dir,
      kills: KILLS,
      env: {
        SIGHTLINE_PROJECTS: PROJECTS,
        SIGHTLINE_GOALS: GOALS,
        SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
        SIGHTLINE_BATCH_MAX_WAIT_MS: '20',
        SIGHTLINE_BATCH_MAX_ROWS: '200',
      },
    });
  });

  it('stores every acknowledged event exactly once on Kafka: SIGKILLs and a broker outage under load', async () => {
    let broker: KafkaBroker | undefined;
    try {
      broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
      const outage = { started: 0, refused: 0 };
      const result = await crashRun({
        dir: path.join(dir, 'on-kafka'),
        kills: 4,
        env: {
          SIGHTLINE_PROJECTS: PROJECTS,
          SIGHTLINE_GOALS: GOALS,
          SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
          SIGHTLINE_BATCH_MAX_WAIT_MS: '20',
          SIGHTLINE_BATCH_MAX_ROWS: '200',
          SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
          SIGHTLINE_KAFKA_PARTITIONS: '3',
        },
        between: async (kill) => {
          if (kill !== 1 || !broker) return;
          await broker.stop();
          outage.started = Date.now();
          await new Promise((r) => setTimeout(r, 5_000));
          await broker.restart();
        },
      });
      assert.ok(outage.started > 0);
      assert.ok(
        result.refused > 0,
        'requests during the broker outage were refused with 503, never acknowledged',
      );
    } finally {
      await broker?.stop();
    }
  });
});
