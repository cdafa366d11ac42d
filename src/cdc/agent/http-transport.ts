/**
 * The spool's HTTP route: `POST <url>/cdc` on a central Sightline, NDJSON, project and key headers. Answers become
 * what the sender does next: 2xx done, 413 split, 400/422 quarantine, 401/403/404 retry loudly (naming the flag to
 * fix), anything else retry (honouring `Retry-After`).
 */
import type { Outcome, Transport } from './spool-sender.ts';

export interface HttpTransportOptions {
  /** Base URL of the central Sightline (`https://sightline.example.com`). */
  url: string;
  project: string;
  key?: string;
  requestTimeoutMs?: number;
  userAgent?: string;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class HttpTransport implements Transport {
  readonly #o: HttpTransportOptions;
  readonly #endpoint: string;
  readonly description: string;

  constructor(options: HttpTransportOptions) {
    this.#o = options;
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/cdc`;
    this.description = `the central server at ${this.#endpoint}`;
  }

  async send(chunk: readonly string[]): Promise<Outcome> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
      'x-app': this.#o.project,
      'user-agent': this.#o.userAgent ?? 'sightline-cdc',
    };
    if (this.#o.key) headers['x-project-key'] = this.#o.key;
    const timeoutMs = this.#o.requestTimeoutMs ?? 30_000;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: `${chunk.join('\n')}\n`,
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no answer from ${this.#endpoint} within ${timeoutMs} ms`
          : `${this.#endpoint}: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
      return { kind: 'retry', reason, level: 'warn' };
    }
    if (res.status >= 200 && res.status < 300) return { kind: 'ok' };
    const answer = `${res.status} ${text.slice(0, 300)}`;
    if (res.status === 413) return { kind: 'too-large' };
    if (res.status === 401 || res.status === 403)
      return {
        kind: 'retry',
        level: 'error',
        reason: `the server refuses project "${this.#o.project}" with this key (${answer}): check --project and --key (SIGHTLINE_CDC_KEY) against the server's SIGHTLINE_PROJECTS`,
      };
    if (res.status === 404)
      return {
        kind: 'retry',
        level: 'error',
        reason: `${this.#endpoint} does not exist (404): --url must be the base URL of a Sightline collector`,
      };
    if (res.status === 400 || res.status === 422) return { kind: 'rejected', status: res.status, body: text };
    return {
      kind: 'retry',
      level: 'warn',
      reason: `server answered ${answer}`,
      retryAfterMs: retryAfterMs(res.headers.get('retry-after')),
    };
  }
}
