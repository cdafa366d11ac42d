/**
 * Commands that go through a running server's admin API when there is one (`sightline forward`, `erase`,
 * `export-person`): the embedded store (chDB) opens in one process only, so while `sightline serve` holds it they
 * ask the server; otherwise they open the store themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SharedConfig } from '../config/shared.settings.ts';
import type { StoreConfig } from '../store/store.settings.ts';
import type { ServerConfig } from './server.settings.ts';

/** What a command needs to find and reach the local server. */
type LocalServer = { adminToken: string | undefined } & SharedConfig &
  Pick<StoreConfig, 'store'> &
  Pick<ServerConfig, 'port'>;

/** The admin token for the local server: SIGHTLINE_ADMIN_TOKEN, else the one it generated into the data dir. */
export function localAdminToken(config: LocalServer): string | undefined {
  if (config.adminToken) return config.adminToken;
  try {
    return fs.readFileSync(path.join(config.dataDir, 'admin-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The `--url` and `--token` flags of such a command. */
export interface ServerFlags {
  url?: string;
  token?: string;
}

/**
 * Runs `ask` against the server to ask — `--url`, or with the embedded store the local one (SIGHTLINE_PORT) — and
 * returns its exit code. Undefined when the command should open the store itself: there is no server to ask, or
 * the local one does not answer (a `--url` that does not answer is an error, exit 1).
 */
export async function throughServer(
  command: string,
  flags: ServerFlags,
  config: LocalServer,
  ask: (base: string, token: string | undefined) => Promise<number | undefined>,
): Promise<number | undefined> {
  const server = flags.url ?? (config.store === 'chdb' ? `http://127.0.0.1:${config.port}` : undefined);
  if (!server) return undefined;
  const answered = await ask(server.replace(/\/$/, ''), flags.token ?? localAdminToken(config));
  if (answered !== undefined || !flags.url) return answered;
  process.stderr.write(`sightline ${command}: nothing answers at ${server}\n`);
  return 1;
}

/** A server's answer: its JSON body when it accepted, else the exit code (its message is on stderr). */
export type ServerAnswer = { body: Record<string, unknown> } | { exitCode: number };

/**
 * One call of the admin API at `base` with the token; undefined when nothing listens there. A refusal prints the
 * server's message and becomes exit code 2 for a 400 (the request was wrong), 1 otherwise.
 */
export async function callServer(
  command: string,
  base: string,
  token: string | undefined,
  pathAndQuery: string,
  init: { method?: string; json?: unknown } = {},
): Promise<ServerAnswer | undefined> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  let res: Response;
  try {
    res = await fetch(`${base}${pathAndQuery}`, {
      method: init.method ?? 'GET',
      headers: init.json === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
    });
  } catch {
    return undefined;
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (res.ok) return { body };
  const error = body.error as { message?: string } | undefined;
  process.stderr.write(`sightline ${command}: ${base} answered ${res.status}: ${error?.message ?? ''}\n`);
  return { exitCode: res.status === 400 ? 2 : 1 };
}
