/**
 * `sightline erase` and `sightline export-person`: the erasure and access requests of one person. While a server
 * holds the embedded store (chDB opens in one process only) they go through its API, as `sightline forward` does;
 * otherwise they open the store themselves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config/config.ts';
import { createLogger } from '../observe/logger.ts';
import { readSites } from '../sites/site-store.ts';
import { migrate } from '../store/migrate.ts';
import { openStore, type Store } from '../store/store.ts';
import { type ErasureResult, erasePerson, resumeErasures } from './erase.ts';
import { PrivacyError } from './errors.ts';
import { exportPerson, type PersonExport } from './export.ts';
import { MAX_MATCHES, matchingUsers, type PersonMatch, parseMatch } from './match.ts';
import { fieldsOf, type PersonFields } from './person-rows.ts';
import { parseSuppressDays } from './privacy.routes.ts';
import { parseSubject, requireKnownProject, type Subject } from './subject.ts';

const WHO = `  --project NAME       The project (required).
  --user-id ID         The person's user id, as your site or app sends it.
  --visitor-id N       Or a visitor id (the cookieless visitor hash the dashboard shows), for a person who
                       never logged in. Exactly one of --user-id and --visitor-id.`;

const SERVER = `  --url URL            A running Sightline to ask (its api role holds the store), e.g. http://127.0.0.1:8080.
                       With the embedded store this defaults to the local server (SIGHTLINE_PORT); when none
                       answers, the store is opened directly.
  --token TOKEN        Admin token for --url (default: SIGHTLINE_ADMIN_TOKEN, else <data dir>/admin-token).
  -h, --help           This text.`;

export const ERASE_HELP = `Usage: sightline erase --project NAME (--user-id ID | --visitor-id N | --match KEY=VALUE) --yes [options]

Answers a "delete everything you hold on me" request (GDPR art. 17, CCPA): removes the person's rows from
events, sessions, user_profiles, dead_letters, forward_dead_letters, and the logs and db_changes rows that hold
the id in a field named by SIGHTLINE_PRIVACY_LOG_FIELDS / SIGHTLINE_PRIVACY_DB_COLUMNS, and rebuilds the sessions, profiles and
hourly/daily rollups they were part of from the events that remain, so everyone else's numbers stay exact.
A user's rows include the anonymous events of the visits they logged in during.

It cannot be undone: if the person also asked for a copy, run "sightline export-person" first. The request is
journalled before anything is deleted; if the server stops half-way, it finishes the erasure when it starts again.
Every erasure is recorded in the audit (GET /api/v1/privacy/requests) with who asked, when and the row counts —
with a SHA-256 of the id, never the id itself.

With the raw archive on (SIGHTLINE_ARCHIVE_DIR), its files are rewritten without the person's records. The raw
bodies in the write-ahead log leave the disk within SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS × 1.5 once processed;
on Kafka, topics keep them for SIGHTLINE_KAFKA_RETENTION_HOURS (see docs/privacy.md).

Options:
${WHO}
  --match KEY=VALUE    Or the people whose profile traits or event properties hold VALUE under KEY, e.g.
                       'email=alice@example.com': they are listed, and with --yes each is erased by user id.
                       At most ${MAX_MATCHES} people.
  --suppress-days N    Also refuse the person's new events for N days (1 to 3650; user ids only): the processor
                       drops them unstored and counts them (sightline_process_suppressed_events_total). Only a
                       SHA-256 of the id is kept, in privacy_suppressions.
  --yes                Confirm: without it nothing is erased.
${SERVER}

Examples:
  sightline export-person --project shop --user-id alice@example.com --out alice.json
  sightline erase --project shop --user-id alice@example.com --yes
  sightline erase --project shop --user-id alice@example.com --suppress-days 30 --yes
  sightline erase --project shop --match 'email=alice@example.com'         (lists who it names)
  sightline erase --project shop --match 'email=alice@example.com' --yes

Exit status: 0 when erased, 1 when the store or server failed (a started erasure completes at the next start),
2 for a usage error.
`;

export const EXPORT_PERSON_HELP = `Usage: sightline export-person --project NAME (--user-id ID | --visitor-id N) [--out FILE] [options]

Answers a "send me a copy of my data" request (GDPR art. 15/20, CCPA): one JSON document with every row the store
holds for the person — events, sessions, user_profiles, dead_letters, forward_dead_letters, logs, db_changes
(by the fields SIGHTLINE_PRIVACY_LOG_FIELDS / SIGHTLINE_PRIVACY_DB_COLUMNS name) — the same rows
"sightline erase" would remove. The export is recorded in the audit (who, when, row counts).

Options:
${WHO}
  --out FILE           Write the JSON there (mode 0600) instead of to standard output.
${SERVER}

Example:
  sightline export-person --project shop --user-id alice@example.com --out alice.json
`;

type Action = 'erase' | 'export-person';

function localAdminToken(config: Config): string | undefined {
  if (config.adminToken) return config.adminToken;
  try {
    return fs.readFileSync(path.join(config.dataDir, 'admin-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function printErasure(result: ErasureResult): void {
  if (result.suppressed_until)
    process.stdout.write(`  new events of the person are dropped until ${result.suppressed_until}\n`);
  for (const [table, n] of Object.entries(result.removed))
    process.stdout.write(
      `  ${table.padEnd(22)} ${String(n).padStart(8)} ${table === 'rollup_days' ? 'rebuilt' : 'removed'}\n`,
    );
  process.stdout.write(`Erased (request ${result.request}).\n`);
}

function writeExport(body: PersonExport | Record<string, unknown>, out: string | undefined): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  if (out) {
    fs.writeFileSync(out, text, { mode: 0o600 });
    const counts = (body as PersonExport).counts ?? {};
    process.stderr.write(
      `Wrote ${out}: ${Object.entries(counts)
        .map(([t, n]) => `${n} ${t}`)
        .join(', ')}.\n`,
    );
  } else process.stdout.write(text);
}

/** Asks a running server; undefined when nothing listens there. */
async function viaServer(
  base: string,
  token: string | undefined,
  action: Action,
  subject: Subject,
  out: string | undefined,
  suppressDays: number,
): Promise<number | undefined> {
  const query = new URLSearchParams({ project: subject.project, by: subject.type });
  if (suppressDays > 0) query.set('suppress_days', String(suppressDays));
  const url = `${base}/api/v1/people/${encodeURIComponent(subject.id)}${action === 'erase' ? '' : '/export'}?${query}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: action === 'erase' ? 'DELETE' : 'GET',
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch {
    return undefined;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const error = body.error as { message?: string } | undefined;
    process.stderr.write(`sightline ${action}: ${base} answered ${res.status}: ${error?.message ?? ''}\n`);
    return res.status === 400 ? 2 : 1;
  }
  if (action === 'erase') printErasure(body as unknown as ErasureResult);
  else writeExport(body, out);
  return 0;
}

async function direct(
  store: Store,
  action: Action,
  subject: Subject,
  out: string | undefined,
  fields: PersonFields,
  suppressDays: number,
  archiveDir: string | undefined,
): Promise<number> {
  // A store no server has started yet lacks the tables; an erasure a crash interrupted is finished first.
  await migrate(store);
  await resumeErasures(store, createLogger('warn'), undefined, fields, archiveDir);
  const who = `cli (${os.userInfo().username})`;
  if (action === 'erase')
    printErasure(
      await erasePerson(store, subject, who, { fields, suppressDays, ...(archiveDir ? { archiveDir } : {}) }),
    );
  else writeExport(await exportPerson(store, subject, who, Date.now(), fields), out);
  return 0;
}

function printMatches(match: PersonMatch, users: readonly string[]): void {
  process.stdout.write(
    users.length === 0
      ? `No one in ${match.project} has ${match.key} = ${match.value}.\n`
      : `${users.length} ${users.length === 1 ? 'person' : 'people'} in ${match.project} with ${match.key} = ${match.value}:\n${users.map((u) => `  ${u}\n`).join('')}`,
  );
}

const confirmMatches = () => {
  process.stderr.write('sightline erase: nothing erased; add --yes to erase each user id listed\n');
  return 2;
};

/** `--match` through a running server: the people listed (GET), then each erased by user id. */
async function matchViaServer(
  base: string,
  token: string | undefined,
  match: PersonMatch,
  yes: boolean,
  suppressDays: number,
): Promise<number | undefined> {
  const query = new URLSearchParams({ project: match.project, match: `${match.key}=${match.value}` });
  let res: Response;
  try {
    res = await fetch(`${base}/api/v1/people?${query}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  } catch {
    return undefined;
  }
  const body = (await res.json().catch(() => ({}))) as { user_ids?: string[]; error?: { message?: string } };
  if (!res.ok) {
    process.stderr.write(`sightline erase: ${base} answered ${res.status}: ${body.error?.message ?? ''}\n`);
    return res.status === 400 ? 2 : 1;
  }
  const users = body.user_ids ?? [];
  printMatches(match, users);
  if (users.length > 0 && !yes) return confirmMatches();
  for (const id of users) {
    const subject: Subject = { project: match.project, type: 'user_id', id };
    const status = await viaServer(base, token, 'erase', subject, undefined, suppressDays);
    if (status !== 0) return status ?? 1;
  }
  return 0;
}

async function matchDirect(
  store: Store,
  match: PersonMatch,
  yes: boolean,
  fields: PersonFields,
  suppressDays: number,
  archiveDir: string | undefined,
): Promise<number> {
  await migrate(store);
  await resumeErasures(store, createLogger('warn'), undefined, fields, archiveDir);
  const users = await matchingUsers(store, match);
  printMatches(match, users);
  if (users.length > 0 && !yes) return confirmMatches();
  const who = `cli (${os.userInfo().username})`;
  for (const id of users)
    printErasure(
      await erasePerson(store, { project: match.project, type: 'user_id', id }, who, {
        fields,
        suppressDays,
        ...(archiveDir ? { archiveDir } : {}),
      }),
    );
  return 0;
}

export async function runPrivacyCli(action: Action, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const help = action === 'erase' ? ERASE_HELP : EXPORT_PERSON_HELP;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        project: { type: 'string' },
        'user-id': { type: 'string' },
        'visitor-id': { type: 'string' },
        match: { type: 'string' },
        out: { type: 'string' },
        'suppress-days': { type: 'string' },
        yes: { type: 'boolean' },
        url: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    process.stderr.write(`sightline ${action}: ${(err as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const config = loadConfig(env);
  const userId = values['user-id'] as string | undefined;
  const visitorId = values['visitor-id'] as string | undefined;
  const usage = (message: string) => {
    process.stderr.write(`sightline ${action}: ${message}\n(see sightline ${action} --help)\n`);
    return 2;
  };
  const rawMatch = values.match as string | undefined;
  if (rawMatch !== undefined) {
    if (action !== 'erase') return usage('--match is for erase');
    if (userId !== undefined || visitorId !== undefined)
      return usage('give one of --user-id, --visitor-id and --match');
    return runMatchCli(config, values, rawMatch, usage);
  }
  if ((userId === undefined) === (visitorId === undefined))
    return usage('give exactly one of --user-id and --visitor-id');
  if (action === 'erase' && !values.yes)
    return usage(
      'an erasure cannot be undone; add --yes to confirm (run "sightline export-person" first if the person asked for a copy)',
    );
  if (action === 'erase' && values.out !== undefined) return usage('--out is for export-person');
  let subject: Subject;
  try {
    subject = parseSubject(
      values.project as string | undefined,
      userId !== undefined ? 'user_id' : 'visitor_id',
      userId ?? visitorId,
      // The server checks the project against its sites; a direct run below against the store's.
      undefined,
    );
  } catch (err) {
    return usage((err as Error).message);
  }
  const rawDays = values['suppress-days'] as string | undefined;
  if (action !== 'erase' && rawDays !== undefined) return usage('--suppress-days is for erase');
  let suppressDays: number;
  try {
    suppressDays = parseSuppressDays(rawDays, subject);
  } catch (err) {
    return usage((err as Error).message);
  }
  const out = values.out as string | undefined;
  const server =
    (values.url as string | undefined) ??
    (config.store === 'chdb' ? `http://127.0.0.1:${config.port}` : undefined);
  if (server) {
    const token = (values.token as string | undefined) ?? localAdminToken(config);
    const answered = await viaServer(server.replace(/\/$/, ''), token, action, subject, out, suppressDays);
    if (answered !== undefined) return answered;
    if (values.url) {
      process.stderr.write(`sightline ${action}: nothing answers at ${server}\n`);
      return 1;
    }
  }
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    try {
      requireKnownProject(subject.project, await knownProjects(store, config));
    } catch (err) {
      return usage((err as Error).message);
    }
    return await direct(store, action, subject, out, fieldsOf(config), suppressDays, config.archiveDir);
  } catch (err) {
    if (!(err instanceof PrivacyError)) throw err;
    process.stderr.write(`sightline ${action}: ${err.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

/** The projects a direct run may name: SIGHTLINE_PROJECTS and the sites made in the dashboard (the store's). */
async function knownProjects(store: Store, config: Config): Promise<string[]> {
  const stored = await readSites(store).then(
    (rows) => rows.map((r) => r.name),
    () => [],
  );
  return [...new Set([...config.projects.map((p) => p.name), ...stored])];
}

/** `sightline erase --match KEY=VALUE`: without --yes, only the list of the people it names. */
async function runMatchCli(
  config: Config,
  values: Record<string, string | boolean | undefined>,
  raw: string,
  usage: (message: string) => number,
): Promise<number> {
  let match: PersonMatch;
  let suppressDays: number;
  try {
    const project = values.project as string | undefined;
    parseSubject(project, 'user_id', '-', undefined);
    match = parseMatch(project as string, raw);
    suppressDays = parseSuppressDays(values['suppress-days'] as string | undefined, {
      project: match.project,
      type: 'user_id',
      id: '',
    });
  } catch (err) {
    return usage((err as Error).message);
  }
  const yes = values.yes === true;
  const server =
    (values.url as string | undefined) ??
    (config.store === 'chdb' ? `http://127.0.0.1:${config.port}` : undefined);
  if (server) {
    const token = (values.token as string | undefined) ?? localAdminToken(config);
    const answered = await matchViaServer(server.replace(/\/$/, ''), token, match, yes, suppressDays);
    if (answered !== undefined) return answered;
    if (values.url) {
      process.stderr.write(`sightline erase: nothing answers at ${server}\n`);
      return 1;
    }
  }
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    requireKnownProject(match.project, await knownProjects(store, config));
    return await matchDirect(store, match, yes, fieldsOf(config), suppressDays, config.archiveDir);
  } catch (err) {
    if (!(err instanceof PrivacyError)) throw err;
    process.stderr.write(`sightline erase: ${err.message}\n`);
    return err.statusCode === 400 ? 2 : 1;
  } finally {
    await store.close();
  }
}
