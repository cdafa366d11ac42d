/**
 * Defence in depth, so one record can never hold a log back: when a group's conversion, or one table's insert,
 * fails for a reason other than the store being unavailable, the work is split in halves and retried until the
 * records (or rows) that fail on their own are found; those are handed back to be quarantined as dead letters.
 *
 * A split depends only on the input and on which parts fail, so a re-delivered batch splits the same way: merged
 * conversions keep the group's insert tokens, and split inserts get tokens derived from the block's own
 * (`<token>/0`, `<token>/1`, …), identical on every retry. A store outage is never split: it throws, and the log
 * retries the batch as before.
 */
import type { LogRecord } from '../log/event-log.ts';
import { StoreError } from '../store/errors.ts';
import type { InsertOptions } from '../store/store.ts';

/** Rows per table, in insert order (the shape every consumer's converter returns), and how the store takes them. */
export type TableRows = Array<{ table: string; rows: readonly object[]; insert?: InsertOptions }>;
/**
 * Where a group sits in the log: its insert token (without the table) and whether it may be stored already. A
 * split part gets a token of its own (`<token>/0`, `/1`, …), as deterministic as the split.
 */
export interface GroupContext {
  token: string;
  redelivery: boolean;
}
export type GroupConverter = (records: readonly LogRecord[], context: GroupContext) => Promise<TableRows>;

/** Whether a failure is the store being unavailable (retry everything later) rather than something in the input. */
export function isStoreOutage(err: unknown): boolean {
  return err instanceof StoreError && err.code !== 'STORE_ERR_REJECTED';
}

/** `right` appended to `left`, table by table, each table where it first appears. */
export function mergeTableRows(left: TableRows, right: TableRows): TableRows {
  const byTable = new Map<string, { table: string; rows: object[]; insert?: InsertOptions }>();
  for (const { table, rows, insert } of [...left, ...right]) {
    const entry = byTable.get(table);
    if (entry) entry.rows.push(...rows);
    else byTable.set(table, { table, rows: [...rows], ...(insert ? { insert } : {}) });
  }
  return [...byTable.values()];
}

/** Called before a failing part is split (for logs and metrics). */
export type OnSplit = (size: number, err: unknown) => void;

/** Converts `records`; a failing group is bisected and a record that fails alone is replaced by `alone`'s rows. */
export async function convertIsolating(
  records: readonly LogRecord[],
  context: GroupContext,
  convert: GroupConverter,
  alone: (record: LogRecord, err: unknown) => TableRows,
  onSplit?: OnSplit,
): Promise<TableRows> {
  try {
    return await convert(records, context);
  } catch (err) {
    if (isStoreOutage(err)) throw err;
    if (records.length <= 1) return records.length === 1 ? alone(records[0], err) : [];
    onSplit?.(records.length, err);
    const middle = Math.ceil(records.length / 2);
    const part = (n: number) => ({ ...context, token: `${context.token}/${n}` });
    const left = await convertIsolating(records.slice(0, middle), part(0), convert, alone, onSplit);
    const right = await convertIsolating(records.slice(middle), part(1), convert, alone, onSplit);
    return mergeTableRows(left, right);
  }
}

/** Inserts `rows` as one block; a refused block is bisected (tokens `<token>/0`, `/1`) down to the rows refused alone. */
export async function insertIsolating(
  rows: readonly object[],
  token: string,
  insert: (rows: readonly object[], token: string) => Promise<void>,
  alone: (row: object, err: unknown) => void,
  onSplit?: OnSplit,
): Promise<void> {
  try {
    await insert(rows, token);
  } catch (err) {
    if (isStoreOutage(err)) throw err;
    if (rows.length <= 1) {
      if (rows.length === 1) alone(rows[0], err);
      return;
    }
    onSplit?.(rows.length, err);
    const middle = Math.ceil(rows.length / 2);
    await insertIsolating(rows.slice(0, middle), `${token}/0`, insert, alone, onSplit);
    await insertIsolating(rows.slice(middle), `${token}/1`, insert, alone, onSplit);
  }
}
