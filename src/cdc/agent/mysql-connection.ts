/** The database the agent reads: `--mysql mysql://user@host:port`, and MySQL's errors turned into fixes. */
import mysql from 'mysql2/promise';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export class MysqlUrlError extends Error {}

export function parseMysqlUrl(text: string, password: string | undefined): MysqlTarget {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `mysql://${text}`);
  } catch {
    throw new MysqlUrlError(
      `--mysql "${text}" is not a URL: write mysql://USER@HOST:PORT (the password in SIGHTLINE_CDC_MYSQL_PASSWORD)`,
    );
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:')
    throw new MysqlUrlError(`--mysql must start with mysql:// (got ${url.protocol}//)`);
  if (!url.username)
    throw new MysqlUrlError(
      `--mysql "${text}" names no user: write mysql://USER@HOST:PORT, with a replication user (see docs/cdc.md)`,
    );
  const port = url.port ? Number(url.port) : 3306;
  return {
    host: url.hostname || '127.0.0.1',
    port,
    user: decodeURIComponent(url.username),
    // A password in the URL works, but shows in `ps`; the environment variable wins.
    password: password ?? decodeURIComponent(url.password),
  };
}

/**
 * Options shared by the binlog connection and the query pool. Dates stay strings (a DATETIME has no time zone to
 * convert), TIMESTAMPs are read in UTC, big integers and decimals arrive as exact strings.
 */
export function connectionOptions(target: MysqlTarget): mysql.ConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    dateStrings: true,
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: true,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
  };
}

export function createQueryPool(target: MysqlTarget): mysql.Pool {
  return mysql.createPool({
    ...connectionOptions(target),
    connectionLimit: 2,
    maxIdle: 1,
    idleTimeout: 60_000,
    enableKeepAlive: true,
  });
}

interface MysqlError extends Error {
  code?: string;
  errno?: number;
}

/** A MySQL or network error as a sentence that names the setting to fix. */
export function describeMysqlError(err: unknown, target: MysqlTarget): string {
  const e = err as MysqlError;
  const where = `${target.host}:${target.port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot connect to MySQL at ${where} (connection refused): is the server running and listening there? (--mysql)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the MySQL host "${target.host}" (--mysql)`;
    case 'ETIMEDOUT':
      return `no answer from MySQL at ${where} within 10 s (firewall? wrong host in --mysql?)`;
    case 'ER_ACCESS_DENIED_ERROR':
      return `MySQL refused user '${target.user}' at ${where}: wrong password (SIGHTLINE_CDC_MYSQL_PASSWORD) or no account for this client's host — ${e.message}`;
    case 'ER_SPECIFIC_ACCESS_DENIED_ERROR':
    case 'ER_TABLEACCESS_DENIED_ERROR':
    case 'ER_DBACCESS_DENIED_ERROR':
      return `user '${target.user}' lacks a privilege the agent needs (${e.message}); grant it: GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '${target.user}'@'<agent host>'`;
  }
  if (e.errno === 1236)
    return `the database cannot send the binlog from the agent's position (${e.message}). If that binlog file was purged, the changes in it are gone: start again from the current end (move the state folder's checkpoint.json away) and bootstrap the tables (--bootstrap db.table)`;
  return e.message || String(err);
}

/** The database cannot serve the binlog from the agent's position (purged, or from another server). */
export class BinlogUnavailableError extends Error {}

/** Errors that retrying cannot fix. */
export function isPermanentBinlogError(err: unknown): boolean {
  return (err as MysqlError).errno === 1236;
}

interface StatusRow {
  File?: string;
  Position?: number | string;
}

/** The end of the binlog now (`SHOW MASTER STATUS`, renamed `SHOW BINARY LOG STATUS` in MySQL 8.4). */
export async function currentBinlogEnd(
  conn: Pick<mysql.Connection, 'query'>,
): Promise<{ file: string; position: number } | undefined> {
  let rows: StatusRow[];
  try {
    [rows] = (await conn.query('SHOW MASTER STATUS')) as unknown as [StatusRow[]];
  } catch (err) {
    if ((err as MysqlError).code !== 'ER_PARSE_ERROR') throw err;
    [rows] = (await conn.query('SHOW BINARY LOG STATUS')) as unknown as [StatusRow[]];
  }
  const row = rows[0];
  return row?.File ? { file: row.File, position: Number(row.Position) } : undefined;
}
