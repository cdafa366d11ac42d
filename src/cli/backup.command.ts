/** `sightline backup <dir>` and `sightline restore <dir> --yes`: the embedded store, copied out and back. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { ProgressBar } from '../observe/progress-bar.ts';
import { backupStore, restoreStore } from '../store/backup.ts';
import { migrate } from '../store/migrate.ts';
import { openStore } from '../store/store.ts';

export const BACKUP_HELP = `Usage: sightline backup <dir>
       sightline restore <dir> --yes

backup   Freezes every table of the embedded store (a consistent set of parts, taken while it runs), copies them
         into <dir> (which must be empty or new) with the schema and a manifest of row counts and checksums.
restore  Verifies the whole backup first: the manifest, every statement of the schema, and every table's copy
         read in full (a damaged part fails its checksums) with its rows and checksum compared with the manifest.
         A backup that fails leaves the store untouched. Only then is every table in the store dropped and
         replaced with the backup's (hence --yes), and each is checked against the manifest again.

The embedded store can be open in one process only: stop \`sightline serve\` first. A ClickHouse server
(SIGHTLINE_STORE=http…) has its own BACKUP and RESTORE commands; see docs/operations.md.
`;

export async function runBackupCli(
  command: 'backup' | 'restore',
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let parsed: { values: Record<string, boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        yes: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }) as typeof parsed;
  } catch (err) {
    process.stderr.write(`sightline ${command}: ${(err as Error).message}\n\n${BACKUP_HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(BACKUP_HELP);
    return 0;
  }
  const dir = parsed.positionals[0];
  if (!dir || parsed.positionals.length > 1) {
    process.stderr.write(`sightline ${command}: give exactly one folder\n\n${BACKUP_HELP}`);
    return 2;
  }
  if (command === 'restore' && !parsed.values.yes) {
    process.stderr.write(
      'sightline restore: this replaces every table in the store (after verifying the backup); add --yes to go ahead\n',
    );
    return 2;
  }
  const config = loadConfig(env);
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  const bar = parsed.values.quiet ? undefined : new ProgressBar(process.stderr, 'tables');
  try {
    if (command === 'backup') {
      await migrate(store);
      const manifest = await backupStore(store, dir, (name, done, total) =>
        bar?.update(`Backing up ${name}`, done, total),
      );
      bar?.stop();
      const rows = Object.values(manifest.tables).reduce((n, t) => n + t.rows, 0);
      process.stdout.write(
        `Backed up ${Object.keys(manifest.tables).length} tables (${rows.toLocaleString('en-US')} rows) to ${dir}.\n`,
      );
    } else {
      const result = await restoreStore(store, dir, (name, done, total, phase) =>
        bar?.update(`${phase === 'verify' ? 'Verifying' : 'Restoring'} ${name}`, done, total),
      );
      bar?.stop();
      process.stdout.write(
        `Restored ${result.tables} tables (${result.rows.toLocaleString('en-US')} rows) from ${dir}; every table matches the manifest.\n`,
      );
    }
    return 0;
  } catch (err) {
    bar?.stop();
    process.stderr.write(`sightline ${command}: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}
