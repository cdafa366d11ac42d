/** The API's JSON, alerts (src/alerts/alerts.routes.ts): types only (see ../api-types.ts). */

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
