/**
 * When a stats query may read the rollups (src/store/rollups.ts) instead of the events: no filters, a range of
 * whole hours (UTC offsets of whole hours keep local days whole too), a rolled-up dimension, and goals that are
 * event types (page goals match paths, which the rows of other dimensions do not keep). Otherwise the caller scans
 * the events, exactly as before. `exact` turns the rollups off.
 *
 * The range is read as the UTC days it covers whole (`events_daily`) plus the hours at either end
 * (`events_hourly`), so a month merges about 30 sets per value instead of 720.
 */
import { DAILY_TABLE, ROLLUP_COLUMNS, ROLLUP_TABLE } from '../store/rollups.ts';
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
     * `rollup` condition: page goals are then answered too, from the pageviews' `page` rows kept in scope.
     */
    goalPages?: boolean;
  } = {},
): RollupScope | undefined {
  if (q.exact || q.filter.sql !== '' || !(dimension in ROLLUP_COLUMNS)) return undefined;
  // Goals on event properties: the rollups keep no properties.
  if (q.goal?.properties) return undefined;
  const { startMs, endMs } = q.range;
  if (startMs % HOUR !== 0 || endMs % HOUR !== 0) return undefined;
  const pageGoals = q.goal !== undefined && q.goal.pages.length > 0;
  if (pageGoals && !(options.goalPages && dimension === '')) return undefined;
  const scope = [
    'project = {project:String}',
    pageGoals
      ? "(dimension = {rollup_dimension:String} OR (dimension = 'page' AND type = 'pageview'))"
      : 'dimension = {rollup_dimension:String}',
  ];
  const params: Record<string, string | number | string[]> = {
    project: q.target.project,
    rollup_dimension: dimension,
  };
  if (q.target.tenant !== undefined) {
    scope.push('tenant_id = {tenant:String}');
    params.tenant = q.target.tenant;
  }
  if (q.goal) Object.assign(params, q.goal.params, { goal_events: q.goal.events });
  const firstDay = Math.ceil(startMs / DAY) * DAY;
  const lastDay = Math.floor(endMs / DAY) * DAY;
  const pieces: string[] = [];
  const between = (column: string, name: string, from: number, to: number) => {
    params[`${name}_from`] = from / 1000;
    params[`${name}_to`] = to / 1000;
    return `(${column} >= toDateTime({${name}_from:UInt32}, 'UTC') AND ${column} < toDateTime({${name}_to:UInt32}, 'UTC'))`;
  };
  const where = scope.join(' AND ');
  const hourly = (columns: string, time: string) =>
    `SELECT ${columns} FROM ${ROLLUP_TABLE} WHERE ${where} AND ${time}`;
  const hour = options.time ? ', hour' : '';
  if (options.time !== 'hours' && firstDay < lastDay) {
    const day = options.time ? ", toDateTime(day, 'UTC') AS hour" : '';
    pieces.push(
      `SELECT ${COLUMNS}${day} FROM ${DAILY_TABLE} WHERE ${where} AND ${between('day', 'rollup_days', firstDay, lastDay)}`,
    );
    const edges = [
      ...(startMs < firstDay ? [between('hour', 'rollup_head', startMs, firstDay)] : []),
      ...(lastDay < endMs ? [between('hour', 'rollup_tail', lastDay, endMs)] : []),
    ];
    if (edges.length > 0) pieces.push(hourly(`${COLUMNS}${hour}`, `(${edges.join(' OR ')})`));
  } else pieces.push(hourly(`${COLUMNS}${hour}`, between('hour', 'rollup_hours', startMs, endMs)));
  return { source: `(${pieces.join('\nUNION ALL\n')})`, params };
}
