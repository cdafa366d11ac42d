/**
 * Maxwell's JSON output, the one shape every CDC source speaks here: `{database, table, type, ts, xid, xoffset?,
 * commit?, data, old?, position?, primary_key?, server_id?}` with `type` insert/update/delete (plus Maxwell's
 * bootstrap and DDL messages). https://maxwells-daemon.io/dataformat/
 */
import type { FieldProblem } from '../contract/field-problem.ts';

export const CHANGE_TYPES = [
  'insert',
  'update',
  'delete',
  'bootstrap-start',
  'bootstrap-insert',
  'bootstrap-complete',
  'table-create',
  'table-alter',
  'table-drop',
  'database-create',
  'database-alter',
  'database-drop',
] as const;

export interface DbChangeRow {
  received_at: string;
  project: string;
  database: string;
  table: string;
  type: string;
  ts: number;
  xid: number;
  xoffset: number;
  commit: boolean;
  data: string;
  old: string;
  primary_key: string;
  position: string;
  server_id: number;
}

const MAX_UINT32 = 4_294_967_295;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Problems of one message (empty when usable). */
export function checkMaxwellMessage(m: unknown, index?: number): FieldProblem[] {
  if (!isObject(m)) return [{ index, field: '(message)', message: 'must be a JSON object' }];
  const problems: FieldProblem[] = [];
  const need = (field: string, ok: boolean, message: string) => {
    if (!ok) problems.push({ index, field, message });
  };
  const ddl = typeof m.type === 'string' && /^(table|database)-/.test(m.type);
  need('database', typeof m.database === 'string' && m.database !== '', 'is required (a string)');
  if (!ddl) need('table', typeof m.table === 'string' && m.table !== '', 'is required (a string)');
  need(
    'type',
    CHANGE_TYPES.includes(m.type as (typeof CHANGE_TYPES)[number]),
    `must be one of ${CHANGE_TYPES.join(', ')}`,
  );
  // The column is a DateTime: seconds up to 2106-02-07.
  need(
    'ts',
    typeof m.ts === 'number' && m.ts >= 0 && m.ts <= MAX_UINT32,
    'is required (epoch seconds, up to 4294967295)',
  );
  if (m.data !== undefined) need('data', isObject(m.data), 'must be an object');
  if (m.old !== undefined) need('old', isObject(m.old), 'must be an object');
  return problems;
}

/** Splits a body: one message, a JSON array, or JSON lines. */
export function splitMaxwellBody(text: string): { messages: unknown[]; bad: FieldProblem[] } {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || !trimmed.includes('\n')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return { messages: Array.isArray(parsed) ? parsed : [parsed], bad: [] };
    } catch (err) {
      return {
        messages: [],
        bad: [{ field: '(body)', message: `not valid JSON: ${(err as Error).message}` }],
      };
    }
  }
  const messages: unknown[] = [];
  const bad: FieldProblem[] = [];
  trimmed.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      messages.push(JSON.parse(line));
    } catch (err) {
      bad.push({
        index: i,
        field: '(line)',
        message: `line ${i + 1} is not valid JSON: ${(err as Error).message}`,
      });
    }
  });
  return { messages, bad };
}

/** An unsigned column's value: a whole number within the column, else 0 (the store refuses negatives). */
const unsigned = (v: unknown, max: number) =>
  Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max ? (v as number) : 0;

export function toDbChangeRow(m: Record<string, unknown>, project: string, receivedAt: string): DbChangeRow {
  const json = (v: unknown) => (isObject(v) || Array.isArray(v) ? JSON.stringify(v) : '');
  return {
    received_at: receivedAt,
    project,
    database: String(m.database),
    table: String(m.table ?? ''),
    type: String(m.type),
    ts: Math.floor(Number(m.ts)),
    xid: unsigned(m.xid, Number.MAX_SAFE_INTEGER),
    xoffset: unsigned(m.xoffset, MAX_UINT32),
    commit: m.commit === true,
    data: json(m.data) || (typeof m.sql === 'string' ? JSON.stringify({ sql: m.sql }) : ''),
    old: json(m.old),
    primary_key: json(m.primary_key),
    position: typeof m.position === 'string' ? m.position : '',
    server_id: unsigned(m.server_id, MAX_UINT32),
  };
}
