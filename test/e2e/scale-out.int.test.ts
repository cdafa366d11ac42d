// The scale-out topology on loopback, every piece real: Debian's nginx with the shipped analytics.conf → 2 collector
// processes → Apache Kafka → 2 processor processes → one store (the api process's embedded store, written through
// its ClickHouse-compatible endpoint). 100 000 events in batches; one processor SIGKILLed mid-stream and restarted;
// the broker stopped for 20 s under load. Every event that got a 2xx must be stored exactly once; requests during
// the outage get 503, never a 2xx that is lost; nginx answers 429 past the per-IP limit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { freePort } from '../support/free-port.ts';
import { startNginx } from '../support/nginx.ts';
import { type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const EVENTS = Number(process.env.SCALE_OUT_EVENTS ?? 100_000);
const BATCH = 20;
const WORKERS = 12;
const PASSWORD = 'scale-out-password-42';
const { dir, cleanup } = tempDir('scale-out');

let broker: KafkaBroker;
let api: ServerProcess;
const processors: ServerProcess[] = [];
const collectors: ServerProcess[] = [];
let nginx: Awaited<ReturnType<typeof startNginx>>;
let nginxPort: number;
let ch: ClickHouseClient;
const processorEnv: Record<string, string> = {};

before(async () => {
  broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
  const chPort = await freePort();
  const common = {
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
    SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
    SIGHTLINE_KAFKA_PARTITIONS: '4',
    SIGHTLINE_DASHBOARD: 'false',
    SIGHTLINE_TRUST_PROXY: '127.0.0.1/32',
  };
  api = await startServerProcess(
    path.join(dir, 'api'),
    {
      ...common,
      SIGHTLINE_CLICKHOUSE_HTTP: `127.0.0.1:${chPort}`,
      SIGHTLINE_CLICKHOUSE_PASSWORD: PASSWORD,
      SIGHTLINE_CLICKHOUSE_WRITES: 'true',
    },
    undefined,
    '/ready',
    'api',
  );
  Object.assign(processorEnv, common, {
    SIGHTLINE_STORE: `http://sightline:${PASSWORD}@127.0.0.1:${chPort}/default`,
    SIGHTLINE_BATCH_MAX_WAIT_MS: '100',
    SIGHTLINE_BATCH_MAX_ROWS: '2000',
  });
  for (let i = 0; i < 2; i++)
    processors.push(
      await startServerProcess(path.join(dir, `process-${i}`), processorEnv, undefined, '/ready', 'process'),
    );
  for (let i = 0; i < 2; i++)
    collectors.push(
      await startServerProcess(path.join(dir, `collect-${i}`), common, undefined, '/ready', 'collect'),
    );
  nginxPort = await freePort();
  nginx = await startNginx({
    dir: path.join(dir, 'nginx'),
    config: 'analytics.conf',
    listen: nginxPort,
    upstreams: { 'collect-1:8080': collectors[0].port, 'collect-2:8080': collectors[1].port },
    // The load generator plays many clients: nginx takes the client address from X-Forwarded-For, as it does
    // behind a load balancer (the commented set_real_ip_from of the shipped file).
    httpExtra: ['set_real_ip_from 127.0.0.1;'],
  });
  ch = createClient({ url: `http://127.0.0.1:${chPort}`, username: 'sightline', password: PASSWORD });
});

after(async () => {
  await ch?.close();
  await nginx?.stop();
  for (const p of [...collectors, ...processors, api]) {
    if (!p || p.child.exitCode !== null) continue;
    p.child.kill('SIGTERM');
    await p.exited;
  }
  await broker?.stop();
  cleanup();
});

describe('scale-out: nginx → collectors → Kafka → processors → one store', () => {
  it('nginx answers 429 past the per-IP limit', async () => {
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 300 }, async () => {
        const res = await fetch(`http://127.0.0.1:${nginxPort}/e`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-app': 'app', 'x-forwarded-for': '203.0.113.7' },
          body: JSON.stringify({ type: 'burst' }),
        });
        statuses.push(res.status);
        await res.arrayBuffer();
      }),
    );
    assert.ok(
      statuses.filter((s) => s === 202).length >= 100,
      `the burst allowance passes (${JSON.stringify(statuses.slice(0, 20))}; nginx: ${fs
        .readFileSync(path.join(dir, 'nginx/logs/error.log'), 'utf8')
        .split('\n')
        .filter((l) => !l.includes('limiting'))
        .slice(-8)
        .join('\n')})`,
    );
    assert.ok(statuses.includes(429), `past the limit: 429 (${[...new Set(statuses)]})`);
    assert.ok(!statuses.includes(503));
  });

  it('stores every acknowledged event exactly once through a processor kill and a 20 s broker outage', async () => {
    const acked = new Set<number>();
    const statuses = new Map<number, number>();
    let next = 0;
    let loading = true;
    let outage: { from: number; to: number } | undefined;
    const duringOutage: number[] = [];
    const worker = async (w: number) => {
      while (loading) {
        const first = next;
        next += BATCH;
        const body = Array.from({ length: BATCH }, (_, i) => ({
          type: 'scale',
          session_id: `w${w}-${first}`,
          path: '/scale',
          details: { n: first + i },
        }));
        const sentAt = Date.now();
        let status = 0;
        try {
          const res = await fetch(`http://127.0.0.1:${nginxPort}/e`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-app': 'app',
              // Many clients, each well under the per-IP limit.
              'x-forwarded-for': `10.${w}.${(first / BATCH) % 250}.${1 + ((first / BATCH) % 200)}`,
            },
            body: JSON.stringify(body),
          });
          status = res.status;
          await res.arrayBuffer();
        } catch {
          status = -1;
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 202) for (let i = 0; i < BATCH; i++) acked.add(first + i);
        // Answered while the broker was down (a request may also be held and acked once it is back: allowed).
        const answeredAt = Date.now();
        if (outage && sentAt >= outage.from + 2_000 && outage.to === 0 && answeredAt >= sentAt)
          duringOutage.push(status);
        if (status !== 202) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));

    const until = async (n: number) => {
      while (acked.size < n) await new Promise((r) => setTimeout(r, 100));
    };
    await until(EVENTS * 0.3);
    processors[0].child.kill('SIGKILL');
    await processors[0].exited;
    processors[0] = await startServerProcess(
      path.join(dir, 'process-0'),
      processorEnv,
      processors[0].port,
      '/ready',
      'process',
    );
    await until(EVENTS * 0.5);
    await broker.stop();
    outage = { from: Date.now(), to: 0 };
    await new Promise((r) => setTimeout(r, 20_000));
    // From here on the broker may answer again: answers after this moment are not "during the outage".
    outage.to = Date.now();
    await broker.restart();
    await until(EVENTS);
    loading = false;
    await Promise.all(load);

    // Drain: the processors' group has no backlog left.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const metrics = await (await fetch(`${processors[1].url}/metrics`)).text();
      const backlog = /sightline_log_backlog_records\{topic="events"\} (\d+)/.exec(metrics)?.[1];
      if (backlog === '0') break;
      assert.ok(
        Date.now() < deadline,
        `backlog did not drain (last: ${backlog})\n${processors
          .map(
            (p, i) =>
              `--- processor ${i}:\n${p
                .output()
                .split('\n')
                .slice(-12)
                .map((l) => l.slice(0, 400))
                .join('\n')}`,
          )
          .join('\n')}`,
      );
      await new Promise((r) => setTimeout(r, 500));
    }
    const [totals] = await (
      await ch.query({
        query: `SELECT count() AS rows, uniqExact(event_id) AS ids, uniqExact(JSONExtractUInt(props, 'n')) AS ns
                FROM events WHERE type = 'scale'`,
        format: 'JSONEachRow',
      })
    ).json<{ rows: string; ids: string; ns: string }>();
    const storedRows = await (
      await ch.query({
        query: "SELECT JSONExtractUInt(props, 'n') AS n FROM events WHERE type = 'scale'",
        format: 'JSONCompactEachRow',
      })
    ).json<[number]>();
    const stored = new Set(storedRows.map((r) => Number(r[0])));
    const missing = [...acked].filter((n) => !stored.has(n));
    const context = `acked=${acked.size} rows=${totals.rows} ids=${totals.ids} ns=${totals.ns} statuses=${JSON.stringify([...statuses])}`;
    assert.ok(acked.size >= EVENTS, context);
    assert.deepEqual(missing.slice(0, 10), [], `acknowledged events missing (${context})`);
    assert.equal(Number(totals.rows), Number(totals.ids), `rows == distinct ids (${context})`);
    assert.equal(Number(totals.rows), Number(totals.ns), `no event stored twice (${context})`);
    assert.ok(
      duringOutage.length > 0 && duringOutage.every((s) => s !== 202),
      `no 202 answered while Kafka was down (${duringOutage.filter((x) => x !== 503).slice(0, 20)})`,
    );
    assert.ok(duringOutage.includes(503), `the outage was answered 503 (${context})`);
  });
});
