/** What every Kafka client Sightline makes shares: bounded waits. */
import type { Consumer } from '@platformatic/kafka';

/** Client settings for every Kafka client Sightline makes: bounded waits, a few quick retries. */
export const CLIENT_TIMEOUTS = {
  timeout: 10_000,
  requestTimeout: 10_000,
  connectTimeout: 5_000,
  retries: 3,
  retryDelay: 500,
};

/** A broker that comes back can leave a request unanswered; nothing in the loop may wait on one forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Leaves the group in the background; a member that cannot leave is dropped by the broker after its session. */
export function retire(old: Consumer, oldStream?: { close(): Promise<void> }): void {
  void (async () => {
    await withTimeout(oldStream?.close() ?? Promise.resolve(), 5_000, 'closing the stream').catch(
      () => undefined,
    );
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await withTimeout(old.close(true), 10_000, 'closing the consumer');
        return;
      } catch {
        await sleep(5_000);
      }
    }
  })();
}
