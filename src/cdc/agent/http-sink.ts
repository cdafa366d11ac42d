/**
 * Sends the spool to a central Sightline (`POST <url>/cdc`, NDJSON, project and key headers), oldest batch first,
 * one request at a time — so the central server receives transactions in binlog order — and records each
 * acknowledged batch in the checkpoint before deleting it from the spool.
 *
 * - Network errors, timeouts, 429 and 5xx: retried with capped exponential backoff and jitter (a `Retry-After` is
 *   honoured); the batch stays first in line, the spool keeps filling behind it.
 * - 401/403/404: retried the same way, logged as errors naming the flag to fix (a key rotated on the server should
 *   not cost the changes made meanwhile).
 * - 413: the request is split (halved until it fits); progress inside a batch is checkpointed, so a restart sends
 *   only what is left.
 * - 400 (the server refuses the messages themselves): the batch is moved to `<state dir>/rejected/` with the
 *   server's answer and an error is logged — kept, not lost, and not blocking everything behind it.
 *
 * Delivery is at least once: a crash after the server acknowledged a request but before the checkpoint recorded it
 * sends that request again on restart. Every other crash point (reading, spooling, between batches) repeats nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../observe/logger.ts';
import { Backoff, sleep } from './backoff.ts';
import type { Checkpoint } from './checkpoint.ts';
import { writeFileDurably } from './durable-file.ts';
import type { Spool, SpoolBatch } from './spool.ts';

export interface HttpSinkOptions {
  /** Base URL of the central Sightline (`https://sightline.example.com`). */
  url: string;
  project: string;
  key?: string;
  spool: Spool;
  checkpoint: Checkpoint;
  stateDir: string;
  logger: Logger;
  /** Largest request body; the server refuses bodies over SIGHTLINE_BODY_LIMIT_BYTES (1 MiB by default). */
  maxRequestBytes?: number;
  requestTimeoutMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  userAgent?: string;
}

export interface SinkStats {
  deliveredMessages: number;
  deliveredBatches: number;
  rejectedMessages: number;
  /** Consecutive failed attempts of the request in flight (0 when the last one succeeded). */
  failures: number;
  lastError?: string;
  lastDeliveredAt?: number;
}

type Outcome =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; level: 'warn' | 'error' }
  | { kind: 'too-large' }
  | { kind: 'rejected'; status: number; body: string };

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

export class HttpSink {
  readonly #o: HttpSinkOptions;
  readonly #endpoint: string;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  readonly #maxBytes: number;
  #loop: Promise<void> | undefined;
  readonly stats: SinkStats = { deliveredMessages: 0, deliveredBatches: 0, rejectedMessages: 0, failures: 0 };

  constructor(options: HttpSinkOptions) {
    this.#o = options;
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/cdc`;
    this.#maxBytes = options.maxRequestBytes ?? 900 * 1024;
    this.#backoff = new Backoff({ baseMs: options.retryBaseMs ?? 500, capMs: options.retryCapMs ?? 30_000 });
  }

  /** Starts delivering; the promise rejects only when the state folder cannot be written (disk full, I/O error). */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#loop;
  }

  /** Finishes the request in flight (never cut off: that would leave its fate unknown) and stops. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop?.catch(() => undefined);
  }

  /** Resolves once the spool is empty (everything read so far is delivered). */
  async drained(signal?: AbortSignal): Promise<void> {
    while (this.#o.spool.batchCount > 0 && !signal?.aborted) await sleep(50, signal);
  }

  async #run(): Promise<void> {
    const { spool, checkpoint } = this.#o;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const batch = spool.oldest();
      if (!batch) {
        await spool.waitForBatch(signal);
        continue;
      }
      const messages = batch.count > 0 ? await spool.read(batch) : [];
      const partial = checkpoint.state.partial;
      let sent = partial?.seq === batch.seq ? partial.sent : 0;
      let limit = this.#maxBytes;
      while (sent < messages.length) {
        const chunk = this.#take(messages, sent, limit);
        const outcome = await this.#deliver(chunk, signal);
        if (outcome === undefined) return; // stopping
        if (outcome.kind === 'too-large') {
          if (chunk.length === 1) {
            this.#o.logger.error(
              { bytes: Buffer.byteLength(chunk[0]), seq: batch.seq },
              'the server refuses one message as too large (413): raise SIGHTLINE_BODY_LIMIT_BYTES on the central server; retrying',
            );
            await sleep(this.#backoff.next(), signal);
          } else limit = Math.max(1, Math.floor(Buffer.byteLength(chunk.join('\n')) / 2));
          continue;
        }
        if (outcome.kind === 'rejected') await this.#quarantine(batch, chunk, sent, outcome);
        sent += chunk.length;
        if (sent < messages.length)
          await checkpoint.save({ ...checkpoint.state, partial: { seq: batch.seq, sent } });
      }
      await checkpoint.save({ binlog: batch.end, deliveredSeq: batch.seq });
      await spool.remove(batch);
      this.stats.deliveredBatches++;
      this.stats.deliveredMessages += messages.length;
      this.stats.lastDeliveredAt = Date.now();
    }
  }

  /** Messages from `start` up to `limit` bytes (at least one). */
  #take(messages: readonly string[], start: number, limit: number): string[] {
    const chunk: string[] = [];
    let bytes = 0;
    for (let i = start; i < messages.length; i++) {
      const size = Buffer.byteLength(messages[i]) + 1;
      if (chunk.length > 0 && bytes + size > limit) break;
      chunk.push(messages[i]);
      bytes += size;
    }
    return chunk;
  }

  /** Posts until the server gives a final answer; undefined when stopped while waiting to retry. */
  async #deliver(
    chunk: readonly string[],
    signal: AbortSignal,
  ): Promise<Exclude<Outcome, { kind: 'retry' }> | undefined> {
    for (;;) {
      const outcome = await this.#post(chunk);
      if (outcome.kind !== 'retry') {
        if (this.stats.failures > 0)
          this.#o.logger.info({ after: this.stats.failures }, 'central server reachable again; delivering');
        this.stats.failures = 0;
        this.stats.lastError = undefined;
        this.#backoff.reset();
        return outcome;
      }
      this.stats.failures++;
      this.stats.lastError = outcome.reason;
      const delay = Math.max(outcome.retryAfterMs ?? 0, this.#backoff.next());
      // One line per attempt while it is fresh, then one in ten: an outage of hours should not flood the log.
      if (this.stats.failures <= 5 || this.stats.failures % 10 === 0)
        this.#o.logger[outcome.level](
          {
            err: outcome.reason,
            attempt: this.stats.failures,
            retryInMs: delay,
            spooledBatches: this.#o.spool.batchCount,
          },
          'delivery to the central server failed; retrying (changes wait in the spool)',
        );
      if (signal.aborted) return undefined;
      await sleep(delay, signal);
      if (signal.aborted) return undefined;
    }
  }

  async #post(chunk: readonly string[]): Promise<Outcome> {
    const headers: Record<string, string> = {
      'content-type': 'application/x-ndjson',
      'x-app': this.#o.project,
      'user-agent': this.#o.userAgent ?? 'sightline-cdc',
    };
    if (this.#o.key) headers['x-project-key'] = this.#o.key;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: `${chunk.join('\n')}\n`,
        signal: AbortSignal.timeout(this.#o.requestTimeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no answer from ${this.#endpoint} within ${this.#o.requestTimeoutMs ?? 30_000} ms`
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

  async #quarantine(
    batch: SpoolBatch,
    chunk: readonly string[],
    offset: number,
    outcome: { status: number; body: string },
  ): Promise<void> {
    const dir = path.join(this.#o.stateDir, 'rejected');
    await fs.mkdir(dir, { recursive: true });
    const base = path.join(dir, `${String(batch.seq).padStart(12, '0')}-${offset}`);
    await writeFileDurably(`${base}.ndjson`, `${chunk.join('\n')}\n`);
    await writeFileDurably(
      `${base}.answer.json`,
      `${JSON.stringify({ status: outcome.status, body: outcome.body })}\n`,
    );
    this.stats.rejectedMessages += chunk.length;
    this.#o.logger.error(
      {
        status: outcome.status,
        answer: outcome.body.slice(0, 500),
        messages: chunk.length,
        keptIn: `${base}.ndjson`,
      },
      'the central server refused these changes as invalid; they are kept in the rejected folder and delivery goes on',
    );
  }
}
