/** `sightline export`: a table's rows in a time range to CSV, NDJSON or Parquet, with a progress bar. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { ProgressBar } from '../observe/progress-bar.ts';
import { EXPORT_FORMATS, EXPORT_TABLES, type ExportFormat, exportRows } from '../store/export-rows.ts';
import { openStore } from '../store/store.ts';

export const EXPORT_HELP = `Usage: sightline export --project NAME --from YYYY-MM-DD --to YYYY-MM-DD [options]

Writes the rows of one table in a time range (whole UTC days, both inclusive) to a file.

Options:
  --project NAME     Project whose rows to export (required).
  --from, --to       First and last day, YYYY-MM-DD (required).
  --table NAME       ${Object.keys(EXPORT_TABLES).join(', ')} (default: events).
  --format F         csv (with a header), ndjson or parquet (default: csv).
  --out FILE         Where to write (default: <table>-<project>-<from>-<to>.<ext>). Written under a
                     temporary name and renamed when complete.
  --quiet            No progress bar.
  -h, --help         This text.

The store is the one the server uses (SIGHTLINE_DATA_DIR, SIGHTLINE_STORE); the embedded store can be open in
one process only, so stop \`sightline serve\` first (or use the read API's CSV exports while it runs).
`;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export async function runExportCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        table: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sightline export: ${(err as Error).message}\n\n${EXPORT_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(EXPORT_HELP);
    return 0;
  }
  const problems: string[] = [];
  const project = values.project as string | undefined;
  const from = values.from as string | undefined;
  const to = values.to as string | undefined;
  const table = (values.table as string | undefined) ?? 'events';
  const format = ((values.format as string | undefined) ?? 'csv') as ExportFormat;
  if (!project) problems.push('--project is required');
  if (!from || !DAY.test(from)) problems.push('--from must be a day, YYYY-MM-DD');
  if (!to || !DAY.test(to)) problems.push('--to must be a day, YYYY-MM-DD');
  if (!(table in EXPORT_TABLES))
    problems.push(`--table must be one of ${Object.keys(EXPORT_TABLES).join(', ')}`);
  if (!(format in EXPORT_FORMATS))
    problems.push(`--format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  const fromMs = Date.parse(`${from}T00:00:00Z`);
  const toMs = Date.parse(`${to}T00:00:00Z`) + 86_400_000;
  if (problems.length === 0 && !(toMs > fromMs)) problems.push('--to must not be before --from');
  if (problems.length > 0) {
    process.stderr.write(`sightline export: ${problems.join('; ')}\n(see sightline export --help)\n`);
    return 2;
  }
  const ext = format === 'ndjson' ? 'ndjson' : format;
  const out = path.resolve((values.out as string | undefined) ?? `${table}-${project}-${from}-${to}.${ext}`);
  const config = loadConfig(env);
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  const bar = values.quiet ? undefined : new ProgressBar(process.stderr, 'days');
  try {
    const result = await exportRows(store, {
      table,
      project: project as string,
      fromMs,
      toMs,
      format,
      out,
      onProgress: (done, total) => bar?.update(`Exporting ${table} of ${project}`, done, total),
    });
    bar?.stop();
    process.stdout.write(
      `Exported ${result.rows.toLocaleString('en-US')} rows of ${table} (${project}, ${from} … ${to}) to ${out} (${result.bytes.toLocaleString('en-US')} bytes).\n`,
    );
    return 0;
  } finally {
    bar?.stop();
    await store.close();
  }
}
