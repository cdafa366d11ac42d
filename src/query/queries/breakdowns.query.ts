/**
 * The first tab of every card of the overview page in one answer. The embedded store answers one query at a
 * time, so five cards that each scan the events cost five scans; here the dimensions that must read the events
 * (a filter, a page goal, a sampled range) share one pass — `GROUP BY GROUPING SETS`, one set per dimension, the top
 * rows of each kept by `LIMIT n BY` — and the others read the rollups as a single card would. Each dimension's
 * rows are the ones `breakdown/{dimension}?metrics=counts` answers (a test holds them equal).
 */
import { DIMENSIONS } from '../dimensions.ts';
import { rollupScope } from '../rollup-scope.ts';
import { runStats } from '../run-stats.ts';
import { sampleClause } from '../sampling.ts';
import { visitorKeyOf } from '../stats-metrics.ts';
import { type StatsQuery, whereOf } from '../stats-query.ts';
import { type BreakdownRow, breakdownQuery, countsRow } from './breakdown.query.ts';
import { rollupBreakdown } from './rollup-breakdown.query.ts';
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
  const visitDimensions = dimensions.filter(isVisitDimension);
  if (visitDimensions.length > 0)
    Object.assign(results, await visitRowsBreakdown(q, visitDimensions, limit, 0, true));
  for (const dimension of dimensions) {
    if (isVisitDimension(dimension)) continue;
    // A sampled range reads the sample in the shared pass: cheaper than merging each card's rollup sets.
    const scope = q.sample !== undefined && q.sample > 1 ? undefined : rollupScope(q, dimension);
    if (scope) results[dimension] = await rollupBreakdown(q, scope, limit, 0);
    else if (dimension in DIMENSIONS) scan.push(dimension);
    else results[dimension] = await breakdownQuery(q, dimension, limit, 1, true);
  }
  if (scan.length > 0) Object.assign(results, await scanTogether(q, scan, limit, options.visits !== false));
  return Object.fromEntries(dimensions.map((d) => [d, results[d]]));
}

/** One pass over the events for every dimension in `scan` (columns of `events`, from DIMENSIONS). */
async function scanTogether(
  q: StatsQuery,
  scan: readonly string[],
  limit: number,
  visits: boolean,
): Promise<Record<string, BreakdownRow[]>> {
  const w = whereOf(q);
  // Fixed text: column names from DIMENSIONS and positions, never request input.
  const keys = scan.map((d, i) => `toString(${DIMENSIONS[d]}) AS d${i}`);
  const which = (pick: (i: number) => string) =>
    `multiIf(${scan.map((_, i) => `grouping(d${i}) = 0, ${pick(i)}`).join(', ')}, ${pick(0)})`;
  const rows = await runStats<Record<string, unknown>>(
    q,
    `SELECT ${which((i) => String(i))} AS dim, ${which((i) => `d${i}`)} AS value,
            uniqExact(${visitorKeyOf(q.sample)}) AS visitors, ${visits ? "uniqExactIf(cityHash64(session_id), session_id != '')" : '0'} AS visits,
            countIf(type = 'pageview') AS pageviews, count() AS events
            ${q.goal ? `, uniqExactIf(${visitorKeyOf(q.sample)}, ${q.goal.sql}) AS conversions` : ''}
     FROM events${sampleClause(q.sample)} WHERE ${w.where}
     GROUP BY GROUPING SETS (${keys.map((k) => `(${k})`).join(', ')})
     ORDER BY dim, visitors DESC, events DESC, value
     LIMIT {limit:UInt32} BY dim`,
    { ...w.params, limit },
  );
  const results: Record<string, BreakdownRow[]> = Object.fromEntries(scan.map((d) => [d, []]));
  for (const r of rows) results[scan[Number(r.dim)]].push(countsRow(r, q.goal !== undefined, '', q.sample));
  return results;
}
