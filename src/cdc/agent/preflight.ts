/**
 * Checks the database before reading: reachable with these credentials, binary log on, ROW format with full row
 * images, a server_id that differs from ours. Each problem comes back as the setting to change, because a wrong
 * setting otherwise shows up much later as missing or half-empty changes.
 */
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../../observe/logger.ts';
import { describeMysqlError, type MysqlTarget } from './mysql-connection.ts';

export class PreflightError extends Error {}

export interface ServerFacts {
  version: string;
  mariadb: boolean;
  serverId: number;
  rowMetadata?: string;
}

export async function preflight(
  pool: Pool,
  target: MysqlTarget,
  replicaServerId: number,
  logger: Logger,
): Promise<ServerFacts> {
  let row: RowDataPacket;
  try {
    [[row]] = await pool.query<RowDataPacket[]>(
      `SELECT VERSION() AS version, @@server_id AS serverId, @@log_bin AS logBin,
              @@binlog_format AS format, @@binlog_row_image AS rowImage`,
    );
  } catch (err) {
    throw new PreflightError(describeMysqlError(err, target));
  }
  let rowMetadata: string | undefined;
  try {
    const [[meta]] = await pool.query<RowDataPacket[]>('SELECT @@binlog_row_metadata AS v');
    rowMetadata = String(meta.v).toUpperCase();
  } catch {
    // Older than MySQL 8.0.1 / MariaDB 10.5: the variable does not exist, column names come from the schema.
  }
  const facts: ServerFacts = {
    version: String(row.version),
    mariadb: /mariadb/i.test(String(row.version)),
    serverId: Number(row.serverId),
    rowMetadata,
  };
  const problems: string[] = [];
  if (Number(row.logBin) !== 1)
    problems.push(
      'binary logging is off: start the server with log_bin (e.g. log_bin = mysql-bin in my.cnf, then restart)',
    );
  const format = String(row.format).toUpperCase();
  if (format !== 'ROW')
    problems.push(
      `binlog_format is ${format}: the agent reads row images only — set binlog_format = ROW in my.cnf (and SET GLOBAL binlog_format = 'ROW' for the running server; sessions already open keep the old format)`,
    );
  const image = String(row.rowImage).toUpperCase();
  if (image !== 'FULL')
    problems.push(
      `binlog_row_image is ${image}: set binlog_row_image = FULL, so every change carries the whole row (data) and the whole previous row (old)`,
    );
  if (facts.serverId === 0)
    problems.push(
      'the database has server_id 0, which refuses replicas: set server_id (any unique number) in my.cnf',
    );
  else if (facts.serverId === replicaServerId)
    problems.push(
      `--server-id ${replicaServerId} is the database's own server_id: pick another number, unique among its replicas`,
    );
  if (problems.length > 0)
    throw new PreflightError(
      `the database at ${target.host}:${target.port} is not ready for change capture:\n  - ${problems.join('\n  - ')}\n(see docs/cdc.md)`,
    );
  if (rowMetadata !== undefined && rowMetadata !== 'FULL')
    logger.warn(
      { binlog_row_metadata: rowMetadata },
      'binlog_row_metadata is not FULL: column names come from the current schema, so rows written before an ALTER TABLE that is already applied may be named after the new layout; set binlog_row_metadata = FULL (my.cnf and SET GLOBAL) to have every event name its columns',
    );
  return facts;
}
