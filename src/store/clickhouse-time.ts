/** ClickHouse's `2026-01-02 03:04:05.678` (a UTC DateTime or DateTime64 as text) as ISO 8601; ISO stays as it is. */
export function isoFromClickHouse(value: string): string {
  return value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
}

/** A time (ms) as ClickHouse's UTC text `2026-01-02 03:04:05.678`, for DateTime64(3, 'UTC') parameters. */
export function toClickHouseTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}
