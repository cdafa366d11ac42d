/**
 * Processor throughput: events/s from the write-ahead log through full enrichment into the embedded store, in one
 * process — the real consumer (`startProcessor`), real WAL, real chDB. Run by `npm run bench` after the ingestion
 * scenarios, or alone: `node bench/processor.ts [--events N] [--json]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import { WalEventLog } from '../src/log/wal/wal.log.ts';
import { createLogger } from '../src/observe/logger.ts';
import { createMetrics } from '../src/observe/metrics.ts';
import { SessionTracker } from '../src/process/enrich/session-tracker.ts';
import { createConverter, createSteps } from '../src/process/pipeline.ts';
import { startProcessor } from '../src/process/processor.ts';
import { VisitKeeper } from '../src/process/visits/visit-keeper.ts';
import { parseGoals } from '../src/query/goal-spec.ts';
import { migrate } from '../src/store/migrate.ts';
import { openStore } from '../src/store/store.ts';
import { buildRecords } from './processor-events.ts';
import { formatProcessor, type ProcessorReport, type ProcessorRun } from './processor-report.ts';

const TARGET = 100_000;

/** Goals as a site has them (an event and a page pattern): each visit row written is stamped with them. */
const GOALS = parseGoals('app:event:signup,app:page:/pricing*').get('app') ?? [];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { events: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(
      'node bench/processor.ts [--events N] [--json]\n\nEvents/s through WAL → enrichment → embedded store, for single-event records and batches of 100.\n',
    );
    return;
  }
  const total = Number(values.events ?? 300_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-proc-'));
  const store = openStore({ url: 'chdb', dataDir: dir });
  const runs: ProcessorRun[] = [];
  try {
    await migrate(store);
    const config = loadConfig({ SIGHTLINE_DATA_DIR: dir });
    // Each mix without and then with the visits the processor keeps (issue 17 asks for the cost in the same run).
    for (const [mix, perRecord, keepVisits] of [
      ['single events', 1, false],
      ['single events + visits', 1, true],
      ['batches of 100', 100, false],
      ['batches of 100 + visits', 100, true],
    ] as const) {
      const sessions = new SessionTracker(30 * 60_000);
      const convert = createConverter(await createSteps({ ...config, sessions }));
      const visits = keepVisits
        ? new VisitKeeper(store, { openedNow: (id) => sessions.openedNow(id), goalsOf: () => GOALS })
        : undefined;
      // One log per record size, read on by the second run: its offsets (and so its insert tokens) follow the
      // first run's, so the store cannot take its inserts for repeats of the first run's.
      const log = await WalEventLog.open({ dir: path.join(dir, `wal-${perRecord}`) });
      const records = buildRecords(total, perRecord, perRecord + (keepVisits ? 1000 : 0));
      for (let i = 0; i < records.length; i += 5000)
        await log.append(
          'events',
          records.slice(i, i + 5000).map((r) => r.value),
        );
      const before = await store.query<{ c: string }>('SELECT count() AS c FROM events');
      process.stderr.write(`[bench] processor · ${mix} · ${total.toLocaleString('en-US')} events …\n`);
      const started = performance.now();
      const subscription = startProcessor({
        log,
        store,
        metrics: createMetrics(),
        logger: createLogger('warn'),
        convert,
        visits,
        maxRecords: config.batchMaxRows,
        maxWaitMs: 50,
      });
      while ((log.stats().backlog.events ?? 1) > 0) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      await subscription.stop();
      await log.close();
      const after = await store.query<{ c: string }>('SELECT count() AS c FROM events');
      runs.push({
        mix,
        events: total,
        seconds,
        eventsPerSecond: total / seconds,
        stored: Number(after[0].c) - Number(before[0].c),
      });
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: ProcessorReport = { target: TARGET, runs };
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatProcessor(report));
}

await main();
