/**
 * Capped exponential backoff, the one formula every retry loop uses: retry number `attempt` (0 = the first retry)
 * waits min(cap, base·2^attempt) times a random factor drawn from `jitter`. Full jitter ([0, 1]) spreads many
 * clients that failed together; a narrower band ([0.5, 1], [0.75, 1.25]) keeps a floor for a retry against a
 * local resource; [1, 1] is no jitter at all.
 */

export type Jitter = readonly [low: number, high: number];

export const FULL_JITTER: Jitter = [0, 1];
export const NO_JITTER: Jitter = [1, 1];

export interface BackoffShape {
  baseMs: number;
  capMs: number;
  /** The random factor's range (default none). */
  jitter?: Jitter;
}

/** Milliseconds (not rounded) before retry `attempt`; `random` is injectable for tests. */
export function backoffDelay(
  attempt: number,
  shape: BackoffShape,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(shape.capMs, shape.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const [low, high] = shape.jitter ?? NO_JITTER;
  return low === high ? ceiling * low : ceiling * (low + random() * (high - low));
}
