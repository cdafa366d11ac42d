/**
 * Cards from a scope of the rollups' totals (rollup-scope.ts, `TOTALS_SCOPE`), read in one pass with the overview's
 * counts, the chart and the goals list over the same rows (shared-pass.ts) instead of a pass over the (sampled)
 * events — when visits are not asked for (the dashboard's cards: the sets' estimate of a path's visits strays past
 * 2 % of the exact count, `test/query/sampling.int.test.ts`, so a caller asking for them reads the events):
 * - unfiltered, the event types: the totals' rows are per type; conversions by the goals' `rollup` condition (event
 *   goals by type, page goals from the page rows of the pageviews they match, which that scope keeps);
 * - under a filter of pages (`pageFilterScope`), its pages and event types from that filter's rows, each read as
 *   events of its path (`pageRows`).
 * Visitors are the rollups' estimates (`uniqCombined64` sets, as the overview's); pageviews and events count every
 * event, never a sample. Each saves the events' pass a grouping set: pages and event types under a page filter
 * ~100 ms of the page at 10 M events, the event types unfiltered ~25 ms (docs/BENCHMARKS.md).
 */
import { ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import {
  pageFilterScope,
  type RollupScope,
  rollupCountSumPairs,
  rollupScope,
  TOTALS_SCOPE,
} from '../rollup-scope.ts';
import type { StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, countsRowsByDimension } from './breakdown-row.ts';
import { passGroups } from './shared-pass.ts';

/** The column of the totals' rows each such card groups by. */
const KEYS: Readonly<Record<string, string>> = { page: 'value', event: 'type' };

export interface TotalsRowsCards {
  scope: RollupScope;
  /** The cards of `dimensions` it answers. */
  dims: string[];
  /** Which rows reached a goal (with goals). */
  reached?: string;
}

/** Which of `dimensions` a scope of the totals answers for `q`, or nothing. */
export function totalsRowsCards(q: StatsQuery, dimensions: readonly string[]): TotalsRowsCards | undefined {
  const byPages = pageFilterScope(q);
  if (byPages) {
    const dims = dimensions.filter((d) => d === 'page' || d === 'event');
    return dims.length > 0 ? { scope: byPages, dims, reached: q.goal?.pageRows } : undefined;
  }
  if (q.filter.sql !== '' || !dimensions.includes('event')) return undefined;
  // With the goal: its page goals' rows in scope (and none when a goal tests properties, which the rollups lack).
  const scope = rollupScope(q, '', TOTALS_SCOPE);
  return scope ? { scope, dims: ['event'], reached: q.goal?.rollup } : undefined;
}

export async function totalsRowsBreakdown(
  q: StatsQuery,
  cards: TotalsRowsCards,
  limit: number,
): Promise<Record<string, BreakdownRow[]>> {
  const { scope, dims, reached } = cards;
  const found = await passGroups(q, scope.source, scope.params, {
    // Fixed text: the rollup rows' columns, never request input.
    keys: dims.map((d) => `toString(${KEYS[d]})`),
    columns: [
      ...rollupCountSumPairs(),
      ['n_visits', '0'],
      ...(q.goal && reached
        ? ([['n_conversions', `${ROLLUP_UNIQ_MERGE_IF}(visitors, ${reached})`]] as const)
        : []),
    ],
    order: 'n_visitors DESC, n_events DESC',
    // A type only the goals' page rows hold is no type of the totals.
    having: () => 'n_events > 0',
    limit,
    offset: 0,
    params: q.goal?.params ?? {},
  });
  return countsRowsByDimension(found, dims, q.goal !== undefined, 'n_');
}
