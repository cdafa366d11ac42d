/**
 * The parameters every `/api/v1/stats/*` route shares, read once: who asks (scope → target), the time zone, the
 * period or from/to, the comparison, the filters and the goal. Problems are collected so one 400 names them all.
 */
import type { FastifyRequest } from 'fastify';
import { inputOf, inputProblems } from '../server/route-schemas.ts';
import type { Store } from '../store/store.ts';
import { badParams, type ParamProblem, shareProperty } from './errors.ts';
import type { GoalSpec } from './goal-spec.ts';
import { goalCondition, goalPageRowsOf } from './goals.ts';
import { type Comparison, comparisonRange, type Period, parsePeriod, resolvePeriod } from './period.ts';
import type { ConfiguredGoals, QueryConfig } from './query.settings.ts';
import type { createReadAuth, ReadScope } from './read-auth.ts';
import { type Query, targetOf, textOf, timeZoneOf } from './request-params.ts';
import { createSampler } from './sampling.ts';
import { parseFilters } from './stats-filters.ts';
import type { StatsQuery } from './stats-query.ts';
import type { TimeRange } from './time-range.ts';
import { currentVisitGoalBits } from './visit-goal-currency.ts';

export interface StatsRequest {
  scope: ReadScope;
  /** The event property keys this caller may read (share links: SIGHTLINE_SHARE_PROPERTY_KEYS); undefined = any. */
  propertyKeys?: ReadonlySet<string>;
  query: StatsQuery;
  /** The querystring as checked by the route's schema (src/query/query-params.ts): the fields that passed. */
  params: Query;
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
  /** The route's querystring schema is `statsParams(…)` (src/query/query-params.ts). */
  return async function statsRequest(
    request: FastifyRequest,
    options: { sampled?: boolean } = {},
  ): Promise<StatsRequest> {
    const scope = await authenticate(request);
    const q = inputOf<Query>(request, 'querystring');
    const problems: ParamProblem[] = inputProblems(request);
    const target = targetOf(scope, q, problems);
    const tz = timeZoneOf(q, problems);
    const from = textOf(q, 'from');
    const to = textOf(q, 'to');
    const hasBounds = from !== undefined || to !== undefined;
    const period = parsePeriod(textOf(q, 'period') as Period | undefined, hasBounds, problems);
    const range = resolvePeriod(period, from, to, tz, problems);
    const compare = textOf(q, 'compare') as Comparison | 'off' | undefined;
    const mode = compare === 'off' ? undefined : compare;
    const propertyKeys = sharedPropertyKeys(scope, config);
    const filter = parseFilters(textOf(q, 'filters'), problems, { target, propertyKeys });
    const goals = target ? goalsOf(target.project) : [];
    const exact = q.exact === true;
    const goalName = textOf(q, 'goal');
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
    const compareRange = mode && range ? comparisonRange(range, mode, tz) : undefined;
    const goalPageRows = goalPageRowsOf(goals);
    // The goals from the visit rows' bits when every row read holds them (visit-goal-currency.ts).
    const visitGoals =
      options.sampled && target && range && problems.length === 0
        ? await currentVisitGoalBits(
            store,
            target.project,
            goals,
            compareRange ? [range, compareRange] : [range],
            sample,
            config.queryTimeoutMs,
          )
        : undefined;
    return {
      scope,
      ...(propertyKeys ? { propertyKeys } : {}),
      params: q,
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
        goal: goalCondition(chosen, 'goal', visitGoals),
        ...(goalPageRows ? { goalPageRows } : {}),
        ...(visitGoals ? { visitGoals } : {}),
        timeoutMs: config.queryTimeoutMs,
        ...(exact ? { exact } : {}),
        ...(sample > 1 ? { sample } : {}),
      },
      ...(mode && compareRange ? { compare: { mode, range: compareRange } } : {}),
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
