/**
 * How fast `sightline seed` writes into the embedded store: `node bench/seed.ts [--days 30] [--events-per-day 200000]
 * [--runs 3] [--json]`. Each run is a child process with a fresh data folder (chDB opens one folder per process, and
 * a fresh store keeps the runs alike); the figure is events written per second of inserting, median of the runs,
 * with the machine it ran on and how busy that machine was.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { installCleanupHandlers, removeDir, trackDir } from './cleanup.ts';
import { describeMachine } from './machine.ts';
import { Progress } from './progress.ts';

interface RunResult {
  events: number;
  logs: number;
  dbChanges: number;
  seconds: number;
  eventsPerSecond: number;
  /** CPU seconds the run used (all threads), to tell a slow machine from a busy one. */
  cpuSeconds: number;
}

const HELP = `Usage: node bench/seed.ts [options]

Seeds demo traffic into a fresh embedded store, several times, and reports events/s (median).

  --days N             days of traffic per run (default 30)
  --events-per-day N   average events a day (default 200000)
  --runs N             runs, each in its own process and data folder (default 3)
  --json               JSON report on stdout (progress stays on stderr)
`;

async function child(dir: string, days: number, eventsPerDay: number): Promise<void> {
  const { openStore } = await import('../src/store/store.ts');
  const { seed } = await import('../src/seed/seed.ts');
  const store = openStore({ url: 'chdb', dataDir: dir });
  try {
    const cpu = process.cpuUsage();
    const result = await seed(store, {
      project: 'bench',
      days,
      eventsPerDay,
      seed: 42,
      end: '2025-12-31',
      tz: 'UTC',
    });
    const used = process.cpuUsage(cpu);
    const out: RunResult = {
      events: result.events,
      logs: result.logs,
      dbChanges: result.dbChanges,
      seconds: result.seconds,
      eventsPerSecond: result.eventsPerSecond,
      cpuSeconds: (used.user + used.system) / 1e6,
    };
    process.stdout.write(JSON.stringify(out));
  } finally {
    await store.close();
  }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string', default: '30' },
      'events-per-day': { type: 'string', default: '200000' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const days = Number(values.days);
  const eventsPerDay = Number(values['events-per-day']);
  const runs = Number(values.runs);
  if (values.child) {
    await child(values.child, days, eventsPerDay);
    return 0;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  for (const [name, v] of [
    ['--days', days],
    ['--events-per-day', eventsPerDay],
    ['--runs', runs],
  ] as const)
    if (!Number.isSafeInteger(v) || v < 1) {
      process.stderr.write(`bench/seed: ${name} must be a whole number ≥ 1\n${HELP}`);
      return 2;
    }

  const progress = new Progress(true);
  installCleanupHandlers(() => progress.done());
  const results: RunResult[] = [];
  const loads: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sightline-bench-seed-'));
    trackDir(dir);
    progress.phase(`seed run ${i}/${runs}: ${days} days × ${eventsPerDay.toLocaleString('en-US')} events`);
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          import.meta.filename,
          '--child',
          dir,
          '--days',
          String(days),
          '--events-per-day',
          String(eventsPerDay),
        ],
        { maxBuffer: 1 << 20 },
      );
      const r = JSON.parse(stdout) as RunResult;
      results.push(r);
      loads.push(os.loadavg()[0]);
      progress.note(
        `run ${i}: ${r.events.toLocaleString('en-US')} events in ${r.seconds.toFixed(1)} s = ${Math.round(r.eventsPerSecond).toLocaleString('en-US')} events/s (${r.cpuSeconds.toFixed(1)} CPU s)`,
      );
    } finally {
      removeDir(dir);
    }
  }
  progress.done();
  const report = {
    machine: describeMachine(),
    days,
    eventsPerDay,
    runs: results,
    medianEventsPerSecond: Math.round(median(results.map((r) => r.eventsPerSecond))),
    medianCpuMicrosecondsPerEvent:
      Math.round(median(results.map((r) => (r.cpuSeconds * 1e6) / r.events)) * 100) / 100,
    loadAverageAfterRuns: loads.map((l) => Math.round(l * 100) / 100),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const m = report.machine;
  process.stdout.write(
    [
      `sightline seed: ${days} days × ${eventsPerDay.toLocaleString('en-US')} events/day into the embedded store`,
      `  machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.node}`,
      ...results.map(
        (r, i) =>
          `  run ${i + 1}: ${r.events.toLocaleString('en-US')} events (+ ${r.logs.toLocaleString('en-US')} log lines, ${r.dbChanges.toLocaleString('en-US')} db changes) in ${r.seconds.toFixed(2)} s`,
      ),
      `  median: ${report.medianEventsPerSecond.toLocaleString('en-US')} events/s, ${report.medianCpuMicrosecondsPerEvent} CPU µs per event`,
      `  load average after each run: ${report.loadAverageAfterRuns.join(', ')} (other work on the machine slows the runs)`,
      '',
    ].join('\n'),
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench/seed: ${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  },
);
