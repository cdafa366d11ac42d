import { ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import type { QueryParams } from '../../store/store.ts';
import type { GoalSpec } from '../goal-spec.ts';
import { goalCondition } from '../goals.ts';
import { pageFilterScope, rollupScope, TOTALS_SCOPE } from '../rollup-scope.ts';
import { scaled } from '../sampling.ts';
import { visitorKeyOf } from '../stats-metrics.ts';
import { eventRowsOf, type StatsQuery } from '../stats-query.ts';
import { passTotals } from './shared-pass.ts';
import { pageEntriesFrom, visitListsAnswer } from './visit-lists-breakdown.query.ts';
import { goalsWithoutVisit, visitRowsAnswer, visitRowsFrom } from './visit-rows.ts';

export interface GoalRow {
  goal: string;
  /** Visitors who reached the goal, and their share of all visitors in the range (percent). */
  visitors: number;
  events: number;
  conversion_rate: number;
}

/**
 * The totals and each goal's visitors (`v<i>`) and events (`e<i>`): one pass over the range's events — with the
 * cards' pages and event types when both wait for the store (shared-pass.ts).
 */
async function fromEvents(
  q: StatsQuery,
  goals: readonly GoalSpec[],
): Promise<Record<string, number> | undefined> {
  const rows = eventRowsOf(q);
  const visitor = visitorKeyOf(q.sample);
  const params: QueryParams = {};
  const columns = goals.flatMap((g, i) => {
    const c = goalCondition([g], `g${i}`);
    Object.assign(params, c?.params);
    return [
      [`v${i}`, `uniqExactIf(${visitor}, ${c?.sql})`],
      [`e${i}`, `countIf(${c?.sql})`],
    ] as const;
  });
  const row = await passTotals(
    q,
    rows.sql,
    rows.params,
    [['total', `uniqExact(${visitor})`], ...columns],
    params,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, scaled(v, q.sample)]));
}

/**
 * The same from the rollups: event goals from the totals' rows of their types, page goals from the pageviews'
 * `page` rows whose value matches (the scope of every listed goal holds both).
 */
async function fromRollups(
  q: StatsQuery,
  goals: readonly GoalSpec[],
): Promise<Record<string, number> | undefined> {
  // The scope the KPIs and the chart read too: one pass when they wait for the store together. Under a filter of
  // pages, that filter's rows, each read as events of its path (`pageRows`): the goals its events reached.
  const all = { ...q, goal: goalCondition(goals) };
  const filterRows = pageFilterScope(all);
  const scope = filterRows ?? rollupScope(all, '', TOTALS_SCOPE);
  if (!scope) return undefined;
  const params: QueryParams = {};
  const conditions = goals.map((g, i) => goalCondition([g], `g${i}`));
  const columns = conditions.flatMap((c, i) => {
    Object.assign(params, c?.params);
    const reached = filterRows ? c?.pageRows : c?.rollup;
    return [
      [`v${i}`, `${ROLLUP_UNIQ_MERGE_IF}(visitors, ${reached})`],
      [`e${i}`, `sumIf(events, ${reached})`],
    ] as const;
  });
  const row = await passTotals(
    q,
    scope.source,
    scope.params,
    [['total', `${ROLLUP_UNIQ_MERGE_IF}(visitors, dimension = '')`], ...columns],
    params,
  );
  return row as Record<string, number>;
}

/**
 * The same from the visit rows of a sampled range (visit-rows.ts): each goal's visitors are those of the visits that
 * reached it (their goal bits, or their lists: src/query/visit-goal-bits.ts), the total every visit's visitors — one
 * pass over a sample of `visits`, with the KPIs and the cards' visit dimensions. Each goal's events: under visit
 * filters, over the visit rows' entries, with the cards' pages and event types (visit-lists-breakdown.query.ts);
 * unfiltered, over the range's sampled events. Not when a goal tests properties, or goal events without a visit exist.
 */
async function fromVisitRows(
  q: StatsQuery,
  goals: readonly GoalSpec[],
): Promise<Record<string, number> | undefined> {
  if (!visitRowsAnswer(q)) return undefined;
  const conditions = goals.map((g, i) => goalCondition([g], `g${i}`, q.visitGoals));
  const all = goalCondition(goals);
  if (!all || conditions.some((c) => !c?.visit) || (await goalsWithoutVisit(q, all))) return undefined;
  const vk = visitorKeyOf(q.sample);
  const visits = visitRowsFrom(q);
  // Under visit filters, each goal's events from the visit rows' entries, read with the cards' pages and event types
  // (the events of the filter's visits were a semi-join and a second read); unfiltered, from the sampled events.
  const entries = visitListsAnswer({ ...q, goal: all });
  const events = entries ? pageEntriesFrom(q) : eventRowsOf(q);
  const params: QueryParams = {};
  const visitors = conditions.map((c, i) => {
    Object.assign(params, c?.params);
    return [`v${i}`, `uniqExactIf(${vk}, sign = 1 AND ${c?.visit})`] as const;
  });
  // Over the events (or entries read as events): the conditions' event form (`sql`, the same whether their visit form
  // tests bits or lists).
  const counts = conditions.map(
    (c, i) => [`e${i}`, entries ? `sumIf(sign * n, ${c?.sql})` : `countIf(${c?.sql})`] as const,
  );
  // Each read with the page's other calls over the same rows when they wait for the store together (shared-pass.ts).
  const [row, counted] = await Promise.all([
    passTotals(
      q,
      visits.sql,
      visits.params,
      [['total', `uniqExactIf(${vk}, sign = 1)`], ...visitors],
      params,
    ),
    passTotals(q, events.sql, events.params, counts, params),
  ]);
  return Object.fromEntries(Object.entries({ ...row, ...counted }).map(([k, v]) => [k, scaled(v, q.sample)]));
}

/**
 * Every goal of the project in one pass over the range: its rollups when they can (unfiltered: their fixed-size sets
 * cost the same at any scale), else its sampled visit rows, else its events.
 */
export async function goalsQuery(q: StatsQuery, goals: readonly GoalSpec[]): Promise<GoalRow[]> {
  if (goals.length === 0) return [];
  const row =
    (await fromRollups(q, goals)) ?? (await fromVisitRows(q, goals)) ?? (await fromEvents(q, goals));
  const total = Number(row?.total ?? 0);
  return goals
    .map((g, i) => {
      const visitors = Number(row?.[`v${i}`] ?? 0);
      return {
        goal: g.name,
        visitors,
        events: Number(row?.[`e${i}`] ?? 0),
        conversion_rate: total ? Math.round((1000 * visitors) / total) / 10 : 0,
      };
    })
    .sort((a, b) => b.visitors - a.visitors || a.goal.localeCompare(b.goal));
}
