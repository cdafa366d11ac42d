import type { SeedDay } from './plan.ts';
import { ints } from './sql-literals.ts';

/**
 * Rows of a chunk are numbered 0…n-1 by `numbers_mt` (small blocks, one stream per core: a few large arrays
 * expanded in one block ran three times slower, on one core). A row finds its day through buckets of 2^b rows,
 * each starting inside a known day; buckets are no larger than the smallest day, so a bucket touches at most two
 * days and one comparison settles which.
 */
export interface DayIndex {
  /** `WITH` entries: DAY_FIRST (chunk-local first row of each day, plus the total), BUCKET_DAY. */
  withs: string[];
  /** SQL: the 1-based day of row `x` within the chunk. */
  dayOf(x: string): string;
  rows: number;
}

export function dayIndex(counts: readonly number[]): DayIndex {
  const first: number[] = [];
  let total = 0;
  for (const c of counts) {
    first.push(total);
    total += c;
  }
  first.push(total);
  const smallest = Math.max(1, Math.min(...counts.filter((c) => c > 0)));
  const shift = Math.floor(Math.log2(smallest));
  const bucketDay: number[] = [];
  let day = 0;
  for (let start = 0; start < Math.max(total, 1); start += 2 ** shift) {
    while (first[day + 1] <= start && day < counts.length - 1) day++;
    bucketDay.push(day + 1);
  }
  return {
    withs: [`${ints(first)} AS DAY_FIRST`, `${ints(bucketDay)} AS BUCKET_DAY`],
    dayOf: (x) =>
      `(BUCKET_DAY[1 + bitShiftRight(${x}, ${shift})] + (${x} >= DAY_FIRST[BUCKET_DAY[1 + bitShiftRight(${x}, ${shift})] + 1]))`,
    rows: total,
  };
}

/** The planned days as `WITH` arrays indexed by the 1-based day (`di`). */
export function dayColumns(days: readonly SeedDay[]): string[] {
  return [
    `${ints(days.map((d) => d.startMs))} AS DAY_START`,
    `${ints(days.map((d) => (d.weekend ? 1 : 0)))} AS DAY_WEEKEND`,
    `${ints(days.map((d) => d.spikeThreshold))} AS DAY_SPIKE`,
    `${ints(days.map((d) => d.spikeSource))} AS DAY_SPIKE_SOURCE`,
    `${ints(days.map((d) => (d.incident ? 1 : 0)))} AS DAY_INCIDENT`,
  ];
}
