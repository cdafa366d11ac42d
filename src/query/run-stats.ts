/** Every read query of the stats and read APIs runs within the request's time budget, on the request's store. */
import type { LateStatement, QueryParams, Store } from '../store/store.ts';

export interface QueryBudget {
  store: Store;
  /** Past it the query fails with STORE_ERR_TIMEOUT (the API's `504`, `QUERY_ERR_TIMEOUT`). */
  timeoutMs: number;
}

export function runStats<T>(
  q: QueryBudget,
  sql: string | LateStatement,
  params: QueryParams = {},
): Promise<T[]> {
  return q.store.query<T>(sql, params, { timeoutMs: q.timeoutMs });
}
