/** The API's JSON, people (src/query/stats.routes.ts: users, events): types only (see ../api-types.ts). */

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
