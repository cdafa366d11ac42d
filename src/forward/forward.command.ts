/** `sightline forward retry|list`: re-send or show the events in `forward_dead_letters`. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/config.ts';
import { wholeNumberFromText } from '../config/text-values.ts';
import { callServer, throughServer } from '../server/running-server.ts';
import { migrate } from '../store/migrate.ts';
import { openStore } from '../store/store.ts';
import { type RetryResult, retryDeadLetters } from './dead-letter-retry.ts';
import { type ForwardDeadLetter, listDeadLetters } from './forward-dead-letters.ts';
import { parseSince } from './since.ts';

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
  --url URL            A running Sightline to ask (its process role holds the store), e.g.
                       http://127.0.0.1:8080. With the embedded store this defaults to the local server
                       (SIGHTLINE_PORT); when none answers, the store is opened directly.
  --token TOKEN        Admin token for --url (default: SIGHTLINE_ADMIN_TOKEN, else <data dir>/admin-token).
  -h, --help           This text.

Examples:
  sightline forward list --destination crm
  sightline forward retry --destination crm --since 1d

Exit status: 0 when everything selected was delivered, 1 when some still fail (they stay in the table).
The store is the one the server uses (SIGHTLINE_DATA_DIR, SIGHTLINE_STORE). The embedded store (chDB) can be
open in one process only, so while "sightline serve" runs the command goes through its
/api/v1/forward endpoints; with a ClickHouse server it reads the store itself unless --url is given.
`;

type Filter = { destination?: string; sinceMs?: number; limit: number };

function printList(rows: Array<Omit<ForwardDeadLetter, 'payload' | 'version'>>): void {
  for (const r of rows)
    process.stdout.write(`${r.failed_at}  ${r.destination}  ${r.event_id}  ${r.attempts}×  ${r.reason}\n`);
  process.stdout.write(`${rows.length} dead letter(s) waiting.\n`);
}

function printRetry(result: RetryResult): number {
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
}

/** Asks a running server; undefined when nothing listens there (then the store is opened directly). */
async function viaServer(
  base: string,
  token: string | undefined,
  action: 'list' | 'retry',
  filter: Filter,
): Promise<number | undefined> {
  const query = {
    ...(filter.destination !== undefined ? { destination: filter.destination } : {}),
    ...(filter.sinceMs !== undefined ? { since: new Date(filter.sinceMs).toISOString() } : {}),
    limit: String(filter.limit),
  };
  const answer =
    action === 'list'
      ? await callServer('forward', base, token, `/api/v1/forward/dead-letters?${new URLSearchParams(query)}`)
      : await callServer('forward', base, token, '/api/v1/forward/retry', { method: 'POST', json: query });
  if (answer === undefined || 'exitCode' in answer) return answer?.exitCode;
  if (action === 'list') {
    printList(answer.body.deadLetters as ForwardDeadLetter[]);
    return 0;
  }
  return printRetry(answer.body as unknown as RetryResult);
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
        url: { type: 'string' },
        token: { type: 'string' },
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
  const limit =
    values.limit === undefined ? 10_000 : (wholeNumberFromText(values.limit as string) ?? Number.NaN);
  if (!(limit >= 1)) problems.push('--limit must be a whole number of at least 1');
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
  const filter: Filter = {
    ...(destination !== undefined ? { destination } : {}),
    ...(since !== undefined ? { sinceMs: since } : {}),
    limit,
  };
  const flags = { url: values.url as string | undefined, token: values.token as string | undefined };
  const answered = await throughServer('forward', flags, config, (base, token) =>
    viaServer(base, token, action as 'list' | 'retry', filter),
  );
  if (answered !== undefined) return answered;
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    // A store no server has started yet lacks the table; migrations are idempotent, as at every start.
    await migrate(store);
    if (action === 'list') {
      printList(await listDeadLetters(store, filter));
      return 0;
    }
    return printRetry(
      await retryDeadLetters(store, config.forward, {
        ...filter,
        onProgress: (line) => process.stderr.write(`${line}\n`),
      }),
    );
  } finally {
    await store.close();
  }
}
