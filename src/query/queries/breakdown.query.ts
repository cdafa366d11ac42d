import { DIMENSIONS, PROP_PREFIX } from '../dimensions.ts';
import { rollupScope } from '../rollup-scope.ts';
import { runStats } from '../run-stats.ts';
import { sampleClause } from '../sampling.ts';
import { visitorKeyOf } from '../stats-metrics.ts';
import { aggregate, type StatsQuery, whereOf } from '../stats-query.ts';
import { type BreakdownRow, countsRow } from './breakdown-row.ts';
import { rollupBreakdown } from './rollup-breakdown.query.ts';
import { isVisitDimension, visitRowsBreakdown } from './visit-rows-breakdown.query.ts';

// The row shape is shared with the rollup path; importers of the breakdown keep finding it here.
export { type BreakdownRow, countsRow } from './breakdown-row.ts';

const ORDER = 'ORDER BY visitors DESC, events DESC, value LIMIT {limit:UInt32} OFFSET {offset:UInt32}';

/**
 * One row per value of `dimension` (a column, a visit's entry/exit page, or `event:props:<key>`), most visitors
 * first. `counts` asks for the counting metrics only (visitors, visits, pageviews, events, conversions): one pass
 * over the events instead of a second one for the shape of whole visits — what the dashboard's cards need — and,
 * unfiltered over whole hours, from the hourly rollups instead of the events.
 */
export async function breakdownQuery(
  q: StatsQuery,
  dimension: string,
  limit: number,
  page: number,
  counts = false,
): Promise<BreakdownRow[]> {
  const params: Record<string, string | number> = { limit, offset: (page - 1) * limit };
  if (isVisitDimension(dimension))
    return (await visitRowsBreakdown(q, [dimension], limit, (page - 1) * limit, counts))[dimension];
  let column = DIMENSIONS[dimension];
  if (!column) {
    column = 'JSONExtractString(props, {prop:String})';
    params.prop = dimension.slice(PROP_PREFIX.length);
  }
  if (counts) {
    const scope = rollupScope(q, dimension);
    if (scope) return rollupBreakdown(q, scope, limit, (page - 1) * limit);
    return countsBreakdown(q, column, params);
  }
  return aggregate(q, column, { params, tail: ORDER });
}

/**
 * The counting metrics per value of `column` (any expression over events), one pass over the range's events.
 * `visits: false`: the caller drops the visits (every event's session id read and hashed: the pass's dearest part).
 */
export async function countsBreakdown(
  q: StatsQuery,
  column: string,
  params: Record<string, string | number>,
  options: { visits?: boolean } = {},
): Promise<BreakdownRow[]> {
  const w = whereOf(q);
  const visits = options.visits === false ? '0' : "uniqExactIf(cityHash64(session_id), session_id != '')";
  const rows = await runStats<Record<string, unknown>>(
    q,
    `SELECT ${column} AS value, uniqExact(${visitorKeyOf(q.sample)}) AS visitors, ${visits} AS visits,
            countIf(type = 'pageview') AS pageviews, count() AS events
            ${q.goal ? `, uniqExactIf(${visitorKeyOf(q.sample)}, ${q.goal.sql}) AS conversions` : ''}
     FROM events${sampleClause(q.sample)} WHERE ${w.where}
     GROUP BY value
     ${ORDER}`,
    { ...w.params, ...params },
  );
  return rows.map((r) => countsRow(r, q.goal !== undefined, '', q.sample));
}
