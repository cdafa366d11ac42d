/**
 * The scale-out path measured on this machine, against a real Apache Kafka broker (scripts/kafka):
 *
 *   1. collect → Kafka: `sightline collect` (SIGHTLINE_LOG=kafka://, acks=all, idempotent producer) under the same
 *      load generator as `npm run bench`, next to the bare node:http baseline measured in the same run;
 *   2. processor Kafka → store: N enveloped events appended to the `events` topic, consumed by the real processor
 *      (startProcessor over the Kafka log) into the embedded store; events/s.
 *
 * `node bench/kafka.ts [--duration 10] [--events 200000] [--json]`; run by `npm run bench` unless --kafka false.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startKafkaBroker } from '../scripts/kafka/kafka-broker.ts';
import { loadConfig } from '../src/config/config.ts';
import { KafkaEventLog } from '../src/log/kafka/kafka.log.ts';
import { createLogger } from '../src/observe/logger.ts';
import { createMetrics } from '../src/observe/metrics.ts';
import { SessionTracker } from '../src/process/enrich/session-tracker.ts';
import { createConverter, createSteps } from '../src/process/pipeline.ts';
import { startProcessor } from '../src/process/processor.ts';
import { migrate } from '../src/store/migrate.ts';
import { openStore } from '../src/store/store.ts';
import { formatKafka, type KafkaReport } from './kafka-report.ts';
import { runLoadProcess } from './load-child.ts';
import { buildRecords } from './processor-events.ts';
import { freePort, startServer } from './servers.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    events: { type: 'string', default: '200000' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write('node bench/kafka.ts [--duration S] [--events N] [--json]\n');
  process.exit(0);
}
const DURATION = Number(values.duration);
const EVENTS = Number(values.events);
const note = (text: string) => process.stderr.write(`[bench] kafka · ${text}\n`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-kafka-'));
const broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
const report: KafkaReport = { durationSeconds: DURATION, collect: [], processor: undefined };
try {
  // 1. Ingestion: the bare baseline, then the collector on Kafka, same load.
  for (const [name, args, env] of [
    ['baseline', [path.join(BENCH_DIR, 'bare-server.ts')], {}],
    [
      'collect → Kafka',
      [path.join(ROOT, 'src/cli/main.ts'), 'collect'],
      {
        SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
        SIGHTLINE_KAFKA_PARTITIONS: '6',
        SIGHTLINE_PROJECTS: 'app',
        SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
        SIGHTLINE_LOG_LEVEL: 'warn',
        SIGHTLINE_DATA_DIR: path.join(dir, 'collect'),
      },
    ],
  ] as const) {
    const port = await freePort();
    note(`starting ${name}`);
    const server = await startServer({
      name,
      args: [...args, ...(name === 'baseline' ? ['--port', String(port)] : [])],
      cwd: ROOT,
      env: { ...env, SIGHTLINE_PORT: String(port), SIGHTLINE_HOST: '127.0.0.1' },
      port,
      readyTimeoutMs: 60_000,
    });
    try {
      note(`${name} · single events · ${DURATION} s`);
      const load = await runLoadProcess(
        {
          url: `${server.baseUrl}/e`,
          connections: 64,
          warmupSeconds: 2,
          durationSeconds: DURATION,
          batchSize: 1,
          timeoutMs: 30_000,
        },
        () => undefined,
      );
      report.collect.push({
        target: name,
        reqPerSec: load.reqPerSec,
        p50Ms: load.latencyMs.p50,
        p99Ms: load.latencyMs.p99,
        failed: load.errors + load.non2xx,
      });
    } finally {
      await server.stop();
    }
  }

  // 2. Processor: Kafka → enrichment → embedded store.
  note(`processor · appending ${EVENTS.toLocaleString('en-US')} events`);
  const topicLog = await KafkaEventLog.open({
    bootstrap: [broker.bootstrap],
    clientId: 'bench-proc',
    topics: ['events'],
    partitions: 6,
    replicas: 1,
    retentionMs: 86_400_000,
    logger: createLogger('silent'),
  });
  const records = buildRecords(EVENTS, 1, 1);
  for (let i = 0; i < records.length; i += 5_000)
    await topicLog.append(
      'events',
      records.slice(i, i + 5_000).map((r) => r.value),
      records.slice(i, i + 5_000).map((_, j) => Buffer.from(`k${(i + j) % 997}`)),
    );
  const store = openStore({ url: 'chdb', dataDir: path.join(dir, 'store') });
  try {
    await migrate(store);
    const config = loadConfig({ SIGHTLINE_DATA_DIR: path.join(dir, 'store') });
    const convert = createConverter(
      await createSteps({ ...config, sessions: new SessionTracker(30 * 60_000) }),
    );
    note('processor · consuming');
    const started = performance.now();
    const subscription = startProcessor({
      log: topicLog,
      store,
      metrics: createMetrics(),
      logger: createLogger('warn'),
      convert,
      maxRecords: config.batchMaxRows,
      maxWaitMs: 100,
    });
    for (;;) {
      const [row] = await store.query<{ n: number }>('SELECT count() AS n FROM events');
      if (Number(row.n) >= EVENTS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    await subscription.stop();
    report.processor = { events: EVENTS, seconds, eventsPerSecond: EVENTS / seconds };
  } finally {
    await topicLog.close();
    await store.close();
  }
} finally {
  await broker.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatKafka(report));
