/** The API's JSON, goals and saved funnels (src/goals/goals.routes.ts): types only (see ../api-types.ts). */

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
