/**
 * `npm run bench`: baseline vs sightline, scenario by scenario, in one invocation. See `--help` and
 * docs/BENCHMARKS.md. Exit 0 when the benchmark ran (missed targets included), 1 on a harness failure, 2 on bad
 * options.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installCleanupHandlers, removeDir, trackDir } from './cleanup.ts';
import { type DashboardReport, formatDashboard } from './dashboard-report.ts';
import { measureDrain } from './drain.ts';
import { formatKafka, type KafkaReport } from './kafka-report.ts';
import { runLoadProcess } from './load-child.ts';
import { describeMachine } from './machine.ts';
import { type BenchOptions, HELP, OptionsError, parseOptions } from './options.ts';
import { formatProcessor, type ProcessorReport } from './processor-report.ts';
import { Progress } from './progress.ts';
import { type BenchReport, formatText } from './report.ts';
import { freePort, HarnessError, type RunningServer, startServer } from './servers.ts';
import { evaluateTargets } from './targets.ts';
import type { DrainResult, LoadParams, RunResult, ScenarioName, ServerUsage, TargetName } from './types.ts';
import { sampleUsage, type UsageSampler } from './usage.ts';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(BENCH_DIR, '..');
const ADMIN_TOKEN = 'bench-token-0123456789abcdef';
const REQUEST_TIMEOUT_MS = 30_000;

function loadParams(server: RunningServer, scenario: ScenarioName, options: BenchOptions): LoadParams {
  const batch = scenario === 'batch';
  return {
    url: `${server.baseUrl}/e`,
    connections: batch ? options.batchConnections : options.connections,
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    batchSize: batch ? options.batchSize : 1,
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
}

/** One load run against one server; its RSS and CPU are sampled during the measured window only. */
async function runScenario(
  server: RunningServer,
  target: TargetName,
  scenario: ScenarioName,
  options: BenchOptions,
  progress: Progress,
): Promise<RunResult> {
  let sampler: UsageSampler | undefined;
  let usage: Promise<ServerUsage> | undefined;
  const label = `${scenario} · ${target}`;
  progress.phase(`${label} · starting load generator`);
  const load = await runLoadProcess(loadParams(server, scenario, options), (message) => {
    if (message.phase === 'warmup') progress.phase(`${label} · warm-up`, message.seconds);
    if (message.phase === 'measure') {
      progress.phase(`${label} · measuring`, message.seconds);
      sampler = sampleUsage(server.pid);
    }
    if (message.phase === 'tail') {
      usage = sampler?.stop();
      progress.phase(`${label} · waiting for requests in flight`);
    }
  });
  usage ??= sampler?.stop() ?? Promise.resolve({ samples: 0, peakMiB: 0, medianMiB: 0 });
  return { scenario, target, load, usage: await usage };
}

async function runBaseline(options: BenchOptions, progress: Progress, report: BenchReport): Promise<void> {
  const port = await freePort();
  progress.phase('baseline · starting bench/bare-server.ts');
  const server = await startServer({
    name: 'baseline (bench/bare-server.ts)',
    args: [path.join(BENCH_DIR, 'bare-server.ts'), '--port', String(port)],
    cwd: REPO_ROOT,
    env: { SIGHTLINE_HOST: '127.0.0.1' },
    port,
    readyTimeoutMs: options.readyTimeoutSeconds * 1000,
  });
  try {
    for (const scenario of options.scenarios) {
      report.results.push(await runScenario(server, 'baseline', scenario, options, progress));
    }
  } finally {
    await server.stop();
  }
}

async function runSightline(options: BenchOptions, progress: Progress, report: BenchReport): Promise<void> {
  const entry = path.resolve(REPO_ROOT, options.serverEntry);
  if (!existsSync(entry)) {
    throw new HarnessError(
      `${options.serverEntry} does not exist, so the real server cannot start; use --targets baseline meanwhile`,
    );
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-'));
  trackDir(dataDir);
  const port = await freePort();
  progress.phase(`sightline · starting ${options.serverEntry} serve`);
  let server: RunningServer | undefined;
  try {
    server = await startServer({
      name: `sightline (${options.serverEntry} serve)`,
      args: [entry, 'serve'],
      cwd: REPO_ROOT,
      env: {
        SIGHTLINE_PORT: String(port),
        SIGHTLINE_HOST: '127.0.0.1',
        SIGHTLINE_DATA_DIR: dataDir,
        SIGHTLINE_PROJECTS: 'app',
        SIGHTLINE_ADMIN_TOKEN: ADMIN_TOKEN,
        SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
        SIGHTLINE_LOG_LEVEL: 'warn',
      },
      port,
      readyTimeoutMs: options.readyTimeoutSeconds * 1000,
    });
    let acknowledged = 0;
    for (const scenario of options.scenarios) {
      const run = await runScenario(server, 'sightline', scenario, options, progress);
      const loadEndedAt = performance.now();
      report.results.push(run);
      acknowledged += run.load.totalAcceptedEvents;
      progress.phase(`${scenario} · sightline · drain`, options.drainTimeoutSeconds);
      const drain: DrainResult = await measureDrain({
        baseUrl: server.baseUrl,
        token: ADMIN_TOKEN,
        scenario,
        expectedEvents: acknowledged,
        loadEndedAt,
        timeoutMs: options.drainTimeoutSeconds * 1000,
      });
      report.drains.push(drain);
      // Catch up from what the store really holds, so one scenario's shortfall does not poison the next one.
      if (drain.status === 'timeout' && drain.storedAtEnd !== undefined) acknowledged = drain.storedAtEnd;
    }
  } finally {
    if (server) {
      progress.phase('sightline · stopping');
      await server.stop();
      report.serverLog = { lines: server.logLines(), tail: server.logTail().slice(-5) };
    }
    removeDir(dataDir);
  }
}

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    process.stderr.write(`${err.message}\n\n${HELP}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const progress = new Progress(true);
  installCleanupHandlers((signal) => {
    progress.done();
    process.stderr.write(
      `[bench] interrupted (${signal}): servers and load generator killed, temp dirs removed\n`,
    );
  });
  const { json: _json, help: _help, ...settings } = options;
  const report: BenchReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    machine: describeMachine(),
    settings,
    results: [],
    drains: [],
    targets: [],
  };
  try {
    if (options.targets.includes('baseline')) await runBaseline(options, progress, report);
    if (options.targets.includes('sightline')) await runSightline(options, progress, report);
  } catch (err) {
    report.error = err instanceof HarnessError ? err.message : ((err as Error).stack ?? String(err));
  }
  progress.done();
  report.finishedAt = new Date().toISOString();
  report.targets = evaluateTargets(report.results, options.scenarios);
  let processorFailed = false;
  let processorReport: unknown;
  if (options.processorEvents > 0 && options.targets.includes('sightline') && !report.error) {
    // Its own process: chDB allows one data folder per process, and the figure must not share a heap with the harness.
    const run = spawnSync(
      process.execPath,
      [path.join(BENCH_DIR, 'processor.ts'), '--events', String(options.processorEvents), '--json'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    processorFailed = run.status !== 0;
    if (!processorFailed) processorReport = JSON.parse(run.stdout);
  }
  let dashboardFailed = false;
  let dashboardText = '';
  let dashboardReport: unknown;
  if (options.dashboardEvents > 0 && options.targets.includes('sightline') && !report.error) {
    const run = spawnSync(
      process.execPath,
      [path.join(BENCH_DIR, 'dashboard.ts'), '--events', String(options.dashboardEvents), '--json'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    dashboardFailed = run.status !== 0;
    if (!dashboardFailed) {
      dashboardReport = JSON.parse(run.stdout);
      dashboardText = formatDashboard(dashboardReport as DashboardReport);
    }
  }
  let kafkaFailed = false;
  let kafkaText = '';
  let kafkaReport: unknown;
  if (options.kafkaEvents > 0 && options.targets.includes('sightline') && !report.error) {
    const run = spawnSync(
      process.execPath,
      [
        path.join(BENCH_DIR, 'kafka.ts'),
        '--events',
        String(options.kafkaEvents),
        '--duration',
        String(options.durationSeconds),
        '--json',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    kafkaFailed = run.status !== 0;
    if (!kafkaFailed) {
      kafkaReport = JSON.parse(run.stdout);
      kafkaText = formatKafka(kafkaReport as KafkaReport);
    }
  }
  if (options.json)
    process.stdout.write(
      `${JSON.stringify({ ...report, processor: processorReport, dashboard: dashboardReport, kafka: kafkaReport }, null, 2)}\n`,
    );
  else
    process.stdout.write(
      formatText(report) +
        (processorReport ? formatProcessor(processorReport as ProcessorReport) : '') +
        dashboardText +
        kafkaText,
    );
  if (processorFailed || dashboardFailed || kafkaFailed) return 1;
  return report.error ? 1 : 0;
}

const code = await main();
process.stdout.write('', () => process.exit(code));
