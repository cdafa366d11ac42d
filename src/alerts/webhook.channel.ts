/**
 * Alert notifications as a JSON POST, retried a few times: a receiver that restarts should not lose an alert.
 * Every attempt passes the target policy (webhook-target.ts) on the addresses it actually connects to, and a
 * redirect is a failure: following it would let an allowed public host bounce the request into the network.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import {
  guardedLookup,
  hostOf,
  NO_ALLOW,
  type ResolveAll,
  refusal,
  type WebhookAllowList,
} from './webhook-target.ts';

export interface WebhookOptions {
  attempts?: number;
  /** Delay before the second attempt; doubles each time. */
  firstDelayMs?: number;
  timeoutMs?: number;
  /** Private targets the operator allows (SIGHTLINE_WEBHOOK_ALLOW); none by default. */
  allow?: WebhookAllowList;
  /** Name resolution; tests pass their own to play a rebinding DNS server. */
  resolve?: ResolveAll;
}

/** A failure that asking again will not fix: the target is refused, redirects, or answers a 4xx. */
class FinalError extends Error {}

function postOnce(url: URL, body: string, options: WebhookOptions): Promise<void> {
  const allow = options.allow ?? NO_ALLOW;
  const host = hostOf(url);
  // A literal address never reaches `lookup`, so it is checked here.
  const refused = isIP(host) !== 0 ? refusal(host, host, allow) : undefined;
  if (refused) return Promise.reject(new FinalError(refused));
  const request = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<void>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Sightline-Alerts',
        },
        lookup: guardedLookup(allow, options.resolve),
        agent: false,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // The answer's body is never read: nothing of it is shown to whoever saved the rule.
        res.destroy();
        if (status >= 200 && status < 300) resolve();
        else if (status >= 300 && status < 400)
          reject(new FinalError(`HTTP ${status}: redirects are not followed`));
        // A 4xx other than 408/429 will not get better by asking again.
        else if (status < 500 && status !== 408 && status !== 429) reject(new FinalError(`HTTP ${status}`));
        else reject(new Error(`HTTP ${status}`));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ERR_WEBHOOK_TARGET_REFUSED' ? new FinalError(err.message) : err),
    );
    req.end(body);
  });
}

/**
 * Resolves on a 2xx answer; throws after the last attempt. The error's message carries the detail for the
 * server's log; callers show only that the delivery failed.
 */
export async function postWebhook(
  url: string,
  payload: unknown,
  options: WebhookOptions = {},
): Promise<void> {
  const attempts = options.attempts ?? 3;
  let delay = options.firstDelayMs ?? 500;
  const target = new URL(url);
  const body = JSON.stringify(payload);
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await postOnce(target, body, options);
      return;
    } catch (err) {
      last = (err as Error).message;
      if (err instanceof FinalError) break;
    }
    if (attempt < attempts) {
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
  throw new Error(`webhook ${url} failed: ${last}`);
}
