/**
 * What the ClickHouse-compatible endpoint runs for a request, decided on tokens (../sql-guard.ts): which statement,
 * with which data, on a read-only connection or not. Refusals are SqlRefused.
 *
 * - A read-only endpoint runs one read (checkRead: no SETTINGS, no host functions, no secret or private system
 *   tables) with the engine's `readonly = 1`, and takes no body beside `?query=`.
 * - A write-enabled endpoint runs reads on GET the same way (without the table checks: its user may read and write
 *   every table anyway), and on POST any one statement that does not reach outside the store. A body beside
 *   `?query=` is the data of an INSERT, never more SQL.
 */
import {
  checkRead,
  parseStatement,
  type QueryParamValues,
  refuseOutsideReach,
  SqlRefused,
  type Statement,
} from '../sql-guard.ts';

const READS = ['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN'];

export interface Plan {
  statement: Statement;
  /** Insert data to send after the statement. */
  data?: Buffer;
  /** Run with the engine's readonly = 1. */
  readonly: boolean;
}

export interface PlanRequest {
  sql: string;
  /** A body sent beside `?query=`. */
  body?: Buffer;
  params: QueryParamValues;
  /** The endpoint allows writes and this request may make them (POST). */
  mayWrite: boolean;
  /** The endpoint allows writes at all (its user is trusted with every table). */
  writesEnabled: boolean;
}

export function planRequest(request: PlanRequest): Plan {
  const { sql, body, params, mayWrite, writesEnabled } = request;
  if (!mayWrite) {
    const statement = writesEnabled ? parseStatement(sql) : checkRead(sql, { params });
    if (writesEnabled) {
      if (!READS.includes(statement.keyword) || statement.dataStart !== undefined)
        throw new SqlRefused(
          'READONLY',
          `Cannot execute ${statement.keyword} in readonly mode (writes need POST)`,
        );
      refuseOutsideReach(statement);
    }
    if (body)
      throw new SqlRefused(
        'READONLY',
        'a request body beside ?query= is INSERT data, and this request may not write; send the SQL in one place',
      );
    return { statement, readonly: true };
  }
  const statement = parseStatement(sql);
  refuseOutsideReach(statement);
  if (!body) return { statement, readonly: false };
  if (statement.keyword !== 'INSERT' || statement.dataStart !== undefined)
    throw new SqlRefused('SYNTAX', 'a request body beside ?query= is only taken as the data of an INSERT');
  // Values rows (an INSERT without FORMAT, or FORMAT Values) are expressions: read them as SQL too.
  if (statement.format === undefined || statement.format.toLowerCase() === 'values')
    refuseOutsideReach(parseStatement(`${statement.sql}\n${body.toString('utf8')}`));
  return { statement, data: body, readonly: false };
}

export const CONTENT_TYPES: Record<string, string> = {
  JSON: 'application/json; charset=UTF-8',
  JSONCompact: 'application/json; charset=UTF-8',
  JSONEachRow: 'application/x-ndjson; charset=UTF-8',
  JSONCompactEachRow: 'application/x-ndjson; charset=UTF-8',
  CSV: 'text/csv; charset=UTF-8; header=absent',
  CSVWithNames: 'text/csv; charset=UTF-8; header=present',
  Native: 'application/octet-stream',
  RowBinary: 'application/octet-stream',
  RowBinaryWithNamesAndTypes: 'application/octet-stream',
  Parquet: 'application/octet-stream',
  Arrow: 'application/octet-stream',
};
