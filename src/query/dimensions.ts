import { DIMENSION_COLUMNS } from '../store/event-columns.ts';

/**
 * Dimension names of the API → columns (src/store/event-columns.ts). `event:props:<key>` reads a property (the key
 * is a parameter).
 */
export const DIMENSIONS: Readonly<Record<string, string>> = DIMENSION_COLUMNS;

/**
 * Dimensions that belong to the visit, as Plausible has them: where it came from (its first event's referrer,
 * source, channel and UTM tags), its entry and exit pages, and its place and device. Later events of a visit are internal navigation
 * (channel `direct`), so counting these per event would credit every visit of two pages to `direct` as well. Their
 * breakdowns and filters read `visits` (src/store/visits.ts): dimension → column there.
 */
export const VISIT_DIMENSIONS: Record<string, string> = {
  source: 'referrer_source',
  channel: 'channel',
  referrer: 'referrer',
  utm_source: 'utm_source',
  utm_medium: 'utm_medium',
  utm_campaign: 'utm_campaign',
  utm_term: 'utm_term',
  utm_content: 'utm_content',
  entry_page: 'entry_page',
  exit_page: 'exit_page',
  // Where and on what the visit happened: the same for all its events in practice, so a visit row answers them
  // and the events pass is left with pages and event types.
  country: 'country',
  region: 'region',
  city: 'city',
  browser: 'browser',
  os: 'os',
  device: 'device_type',
};

export const PROP_PREFIX = 'event:props:';

export function isDimension(name: string): boolean {
  return (
    name in DIMENSIONS ||
    name in VISIT_DIMENSIONS ||
    (name.startsWith(PROP_PREFIX) && name.length > PROP_PREFIX.length)
  );
}

export function dimensionNames(): string {
  const names = new Set([...Object.keys(DIMENSIONS), ...Object.keys(VISIT_DIMENSIONS)]);
  return [...names, `${PROP_PREFIX}<key>`].join(', ');
}
