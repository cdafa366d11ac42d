/**
 * The JSON the HTTP API answers with, as types only: the routes check their answers against them (`satisfies`)
 * and the dashboard (src/dashboard/ui, whose tsconfig includes this file) reads them, so the two cannot drift.
 * Each area's types are in `api-types/` (one file per family of routes), all re-exported here. No runtime code and
 * no imports but those: the UI compiles these files with the browser's libraries only.
 */

/** `{ results: [...] }`, the shape of every list the API answers with. */
export interface Results<T> {
  results: T[];
}

export type * from './api-types/alerts.ts';
export type * from './api-types/explore.ts';
export type * from './api-types/goals.ts';
export type * from './api-types/logins.ts';
export type * from './api-types/logs-changes.ts';
export type * from './api-types/people.ts';
export type * from './api-types/privacy.ts';
export type * from './api-types/shares.ts';
export type * from './api-types/sites.ts';
export type * from './api-types/stats.ts';
