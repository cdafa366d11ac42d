/**
 * The parameters every `/api/v1/stats/*` route shares, read once: who asks (scope → target), the time zone, the
 * period or from/to, the comparison, the filters and the goal. Problems are collected so one 400 names them all.
 */
import type { FastifyRequest } from 'fastify';
import type { Store } from '../store/store.ts';
import { badParams, type ParamProblem, shareProperty } from './errors.ts';
import type { GoalSpec } from './goal-spec.ts';
import { goalCondition } from './goals.ts';
import {
  type Comparison,
  comparisonRange,
  type Period,
  parseComparison,
  parsePeriod,
  resolvePeriod,
} from './period.ts';
import type { ConfiguredGoals, QueryConfig } from './query.settings.ts';
import type { createReadAuth, ReadScope } from './read-auth.ts';
import { one, type Query, targetOf, timeZoneOf } from './request-params.ts';
import { createSampler } from './sampling.ts';
import { parseFilters } from './stats-filters.ts';
import type { StatsQuery } from './stats-query.ts';
import type { TimeRange } from './time-range.ts';

export interface StatsRequest {
  scope: ReadScope;
  /** The event property keys this caller may read (share links: SIGHTLINE_SHARE_PROPERTY_KEYS); undefined = any. */
  propertyKeys?: ReadonlySet<string>;
  query: StatsQuery;
  period: Period;
  compare?: { mode: Comparison; range: TimeRange };
  /** Problems found so far; the route adds its own, then calls `check()`. */
  problems: ParamProblem[];
  check(): void;
}

/** A project's goals (SIGHTLINE_GOALS and the dashboard's: src/goals/goal-registry.ts). */
export type GoalsOf = (project: string) => readonly GoalSpec[];

export const configGoals =
  (config: ConfiguredGoals): GoalsOf =>
  (project) =>
    config.goals.get(project) ?? [];

export function createStatsRequest(
  store: Store,
  config: QueryConfig & ConfiguredGoals,
  authenticate: ReturnType<typeof createReadAuth>,
  goalsOf: GoalsOf = configGoals(config),
) {
  const sampleFor = createSampler(store, { sampleRows: config.sampleRows });
  /** `sampled`: the route's queries can read a sample (overview, timeseries, breakdowns, goals); others never ask. */
  return async function statsRequest(
    request: FastifyRequest<{ Querystring: Query }>,
    options: { sampled?: boolean } = {},
  ): Promise<StatsRequest> {
    const scope = await authenticate(request);
    const q = request.query;
    const problems: ParamProblem[] = [];
    const target = targetOf(scope, q, problems);
    const tz = timeZoneOf(q, problems);
    const from = one(q, 'from', problems);
    const to = one(q, 'to', problems);
    const period = parsePeriod(one(q, 'period', problems), from !== undefined || to !== undefined, problems);
    const range = resolvePeriod(period, from, to, tz, problems);
    const mode = parseComparison(one(q, 'compare', problems), problems);
    const propertyKeys = sharedPropertyKeys(scope, config);
    const filter = parseFilters(one(q, 'filters', problems), problems, { target, propertyKeys });
    const goals = target ? goalsOf(target.project) : [];
    const exactParam = one(q, 'exact', problems);
    if (exactParam !== undefined && !['0', '1', 'true', 'false'].includes(exactParam))
      problems.push({ param: 'exact', message: 'must be 1 (read every event) or 0' });
    const exact = exactParam === '1' || exactParam === 'true';
    const goalName = one(q, 'goal', problems);
    let chosen = goals;
    if (goalName !== undefined) {
      chosen = goals.filter((g) => g.name === goalName);
      if (chosen.length === 0)
        problems.push({
          param: 'goal',
          message: goals.length
            ? `"${goalName}" is not a goal of this project (${goals.map((g) => g.name).join(', ')})`
            : 'this project has no goals (add one in Settings → Goals, or in SIGHTLINE_GOALS)',
        });
    }
    const check = () => {
      if (problems.length > 0 || !target || !range) throw badParams(problems);
    };
    // Decided once per request, for its range (and its comparison alike): see sampling.ts.
    const sample = options.sampled && target && range ? await sampleFor(target, range, exact) : 1;
    return {
      scope,
      ...(propertyKeys ? { propertyKeys } : {}),
      period,
      problems,
      check,
      // Only read after check(): target and range are then defined.
      query: {
        store,
        target: target as StatsQuery['target'],
        range: range as TimeRange,
        tz,
        filter,
        goal: goalCondition(chosen),
        timeoutMs: config.queryTimeoutMs,
        ...(exact ? { exact } : {}),
        ...(sample > 1 ? { sample } : {}),
      },
      ...(mode && range ? { compare: { mode, range: comparisonRange(range, mode, tz) } } : {}),
    };
  };
}

/** Share links are public: of the event properties, only those the operator listed. Everyone else: any. */
function sharedPropertyKeys(
  scope: ReadScope,
  config: Pick<QueryConfig, 'sharePropertyKeys'>,
): ReadonlySet<string> | undefined {
  return scope.kind === 'share' ? new Set(config.sharePropertyKeys) : undefined;
}

/** 403 unless this request may read the event property `key`. */
export function requireProperty(r: Pick<StatsRequest, 'propertyKeys'>, key: string): void {
  if (r.propertyKeys && !r.propertyKeys.has(key)) throw shareProperty(key);
}

/** `page` as the breakdowns and lists take it. */
export function pageOf(query: Query, problems: ParamProblem[]): number {
  const raw = one(query, 'page', problems) ?? '1';
  if (!/^[1-9]\d{0,6}$/.test(raw)) problems.push({ param: 'page', message: 'must be a whole number ≥ 1' });
  return /^[1-9]\d{0,6}$/.test(raw) ? Number(raw) : 1;
}

export function formatOf(query: Query, problems: ParamProblem[]): 'json' | 'csv' {
  const format = one(query, 'format', problems) ?? 'json';
  if (format !== 'json' && format !== 'csv')
    problems.push({ param: 'format', message: 'must be json or csv' });
  return format === 'csv' ? 'csv' : 'json';
}
