/** Alert notifications as a JSON POST, retried a few times: a receiver that restarts should not lose an alert. */

export interface WebhookOptions {
  attempts?: number;
  /** Delay before the second attempt; doubles each time. */
  firstDelayMs?: number;
  timeoutMs?: number;
}

/** Resolves on a 2xx answer; throws with the last status or error after the last attempt. */
export async function postWebhook(
  url: string,
  payload: unknown,
  options: WebhookOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 3;
  let delay = options.firstDelayMs ?? 500;
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Sightline-Alerts' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await res.body?.cancel();
      if (res.ok) return;
      last = `HTTP ${res.status}`;
      // A 4xx other than 408/429 will not get better by asking again.
      if (res.status < 500 && res.status !== 408 && res.status !== 429) break;
    } catch (err) {
      last = (err as Error).message;
    }
    if (attempt < attempts) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  throw new Error(`webhook ${url} failed: ${last}`);
}
