/**
 * A private MariaDB from Debian's package for tests: its own data folder, socket and free port, the binary log on
 * in row format (what the CDC agent reads), a `cdc` replication user, stopped and removed by `stop()`.
 *
 * Nothing is shared with a system MariaDB or with other tests: `--no-defaults` keeps /etc/mysql out, and every
 * path lives in a fresh temporary folder.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from './free-port.ts';
import { tempDir } from './temp-dir.ts';

export const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';

export const CDC_USER = 'cdc';
export const CDC_PASSWORD = 'cdc-test-password';

export interface MariaDbOptions {
  /** `binlog_row_metadata`: MariaDB's default NO_LOG, or FULL (column names in every table map event). */
  binlogRowMetadata?: 'NO_LOG' | 'MINIMAL' | 'FULL';
  serverId?: number;
}

export interface MariaDb {
  port: number;
  socket: string;
  dir: string;
  /** `mysql://cdc@127.0.0.1:PORT` — the agent's `--mysql` (password in CDC_PASSWORD). */
  cdcUrl: string;
  /** A root connection for the test's own SQL (multiple statements allowed). */
  root: mysql.Connection;
  /** Opens another root connection (e.g. one that sets its own session timestamp). */
  connect: () => Promise<mysql.Connection>;
  /** The current end of the binary log, as `file:position`. */
  binlogEnd: () => Promise<string>;
  /** The server's error log, for failure messages. */
  errorLog: () => string;
  stop: () => Promise<void>;
}

function mustExist(file: string): void {
  if (!fs.existsSync(file))
    throw new Error(
      `${file} is missing: install Debian's MariaDB server once (apt-get install -y mariadb-server; npm test does it)`,
    );
}

async function waitForSocket(socket: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`mariadbd exited (${child.exitCode}) while starting:\n${log()}`);
    try {
      const c = await mysql.createConnection({ socketPath: socket, user: 'root' });
      await c.end();
      return;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mariadbd not accepting connections after 30 s (${last}):\n${log()}`);
}

export async function startMariaDb(options: MariaDbOptions = {}): Promise<MariaDb> {
  mustExist(MARIADBD);
  mustExist(INSTALL_DB);
  const { dir, cleanup } = tempDir('mariadb');
  const data = path.join(dir, 'data');
  const socket = path.join(dir, 'mysqld.sock');
  const errorLogFile = path.join(dir, 'error.log');
  // mariadbd refuses to run as root unless told which user to be; as anyone else it must be that user.
  const user = os.userInfo().username;
  const install = spawnSync(
    INSTALL_DB,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--user=${user}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) {
    cleanup();
    throw new Error(`mariadb-install-db failed:\n${install.stdout}\n${install.stderr}`);
  }
  const port = await freePort();
  const child = spawn(
    MARIADBD,
    [
      '--no-defaults',
      `--datadir=${data}`,
      `--socket=${socket}`,
      `--port=${port}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${path.join(dir, 'mysqld.pid')}`,
      `--log-error=${errorLogFile}`,
      `--user=${user}`,
      `--log-bin=${path.join(data, 'binlog')}`,
      '--binlog-format=ROW',
      '--binlog-row-image=FULL',
      `--binlog-row-metadata=${options.binlogRowMetadata ?? 'NO_LOG'}`,
      `--server-id=${options.serverId ?? 1}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=32M',
      // Tests need speed, not crash safety of the database itself.
      '--innodb-flush-log-at-trx-commit=2',
      '--sync-binlog=0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const errorLog = () => {
    try {
      return `${fs.readFileSync(errorLogFile, 'utf8').split('\n').slice(-30).join('\n')}${stderr}`;
    } catch {
      return stderr;
    }
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopServer = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  try {
    await waitForSocket(socket, child, errorLog);
  } catch (err) {
    await stopServer();
    cleanup();
    throw err;
  }

  const connect = () =>
    mysql.createConnection({ socketPath: socket, user: 'root', multipleStatements: true, dateStrings: true });
  const root = await connect();
  // MariaDB may ship an anonymous ''@'localhost' account, which matches before 'cdc'@'%' for local clients (the
  // more specific host wins): the user is created for each local host name too.
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await root.query(`CREATE USER '${CDC_USER}'@'${host}' IDENTIFIED BY '${CDC_PASSWORD}'`);
    await root.query(`GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT ON *.* TO '${CDC_USER}'@'${host}'`);
  }

  return {
    port,
    socket,
    dir,
    cdcUrl: `mysql://${CDC_USER}@127.0.0.1:${port}`,
    root,
    connect,
    binlogEnd: async () => {
      const [rows] = await root.query('SHOW MASTER STATUS');
      const status = (rows as Array<{ File: string; Position: number }>)[0];
      return `${status.File}:${status.Position}`;
    },
    errorLog,
    stop: async () => {
      await root.end().catch(() => undefined);
      await stopServer();
      cleanup();
    },
  };
}
