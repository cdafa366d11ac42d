/**
 * Sampling for big ranges, as large analytics products do it: `events` is ordered with a sample key, a hash of
 * the visitor (src/store/events-sample-key.ts), so `SAMPLE 1/N` reads whole visitors — their every event and
 * visit — and skips the rest through the index. Counts (visitors, visits, pageviews, events, conversions) are then
 * scaled by N; rates and averages (bounce rate, visit duration, views per visit, conversion rate) are read as they
 * are. A range holding more than twice `SIGHTLINE_SAMPLE_ROWS` events reads about that many; smaller ranges, and
 * requests with `exact=1`, read every event. The answer says `"sampled": 1/N` when it applies.
 *
 * The decision rests on an estimate that costs a few milliseconds: the events of the range's whole UTC days, counted
 * from the primary key. The page's calls share it through a short cache.
 */
import type { Store } from '../store/store.ts';
import type { Target } from './read-auth.ts';
import type { TimeRange } from './time-range.ts';

const CACHE_MS = 10_000;
const CACHE_ENTRIES = 1_000;

export interface SampleSettings {
  /** About how many events a sampled query reads; 0 never samples. */
  sampleRows: number;
}

/** `SAMPLE 1/N` for a FROM clause, or nothing. N is computed here, never taken from a request. */
export function sampleClause(sample: number | undefined): string {
  return sample !== undefined && sample > 1 ? ` SAMPLE 1/${Math.trunc(sample)}` : '';
}

/** A count read from a sample, scaled back to the whole. */
export function scaled(value: unknown, sample: number | undefined): number {
  const n = Number(value ?? 0);
  return sample !== undefined && sample > 1 ? Math.round(n * sample) : n;
}

/** What the answer says about it: the share read (0.1 for 1/10), or nothing when every event was read. */
export function sampledShare(sample: number | undefined): { sampled: number } | Record<string, never> {
  return sample !== undefined && sample > 1 ? { sampled: Math.round(1e6 / sample) / 1e6 } : {};
}

export function createSampler(store: Store, settings: SampleSettings) {
  const cache = new Map<string, { at: number; rows: number }>();
  async function estimate(target: Target, range: TimeRange): Promise<number> {
    const key = `${target.project}\u0000${range.start}\u0000${range.end}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
    const [row] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM events
       WHERE project = {project:String}
         AND toDate(timestamp) >= toDate({from:DateTime64(3, 'UTC')})
         AND toDate(timestamp) <= toDate({to:DateTime64(3, 'UTC')})`,
      { project: target.project, from: range.start, to: range.end },
    );
    const rows = Number(row?.n ?? 0);
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(key, { at: Date.now(), rows });
    return rows;
  }
  /** N of `SAMPLE 1/N` for a query over `range`, or 1 (every event). */
  return async function sampleFor(target: Target, range: TimeRange, exact: boolean): Promise<number> {
    if (exact || settings.sampleRows === 0) return 1;
    const rows = await estimate(target, range);
    return rows > 2 * settings.sampleRows ? Math.floor(rows / settings.sampleRows) : 1;
  };
}
