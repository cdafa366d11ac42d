/**
 * The first tab of every card of the overview page in one answer. The embedded store answers one query at a
 * time, so five cards that each scan the events cost five scans; here the dimensions that must read the events
 * (a filter, a page goal, a sampled range) share one pass — `GROUP BY GROUPING SETS`, one set per dimension, the top
 * rows of each kept by `LIMIT n BY` — and the others read the rollups as a single card would. Each dimension's
 * rows are the ones `breakdown/{dimension}?metrics=counts` answers (a test holds them equal) — but without visits
 * asked for (the dashboard's cards), when the event types (and under a filter of pages, its pages) read the rollups'
 * totals with the page's other calls (totals-rows-breakdown.query.ts): within 2 % of them.
 */
import { DIMENSIONS } from '../dimensions.ts';
import { rollupScope } from '../rollup-scope.ts';
import { visitorKeyOf } from '../stats-metrics.ts';
import { eventRowsOf, type StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, breakdownQuery } from './breakdown.query.ts';
import { countsRowsByDimension } from './breakdown-row.ts';
import { rollupBreakdown } from './rollup-breakdown.query.ts';
import { passGroups } from './shared-pass.ts';
import { totalsRowsBreakdown, totalsRowsCards } from './totals-rows-breakdown.query.ts';
import { visitListsBreakdown, visitListsCards } from './visit-lists-breakdown.query.ts';
import { isVisitDimension, visitRowsBreakdown } from './visit-rows-breakdown.query.ts';

export async function breakdownsQuery(
  q: StatsQuery,
  dimensions: readonly string[],
  limit: number,
  /** `visits: false`: the caller drops the visits (src/query/card-metrics.ts), so the events' pass skips them. */
  options: { visits?: boolean } = {},
): Promise<Record<string, BreakdownRow[]>> {
  const results: Record<string, BreakdownRow[]> = {};
  const scan: string[] = [];
  const visits = options.visits !== false;
  // Visits not asked for (the dashboard's cards): some cards from the rollups' totals (totals-rows-breakdown.query.ts).
  const fromTotals = visits ? undefined : totalsRowsCards(q, dimensions);
  const fromTotalsRows = fromTotals?.dims ?? [];
  // Sampled under visit filters, visits not asked for: the pages and event types from the visit rows' lists.
  const fromLists = visitListsCards(q, dimensions, visits);
  const visitDimensions = dimensions.filter(isVisitDimension);
  // Every part asked for at once, so the passes wait for the store together with the page's other calls and join
  // them (shared-pass.ts); the store runs the parts that cannot join first.
  const parts: Array<Promise<unknown>> = [];
  const answer = (dimension: string) => (rows: BreakdownRow[]) => {
    results[dimension] = rows;
  };
  if (visitDimensions.length > 0)
    parts.push(
      visitRowsBreakdown(q, visitDimensions, limit, 0, true).then((rows) => Object.assign(results, rows)),
    );
  if (fromTotals)
    parts.push(totalsRowsBreakdown(q, fromTotals, limit).then((rows) => Object.assign(results, rows)));
  if (fromLists.length > 0)
    parts.push(visitListsBreakdown(q, fromLists, limit).then((rows) => Object.assign(results, rows)));
  for (const dimension of dimensions) {
    if (isVisitDimension(dimension) || fromTotalsRows.includes(dimension) || fromLists.includes(dimension))
      continue;
    // With visits asked for, as `breakdown/{dimension}` reads it: a sampled range reads the sample in the shared pass
    // (the rollups' estimate of a value's visits strays past 2 %). Without (the dashboard's cards), the rollups,
    // their sets merged only for the values that can rank, page goals too (rollup-breakdown.query.ts): ~60 ms for
    // the pages at 10 M events, half the events' pass (docs/BENCHMARKS.md).
    const sampled = q.sample !== undefined && q.sample > 1;
    const scope = visits && sampled ? undefined : rollupScope(q, dimension, { pageRows: !visits });
    if (scope)
      parts.push(
        rollupBreakdown(q, scope, limit, 0, {
          visits,
          // The `page` rows reach a goal as events of their path.
          reached: dimension === 'page' ? q.goal?.pageRows : undefined,
        }).then(answer(dimension)),
      );
    else if (dimension in DIMENSIONS) scan.push(dimension);
    else parts.push(breakdownQuery(q, dimension, limit, 1, true).then(answer(dimension)));
  }
  if (scan.length > 0)
    parts.push(
      scanTogether(q, scan, limit, options.visits !== false).then((rows) => Object.assign(results, rows)),
    );
  await Promise.all(parts);
  return Object.fromEntries(dimensions.map((d) => [d, results[d]]));
}

/**
 * One pass over the events for every dimension in `scan` (columns of `events`, from DIMENSIONS). Under a filter on
 * events the goals list reads the same events: when both wait for the store, one pass (shared-pass.ts).
 */
async function scanTogether(
  q: StatsQuery,
  scan: readonly string[],
  limit: number,
  visits: boolean,
): Promise<Record<string, BreakdownRow[]>> {
  const rows = eventRowsOf(q);
  const visitor = visitorKeyOf(q.sample);
  const found = await passGroups(q, rows.sql, rows.params, {
    // Fixed text: column names from DIMENSIONS and positions, never request input.
    keys: scan.map((d) => `toString(${DIMENSIONS[d]})`),
    columns: [
      ['visitors', `uniqExact(${visitor})`],
      ['visits', visits ? "uniqExactIf(cityHash64(session_id), session_id != '')" : '0'],
      ['pageviews', "countIf(type = 'pageview')"],
      ['events', 'count()'],
      ...(q.goal ? ([['conversions', `uniqExactIf(${visitor}, ${q.goal.sql})`]] as const) : []),
    ],
    order: 'visitors DESC, events DESC',
    having: () => '1',
    limit,
    offset: 0,
    params: q.goal?.params ?? {},
  });
  return countsRowsByDimension(found, scan, q.goal !== undefined, '', q.sample);
}
