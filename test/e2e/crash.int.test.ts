// The crash test: a child server under concurrent load is killed with SIGKILL at random moments and restarted,
// again and again — on the WAL, and on Kafka (where the broker is also stopped for a while under load). Every
// event whose 202 the client saw must end up stored exactly once.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { openStore } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const KILLS = 10;
const WORKERS = 24;
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
  /**
   * The views that roll up each insert hold every stored event exactly once. On Kafka they may hold fewer — never
   * more: a kill between an insert's events part and a view's part leaves the view short, and the re-delivered
   * events are then recognised as stored and dropped before the insert (a known gap, see docs/scale-out.md).
   */
  viewsExact: boolean;
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
    let sent = 0;
    let refused = 0;
    let running = true;
    let next = 0;
    const worker = async (w: number) => {
      while (running) {
        // Mix single events and small batches: a batch is one log record holding several events.
        const size = random() < 0.3 ? 1 + Math.floor(random() * 8) : 1;
        const ids = Array.from({ length: size }, () => `c${w}-${next++}`);
        const body = ids.map((id) => ({ type: 'click', user_id: String(w), session_id: id, path: '/crash' }));
        sent += size;
        try {
          const res = await fetch(`${url}/e`, {
            method: 'POST',
            headers: {
              'x-app': 'app',
              'content-type': 'application/json',
              // A browser, so the events count in the stats and their rollups (checked at the end).
              'user-agent':
                'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
            },
            body: JSON.stringify(size === 1 ? body[0] : body),
          });
          await res.arrayBuffer();
          if (res.status === 202) for (const id of ids) acked.add(id);
          else if (res.status === 503) refused++;
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
    while (acked.size < 1_000 && Date.now() < enough) await new Promise((r) => setTimeout(r, 100));
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
      // The views that roll up each insert are deduplicated with it: a re-sent batch adds nothing there either
      // (and on the WAL, whose re-sent batches carry the same tokens, nothing is missing there either).
      const [rolled] = await store.query<{ hourly: string; daily: string; events: string }>(
        `SELECT (SELECT sum(events) FROM events_hourly WHERE dimension = 'page' AND value = '/crash') AS hourly,
                (SELECT sum(events) FROM events_daily WHERE dimension = 'page' AND value = '/crash') AS daily,
                (SELECT count() FROM events WHERE path = '/crash' AND NOT is_bot) AS events`,
      );
      assert.ok(Number(rolled.events) >= acked.size, `the load counts in the stats (${context})`);
      if (run.viewsExact) {
        assert.equal(Number(rolled.hourly), Number(rolled.events), `hourly rollups == events (${context})`);
        assert.equal(Number(rolled.daily), Number(rolled.events), `daily rollups == events (${context})`);
      } else {
        assert.ok(Number(rolled.hourly) <= Number(rolled.events), `hourly rollups ≤ events (${context})`);
        assert.ok(Number(rolled.daily) <= Number(rolled.hourly), `daily rollups ≤ hourly (${context})`);
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
      viewsExact: true,
      env: {
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
        viewsExact: false,
        env: {
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
