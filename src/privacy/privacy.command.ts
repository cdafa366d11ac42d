/**
 * `sightline erase` and `sightline export-person`: the erasure and access requests of one person. While a server
 * holds the embedded store (chDB opens in one process only) they go through its API, as `sightline forward` does;
 * otherwise they open the store themselves.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../config/config.ts';
import { createLogger } from '../observe/logger.ts';
import { type ServerFlags, throughServer } from '../server/running-server.ts';
import { knownProjectNames } from '../sites/site-store.ts';
import { migrate } from '../store/migrate.ts';
import { openStore, type Store } from '../store/store.ts';
import { erasePerson, resumeErasures } from './erase.ts';
import { PrivacyError } from './errors.ts';
import { exportPerson } from './export.ts';
import { matchingUsers, type PersonMatch, parseMatch } from './match.ts';
import { fieldsOf, type PersonFields } from './person-rows.ts';
import { parseSuppressDays } from './privacy.routes.ts';
import { ERASE_HELP, EXPORT_PERSON_HELP } from './privacy-help.ts';
import { confirmMatches, printErasure, printMatches, writeExport } from './privacy-output.ts';
import { type Action, matchViaServer, viaServer } from './privacy-via-server.ts';
import { parseSubject, requireKnownProject, type Subject } from './subject.ts';

/**
 * Readies the store for a direct run and names who asked: a store no server has started yet lacks the tables, and an
 * erasure a crash interrupted is finished first.
 */
async function prepareDirect(
  store: Store,
  fields: PersonFields,
  archiveDir: string | undefined,
): Promise<string> {
  await migrate(store);
  await resumeErasures(store, createLogger('warn'), undefined, fields, archiveDir);
  return `cli (${os.userInfo().username})`;
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
  const who = await prepareDirect(store, fields, archiveDir);
  if (action === 'erase')
    printErasure(
      await erasePerson(store, subject, who, { fields, suppressDays, ...(archiveDir ? { archiveDir } : {}) }),
    );
  else writeExport(await exportPerson(store, subject, who, Date.now(), fields), out);
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
  const who = await prepareDirect(store, fields, archiveDir);
  const users = await matchingUsers(store, match);
  printMatches(match, users);
  if (users.length > 0 && !yes) return confirmMatches();
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
  const answered = await throughServer(action, serverFlags(values), config, (base, token) =>
    viaServer(base, token, action, subject, out, suppressDays),
  );
  if (answered !== undefined) return answered;
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    try {
      requireKnownProject(subject.project, await knownProjectNames(store, config.projects));
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

function serverFlags(values: Record<string, string | boolean | undefined>): ServerFlags {
  return { url: values.url as string | undefined, token: values.token as string | undefined };
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
  const answered = await throughServer('erase', serverFlags(values), config, (base, token) =>
    matchViaServer(base, token, match, yes, suppressDays),
  );
  if (answered !== undefined) return answered;
  const store = openStore({ url: config.store, dataDir: config.dataDir });
  try {
    requireKnownProject(match.project, await knownProjectNames(store, config.projects));
    return await matchDirect(store, match, yes, fieldsOf(config), suppressDays, config.archiveDir);
  } catch (err) {
    if (!(err instanceof PrivacyError)) throw err;
    process.stderr.write(`sightline erase: ${err.message}\n`);
    return err.statusCode === 400 ? 2 : 1;
  } finally {
    await store.close();
  }
}
