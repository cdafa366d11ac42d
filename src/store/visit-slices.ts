/**
 * Cuts a visits backfill (src/store/visits.ts) into slices of whole days by the day each visit starts, so each slice
 * reads only its own stretch of `events` (ordered and partitioned by time) instead of every event again.
 */

/** The visits starting on one UTC day: how many events they hold and when the last of them ends. */
export interface VisitDay {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  events: number;
  /** The latest event of the visits starting that day (ms); later days may hold their events. */
  lastMs: number;
}

/** Consecutive days folded in one pass: the visits starting in `[fromMs, toMs)`, from their events up to `lastMs`. */
export interface VisitSlice {
  firstDay: string;
  lastDay: string;
  fromMs: number;
  toMs: number;
  lastMs: number;
  events: number;
  /** Events of the slices before this one (for the progress percentage). */
  eventsBefore: number;
}

const DAY_MS = 86_400_000;

/**
 * Groups `days` (ascending, as the store returns them) into runs of at most `eventsPerSlice` events; a day holding
 * more is a slice of its own (a visit's events are grouped in one pass, and a day is the finest cut made).
 */
export function planVisitSlices(days: readonly VisitDay[], eventsPerSlice: number): VisitSlice[] {
  const slices: VisitSlice[] = [];
  let eventsBefore = 0;
  for (const d of days) {
    const fromMs = Date.parse(`${d.day}T00:00:00Z`);
    const last = slices.at(-1);
    if (last && last.events + d.events <= eventsPerSlice) {
      last.lastDay = d.day;
      last.toMs = fromMs + DAY_MS;
      last.lastMs = Math.max(last.lastMs, d.lastMs);
      last.events += d.events;
    } else {
      if (last) eventsBefore += last.events;
      slices.push({
        firstDay: d.day,
        lastDay: d.day,
        fromMs,
        toMs: fromMs + DAY_MS,
        lastMs: d.lastMs,
        events: d.events,
        eventsBefore,
      });
    }
  }
  return slices;
}
