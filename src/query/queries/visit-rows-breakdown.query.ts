/**
 * Breakdowns by a visit's own dimensions (VISIT_DIMENSIONS: source, channel, referrer, UTM tags, entry and exit
 * page) from `visits` — one row per visit, summed by sign (src/store/visits.ts) — as Plausible answers them: a visit
 * counts once, under the value of its first event, with its whole shape (pageviews, events, bounce, duration).
 * Several dimensions share one pass (`GROUPING SETS`). A filter on a visit dimension is a condition on the rows; a
 * filter on an event dimension keeps the visits that hold a matching event; conversions are the visitors of visits
 * that reached a goal. A sampled range reads the same sample of visitors as the events.
 */
import { VISIT_DIMENSIONS } from '../dimensions.ts';
import type { GoalCondition } from '../goals.ts';
import { sampleClause } from '../sampling.ts';
import { metricsOf, visitorKeyOf } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';
import { type BreakdownRow, countsRow } from './breakdown-row.ts';
import { passGroups } from './shared-pass.ts';
import { visitCountSumPairs, visitRowsFrom, visitShapeSumPairs } from './visit-rows.ts';

/** Pages a visit may lack (a visit of events only): such visits are left out of those breakdowns. */
const PAGE_DIMENSIONS = new Set(['entry_page', 'exit_page']);

/** Sums are read as `n_…`: ClickHouse would take a later `pageviews` for the alias, not the column. */
const unprefixed = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k.replace(/^n_/, ''), v]));

/**
 * The visit reached a goal: read from the row itself (what it viewed and sent, src/store/visit-contents.ts), or,
 * for goals that test properties, from its events in the range.
 */
function reachedGoal(goal: GoalCondition, eventsOfRange: string): string {
  return goal.visit ?? `cityHash64(session_id) IN (${eventsOfRange} AND (${goal.sql}))`;
}

export function isVisitDimension(dimension: string): boolean {
  return dimension in VISIT_DIMENSIONS;
}

export async function visitRowsBreakdown(
  q: StatsQuery,
  dimensions: readonly string[],
  limit: number,
  offset: number,
  /** The counting metrics only (countsRow): the visits' shape (bounces, duration) is not summed. */
  counts: boolean,
): Promise<Record<string, BreakdownRow[]>> {
  const w = whereOf(q);
  const visits = visitRowsFrom(q);
  const sample = sampleClause(q.sample);
  // Fixed text: columns from VISIT_DIMENSIONS and positions, never request input.
  const keys = dimensions.map((d) => `toString(${VISIT_DIMENSIONS[d]})`);
  const pageDims = dimensions.map((d, i) => (PAGE_DIMENSIONS.has(d) ? i : -1)).filter((i) => i >= 0);
  // A filter built by hand (no split into visit and event parts) is taken as conditions on events.
  const eventSql = q.filter.eventSql ?? (q.filter.visitSql === undefined ? q.filter.sql : '');
  // The events of the range, unfiltered (`sessionWhere` is scope, range and bots out), as hashes of their visits' ids:
  // a set of numbers is built and probed about twice as fast as one of strings.
  const eventsOfRange = `SELECT cityHash64(session_id) FROM events${sample} WHERE ${w.sessionWhere}`;
  const visitor = visitorKeyOf(q.sample);
  // Read with the overview's KPIs when both wait for the store (shared-pass.ts).
  const rows = await passGroups(
    q,
    `${visits.sql}
       ${eventSql ? (q.filter.visitEventSql ?? `AND cityHash64(session_id) IN (${eventsOfRange}${eventSql})`) : ''}`,
    visits.params,
    {
      keys,
      columns: [
        ...visitCountSumPairs(visitor),
        ...(counts ? ([['n_visits', 'sum(sign)']] as const) : visitShapeSumPairs('n_')),
        ...(q.goal
          ? ([
              [
                'n_conversions',
                `uniqExactIf(${visitor}, sign = 1 AND ${reachedGoal(q.goal, eventsOfRange)})`,
              ],
            ] as const)
          : []),
      ],
      order: 'n_visitors DESC, n_events DESC',
      having: (dim, value) =>
        `n_visits > 0 ${pageDims.length > 0 ? `AND NOT (${value} = '' AND ${dim} IN (${pageDims.join(', ')}))` : ''}`,
      limit,
      offset,
      params: w.params,
    },
  );
  const results: Record<string, BreakdownRow[]> = Object.fromEntries(dimensions.map((d) => [d, []]));
  for (const r of rows) {
    const dimension = dimensions[Number(r.dim)];
    results[dimension].push(
      counts
        ? countsRow(r, q.goal !== undefined, 'n_', q.sample)
        : { value: String(r.value), ...metricsOf(unprefixed(r), q.goal !== undefined, q.sample) },
    );
  }
  return results;
}
