/** A delay that ends early, rejecting, when the forwarder stops (a shutdown must not wait out a backoff). */
export class ForwardStopped extends Error {
  override name = 'ForwardStopped';
  constructor() {
    super('forwarding stopped');
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(new ForwardStopped());
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ForwardStopped());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
