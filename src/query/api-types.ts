/**
 * The JSON the HTTP API answers with, as types only: the routes check their answers against them (`satisfies`)
 * and the dashboard (src/dashboard/ui, whose tsconfig includes this file) reads them, so the two cannot drift.
 * No imports and no runtime code: the UI compiles this file with the browser's libraries only.
 */

/** `{ results: [...] }`, the shape of every list the API answers with. */
export interface Results<T> {
  results: T[];
}

// --- logins (src/dashboard/auth.routes.ts) ---

export interface Me {
  email: string;
  name: string;
  admin: boolean;
  projects: string[];
  /** Projects this account is admin of (their goals and saved funnels), when it is not admin of every one. */
  admin_of?: string[];
  /** Sites that report in a zone of their own (project → IANA zone). */
  time_zones?: Record<string, string>;
  shared?: boolean;
}

export interface Account {
  email: string;
  name: string;
  roles: Record<string, string>;
  invited: boolean;
  /** While invited: when the invitation link stops working. */
  invitation_expires?: string;
}

// --- stats (src/query/stats.routes.ts) ---

export interface MetricNumbers {
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  views_per_visit: number;
  /** Percent of visits with one pageview and nothing else. */
  bounce_rate: number;
  /** Mean seconds from a visit's first to its last event. */
  visit_duration: number;
  /** Present when the project has goals: visitors who reached one, and their share of all visitors (percent). */
  conversions?: number;
  conversion_rate?: number;
}

export interface Overview extends MetricNumbers {
  comparison?: { results: MetricNumbers; change: Record<string, number | null> };
  /** Share of visitors read when the range was sampled (0.1 = a tenth); absent when exact. */
  sampled?: number;
}

export interface TimePoint extends MetricNumbers {
  date: string;
}

/** A breakdown row: one value of a dimension with its metrics (`metrics=counts`: the counts only). */
export interface BreakdownRow extends Partial<MetricNumbers> {
  value: string;
}

export interface Extent {
  count: number;
  first: string | null;
  last: string | null;
}

export interface Realtime {
  visitors: number;
  minutes: Array<{ minute: string; events: number; visitors: number }>;
  pages: Array<{ value: string; visitors: number }>;
  sources: Array<{ value: string; visitors: number }>;
}

export interface Cohort {
  cohort: string;
  visitors: number;
  periods: Array<{ period: number; visitors: number; percentage: number }>;
}

export interface FunnelResult {
  window_seconds: number;
  steps: Array<{
    step: number;
    label: string;
    visitors: number;
    /** Percent of the first step's visitors. */
    conversion_rate: number;
    /** Percent of the previous step's visitors who got here. */
    conversion_rate_step: number;
    dropoff: number;
  }>;
}

// --- people (src/query/stats.routes.ts: users, events) ---

export interface User {
  user_id: string;
  first_seen: string;
  last_seen: string;
  events: number;
  sessions: number;
  country: string;
  device: string;
  browser: string;
  app_version: string;
  traits: unknown;
}

export interface EventItem {
  event_id: string;
  timestamp: string;
  type: string;
  path: string;
  user_id: string;
  session_id: string;
  visitor: string;
  source: string;
  country: string;
  device: string;
  browser: string;
  os: string;
  props: unknown;
}

// --- goals and saved funnels (src/goals/goals.routes.ts) ---

export interface GoalCondition {
  key: string;
  op: 'is' | 'is_not';
  value: string;
}

export interface Goal {
  id: string;
  project: string;
  name: string;
  kind: 'event' | 'page';
  value: string;
  conditions: readonly GoalCondition[];
  managed: 'config' | 'dashboard';
  read_only: boolean;
  created_by: string;
  updated_at: string | null;
}

export interface FunnelStep {
  page?: string;
  event?: string;
  props?: Record<string, string>;
}

export interface SavedFunnel {
  id: string;
  name: string;
  steps: FunnelStep[];
  window: string;
}

// --- sites (src/sites/sites.routes.ts) ---

export interface SiteKey {
  id: string;
  prefix: string;
  created_at: string | null;
  expires_at: string | null;
  managed: boolean;
}

export interface Site {
  name: string;
  display_name: string;
  domains: string[];
  time_zone: string;
  allowed_origins: string[];
  retention_days: number;
  public: boolean;
  managed: boolean;
  keyless: boolean;
  created_at: string | null;
  updated_at: string | null;
  keys: SiteKey[];
}

export interface SiteEvents {
  events: number;
  latest: string | null;
}

/** A key as it is created: the only time the whole key is shown. */
export interface NewKey {
  id: string;
  prefix: string;
  key: string;
}

// --- share links (src/query/shares.routes.ts) ---

export interface Share {
  id: string;
  project: string;
  name: string;
  created_at: string;
}

// --- explore (src/query/explore.routes.ts) ---

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

// --- logs and database changes (src/query/logs-changes.routes.ts) ---

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

// --- alerts (src/alerts/alerts.routes.ts) ---

export interface AlertRule {
  id: string;
  name: string;
  kind: string;
  project?: string;
  metric?: string;
  windowMinutes: number;
  above?: number;
  below?: number;
  dropPercent?: number;
  risePercent?: number;
  minutes?: number;
  source?: string;
  channels: Array<{ type: 'webhook'; url: string } | { type: 'email'; to: string[] }>;
  origin: 'config' | 'dashboard';
  state: { state: 'ok' | 'firing'; value: number | null; since: string } | null;
}

export interface AlertHistoryEntry {
  at: string;
  rule_id: string;
  rule_name: string;
  state: string;
  message: string;
  delivery: string;
}

// --- privacy (src/privacy/privacy.routes.ts) ---

export interface PrivacyRequest {
  id: string;
  kind: 'erase' | 'export';
  project: string;
  subject_type: string;
  subject_hash: string;
  requested_by: string;
  requested_at: string;
  status: string;
  finished_at: string | null;
  counts: Record<string, number>;
}

export interface Erased {
  request: string;
  removed: Record<string, number>;
}
