/**
 * The pages and event types cards of a visit filter's visits (a channel, a country, a device…), sampled, read from
 * the visit rows' lists (src/store/visit-contents.ts) instead of their events — when visits are not asked for (the
 * dashboard's cards; a visit holding a page in two lists would be counted twice). The events of the filter's visits
 * were found by a semi-join from the sampled visit rows and read again: the filter is one condition on the rows here.
 *
 * A row of the page card: the visitors of the visits that hold the path among their pageviews' or their other
 * events' paths, the pageviews and other events counted there, and, with goals, the visitors of the visits with an
 * event on the path that reached a goal (a pageview of a page goal's path, an event of an event goal's type). A row
 * of the event-type card: the visitors of the visits with events of the type, their count, and the visitors of those
 * with one that reached a goal. The goals' condition over events (`type`, `path`) is tested on each list entry as
 * on an event of it — only goals without property conditions, which the lists do not keep.
 *
 * The answers are those of the events over the sample, but for visits that cross the range's edges (counted whole,
 * by the day they start, as the visit cards and KPIs count them) and lists past VISIT_LIST_MAX: within 2–3 % on
 * the seeded data (test/query/sampling.int.test.ts). Exact answers still read the events.
 */
import { runStats } from '../run-stats.ts';
import { visitorKeyOf } from '../stats-metrics.ts';
import type { StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, countsRowsByDimension } from './breakdown-row.ts';
import { sampledRange, visitRowsFrom } from './visit-rows.ts';

/**
 * Each card's list entries, as (value, events, pageviews, reached a goal) tuples of a visit row. The lambdas' own
 * `type` and `path` are what the goals' condition over events reads.
 */
function entries(dimension: 'page' | 'event', goal: string): string {
  if (dimension === 'page')
    return `arrayConcat(
      arrayMap((type, path, n) -> (path, n, n, ${goal}), arrayMap(p -> 'pageview', pages), pages, page_views),
      arrayMap((type, path, n) -> (path, n, toUInt32(0), ${goal}), other_types, other_paths, other_counts))`;
  // A type reached a goal when one of its events did: a pageview of a goal's page, or any event of a goal's type
  // (the page goals ask for pageviews: another type's path does not matter).
  return `arrayMap((type, n) -> (type, n, if(type = 'pageview', n, toUInt32(0)),
      arrayExists(path -> ${goal}, if(type = 'pageview', pages, ['']))), event_types, event_counts)`;
}

/** Which of `dimensions` the visit rows' lists answer for `q`: none unless sampled under visit filters only. */
export function visitListsCards(q: StatsQuery, dimensions: readonly string[], visits: boolean): string[] {
  if (visits || !sampledRange(q)) return [];
  const { sql, visitSql, eventSql } = q.filter;
  if (sql === '' || visitSql === undefined || eventSql !== '') return [];
  // A goal that tests properties has no condition over a list entry.
  if (q.goal && q.goal.visit === undefined) return [];
  return dimensions.filter((d) => d === 'page' || d === 'event');
}

export async function visitListsBreakdown(
  q: StatsQuery,
  dimensions: readonly string[],
  limit: number,
): Promise<Record<string, BreakdownRow[]>> {
  const visitor = visitorKeyOf(q.sample);
  const goal = q.goal?.sql;
  const results: Record<string, BreakdownRow[]> = {};
  await Promise.all(
    dimensions.map(async (dimension) => {
      const visits = visitRowsFrom(
        q,
        `ARRAY JOIN ${entries(dimension as 'page' | 'event', goal ?? '0')} AS entry`,
      );
      // Fixed text: the lists' columns and the goals' condition (parameters only), never request input.
      const found = await runStats<Record<string, unknown>>(
        q,
        `SELECT 0 AS dim, entry.1 AS value, uniqExactIf(${visitor}, sign = 1) AS visitors,
                sum(sign * entry.2) AS events, sum(sign * entry.3) AS pageviews, 0 AS visits
                ${goal ? `, uniqExactIf(${visitor}, sign = 1 AND entry.4) AS conversions` : ''}
         FROM ${visits.sql}
         GROUP BY value
         HAVING events > 0
         ORDER BY visitors DESC, events DESC, value
         LIMIT {limit:UInt32}`,
        { ...visits.params, limit },
      );
      Object.assign(results, countsRowsByDimension(found, [dimension], goal !== undefined, '', q.sample));
    }),
  );
  return results;
}
