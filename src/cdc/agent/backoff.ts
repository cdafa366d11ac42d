/**
 * Capped exponential backoff with full jitter (a random wait between 0 and min(cap, base·2^attempt)): many agents
 * that lost the same server at the same moment spread their retries instead of returning in lockstep.
 */
import { backoffDelay, FULL_JITTER } from '../../log/backoff.ts';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

export class Backoff {
  readonly #options: BackoffOptions;
  #attempt = 0;

  constructor(options: BackoffOptions) {
    this.#options = options;
  }

  get attempts(): number {
    return this.#attempt;
  }

  /** The wait before the next retry; each call doubles the ceiling up to the cap. */
  next(): number {
    const { baseMs, capMs, random } = this.#options;
    const delay = backoffDelay(this.#attempt++, { baseMs, capMs, jitter: FULL_JITTER }, random);
    // Never zero: a retry loop must yield even when the random draw is tiny.
    return Math.max(10, Math.round(delay));
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/** Sleeps `ms`, or less when `signal` aborts (then it resolves, it does not throw). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
