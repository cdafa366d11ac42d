/** `sightline forward retry|list`: re-send or show the events in `forward_dead_letters`. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { openStore } from '../store/store.ts';
import { retryDeadLetters } from './dead-letter-retry.ts';
import { listDeadLetters } from './forward-dead-letters.ts';

export const FORWARD_HELP = `Usage: sightline forward <retry|list> [options]

Forwarding (SIGHTLINE_FORWARD, see docs/forwarding.md) sends matching events to webhooks, Mixpanel and
Segment. A batch a destination refused with a permanent error (4xx other than 408/429), or that failed
maxAttempts times, is written to the forward_dead_letters table, and the destination's consumer moves on.

  sightline forward list    Show dead letters that were not re-sent yet (destination, event, reason, time).
  sightline forward retry   Re-send them with the destination's current settings (format, rate limit, retries)
                            and mark each one retried once the destination accepted it.

Options:
  --destination NAME   Only this destination's dead letters.
  --since WHEN         Only those that failed at or after WHEN: YYYY-MM-DD, an ISO time, or an age such as
                       30m, 6h, 7d.
  --limit N            At most N per destination in one run (default 10000).
  -h, --help           This text.

Examples:
  sightline forward list --destination crm
  sightline forward retry --destination crm --since 1d

Exit status: 0 when everything selected was delivered, 1 when some still fail (they stay in the table).
The store is the one the server uses (SIGHTLINE_DATA_DIR, SIGHTLINE_STORE). The embedded store (chDB) can be
open in one process only: stop "sightline serve" first, or run this against a ClickHouse server.
`;

const AGE = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `7d`, `2026-11-30`, `2026-11-30T12:00:00Z` → ms; undefined when it is none of these. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const age = AGE.exec(value.trim());
  if (age) return now - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS];
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}

export async function runForwardCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        destination: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sightline forward: ${(err as Error).message}\n\n${FORWARD_HELP}`);
    return 2;
  }
  const action = positionals[0];
  if (values.help || action === undefined) {
    process.stdout.write(FORWARD_HELP);
    return values.help ? 0 : 2;
  }
  const problems: string[] = [];
  if (action !== 'retry' && action !== 'list') problems.push(`unknown action "${action}" (retry or list)`);
  const since = values.since === undefined ? undefined : parseSince(values.since as string);
  if (values.since !== undefined && since === undefined)
    problems.push('--since must be YYYY-MM-DD, an ISO time or an age such as 6h or 7d');
  const limit = values.limit === undefined ? 10_000 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) problems.push('--limit must be a whole number of at least 1');
  const config = loadConfig(env);
  const destination = values.destination as string | undefined;
  if (
    destination !== undefined &&
    action === 'retry' &&
    !config.forward.destinations.some((d) => d.name === destination)
  )
    problems.push(
      `--destination "${destination}" is not configured in SIGHTLINE_FORWARD (known: ${config.forward.destinations.map((d) => d.name).join(', ') || 'none'})`,
    );
  if (problems.length > 0) {
    process.stderr.write(`sightline forward: ${problems.join('; ')}\n(see sightline forward --help)\n`);
    return 2;
  }
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    const filter = {
      ...(destination !== undefined ? { destination } : {}),
      ...(since !== undefined ? { sinceMs: since } : {}),
      limit,
    };
    if (action === 'list') {
      const rows = await listDeadLetters(store, filter);
      for (const r of rows)
        process.stdout.write(
          `${r.failed_at}  ${r.destination}  ${r.event_id}  ${r.attempts}×  ${r.reason}\n`,
        );
      process.stdout.write(`${rows.length} dead letter(s) waiting.\n`);
      return 0;
    }
    const result = await retryDeadLetters(store, config.forward, {
      ...filter,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
    let failed = 0;
    for (const [name, t] of Object.entries(result.destinations)) {
      failed += t.failed;
      process.stdout.write(
        `${name}: ${t.delivered} delivered${t.failed > 0 ? `, ${t.failed} still failing (${t.reason})` : ''}\n`,
      );
    }
    for (const name of result.unknown)
      process.stdout.write(`${name}: not configured any more; its dead letters were left alone\n`);
    if (Object.keys(result.destinations).length === 0 && result.unknown.length === 0)
      process.stdout.write('No dead letters to retry.\n');
    return failed > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
