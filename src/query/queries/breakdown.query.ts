import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import { METRICS_SQL, type Metrics, metricsOf } from '../stats-metrics.ts';
import type { TimeRange } from '../time-range.ts';

/** Dimension names of the API → columns. `event:props:<key>` reads a property (the key is a parameter). */
export const DIMENSIONS: Record<string, string> = {
  page: 'path',
  host: 'host',
  source: 'referrer_source',
  channel: 'channel',
  referrer: 'referrer',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  country: 'country',
  region: 'region',
  city: 'city',
  browser: 'browser',
  browser_version: 'browser_version',
  os: 'os',
  os_version: 'os_version',
  device: 'device_type',
  event: 'type',
  locale: 'locale',
  app_version: 'app_version',
};

export const PROP_PREFIX = 'event:props:';

export function isDimension(name: string): boolean {
  return name in DIMENSIONS || (name.startsWith(PROP_PREFIX) && name.length > PROP_PREFIX.length);
}

export async function breakdownQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  dimension: string,
  limit: number,
  page: number,
  timeoutMs: number,
): Promise<Array<{ value: string } & Metrics>> {
  const scope = scopeFilter(target, true);
  const params: Record<string, string | number> = {
    ...scope.params,
    from: range.start,
    to: range.end,
    limit,
    offset: (page - 1) * limit,
  };
  let column = DIMENSIONS[dimension];
  if (!column) {
    column = 'JSONExtractString(props, {prop:String})';
    params.prop = dimension.slice(PROP_PREFIX.length);
  }
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${column} AS value, ${METRICS_SQL}
     FROM events WHERE ${scope.sql} AND NOT is_bot
     GROUP BY value
     ORDER BY visitors DESC, events DESC, value
     LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
    params,
    { timeoutMs },
  );
  return rows.map((r) => ({ value: String(r.value), ...metricsOf(r) }));
}
