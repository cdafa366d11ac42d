/**
 * The read routes' querystring parameters as JSON Schema (checked by src/server/route-schemas.ts): every one a
 * single value with a length limit, numbers and booleans read from text the one way, and the hint a 400 gives.
 * Parameters a schema does not list are ignored, not refused (cache-busters, the share link's `auth`).
 */
import type { SchemaObject } from '../config/json-schema.ts';
import { routeSchema } from '../server/route-schemas.ts';
import { COMPARISONS, PERIODS } from './period.ts';

/** A text parameter of at most `max` characters. */
export const text = (max: number): SchemaObject => ({
  type: 'string',
  maxLength: max,
  hint: { maxLength: `is longer than ${max} characters` },
});

/** One of a few words; `hint` is the whole problem when it is not. */
export const word = (values: readonly string[], hint: string): SchemaObject => ({
  type: 'string',
  enum: [...values],
  hint,
});

/** `limit`: 1 to `max` rows. */
export const limitParam = (max: number): SchemaObject => ({
  type: 'integer',
  minimum: 1,
  maximum: max,
  hint: `must be a whole number from 1 to ${max}`,
});

export const pageParam: SchemaObject = {
  type: 'integer',
  minimum: 1,
  maximum: 9_999_999,
  hint: 'must be a whole number ≥ 1',
};

export const formatParam = word(['json', 'csv'], 'must be json or csv');

export const countsParam = word(['all', 'counts'], 'must be all (default) or counts');

/** Who is read: the project (admin token) and a tenant in it. */
export const TARGET_PARAMS: Record<string, SchemaObject> = {
  auth: text(200),
  project: text(200),
  tenant: text(256),
};

/** What every `/api/v1/stats/*` route reads (src/query/stats-request.ts). */
export const STATS_PARAMS: Record<string, SchemaObject> = {
  ...TARGET_PARAMS,
  tz: text(64),
  from: text(64),
  to: text(64),
  period: word(PERIODS, `must be one of ${PERIODS.join(', ')}`),
  compare: word([...COMPARISONS, 'off'], `must be one of ${COMPARISONS.join(', ')}`),
  // A filters list is JSON: 20 filters of up to 100 values (the URL itself is bounded by Node's header limit).
  filters: text(16_384),
  exact: { type: 'boolean', hint: 'must be 1 (read every event) or 0' },
  goal: text(200),
};

/** Route options checking a querystring of these parameters (others are ignored). */
export function queryParams(properties: Record<string, SchemaObject>) {
  return routeSchema({ querystring: { type: 'object', properties } });
}

/** A stats route's querystring: the shared parameters and the route's own. */
export const statsParams = (own: Record<string, SchemaObject> = {}) =>
  queryParams({ ...STATS_PARAMS, ...own });
