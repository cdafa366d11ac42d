/**
 * The cards' pages and event types under a filter of pages, from that filter's rollup rows (rollup-scope.ts,
 * `pageFilterScope`): each path's and each type's visitors (the rollups' sets, as the unfiltered overview's),
 * pageviews, events and conversions over the days of the range — every event the filter keeps, never a sample —
 * instead of a pass over the (sampled) events, ~100 ms of the dashboard's page at 10 M events (docs/BENCHMARKS.md).
 * Read with the KPIs' counts and the chart of that filter in one pass when they wait for the store together
 * (shared-pass.ts). Not the visits: the sets' estimate of a path's visits strays past 2 % of the exact count
 * (`test/query/sampling.int.test.ts`), so a caller asking for them reads the events.
 */
import { ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import { type RollupScope, rollupCountSumPairs } from '../rollup-scope.ts';
import type { StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, countsRow } from './breakdown-row.ts';
import { passGroups } from './shared-pass.ts';

/** The cards a page filter's rollup rows answer, and the column of those rows each groups by. */
export const FILTER_ROW_KEYS: Readonly<Record<string, string>> = { page: 'value', event: 'type' };

export async function filterRowsBreakdown(
  q: StatsQuery,
  scope: RollupScope,
  dims: readonly string[],
  limit: number,
): Promise<Record<string, BreakdownRow[]>> {
  const found = await passGroups(q, scope.source, scope.params, {
    // Fixed text: the rollup rows' columns, never request input.
    keys: dims.map((d) => `toString(${FILTER_ROW_KEYS[d]})`),
    columns: [
      ...rollupCountSumPairs(),
      ['n_visits', '0'],
      // Each row read as events of its path: the goals they reached.
      ...(q.goal?.pageRows
        ? ([['n_conversions', `${ROLLUP_UNIQ_MERGE_IF}(visitors, ${q.goal.pageRows})`]] as const)
        : []),
    ],
    order: 'n_visitors DESC, n_events DESC',
    having: () => '1',
    limit,
    offset: 0,
    params: q.goal?.params ?? {},
  });
  const results: Record<string, BreakdownRow[]> = Object.fromEntries(dims.map((d) => [d, []]));
  for (const r of found) results[dims[Number(r.dim)]].push(countsRow(r, q.goal !== undefined, 'n_'));
  return results;
}
