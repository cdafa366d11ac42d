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

/** Dimensions of a whole visit rather than of one event: its first and last pageview. */
export const SESSION_DIMENSIONS: Record<string, string> = {
  entry_page: "argMinIf(path, timestamp, type = 'pageview')",
  exit_page: "argMaxIf(path, timestamp, type = 'pageview')",
};

export const PROP_PREFIX = 'event:props:';

export function isDimension(name: string): boolean {
  return (
    name in DIMENSIONS ||
    name in SESSION_DIMENSIONS ||
    (name.startsWith(PROP_PREFIX) && name.length > PROP_PREFIX.length)
  );
}

export function dimensionNames(): string {
  return [...Object.keys(DIMENSIONS), ...Object.keys(SESSION_DIMENSIONS), `${PROP_PREFIX}<key>`].join(', ');
}
