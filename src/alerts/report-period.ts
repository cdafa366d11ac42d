/** The period a report describes: the last whole week (Monday to Monday) or calendar month in the report's zone. */
import { rangeOf, startOfDay, type TimeRange, wallClock } from '../query/time-range.ts';
import type { ReportPeriod } from './report-specs.ts';

export interface ReportRange {
  range: TimeRange;
  /** The period before it, for the changes. */
  previous: TimeRange;
  /** `2026-W49`-like label for subjects: the first day, or the month. */
  label: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The latest period that ended at or before `nowMs`. */
export function lastCompletePeriod(every: ReportPeriod, tz: string, nowMs: number): ReportRange {
  const w = wallClock(nowMs, tz);
  if (every === 'week') {
    const monday = w.day - w.weekday;
    const start = startOfDay(w.year, w.month, monday - 7, tz);
    const first = wallClock(start, tz);
    return {
      range: rangeOf(start, startOfDay(w.year, w.month, monday, tz)),
      previous: rangeOf(startOfDay(w.year, w.month, monday - 14, tz), start),
      label: `week of ${first.year}-${pad(first.month)}-${pad(first.day)}`,
    };
  }
  const start = startOfDay(w.year, w.month - 1, 1, tz);
  const first = wallClock(start, tz);
  return {
    range: rangeOf(start, startOfDay(w.year, w.month, 1, tz)),
    previous: rangeOf(startOfDay(w.year, w.month - 2, 1, tz), start),
    label: `${first.year}-${pad(first.month)}`,
  };
}
