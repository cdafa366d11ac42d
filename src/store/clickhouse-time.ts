/** ClickHouse's `2026-01-02 03:04:05.678` (a UTC DateTime or DateTime64 as text) as ISO 8601; ISO stays as it is. */
export function isoFromClickHouse(value: string): string {
  return value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
}
