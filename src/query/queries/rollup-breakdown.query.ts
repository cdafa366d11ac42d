/**
 * Counting breakdowns (visitors, visits, pageviews, events, conversions per value) from the hourly rollups.
 *
 * Merging visitor sets is the costly part, so it is done for a few candidate values only: those with the most
 * events. Every visitor of a value has at least one event there, so a value's events bound its visitors; once the
 * last row of the page asked for has more visitors than the first value left out has events, nothing left out can
 * rank higher, and the answer is the one merging every value would give. Otherwise the candidates double.
 */
import { ROLLUP_UNIQ_MERGE, ROLLUP_UNIQ_MERGE_IF } from '../../store/rollups.ts';
import type { RollupScope } from '../rollup-scope.ts';
import { runStats } from '../run-stats.ts';
import type { StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, countsRow } from './breakdown-row.ts';

/**
 * `visits: false`: the caller drops the visits, which are then not merged. `reached`: which rows reached a goal, when
 * not by their type alone (the `page` rows: the goal's `pageRows`, rollup-scope.ts).
 */
export interface RollupBreakdownOptions {
  visits?: boolean;
  reached?: string;
}

export async function rollupBreakdown(
  q: StatsQuery,
  scope: RollupScope,
  limit: number,
  offset: number,
  options: RollupBreakdownOptions = {},
): Promise<BreakdownRow[]> {
  const byEvents = await runStats<{ value: string; events: string | number }>(
    q,
    `SELECT value, sum(events) AS events FROM ${scope.source} GROUP BY value ORDER BY events DESC, value`,
    scope.params,
  );
  const need = offset + limit;
  let candidates = Math.max(2 * need, need + 20);
  for (;;) {
    const all = candidates >= byEvents.length;
    const rows = await merged(
      q,
      scope,
      all ? undefined : byEvents.slice(0, candidates).map((r) => r.value),
      options,
    );
    const last = rows[need - 1];
    if (all || (last !== undefined && last.visitors > Number(byEvents[candidates].events)))
      return rows.slice(offset, need);
    candidates *= 2;
  }
}

async function merged(
  q: StatsQuery,
  scope: RollupScope,
  values: string[] | undefined,
  options: RollupBreakdownOptions,
): Promise<BreakdownRow[]> {
  const reached = options.reached ?? 'type IN {goal_events:Array(String)}';
  const rows = await runStats<Record<string, string | number>>(
    // Aliases differ from the columns: ClickHouse would read a later `visitors` as the alias, not the states.
    q,
    `SELECT value, ${ROLLUP_UNIQ_MERGE}(visitors) AS n_visitors,
            ${options.visits === false ? '0' : `${ROLLUP_UNIQ_MERGE}(visits)`} AS n_visits, sum(pageviews) AS n_pageviews,
            sum(events) AS n_events
            ${q.goal ? `, ${ROLLUP_UNIQ_MERGE_IF}(visitors, ${reached}) AS n_conversions` : ''}
     FROM ${scope.source}
     ${values ? 'WHERE value IN {rollup_values:Array(String)}' : ''}
     GROUP BY value
     ORDER BY n_visitors DESC, n_events DESC, value`,
    values ? { ...scope.params, rollup_values: values } : scope.params,
  );
  return rows.map((r) => countsRow(r, q.goal !== undefined, 'n_'));
}
