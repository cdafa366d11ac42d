import { DIMENSION_COLUMNS } from '../store/event-columns.ts';

/**
 * Dimension names of the API → columns (src/store/event-columns.ts). `event:props:<key>` reads a property (the key
 * is a parameter).
 */
export const DIMENSIONS: Readonly<Record<string, string>> = DIMENSION_COLUMNS;

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
