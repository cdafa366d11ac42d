/**
 * Lookups by a list of keys (`x IN {keys:Array(T)}`): query parameters travel in the URL, and a ClickHouse server
 * (or the compatible endpoint) refuses URLs over 1 MiB — a batch caught up after an outage holds tens of thousands
 * of keys (an event id is ~45 bytes there). So the list goes in slices, and the rows of every slice are returned.
 */
import type { QueryParams, Store } from './store.ts';

export const KEYS_PER_LOOKUP = 5_000;

export async function queryByKeys<T>(
  store: Store,
  sql: string,
  params: QueryParams,
  keysParam: string,
  keys: readonly string[],
): Promise<T[]> {
  const rows: T[] = [];
  for (let at = 0; at < keys.length; at += KEYS_PER_LOOKUP)
    rows.push(
      ...(await store.query<T>(sql, { ...params, [keysParam]: keys.slice(at, at + KEYS_PER_LOOKUP) })),
    );
  return rows;
}
