/** The API's JSON, logs and database changes (src/query/logs-changes.routes.ts): types only (see ../api-types.ts). */

export interface LogLine {
  timestamp: string;
  level: string;
  service: string;
  host: string;
  message: string;
  source: string;
  attributes: Record<string, string>;
}

export interface LogVolume {
  levels: string[];
  results: Array<{ date: string; counts: Record<string, number> }>;
}

export interface ChangeRate {
  database: string;
  table: string;
  inserts: number;
  updates: number;
  deletes: number;
  per_minute: number;
  last_change: string;
}

export interface Change {
  ts: string;
  database: string;
  table: string;
  type: string;
  xid: number;
  /** The row after the change (null for a delete) and before it (null for an insert), as the agent sent them. */
  data: unknown;
  old: unknown;
  position: string;
  /** One change per row (`per=row`): the row's key and its number of changes in the period. */
  primary_key?: unknown;
  versions?: number;
}
