/** The API's JSON, explore (src/query/explore.routes.ts): types only (see ../api-types.ts). */

export interface ExploreResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  truncated: boolean;
  max_rows: number;
  elapsed_ms: number;
}

export interface ChartSpec {
  kind: 'table' | 'line' | 'bar' | 'area' | 'pie';
  x?: string;
  y?: string[];
}

export interface SavedQuery {
  id: string;
  name: string;
  sql: string;
  /** A ChartSpec as the dashboard saved it; the API stores it unchecked. */
  chart: unknown;
  created_by: string;
  updated_at: string;
}
