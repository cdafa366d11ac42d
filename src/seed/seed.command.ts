/** `sightline seed [options]`: argument parsing, help, progress and the summary around `seed()`. */
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config/config.ts';
import { isTimeZone } from '../query/time-range.ts';
import { readSites } from '../sites/site-store.ts';
import { openStore, type Store } from '../store/store.ts';
import { ProgressBar, rate } from './progress.ts';
import { LIMITS, PROJECT_NAME, planSeed, SeedError, type SeedOptions, seed } from './seed.ts';

export const SEED_HELP = `Usage: sightline seed [options]

Writes realistic demo traffic for one project straight into the store: visitors and
their visits with a daily and weekly rhythm and slow growth, ~200 pages with a long
tail, search/social/email/paid sources with UTM tags, 40 countries, real browser and
device mixes, a sign-up → checkout → purchase funnel, plus nginx and app logs and a
few database changes. The same --seed (and --end) always writes the same rows.

Options:
  --project NAME          Project to fill (default: demo).
  --days N                Days of traffic, ending with --end (default: 365).
  --events-per-day N      Average events a day; weekends, growth and the odd spike
                          move traffic between days (default: 20000).
  --seed N                Makes the data reproducible (default: a random seed,
                          printed at the end so you can repeat the run).
  --end YYYY-MM-DD        Last day (default: today). Nothing is written later than
                          now, so with today the last day stops at the current time.
  --tz ZONE               Time zone of the visitors' day (night low, afternoon peak)
                          and of --end, e.g. Europe/Berlin (default: UTC).
  --replace               The project was seeded before: delete what that seed wrote
                          (events, sessions, profiles, logs, db changes) and seed again.
                          Real data is never touched.
  --force                 Seed even though the project has real events in the range
                          (demo rows would mix with them in every chart).
  --host NAME             Host name of the made-up site (default: <project>.example.com).
  --dry-run               Print what would be written, write nothing.
  --quiet                 No progress bar.
  -h, --help              This text.

Seeded rows are marked (events.protocol = 'seed', logs.source = 'seed'), which is how
a second run finds them: without --replace it stops and says what is there.

The store is the one the server uses (SIGHTLINE_DATA_DIR, SIGHTLINE_STORE). The embedded
store can be open in one process only: stop \`sightline serve\` first, or point
SIGHTLINE_STORE at a ClickHouse server.

Examples:
  sightline seed --project demo --days 365 --events-per-day 20000 --seed 42
  sightline seed --project demo --days 30 --tz Europe/Berlin --seed 7 --replace
  SIGHTLINE_DATA_DIR=/tmp/demo sightline seed --days 90 --end 2025-12-31 --seed 1
`;

export class UsageError extends Error {}

/** The sites the dashboard lists: SIGHTLINE_PROJECTS and those made in the dashboard (the store's `sites`). */
async function knownProjects(store: Store, config: Config): Promise<string[]> {
  const stored = await readSites(store).then(
    (rows) => rows.map((r) => r.name),
    () => [],
  );
  return [...config.projects.map((p) => p.name), ...stored];
}

/** SeedError codes that mean the command line asked for something impossible (exit 2, like a bad flag). */
const USAGE_ERRORS = new Set(['SEED_ERR_RANGE', 'SEED_ERR_PROJECT', 'SEED_ERR_FUTURE']);

const OPTIONS = {
  project: { type: 'string' },
  days: { type: 'string' },
  'events-per-day': { type: 'string' },
  seed: { type: 'string' },
  end: { type: 'string' },
  tz: { type: 'string' },
  replace: { type: 'boolean' },
  force: { type: 'boolean' },
  host: { type: 'string' },
  'dry-run': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function wholeNumber(
  flag: string,
  raw: string | undefined,
  fallback: number,
  limits: { min: number; max: number },
) {
  if (raw === undefined) return fallback;
  const value = /^\d+$/.test(raw.replace(/_/g, '')) ? Number(raw.replace(/_/g, '')) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < limits.min || value > limits.max)
    throw new UsageError(
      `--${flag} must be a whole number from ${limits.min} to ${limits.max.toLocaleString('en-US')} (got "${raw}")`,
    );
  return value;
}

/** What each value-taking option looks like, for messages about a missing value. */
const EXAMPLES: Record<string, string> = {
  project: '--project demo',
  days: '--days 365',
  'events-per-day': '--events-per-day 20000',
  seed: '--seed 42',
  end: '--end 2025-12-31',
  tz: '--tz Europe/Berlin',
  host: '--host www.example.com',
};

/** Edit distance, for "did you mean" on a mistyped option. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next.push(Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    row = next;
  }
  return row[b.length];
}

/** node:util's parseArgs messages, in the words of this command. */
function argumentProblem(err: Error & { code?: string }): string {
  const flag = /'--?([a-z-]+)/i.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const close = Object.keys(OPTIONS).find((k) => distance(k, flag) <= 2);
    return `unknown option --${flag}${close ? ` (did you mean --${close}?)` : ''}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && EXAMPLES[flag])
    return `--${flag} needs a value, e.g. ${EXAMPLES[flag]} (values cannot start with "-")`;
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `--${flag} takes no value`;
  return err.message;
}

export interface SeedArgs {
  options: Omit<SeedOptions, 'onProgress'>;
  dryRun: boolean;
  quiet: boolean;
  help: boolean;
  /** The seed was chosen at random (printed, so the run can be repeated). */
  randomSeed: boolean;
}

/** Flags → options, with errors that name the flag and say what it takes. */
export function parseSeedArgs(
  argv: string[],
  config: Pick<Config, 'stripQueryParams' | 'profileEventTypes'>,
): SeedArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(argumentProblem(err as Error & { code?: string }));
  }
  const v = parsed.values;
  if (parsed.positionals.length > 0)
    throw new UsageError(
      `unexpected argument "${parsed.positionals[0]}" (options start with --, e.g. --days 30)`,
    );
  const project = v.project ?? 'demo';
  if (!PROJECT_NAME.test(project))
    throw new UsageError(
      `--project "${project}" is not a valid project name: letters, digits, ".", "_" and "-", up to 64, starting with a letter or digit`,
    );
  const tz = v.tz ?? 'UTC';
  if (!isTimeZone(tz))
    throw new UsageError(`--tz "${tz}" is not a time zone; use an IANA name such as Europe/Berlin or UTC`);
  if (v.end !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v.end);
    const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!m || !date || date.toISOString().slice(0, 10) !== v.end)
      throw new UsageError(`--end "${v.end}" is not a date; write it as YYYY-MM-DD, e.g. 2025-12-31`);
  }
  if (
    v.host !== undefined &&
    !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(v.host)
  )
    throw new UsageError(`--host "${v.host}" is not a host name, e.g. www.example.com`);
  const randomSeed = v.seed === undefined;
  const seedValue = randomSeed
    ? Math.floor(Math.random() * 1_000_000)
    : wholeNumber('seed', v.seed, 0, LIMITS.seed);
  const options: SeedArgs['options'] = {
    project,
    days: wholeNumber('days', v.days, 365, LIMITS.days),
    eventsPerDay: wholeNumber('events-per-day', v['events-per-day'], 20_000, LIMITS.eventsPerDay),
    seed: seedValue,
    tz,
    replace: v.replace === true,
    force: v.force === true,
    stripParams: config.stripQueryParams,
    profileTypes: config.profileEventTypes,
    ...(v.end !== undefined ? { end: v.end } : {}),
    ...(v.host !== undefined ? { host: v.host.toLowerCase() } : {}),
  };
  return {
    options,
    dryRun: v['dry-run'] === true,
    quiet: v.quiet === true,
    help: v.help === true,
    randomSeed,
  };
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** Runs the command; the exit code: 0 done, 1 refused or failed, 2 bad usage. */
export async function runSeedCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const fail = (code: number, message: string) => {
    io.stderr.write(`sightline seed: ${message}\n`);
    return code;
  };
  let config: Config;
  let args: SeedArgs;
  try {
    config = loadConfig(env);
    args = parseSeedArgs(argv, config);
  } catch (err) {
    if (err instanceof UsageError)
      return fail(2, `${err.message}\nRun "sightline seed --help" for the options.`);
    throw err;
  }
  if (args.help) {
    io.stdout.write(SEED_HELP);
    return 0;
  }
  const o = args.options;
  if (args.dryRun) {
    try {
      const { plan, end } = planSeed(o);
      io.stdout.write(
        `Would seed project "${o.project}" with about ${n(Math.round(plan.expectedEvents))} events in ${n(plan.visits)} visits, ` +
          `${plan.days[0].date} … ${end} (${o.tz}, seed ${o.seed}), in ${plan.chunks.length} inserts, ` +
          `plus ${n(plan.days.reduce((a, d) => a + d.logs, 0))} log lines and ${n(plan.days.reduce((a, d) => a + d.changes, 0))} database changes.\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof SeedError) return fail(USAGE_ERRORS.has(err.code) ? 2 : 1, err.message);
      throw err;
    }
  }

  let store: Store;
  try {
    store = openStore({ url: config.store, dataDir: config.dataDir });
    if (!(await store.ping())) throw new Error('the store does not answer');
  } catch (err) {
    return fail(
      1,
      `cannot open the store (${config.store === 'chdb' ? `${config.dataDir}/chdb` : config.store}): ${(err as Error).message}.` +
        (config.store === 'chdb'
          ? ' The embedded store can be open in one process only: is `sightline serve` running on this data folder? Stop it and seed again.'
          : ''),
    );
  }
  const bar = args.quiet ? undefined : new ProgressBar(io.stderr, 'events');
  const label = `Seeding ${o.project}`;
  try {
    const result = await seed(store, {
      ...o,
      onProgress: (p) => {
        if (!bar) return;
        if (p.phase === 'replacing') bar.note(`Deleting what the earlier seed of "${o.project}" wrote…`);
        else if (p.phase === 'visits')
          bar.note(p.message ? `  ${p.message}` : 'Folding the events into visits…');
        else bar.update(label, p.done, p.total);
      },
    });
    bar?.stop();
    const known = (await knownProjects(store, config)).includes(o.project);
    io.stdout.write(
      [
        `Seeded project "${o.project}": ${result.from} … ${result.to} (${o.tz}), seed ${o.seed}${args.randomSeed ? ` — add --seed ${o.seed} to repeat this run` : ''}.`,
        `  ${n(result.events)} events in ~${n(result.visits)} visits by ~${n(result.visitors)} visitors`,
        `  ${n(result.logs)} log lines, ${n(result.dbChanges)} database changes`,
        ...(result.replaced > 0 ? [`  replaced ${n(result.replaced)} events of the earlier seed`] : []),
        `  written in ${result.seconds.toFixed(1)} s: ${rate(result.eventsPerSecond)} events/s`,
        ...(known
          ? []
          : [
              `The dashboard lists its sites only: add "${o.project}" under Settings → Sites (or to SIGHTLINE_PROJECTS) to pick it (the stats API reads it already).`,
            ]),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    bar?.stop();
    if (err instanceof SeedError) return fail(USAGE_ERRORS.has(err.code) ? 2 : 1, err.message);
    throw err;
  } finally {
    await store.close();
  }
}
