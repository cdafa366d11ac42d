/** A per-destination rate limit: `rate` tokens a second, bursts up to `burst`; `take` waits for a token. */
import { abortableSleep } from './abortable-sleep.ts';

export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;
  /** Callers are served in order, so a steady stream cannot starve an earlier waiter. */
  #queue: Promise<void> = Promise.resolve();

  constructor(ratePerSecond: number, burst = Math.max(1, ratePerSecond)) {
    this.#rate = ratePerSecond;
    this.#burst = burst;
    this.#tokens = burst;
    this.#at = Date.now();
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#rate);
    this.#at = now;
  }

  /** Milliseconds until a token would be free (0: take one now). Exposed for tests and metrics. */
  wait(now = Date.now()): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }

  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      for (let ms = this.wait(); ms > 0; ms = this.wait()) await abortableSleep(ms, signal);
      this.#tokens -= 1;
    });
    this.#queue = turn.catch(() => undefined);
    return turn;
  }
}
