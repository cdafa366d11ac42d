/**
 * What the ClickHouse-compatible endpoint needs to know about a statement before running it: does it write, which
 * output format does it name, does it reach outside the store. A light reading of the text — not a parser — so
 * anything it cannot place is treated as a write.
 */

const READS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN']);
/** Table functions that read files, other servers or run programs: never through a read-only endpoint. */
const OUTSIDE =
  /\b(file|url|s3|s3Cluster|gcs|azureBlobStorage|hdfs|remote|remoteSecure|cluster|clusterAllReplicas|mysql|postgresql|mongodb|redis|sqlite|jdbc|odbc|executable|input|deltaLake|hudi|iceberg)\s*\(/i;

/** The statement without leading comments, whitespace and opening parentheses. */
function head(sql: string): string {
  let s = sql;
  for (;;) {
    const before = s;
    s = s
      .replace(/^\s+/, '')
      .replace(/^--[^\n]*\n?/, '')
      .replace(/^\/\*[\s\S]*?\*\//, '')
      .replace(/^\(/, '');
    if (s === before) return s;
  }
}

export function firstKeyword(sql: string): string {
  return /^[A-Za-z]+/.exec(head(sql))?.[0]?.toUpperCase() ?? '';
}

export function isRead(sql: string): boolean {
  return READS.has(firstKeyword(sql));
}

export function reachesOutside(sql: string): boolean {
  return OUTSIDE.test(sql);
}

/** The FORMAT a statement names at its end (`… FORMAT JSONEachRow`), if any. */
export function namedFormat(sql: string): string | undefined {
  return /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(sql)?.[1];
}

/** More than one statement (a `;` before the end). Data after `INSERT … FORMAT` is not looked at. */
export function isMultiStatement(sql: string): boolean {
  const trimmed = sql.trim().replace(/;\s*$/, '');
  // Remove quoted strings so a ';' inside a literal is not counted.
  return trimmed.replace(/'(?:[^'\\]|\\.)*'/g, "''").includes(';');
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
