/**
 * What a visit holds, beside its shape: the paths it viewed with their pageviews, its event types with their counts,
 * and the paths its other events carried that it never viewed. Stored on each `visits` row (src/store/visits.ts), so
 * a goal ("reached /pricing*", "sent signup") and a filter on one event dimension ("viewed /pricing") are conditions
 * on the visit's own row — no pass over the events to find which visits hold a matching event. Goals stay
 * conditions read at query time: a new or changed goal applies to every stored visit at once.
 *
 * Each list is sorted by the bytes of its text (the order ClickHouse's `sumMap` and `arraySort` give), with a count
 * beside the key where it has one; src/process/visits/visit-fold.ts keeps the same lists as the processor folds.
 */

export const VISIT_CONTENT_COLUMNS = [
  'pages',
  'page_views',
  'event_types',
  'event_counts',
  'other_paths',
] as const;

/** Each column's type, in the order of the DDL. */
export const VISIT_CONTENT_TYPES: Readonly<Record<(typeof VISIT_CONTENT_COLUMNS)[number], string>> = {
  // The distinct paths of the visit's pageviews, and the pageviews of each.
  pages: 'Array(LowCardinality(String))',
  page_views: 'Array(UInt32)',
  // The distinct types of its events (`pageview` too), and the events of each.
  event_types: 'Array(LowCardinality(String))',
  event_counts: 'Array(UInt32)',
  // The paths of its other events that are not among `pages` (almost always none): a filter on `page` matches an
  // event of any type, a page goal only a pageview.
  other_paths: 'Array(LowCardinality(String))',
};

/** The columns' lines of the `visits` DDL. */
export const VISIT_CONTENT_DDL = VISIT_CONTENT_COLUMNS.map(
  (c) => `    ${c.padEnd(15)} ${VISIT_CONTENT_TYPES[c]},`,
).join('\n');

/** The aggregates over a visit's events that `VISIT_CONTENT_SELECT` reads (in the fold's GROUP BY). */
export const VISIT_CONTENT_AGGREGATES = `sumMapIf([path], [toUInt32(1)], type = 'pageview') AS page_map,
         sumMap([type], [toUInt32(1)]) AS type_map,
         groupUniqArrayIf(path, type != 'pageview') AS event_paths`;

/** The visit's content columns from those aggregates. */
export const VISIT_CONTENT_SELECT = `CAST(tupleElement(page_map, 1) AS Array(String)) AS pages,
       CAST(tupleElement(page_map, 2) AS Array(UInt32)) AS page_views,
       CAST(tupleElement(type_map, 1) AS Array(String)) AS event_types,
       CAST(tupleElement(type_map, 2) AS Array(UInt32)) AS event_counts,
       arraySort(arrayFilter(p -> NOT has(tupleElement(page_map, 1), p), event_paths)) AS other_paths`;
