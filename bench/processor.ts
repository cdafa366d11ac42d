/**
 * Processor throughput: events/s from the write-ahead log through full enrichment into the embedded store, in one
 * process — the real consumer (`startProcessor`), real WAL, real chDB. Run by `npm run bench` after the ingestion
 * scenarios, or alone: `node bench/processor.ts [--events N] [--rounds R] [--json]`.
 *
 * What keeping visits costs is the gap between a mix with and without them. On this VM one run of a mix strays by
 * ±5 % from the next, more than the gap's margin, so each round runs every mix once, without and with visits in
 * turn (which goes first alternates between rounds), and the report gives each mix's median and the median of the
 * rounds' gaps.
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
    options: {
      events: { type: 'string' },
      rounds: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      [
        'node bench/processor.ts [--events N] [--rounds R] [--json]',
        '',
        'Events/s through WAL → enrichment → embedded store, for single-event records and batches of 100, each without',
        'and with the visits the processor keeps.',
        '',
        '  --events N   events per run (default 300000)',
        '  --rounds R   rounds of every mix, without and with visits in turn (default 3): medians and the median gap',
        '  --json       print the report as JSON',
        '',
      ].join('\n'),
    );
    return;
  }
  const total = Number(values.events ?? 300_000);
  const rounds = Number(values.rounds ?? 3);
  if (!Number.isInteger(total) || total < 1 || !Number.isInteger(rounds) || rounds < 1) {
    process.stderr.write('--events and --rounds take whole numbers of at least 1 (see --help)\n');
    process.exitCode = 2;
    return;
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-proc-'));
  const store = openStore({ url: 'chdb', dataDir: dir });
  const runs: ProcessorRun[] = [];
  try {
    await migrate(store);
    const config = loadConfig({ SIGHTLINE_DATA_DIR: dir });
    // Issue 17 asks for the visits' cost in the same run: each round runs both record sizes without and with them,
    // the pair's order alternating between rounds so a drift of the machine or the growing store favours neither.
    const plan = Array.from({ length: rounds }, (_, round) =>
      [1, 100].flatMap((perRecord) =>
        (round % 2 === 0 ? [false, true] : [true, false]).map((keepVisits) => ({
          round,
          perRecord,
          keepVisits,
        })),
      ),
    ).flat();
    // One log per record size, read on by each later run: its offsets (and so its insert tokens) follow the
    // earlier runs', so the store cannot take its inserts for repeats.
    const logs = new Map<number, WalEventLog>();
    for (const [i, { round, perRecord, keepVisits }] of plan.entries()) {
      const mix = `${perRecord === 1 ? 'single events' : 'batches of 100'}${keepVisits ? ' + visits' : ''}`;
      const sessions = new SessionTracker(30 * 60_000);
      const convert = createConverter(await createSteps({ ...config, sessions }));
      const visits = keepVisits
        ? new VisitKeeper(store, { openedNow: (id) => sessions.openedNow(id), goalsOf: () => GOALS })
        : undefined;
      let log = logs.get(perRecord);
      if (!log) {
        log = await WalEventLog.open({ dir: path.join(dir, `wal-${perRecord}`) });
        logs.set(perRecord, log);
      }
      // Both runs of a round's pair read the same events (new envelope ids: the store keeps them all).
      const records = buildRecords(total, perRecord, perRecord + 1000 * round);
      for (let at = 0; at < records.length; at += 5000)
        await log.append(
          'events',
          records.slice(at, at + 5000).map((r) => r.value),
        );
      const before = await store.query<{ c: string }>('SELECT count() AS c FROM events');
      process.stderr.write(
        `[bench] processor · run ${i + 1} of ${plan.length} (round ${round + 1}) · ${mix} · ${total.toLocaleString('en-US')} events …\n`,
      );
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
      const after = await store.query<{ c: string }>('SELECT count() AS c FROM events');
      runs.push({
        mix,
        round: round + 1,
        events: total,
        seconds,
        eventsPerSecond: total / seconds,
        stored: Number(after[0].c) - Number(before[0].c),
      });
    }
    for (const log of logs.values()) await log.close();
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const report: ProcessorReport = { target: TARGET, runs };
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatProcessor(report));
}

await main();
