import type { GoalSpec } from '../../config/config-schema.ts';
import { goalCondition } from '../goals.ts';
import { VISITOR_KEY } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';

export interface GoalRow {
  goal: string;
  /** Visitors who reached the goal, and their share of all visitors in the range (percent). */
  visitors: number;
  events: number;
  conversion_rate: number;
}

/** Every goal of the project in one pass over the range. */
export async function goalsQuery(q: StatsQuery, goals: readonly GoalSpec[]): Promise<GoalRow[]> {
  if (goals.length === 0) return [];
  const w = whereOf(q);
  const params: Record<string, unknown> = { ...w.params };
  const columns = goals.map((g, i) => {
    const c = goalCondition([g], `g${i}`);
    Object.assign(params, c?.params);
    return `uniqExactIf(${VISITOR_KEY}, ${c?.sql}) AS v${i}, countIf(${c?.sql}) AS e${i}`;
  });
  const [row] = await q.store.query<Record<string, number>>(
    `SELECT uniqExact(${VISITOR_KEY}) AS total, ${columns.join(', ')} FROM events WHERE ${w.where}`,
    params as Record<string, string>,
    { timeoutMs: q.timeoutMs },
  );
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
