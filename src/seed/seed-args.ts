/** `sightline seed`'s flags as `SeedOptions`, with errors that name the flag and say what it takes. */
import { parseArgs } from 'node:util';
import { editDistance } from '../config/edit-distance.ts';
import type { ProcessConfig } from '../process/process.settings.ts';
import { isTimeZone } from '../query/time-range.ts';
import { LIMITS, PROJECT_NAME, type SeedOptions } from './seed.ts';

/** A command line that asks for something impossible (exit 2). */
export class UsageError extends Error {}

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

/** node:util's parseArgs messages, in the words of this command. */
function argumentProblem(err: Error & { code?: string }): string {
  const flag = /'--?([a-z-]+)/i.exec(err.message)?.[1] ?? '';
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const close = Object.keys(OPTIONS).find((k) => editDistance(k, flag) <= 2);
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
  config: Pick<ProcessConfig, 'stripQueryParams' | 'profileEventTypes'>,
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
