/**
 * `sightline report`: send one report e-mail now, through a running server's admin API (the embedded store is
 * open in the server's process only, and the server holds the SMTP settings).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';

export const REPORT_HELP = `Usage: sightline report --project NAME --to ADDRESS [options]

Sends the report of the last whole week or month of a project now (as the scheduled reports do).

Options:
  --project NAME   Project to report on (required).
  --to ADDRESS     Recipient; repeat for more (required).
  --period P       week (default) or month.
  --tz ZONE        Time zone the week or month is counted in (default UTC).
  --url URL        The running Sightline (default http://127.0.0.1:<SIGHTLINE_PORT>).
  -h, --help       This text.

The admin token comes from SIGHTLINE_ADMIN_TOKEN or <SIGHTLINE_DATA_DIR>/admin-token.
`;

export async function runReportCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' },
        to: { type: 'string', multiple: true },
        period: { type: 'string' },
        tz: { type: 'string' },
        url: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sightline report: ${(err as Error).message}\n\n${REPORT_HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  if (!values.project || !values.to) {
    process.stderr.write(`sightline report: --project and --to are required\n\n${REPORT_HELP}`);
    return 2;
  }
  const config = loadConfig(env);
  let token = config.adminToken;
  try {
    token ??= fs.readFileSync(path.join(config.dataDir, 'admin-token'), 'utf8').trim();
  } catch {
    process.stderr.write('sightline report: no admin token (set SIGHTLINE_ADMIN_TOKEN)\n');
    return 2;
  }
  const url = (values.url as string | undefined) ?? `http://127.0.0.1:${config.port}`;
  const res = await fetch(`${url.replace(/\/+$/, '')}/api/v1/reports/send`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      project: values.project,
      to: values.to,
      period: values.period ?? 'week',
      tz: values.tz ?? 'UTC',
    }),
  }).catch((err: Error) => err);
  if (res instanceof Error) {
    process.stderr.write(`sightline report: cannot reach ${url} (${res.message}); is Sightline running?\n`);
    return 1;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown> & {
    error?: { message: string };
  };
  if (!res.ok) {
    process.stderr.write(`sightline report: ${body.error?.message ?? `HTTP ${res.status}`}\n`);
    return 1;
  }
  process.stdout.write(
    `Sent the ${values.period ?? 'week'} report of ${values.project} (${body.from} … ${body.until}) to ${(values.to as string[]).join(', ')}.\n`,
  );
  return 0;
}
