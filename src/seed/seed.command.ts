/** `sightline seed [options]`: help, progress and the summary around `seed()` (flags: seed-args.ts). */
import { type Config, loadConfig } from '../config/config.ts';
import { ProgressBar, rate } from '../observe/progress-bar.ts';
import { knownProjectNames } from '../sites/site-store.ts';
import { openStore, type Store } from '../store/store.ts';
import { planSeed, SeedError, seed } from './seed.ts';
import { parseSeedArgs, type SeedArgs, UsageError } from './seed-args.ts';

export const SEED_HELP = `Usage: sightline seed [options]

Writes realistic demo traffic for one project straight into the store: visitors and
their visits with a daily and weekly rhythm and slow growth, ~200 pages with a long
tail, search/social/email/paid sources with UTM tags, 40 countries, real browser and
device mixes, a sign-up → checkout → purchase funnel, plus nginx and app logs and a
few database changes. About one visitor in eight is signed in (sends a user id, so has a
profile); the others are anonymous, as on most sites. The same --seed (and --end)
always writes the same rows.

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

/** SeedError codes that mean the command line asked for something impossible (exit 2, like a bad flag). */
const USAGE_ERRORS = new Set(['SEED_ERR_RANGE', 'SEED_ERR_PROJECT', 'SEED_ERR_FUTURE']);

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
    const known = (await knownProjectNames(store, config.projects)).includes(o.project);
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
