/**
 * The pages and event types cards of a visit filter's visits (a channel, a country, a device…), sampled, read from
 * the visit rows' lists (src/store/visit-contents.ts) instead of their events — when visits are not asked for (the
 * dashboard's cards; a visit holding a page in two lists would be counted twice). Over the events, the filter's
 * visits were found by a semi-join from the sampled visit rows and their events read again; here the filter is a
 * condition on the rows, and each row's list entries are read as rows of their own (`ARRAY JOIN`) named as the
 * events' columns are — `type`, `path` and `n`, the events of the entry — so the goals' conditions over events
 * (`GoalCondition.sql`) count the entries' conversions and events as they count events.
 *
 * A row of the page card: the visitors of the visits that hold the path among their pageviews' or their other
 * events' paths, the pageviews and events there, and, with goals, the visitors of the visits whose events there
 * reached a goal. A row of the event-type card: the same over the entries of the type (every event is a pageview
 * of a path or another event of a path and type). Both cards are grouping sets of one pass over the entries, and
 * the goals list under such a filter counts each goal's events in it (src/query/queries/goals.query.ts; the sums
 * as its `()` set, shared-pass.ts).
 *
 * The answers are those of the events over the sample but for visits that cross the range's edges (counted whole,
 * by the day they start, as the visit cards and KPIs count them) and lists past VISIT_LIST_MAX: equal on the
 * seeded data, whose visits lie within the range (test/query/sampling.int.test.ts). Exact answers read the events.
 */
import { visitorKeyOf } from '../stats-metrics.ts';
import type { StatsQuery } from '../stats-query.ts';
import { type BreakdownRow, countsRowsByDimension } from './breakdown-row.ts';
import { passGroups } from './shared-pass.ts';
import { visitRowsAnswer, visitRowsFrom } from './visit-rows.ts';

/**
 * A visit filter's sampled visit rows, one row per entry of their pages viewed (`type` 'pageview') and their other
 * events (by path and type), each with its events (`n`): `FROM …` and its parameters. The types and counts are
 * sized to the paths: a row a processor from before migration 033 wrote during an upgrade lacks them, and arrays of
 * unequal sizes would fail the whole statement (its entries count no events, as an unknown type).
 */
export function pageEntriesFrom(q: StatsQuery): ReturnType<typeof visitRowsFrom> {
  return visitRowsFrom(
    q,
    `ARRAY JOIN
       arrayConcat(arrayMap(p -> 'pageview', pages), arrayResize(other_types, length(other_paths), '')) AS type,
       arrayConcat(pages, other_paths) AS path,
       arrayConcat(page_views, arrayResize(other_counts, length(other_paths), 0)) AS n`,
  );
}

/**
 * Whether the visit rows' lists answer for `q`: sampled, under visit filters only, with goals that test no property
 * (the lists do not keep them).
 */
export function visitListsAnswer(q: StatsQuery): boolean {
  return visitRowsAnswer(q) && q.filter.sql !== '' && (!q.goal || q.goal.visit !== undefined);
}

/** The entries' column each card groups by. */
const KEYS: Readonly<Record<string, string>> = { page: 'path', event: 'type' };

/** Which of `dimensions` are read from the lists: the pages and the event types, when the lists answer. */
export function visitListsCards(q: StatsQuery, dimensions: readonly string[], visits: boolean): string[] {
  if (visits || !visitListsAnswer(q)) return [];
  return dimensions.filter((d) => d in KEYS);
}

export async function visitListsBreakdown(
  q: StatsQuery,
  dimensions: readonly string[],
  limit: number,
): Promise<Record<string, BreakdownRow[]>> {
  const visitor = visitorKeyOf(q.sample);
  const goal = q.goal;
  const rows = pageEntriesFrom(q);
  // Fixed text: the entries' columns and the goals' condition (parameters only), never request input.
  const found = await passGroups(q, rows.sql, rows.params, {
    keys: dimensions.map((d) => `toString(${KEYS[d]})`),
    // Named `n_…`: the visit rows have `pageviews` and `events` columns (shared-pass.ts, `Columns`).
    columns: [
      ['n_visitors', `uniqExactIf(${visitor}, sign = 1)`],
      ['n_visits', '0'],
      ['n_pageviews', "sum(sign * if(type = 'pageview', n, 0))"],
      ['n_events', 'sum(sign * n)'],
      ...(goal ? ([['n_conversions', `uniqExactIf(${visitor}, sign = 1 AND ${goal.sql})`]] as const) : []),
    ],
    order: 'n_visitors DESC, n_events DESC',
    // A value held only by rows since cancelled has no events left.
    having: () => 'n_events > 0',
    limit,
    offset: 0,
    params: goal?.params ?? {},
  });
  return countsRowsByDimension(found, dimensions, goal !== undefined, 'n_', q.sample);
}
