/**
 * Row changes → Maxwell's JSON, value for value as Maxwell writes them (https://maxwells-daemon.io/dataformat/), so
 * anything that consumes Maxwell consumes this agent:
 *
 * `{"database","table","type","ts","xid","xoffset","commit","position","server_id","primary_key",
 *   "primary_key_columns","data","old"}`
 *
 * - `ts` in seconds; `commit: true` on the last row of a transaction; `old` only on updates and only with the
 *   columns that changed (their previous values); `data` keeps NULL columns.
 * - Values: DATE `YYYY-MM-DD`, DATETIME/TIMESTAMP `YYYY-MM-DD HH:MM:SS[.ffffff]` (TIMESTAMP in UTC), TIME
 *   `HH:MM:SS`, DECIMAL as a JSON number with its exact digits, BIGINT exact (also past 2^53), BIT(1) a boolean and
 *   wider BITs a number, SET an array of strings, JSON columns as JSON values (MariaDB's JSON alias included),
 *   BLOB/BINARY/VARBINARY base64.
 * - Differences from Maxwell, both additive: `xoffset` (the row's index in its transaction) is written on the commit
 *   row too, because `db_changes` orders a transaction's rows by it; bootstrap messages carry it as their running
 *   number for the same reason.
 */

/** A column as the row decoder and the snapshot see it: MySQL's COLUMN_TYPE, lower case (`decimal(10,2)`). */
export interface ColumnInfo {
  type: string;
  /** A JSON column: MySQL's JSON type, or a MariaDB LONGTEXT with a json_valid() check. */
  json: boolean;
}

export type ColumnMap = ReadonlyMap<string, ColumnInfo>;

// JSON.rawJSON writes a numeral exactly as given (Node ≥ 21); TypeScript's ES2024 library does not declare it yet.
const rawJSON = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
const NUMERAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** A decimal or 64-bit integer as a JSON number with exactly these digits (`19.90`, `18446744073709551615`). */
function exactNumber(text: string): unknown {
  if (!NUMERAL.test(text)) return text;
  const n = Number(text);
  if (Number.isSafeInteger(n) && !text.includes('.')) return n;
  return rawJSON ? rawJSON(text) : n;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function utcDateTime(d: Date): string {
  const ms = d.getUTCMilliseconds();
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}`;
}

function bitsOf(type: string): number {
  const m = /^bit\((\d+)\)/.exec(type);
  return m ? Number(m[1]) : 1;
}

function bufferToUnsigned(buffer: Buffer): bigint {
  let n = 0n;
  for (const byte of buffer) n = (n << 8n) | BigInt(byte);
  return n;
}

function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // Not valid JSON after all (e.g. a check added after the data was written): keep the text rather than lose it.
    return text;
  }
}

/** Values whose type is not known (a column the schema cache has not seen yet): by their JavaScript shape. */
function genericValue(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return exactNumber(value.toString());
  if (value instanceof Date) return utcDateTime(value);
  return value;
}

export function formatValue(value: unknown, column: ColumnInfo | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (!column) return genericValue(value);
  const base = column.type.split(/[\s(]/, 1)[0];
  if (column.json || base === 'json') {
    if (typeof value === 'string') return parseJsonText(value);
    if (Buffer.isBuffer(value)) return parseJsonText(value.toString('utf8'));
    return value;
  }
  switch (base) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'decimal':
    case 'numeric':
      if (typeof value === 'string') return exactNumber(value);
      if (typeof value === 'bigint') return exactNumber(value.toString());
      return value;
    case 'bit': {
      if (!Buffer.isBuffer(value)) return value;
      const n = bufferToUnsigned(value);
      if (bitsOf(column.type) === 1) return n === 1n;
      return exactNumber(n.toString());
    }
    case 'set':
      if (typeof value !== 'string') return value;
      return value === '' ? [] : value.split(',');
    case 'date':
      return value instanceof Date ? utcDateTime(value).slice(0, 10) : value;
    default:
      return genericValue(value);
  }
}

export type ChangeType = 'insert' | 'update' | 'delete' | 'bootstrap-insert';

export interface RowChange {
  type: ChangeType;
  database: string;
  table: string;
  /** Seconds since the epoch (the binlog event's time). */
  ts: number;
  /** The row after the change (before it, for deletes), as decoded. */
  data: Record<string, unknown>;
  /** Updates: the row before the change. */
  before?: Record<string, unknown>;
  columns: ColumnMap;
  primaryKey: readonly string[];
}

export interface TransactionMeta {
  /** InnoDB's transaction id from the commit event (absent for non-transactional tables). */
  xid?: number | string;
  /** `file:offset` right after the transaction's commit: where a reader resumes after it. */
  position: string;
  serverId?: number;
}

/** Whether a column is dropped (the --exclude-columns list). */
export type ColumnDropper = (database: string, table: string, column: string) => boolean;

function formatImage(change: RowChange, image: Record<string, unknown>, drop: ColumnDropper | undefined) {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(image)) {
    if (drop?.(change.database, change.table, name)) continue;
    out[name] = formatValue(value, change.columns.get(name));
  }
  return out;
}

/**
 * The Maxwell message (as an object in Maxwell's key order) for each row of one transaction; the last one carries
 * `commit: true`.
 */
export function transactionMessages(
  rows: readonly RowChange[],
  meta: TransactionMeta,
  drop?: ColumnDropper,
): Record<string, unknown>[] {
  return rows.map((change, xoffset) => {
    const data = formatImage(change, change.data, drop);
    let old: Record<string, unknown> | undefined;
    if (change.type === 'update' && change.before) {
      const before = formatImage(change, change.before, drop);
      for (const [name, value] of Object.entries(before))
        if (JSON.stringify(value) !== JSON.stringify(data[name])) {
          old ??= {};
          old[name] = value;
        }
    }
    const message: Record<string, unknown> = {
      database: change.database,
      table: change.table,
      type: change.type,
      ts: change.ts,
    };
    if (meta.xid !== undefined) message.xid = typeof meta.xid === 'string' ? exactNumber(meta.xid) : meta.xid;
    message.xoffset = xoffset;
    if (xoffset === rows.length - 1) message.commit = true;
    message.position = meta.position;
    if (meta.serverId !== undefined) message.server_id = meta.serverId;
    const key = change.primaryKey.filter((c) => !drop?.(change.database, change.table, c));
    if (key.length > 0) {
      message.primary_key = key.map((c) => data[c] ?? null);
      message.primary_key_columns = key;
    }
    message.data = data;
    if (old) message.old = old;
    return message;
  });
}

/** A snapshot row (`bootstrap-insert`), numbered within its bootstrap so db_changes keeps their order. */
export function bootstrapMessage(
  change: RowChange,
  seq: number,
  position: string,
  drop?: ColumnDropper,
): Record<string, unknown> {
  const [message] = transactionMessages([change], { position }, drop);
  delete message.commit;
  message.xoffset = seq;
  return message;
}

/** `bootstrap-start` / `bootstrap-complete`: the brackets around a table's snapshot, with an empty `data`. */
export function bootstrapMarker(
  type: 'bootstrap-start' | 'bootstrap-complete',
  database: string,
  table: string,
  ts: number,
  seq: number,
  position: string,
): Record<string, unknown> {
  return { database, table, type, ts, xoffset: seq, position, data: {} };
}

const DDL =
  /^\s*(CREATE|ALTER|DROP)\s+(?:TEMPORARY\s+)?(TABLE|DATABASE|SCHEMA)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(.+)/is;
const RENAME = /^\s*RENAME\s+TABLE\s+(.+)/is;
const NAME = /^`?([^`.\s(]+)`?(?:\.`?([^`.\s(]+)`?)?/;

export interface DdlMessageInput {
  sql: string;
  /** The session's current schema when the statement ran (unqualified names belong to it). */
  schema: string;
  ts: number;
  position: string;
  serverId?: number;
}

/**
 * Maxwell's DDL messages (`table-create`, `table-alter`, `table-drop`, `database-*`) for schema statements, with
 * the statement in `sql`; undefined for anything else (GRANT, CREATE USER, CREATE INDEX …). Unlike Maxwell, no
 * `def`/`old` table definitions: the agent keeps no schema history.
 */
export function ddlMessage(input: DdlMessageInput): Record<string, unknown> | undefined {
  let verb: string;
  let kind: string;
  let rest: string;
  const ddl = DDL.exec(input.sql);
  const rename = ddl ? null : RENAME.exec(input.sql);
  if (ddl) [, verb, kind, rest] = ddl;
  else if (rename) [verb, kind, rest] = ['ALTER', 'TABLE', rename[1]];
  else return undefined;
  const name = NAME.exec(rest.trim());
  if (!name) return undefined;
  const isDatabase = kind.toUpperCase() !== 'TABLE';
  const database = isDatabase ? name[1] : name[2] ? name[1] : input.schema;
  const table = isDatabase ? undefined : (name[2] ?? name[1]);
  if (!database) return undefined;
  return {
    type: `${isDatabase ? 'database' : 'table'}-${verb.toLowerCase()}`,
    database,
    ...(table ? { table } : {}),
    ts: input.ts,
    position: input.position,
    ...(input.serverId !== undefined ? { server_id: input.serverId } : {}),
    sql: input.sql,
  };
}
