/** A place in a MySQL/MariaDB binary log: file name and byte offset, written `binlog.000001:1234` as Maxwell does. */

export interface BinlogPosition {
  file: string;
  position: number;
  /**
   * The GTID of the last transaction up to here, when the server logs them (MariaDB `domain-server-seq`, MySQL
   * `uuid:n`). Kept in the checkpoint for operators (a replica's `gtid_slave_pos` after a failover); the agent
   * itself resumes by file and offset.
   */
  gtid?: string;
}

export class PositionSyntaxError extends Error {}

export function formatPosition(p: BinlogPosition): string {
  return `${p.file}:${p.position}`;
}

/** Parses `file:position` (the form `SHOW MASTER STATUS` and the agent's messages use). */
export function parsePosition(text: string): BinlogPosition {
  const colon = text.lastIndexOf(':');
  const file = text.slice(0, colon).trim();
  const position = Number(text.slice(colon + 1));
  if (colon <= 0 || file === '' || !Number.isSafeInteger(position) || position < 4)
    throw new PositionSyntaxError(
      `"${text}" is not a binlog position: write FILE:OFFSET as SHOW MASTER STATUS shows it, e.g. mysql-bin.000042:1234 (offsets start at 4)`,
    );
  return { file, position };
}

/**
 * Orders two positions. Binlog files are numbered with a zero-padded suffix (`binlog.000009` < `binlog.000010`),
 * so the numeric suffix decides between files of one server; the offset decides within a file.
 */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  if (a.file !== b.file) {
    const na = Number(a.file.slice(a.file.lastIndexOf('.') + 1));
    const nb = Number(b.file.slice(b.file.lastIndexOf('.') + 1));
    if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
    return a.file < b.file ? -1 : 1;
  }
  return a.position - b.position;
}
