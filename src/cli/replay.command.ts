/** `sightline replay --from <archive> [--since …] [--until …]`: archived envelopes back into the store. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { replayArchive } from '../log/archive/replay.ts';
import { createLogger } from '../observe/logger.ts';
import { createMetrics } from '../observe/metrics.ts';
import { ProgressBar } from '../observe/progress-bar.ts';
import { migrate } from '../store/migrate.ts';
import { openStore } from '../store/store.ts';
import { startProcessing } from './roles/processing.ts';

export const REPLAY_HELP = `Usage: sightline replay --from <archive dir> [--since TIME] [--until TIME]

Reads the raw archive (SIGHTLINE_ARCHIVE_DIR of the server that wrote it) and processes the envelopes received in
the range again, into the store of this configuration (SIGHTLINE_DATA_DIR / SIGHTLINE_STORE): the same enrichment
as live traffic. Events already stored (same event id) are skipped, so replaying twice changes nothing; log lines and
database changes have no ids — replay those into an empty store. Events of a person erased from this store
(sightline erase) that were received before the erasure are dropped, not restored.

  --from DIR       the archive folder (holds manifest.ndjson)
  --since TIME     first receive time to replay: YYYY-MM-DD (UTC midnight) or ISO 8601
  --until TIME     first receive time not to replay
  --quiet          no progress bar

The embedded store can be open in one process only: stop \`sightline serve\` first.
`;

function time(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(ms)) throw new Error(`${flag} must be YYYY-MM-DD or an ISO 8601 time, got "${value}"`);
  return ms;
}

export async function runReplayCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sightline replay: ${(err as Error).message}\n\n${REPLAY_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(REPLAY_HELP);
    return 0;
  }
  let since: number | undefined;
  let until: number | undefined;
  try {
    if (typeof values.from !== 'string') throw new Error('--from <archive dir> is required');
    since = time(values.since as string | undefined, '--since');
    until = time(values.until as string | undefined, '--until');
  } catch (err) {
    process.stderr.write(`sightline replay: ${(err as Error).message}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  const bar = values.quiet ? undefined : new ProgressBar(process.stderr, 'records');
  try {
    await migrate(store);
    const metrics = createMetrics();
    let consumers: Awaited<ReturnType<typeof startProcessing>> = [];
    const result = await replayArchive({
      dir: path.resolve(values.from),
      since,
      until,
      startConsumers: () => consumers,
      onProgress: (phase, done, total) => bar?.update(`Replay: ${phase}`, done, total),
      prepare: async (log) => {
        consumers = await startProcessing(config, log, store, metrics, logger, 'replay');
      },
    });
    bar?.stop();
    process.stdout.write(
      `Replayed ${result.records.toLocaleString('en-US')} records from ${result.files} archive files.\n`,
    );
    return 0;
  } catch (err) {
    bar?.stop();
    process.stderr.write(`sightline replay: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
