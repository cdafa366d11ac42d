/**
 * What to do after a failed request: 408, 429, 5xx, timeouts and connection errors are worth retrying; any other
 * 4xx (bad token, bad payload) or a redirect (wrong URL) means the destination will never take this batch, so
 * retrying only delays the dead letter. Delays grow exponentially up to a cap with full jitter (a random delay between 0 and the bound),
 * so destinations recovering from an outage are not hit by every sender at once; a 429's Retry-After is honoured.
 */
import { backoffDelay as delayFor, FULL_JITTER } from '../log/backoff.ts';

export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; permanent: boolean; reason: string; detail: string; retryAfterMs?: number };

/** Retry-After longer than this is treated as this: a destination cannot park a consumer for days. */
const RETRY_AFTER_CAP_MS = 15 * 60_000;

/** `Retry-After: 120` or an HTTP date → milliseconds from now. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(header.trim()) ? Number(header) * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, seconds));
}

export function classifyStatus(status: number, retryAfter: string | null, body: string): AttemptResult {
  if (status >= 200 && status < 300) return { ok: true, status };
  // A redirect means the configured URL is not the endpoint: fix the URL rather than retry.
  const permanent = (status >= 300 && status < 500 && status !== 408 && status !== 429) || status < 200;
  const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
  return {
    ok: false,
    permanent,
    reason: `http_${status}`,
    detail: `HTTP ${status}${body ? `: ${body.slice(0, 300)}` : ''}`,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** Full jitter: uniform in [0, min(cap, base · 2^(attempt−1))]; `attempt` counts from 1. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(delayFor(attempt - 1, { baseMs, capMs, jitter: FULL_JITTER }, random));
}

export function retryDelay(
  result: Extract<AttemptResult, { ok: false }>,
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.max(result.retryAfterMs ?? 0, backoffDelay(attempt, baseMs, capMs, random));
}
