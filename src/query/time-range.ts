/**
 * `from`/`to` as users write them — whole days (inclusive, in the request's time zone) or exact ISO instants —
 * turned into a half-open UTC range [start, end) that the `events` primary key can use.
 */

import { toClickHouseTime } from '../store/clickhouse-time.ts';
import type { ParamProblem } from './errors.ts';

export interface TimeRange {
  /** UTC, `YYYY-MM-DD hh:mm:ss.sss`, as ClickHouse's DateTime64(3, 'UTC') parameters take it. */
  start: string;
  end: string;
  startMs: number;
  endMs: number;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_RANGE_MS = 5 * 366 * 86_400_000;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall clock in `tz` at instant `ms` (formatters cached per zone: they are costly to build). */
export function wallClock(ms: number, tz: string): WallClock {
  let format = formats.get(tz);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    formats.set(tz, format);
  }
  const parts = format.formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS.indexOf(get('weekday')),
  };
}

/** Milliseconds to add to UTC to get the wall clock in `tz` at instant `ms`. */
function zoneOffset(ms: number, tz: string): number {
  const w = wallClock(ms, tz);
  const wall = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The UTC instant of local midnight starting `y-m-d` in `tz` (two passes settle DST changes). */
export function startOfDay(y: number, m: number, d: number, tz: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let utc = wall - zoneOffset(wall, tz);
  utc = wall - zoneOffset(utc, tz);
  return utc;
}

function parseBound(value: string, tz: string, edge: 'from' | 'to'): number {
  const day = DAY.exec(value);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]), Number(day[3])];
    const check = new Date(Date.UTC(y, m - 1, d));
    if (check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return Number.NaN;
    // `to` is a whole day: the range ends at the start of the next one.
    return edge === 'from' ? startOfDay(y, m, d, tz) : startOfDay(y, m, d + 1, tz);
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`);
}

export function parseTimeRange(
  from: string | undefined,
  to: string | undefined,
  tz: string,
  problems: ParamProblem[],
  fallback?: { startMs: number; endMs: number },
): TimeRange | undefined {
  if (fallback && from === undefined && to === undefined) return rangeOf(fallback.startMs, fallback.endMs);
  const before = problems.length;
  const bound = (value: string | undefined, edge: 'from' | 'to'): number => {
    if (value === undefined) {
      problems.push({ param: edge, message: 'is required (YYYY-MM-DD or an ISO 8601 time)' });
      return Number.NaN;
    }
    const ms = parseBound(value, tz, edge);
    if (Number.isNaN(ms))
      problems.push({ param: edge, message: `"${value}" is not a date (YYYY-MM-DD) or ISO time` });
    return ms;
  };
  const startMs = bound(from, 'from');
  const endMs = bound(to, 'to');
  if (problems.length > before) return undefined;
  if (endMs <= startMs) {
    problems.push({ param: 'to', message: 'must not be before from' });
    return undefined;
  }
  if (endMs - startMs > MAX_RANGE_MS) {
    problems.push({ param: 'to', message: 'range is longer than 5 years' });
    return undefined;
  }
  return rangeOf(startMs, endMs);
}

export function rangeOf(startMs: number, endMs: number): TimeRange {
  return { start: toClickHouseTime(startMs), end: toClickHouseTime(endMs), startMs, endMs };
}
