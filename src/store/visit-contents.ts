/**
 * What a visit holds, beside its shape: the paths it viewed with their pageviews, its event types with their counts,
 * and its other events by (path, type) with their counts. Stored on each `visits` row (src/store/visits.ts), so
 * a goal ("reached /pricing*", "sent signup") and a filter on one event dimension ("viewed /pricing") are conditions
 * on the visit's own row — no pass over the events to find which visits hold a matching event. A goal changed or
 * added applies to every stored visit at once: the rows' goal bits (src/query/visit-goal-bits.ts) are read only when
 * they are of the current goal list, these lists otherwise.
 *
 * Each list is sorted by the bytes of its text (the order ClickHouse's `arraySort` gives), with a count beside the
 * key where it has one; src/process/visits/visit-fold.ts keeps the same lists as the processor folds.
 */

export const VISIT_CONTENT_COLUMNS = [
  'pages',
  'page_views',
  'event_types',
  'event_counts',
  'other_paths',
  'other_types',
  'other_counts',
] as const;

/** The columns migration 033 added (src/store/visits-migrations.ts): before it `other_paths` held distinct paths. */
export const OTHER_EVENT_COUNT_COLUMNS: readonly string[] = ['other_types', 'other_counts'];

/** Each column's type, in the order of the DDL. */
export const VISIT_CONTENT_TYPES: Readonly<Record<(typeof VISIT_CONTENT_COLUMNS)[number], string>> = {
  // The distinct paths of the visit's pageviews, and the pageviews of each.
  pages: 'Array(LowCardinality(String))',
  page_views: 'Array(UInt32)',
  // The distinct types of its events (`pageview` too), and the events of each.
  event_types: 'Array(LowCardinality(String))',
  event_counts: 'Array(UInt32)',
  // Its other events (not pageviews), one entry per distinct (path, type), sorted by path then type, with the events
  // of each: a filter on `page` matches an event of any type (a page goal only a pageview), and a page's events and
  // conversions to an event goal are counted from them.
  other_paths: 'Array(LowCardinality(String))',
  other_types: 'Array(LowCardinality(String))',
  other_counts: 'Array(UInt32)',
};

/**
 * The most values a list keeps — the smallest by their bytes, in both folds. Real visits stay far below it; a client
 * sending endless distinct paths under one session id would otherwise grow a row that is written again with every
 * batch that touches its visit. Goals and filters read from the rows miss a visit's values past it.
 */
export const VISIT_LIST_MAX = 100;

/**
 * The aggregates over a visit's events that `VISIT_CONTENT_SELECT` reads (in the fold's GROUP BY): the lists as they
 * come, sorted and counted per visit afterwards — about three times cheaper than `sumMap` (bench: a fold of three
 * days of 10 M seeded events, 130 ms without the contents, 650–740 ms with `sumMap`, 280–350 ms so).
 */
export const VISIT_CONTENT_AGGREGATES = `groupArrayIf(path, type = 'pageview') AS viewed_paths,
         groupArray(type) AS all_types,
         groupArrayIf((toString(path), toString(type)), type != 'pageview') AS other_events`;

/** The visit's content columns from those aggregates (`arraySort` orders text by its bytes). */
export const VISIT_CONTENT_SELECT = `arraySlice(arraySort(arrayDistinct(viewed_paths)), 1, ${VISIT_LIST_MAX}) AS pages,
       arrayMap(p -> toUInt32(countEqual(viewed_paths, p)), pages) AS page_views,
       CAST(arraySlice(arraySort(arrayDistinct(all_types)), 1, ${VISIT_LIST_MAX}) AS Array(String)) AS event_types,
       arrayMap(t -> toUInt32(countEqual(all_types, t)), event_types) AS event_counts,
       arrayMap(e -> e.1, arraySlice(arraySort(arrayDistinct(other_events)), 1, ${VISIT_LIST_MAX})) AS other_paths,
       arrayMap(e -> e.2, arraySlice(arraySort(arrayDistinct(other_events)), 1, ${VISIT_LIST_MAX})) AS other_types,
       arrayMap((p, t) -> toUInt32(countEqual(other_events, (p, t))), other_paths, other_types) AS other_counts`;
