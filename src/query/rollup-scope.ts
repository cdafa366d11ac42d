/**
 * When a stats query may read the rollups (src/store/rollups.ts) instead of the events: no filters, a range of
 * whole hours (UTC offsets of whole hours keep local days whole too), a rolled-up dimension, and goals that are
 * event types (page goals match paths, which the rows of other dimensions do not keep). Otherwise the caller scans
 * the events, exactly as before. `exact` turns the rollups off.
 *
 * The range is read as the UTC days it covers whole (`events_daily`) plus the hours at either end (`events_hourly`),
 * so a month merges about 30 sets per value instead of 720. Pages are rolled up per day only: their rows for the
 * hours at the ends are rolled up from the events of those hours as the query runs (a day or two of events, not
 * the range); a query that needs pages per hour (hourly buckets, or local days of a zone off UTC) reads the events.
 */
import {
  DAILY_TABLE,
  HOURLY_DIMENSIONS,
  ROLLUP_COLUMNS,
  ROLLUP_TABLE,
  rollupSelect,
} from '../store/rollups.ts';
import { scopeFilter } from './scope-filter.ts';
import type { StatsQuery } from './stats-query.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const COLUMNS = 'dimension, value, type, visitors, visits, events, pageviews, visit_pageviews';

export interface RollupScope {
  /** A subquery of rollup rows in scope (project, tenant, dimension, range), for `FROM`. */
  source: string;
  params: Record<string, string | number | string[]>;
}

export function rollupScope(
  q: StatsQuery,
  dimension: string,
  /**
   * With an `hour` column for time buckets: `hours` reads hourly rows only (buckets of any whole-hour time zone);
   * `days` keeps the daily rows, each at its UTC midnight (day, week or month buckets of UTC).
   */
  options: {
    time?: 'hours' | 'days';
    /**
     * The caller reads the totals (`dimension` ''), counts with `dimension = ''` and conversions with the goal's
     * `rollup` condition: page goals are then answered too, from the `page` rows of the pageviews they match, kept
     * in scope.
     */
    goalPages?: boolean;
  } = {},
): RollupScope | undefined {
  if (q.exact || !(dimension in ROLLUP_COLUMNS)) return undefined;
  // A filter of one `is` on pages or event types: the totals are those values' rows (goals aside, whose page rows
  // would be other values).
  const byValue = q.filter.sql === '' ? undefined : q.filter.rolledUp;
  if (q.filter.sql !== '' && !(byValue && dimension === '' && !q.goal)) return undefined;
  const rows = byValue?.dimension ?? dimension;
  // Goals on event properties: the rollups keep no properties.
  if (q.goal?.properties) return undefined;
  const { startMs, endMs } = q.range;
  if (startMs % HOUR !== 0 || endMs % HOUR !== 0) return undefined;
  const pageGoals = q.goal !== undefined && q.goal.pages.length > 0;
  if (pageGoals && !(options.goalPages && dimension === '')) return undefined;
  // Whose rows (project, and tenant when scoped): the same condition on the rollups and on the events of the edges.
  const owner = scopeFilter(q.target, false);
  const scope = [
    owner.sql,
    // The goals' pages only: with small granules (ROLLUP_GRANULARITY) the key skips the other pages' sets.
    pageGoals
      ? `(dimension = {rollup_dimension:String} OR ${q.goal?.rollupPages})`
      : 'dimension = {rollup_dimension:String}',
    ...(byValue ? [`value IN {${byValue.param}:Array(String)}`] : []),
  ];
  const params: Record<string, string | number | string[]> = {
    ...owner.params,
    ...(byValue ? q.filter.params : {}),
    rollup_dimension: rows,
  };
  if (q.goal) Object.assign(params, q.goal.params, { goal_events: q.goal.events });
  // Rows the hourly table does not keep: the rollup of the events of the hours outside whole days, made now.
  const perDayOnly = [rows, ...(pageGoals ? ['page'] : [])].filter((d) => !HOURLY_DIMENSIONS.includes(d));
  if (perDayOnly.length > 0 && options.time === 'hours') return undefined;
  const firstDay = Math.ceil(startMs / DAY) * DAY;
  const lastDay = Math.floor(endMs / DAY) * DAY;
  const pieces: string[] = [];
  const between = (column: string, name: string, from: number, to: number) => {
    params[`${name}_from`] = from / 1000;
    params[`${name}_to`] = to / 1000;
    return `(${column} >= toDateTime({${name}_from:UInt32}, 'UTC') AND ${column} < toDateTime({${name}_to:UInt32}, 'UTC'))`;
  };
  const where = scope.join(' AND ');
  const hour = options.time ? ', hour' : '';
  const edges: Array<[number, number]> = [];
  if (options.time !== 'hours' && firstDay < lastDay) {
    const day = options.time ? ", toDateTime(day, 'UTC') AS hour" : '';
    pieces.push(
      `SELECT ${COLUMNS}${day} FROM ${DAILY_TABLE} WHERE ${where} AND ${between('day', 'rollup_days', firstDay, lastDay)}`,
    );
    if (startMs < firstDay) edges.push([startMs, firstDay]);
    if (lastDay < endMs) edges.push([lastDay, endMs]);
  } else edges.push([startMs, endMs]);
  // The filtered values' rows read as the totals (`dimension` ''), which is what the caller asks for.
  const source = () =>
    byValue
      ? `(SELECT '' AS dimension, ${COLUMNS.replace('dimension, ', '')}${hour} FROM (${pieces.join('\nUNION ALL\n')}))`
      : `(${pieces.join('\nUNION ALL\n')})`;
  if (edges.length === 0) return { source: source(), params };
  const inEdges = (column: string) =>
    `(${edges.map(([from, to], i) => between(column, `rollup_edge${i}`, from, to)).join(' OR ')})`;
  pieces.push(`SELECT ${COLUMNS}${hour} FROM ${ROLLUP_TABLE} WHERE ${where} AND ${inEdges('hour')}`);
  if (perDayOnly.length > 0) {
    const events = `(SELECT * FROM events WHERE ${owner.sql} AND ${inEdges('timestamp')}) AS e`;
    pieces.push(`SELECT ${COLUMNS}${hour} FROM (${rollupSelect(events, perDayOnly)}) WHERE ${where}`);
  }
  return { source: source(), params };
}
