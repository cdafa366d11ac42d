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
  ROLLUP_UNIQ_MERGE_IF,
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

/**
 * The page rows a scope of the totals keeps: every page goal's of the project when the query knows them and they
 * include its own goal's (the calls of one page then read the same rows, whichever goal each counts), else its own
 * goal's.
 */
function goalPagesOf(
  q: StatsQuery,
  time: 'hours' | 'days' | undefined,
): { sql: string; params: Record<string, string | string[]> } | undefined {
  const all = q.goalPageRows;
  // Not for hourly rows, which keep no pages: a scope that needs none must not lose the rollups for them.
  if (all && time !== 'hours' && (q.goal?.pages ?? []).every((p) => all.pages.includes(p))) return all;
  return q.goal?.rollupPages ? { sql: q.goal.rollupPages, params: q.goal.params } : undefined;
}

/**
 * The scope the page's calls that read the rollups' totals ask for — the KPIs, the chart of UTC days, the goals
 * list: daily rows with their `hour`, every page goal's rows — so they read the same rows, in one pass.
 */
export const TOTALS_SCOPE = { time: 'days', goalPages: true } as const;

/**
 * Visitors, pageviews and events over a scope of the totals (`dimension` ''), which may hold page goals' rows too:
 * (alias, sum) pairs, one definition so the parts of a pass that name them name the same sums (shared-pass.ts).
 */
export function rollupCountSumPairs(): Array<[string, string]> {
  return [
    ['n_visitors', `${ROLLUP_UNIQ_MERGE_IF}(visitors, dimension = '')`],
    ['n_pageviews', "sumIf(pageviews, dimension = '')"],
    ['n_events', "sumIf(events, dimension = '')"],
  ];
}

/**
 * The rollup rows of a filter of pages (one `is`, one or more paths) read as totals: every count of the events it
 * keeps, per path and event type — the cards' pages and event types and the goals list under that filter read these
 * (with its KPIs' counts and chart, in one pass) instead of the sampled events. Not for goals testing properties
 * (their `pageRows` is absent: the rollups keep no properties), nor when the rollups cannot answer the range.
 */
export function pageFilterScope(q: StatsQuery): RollupScope | undefined {
  if (q.filter.rolledUp?.dimension !== 'page' || (q.goal && !q.goal.pageRows)) return undefined;
  return rollupScope({ ...q, goal: undefined }, '', TOTALS_SCOPE);
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
     * in scope — those of every page goal of the project when the query knows them (`goalPageRows`), so the calls of
     * one page that read the totals read the same rows (and one pass, shared-pass.ts).
     */
    goalPages?: boolean;
    /**
     * The caller reads the `page` rows and counts conversions with the goal's `pageRows` condition (each row read as
     * events of its path), which answers page goals too.
     */
    pageRows?: boolean;
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
  const pageGoalsAnswered =
    (options.goalPages && dimension === '') || (options.pageRows && dimension === 'page' && q.goal?.pageRows);
  if (q.goal !== undefined && q.goal.pages.length > 0 && !pageGoalsAnswered) return undefined;
  const pageRows =
    options.goalPages && dimension === '' && !byValue ? goalPagesOf(q, options.time) : undefined;
  // Whose rows (project, and tenant when scoped): the same condition on the rollups and on the events of the edges.
  const owner = scopeFilter(q.target, false);
  const scope = [
    owner.sql,
    // The goals' pages only: with small granules (ROLLUP_GRANULARITY) the key skips the other pages' sets.
    pageRows
      ? `(dimension = {rollup_dimension:String} OR ${pageRows.sql})`
      : 'dimension = {rollup_dimension:String}',
    ...(byValue ? [`value IN {${byValue.param}:Array(String)}`] : []),
  ];
  const params: Record<string, string | number | string[]> = {
    ...owner.params,
    ...(byValue ? q.filter.params : {}),
    ...(pageRows?.params ?? {}),
    rollup_dimension: rows,
  };
  if (q.goal) Object.assign(params, q.goal.params, { goal_events: q.goal.events });
  // Rows the hourly table does not keep: the rollup of the events of the hours outside whole days, made now.
  const perDayOnly = [rows, ...(pageRows ? ['page'] : [])].filter((d) => !HOURLY_DIMENSIONS.includes(d));
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
