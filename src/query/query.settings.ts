/** The read API's settings: who may read (admin token, JWTs), what share links may see, query budgets. */

import { field, integer, list, type SettingsOf, secret } from '../config/setting-fields.ts';
import type { GoalSpec } from './goal-spec.ts';

export const querySettings = {
  adminToken: field({
    env: 'SIGHTLINE_ADMIN_TOKEN',
    default: undefined,
    description:
      'Bearer token with full read access. If unset, one is generated, kept in `<data dir>/admin-token` and printed once.',
    parse: secret(16),
  }),
  jwtSecret: field({
    env: 'SIGHTLINE_JWT_SECRET',
    default: undefined,
    description:
      'HS256 key (≥ 32 bytes) for read tokens carrying `project_id` / `tenant_id` and `exp` (required). Unset = JWTs refused.',
    parse: secret(32),
  }),
  sharePropertyKeys: field({
    env: 'SIGHTLINE_SHARE_PROPERTY_KEYS',
    default: '',
    description:
      'Event property keys share links may break down and filter by (`event:props:<key>`), comma-separated, e.g. `plan,variant`. Empty = none: a public dashboard shows the fixed dimensions only.',
    parse: list(),
  }),
  queryTimeoutMs: field({
    env: 'SIGHTLINE_QUERY_TIMEOUT_MS',
    default: '10000',
    description: 'Time budget of one read query; past it the API answers `504` with `QUERY_ERR_TIMEOUT`.',
    parse: integer(100, 600_000),
  }),
  sampleRows: field({
    env: 'SIGHTLINE_SAMPLE_ROWS',
    default: '1000000',
    description:
      'Dashboard queries over a range of more than twice this many events read a sample of about this many (whole visitors) and scale the counts; answers then say `"sampled"`, and `exact=1` reads every event. 0 = never sample.',
    parse: integer(0, 1_000_000_000),
  }),
  queryMaxRows: field({
    env: 'SIGHTLINE_QUERY_MAX_ROWS',
    default: '10000',
    description: 'Largest `limit` a read endpoint accepts.',
    parse: integer(1, 10_000_000),
  }),
};

export type QueryConfig = SettingsOf<typeof querySettings>;

/**
 * What the read API reads of the sections of the stages above it, which it may not import (goals and sites import
 * query): the goals of SIGHTLINE_GOALS and the names of SIGHTLINE_PROJECTS.
 */
export interface ConfiguredGoals {
  goals: ReadonlyMap<string, GoalSpec[]>;
}
export interface ConfiguredProjects {
  projects: ReadonlyArray<{ name: string }>;
}
