/** Command-line options of `npm run bench` (bench/run.ts) and their help text. */
import { parseArgs } from 'node:util';
import type { ScenarioName, TargetName } from './types.ts';

export interface BenchOptions {
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  batchConnections: number;
  batchSize: number;
  scenarios: ScenarioName[];
  targets: TargetName[];
  drainTimeoutSeconds: number;
  readyTimeoutSeconds: number;
  /** Entry file of the real server, relative to the repository root; started as `<entry> serve`. */
  serverEntry: string;
  /** Events for the processor benchmark (bench/processor.ts) run after the ingestion scenarios; 0 skips it. */
  processorEvents: number;
  /** Events seeded for the dashboard query benchmark (bench/dashboard.ts); 0 skips it. */
  dashboardEvents: number;
  /** Events for the Kafka processor benchmark (bench/kafka.ts, which also measures collect → Kafka); 0 skips it. */
  kafkaEvents: number;
  json: boolean;
  help: boolean;
}

export const HELP = `Usage: npm run bench -- [options]      (or: node bench/run.ts [options])

Measures the collector's ingestion throughput, latency and memory against a baseline, in one invocation:

  1. baseline   bench/bare-server.ts, a bare node:http server that reads the body and answers
                202 {"accepted":1} — the ceiling of Node's HTTP stack on this machine
  2. sightline  node src/cli/main.ts serve, on a free port with a fresh temp data dir,
                rate limiting off (SIGHTLINE_RATE_LIMIT_PER_SECOND=0), log level warn

Each server runs alone in its own process; the load generator (bench/load.ts) runs in a third process with
the same settings for both: N keep-alive connections in a closed loop, a discarded warm-up, then the measured
window. Server RSS (/proc/<pid>/status, every 250 ms) and CPU time (/proc/<pid>/stat) are sampled during
the measured window only.

Scenarios (POST /e, X-App: app, user_id/session_id varied per event):
  single   one event per request                      target: req/s ≥ 0.6 × baseline, p99 ≤ 10 ms
  batch    JSON arrays of --batch-size events          target: ≥ 400 000 events/s

Then the processor alone (bench/processor.ts, its own process): events/s from the WAL through full
enrichment into the embedded store, single-event records and batches of 100 (--processor-events N, 0 skips;
target ≥ 100 000 events/s).

After each sightline scenario the harness polls GET /api/v1/stats/overview (admin token) until the store
holds every acknowledged event (or --drain-timeout) and reports the processor's drain throughput; "n/a"
when that endpoint is not available.

Options:
  --duration <s>           measured seconds per run                         (default 10)
  --warmup <s>             warm-up seconds per run, discarded               (default 2)
  --connections <n>        connections of the single-event scenario         (default 64)
  --batch-connections <n>  connections of the batch scenario                (default 8)
  --batch-size <n>         events per request of the batch scenario         (default 1000)
  --scenario <name>        single | batch | all                             (default all)
  --targets <list>         baseline,sightline | baseline | sightline         (default both)
  --drain-timeout <s>      how long to wait for the store to catch up       (default 120)
  --ready-timeout <s>      how long to wait for GET /ready to answer 200    (default 60)
  --processor-events <n>   events for the processor benchmark, 0 skips it   (default 300000)
  --dashboard-events <n>   events seeded for the dashboard query benchmark (bench/dashboard.ts:
                           the overview page's queries, median and p95 each), 0 skips it
                                                                              (default 10000000)
  --kafka-events <n>       the scale-out path on a real Kafka broker (bench/kafka.ts): collect → Kafka
                           req/s against the baseline, and processor Kafka → store events/s over n
                           events; 0 skips it                                 (default 200000)
  --server-entry <file>    entry of the real server, started as "<file> serve"
                           (default src/cli/main.ts; e.g. bench/bare-server.ts to test the harness)
  --json                   print the report as JSON on stdout (progress stays on stderr)
  --help                   this text

Exit code: 0 when the benchmark ran (even if a target is missed: it is a report), 1 when the harness failed
(a server did not start, the load generator crashed), 2 on bad options.
`;

export class OptionsError extends Error {}

function num(name: string, raw: string | undefined, fallback: number, min: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new OptionsError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got "${raw}"`);
  }
  return n;
}

export function parseOptions(argv: string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        'batch-connections': { type: 'string' },
        'batch-size': { type: 'string' },
        scenario: { type: 'string' },
        targets: { type: 'string' },
        'drain-timeout': { type: 'string' },
        'ready-timeout': { type: 'string' },
        'server-entry': { type: 'string' },
        'processor-events': { type: 'string' },
        'dashboard-events': { type: 'string' },
        'kafka-events': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
  const str = (name: string) => values[name] as string | undefined;
  const scenario = str('scenario') ?? 'all';
  if (!['single', 'batch', 'all'].includes(scenario)) {
    throw new OptionsError(`--scenario must be single, batch or all, got "${scenario}"`);
  }
  const targets = (str('targets') ?? 'baseline,sightline').split(',').map((t) => t.trim());
  for (const t of targets) {
    if (t !== 'baseline' && t !== 'sightline') throw new OptionsError(`--targets: unknown target "${t}"`);
  }
  return {
    durationSeconds: num('duration', str('duration'), 10, 0.5, false),
    warmupSeconds: num('warmup', str('warmup'), 2, 0, false),
    connections: num('connections', str('connections'), 64, 1, true),
    batchConnections: num('batch-connections', str('batch-connections'), 8, 1, true),
    batchSize: num('batch-size', str('batch-size'), 1000, 2, true),
    scenarios: scenario === 'all' ? ['single', 'batch'] : [scenario as ScenarioName],
    targets: (['baseline', 'sightline'] as const).filter((t) => targets.includes(t)),
    drainTimeoutSeconds: num('drain-timeout', str('drain-timeout'), 120, 1, false),
    readyTimeoutSeconds: num('ready-timeout', str('ready-timeout'), 60, 1, false),
    serverEntry: str('server-entry') ?? 'src/cli/main.ts',
    processorEvents: num('processor-events', str('processor-events'), 300_000, 0, true),
    dashboardEvents: num('dashboard-events', str('dashboard-events'), 10_000_000, 0, true),
    kafkaEvents: num('kafka-events', str('kafka-events'), 200_000, 0, true),
    json: values.json === true,
    help: values.help === true,
  };
}
