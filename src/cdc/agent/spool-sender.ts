/**
 * Sends the spool through a transport (HTTP to a central Sightline, or Kafka), oldest batch first, one request at a
 * time — so the receiver gets transactions in binlog order — and records each acknowledged batch in the checkpoint
 * before deleting it from the spool.
 *
 * - A transient failure (network, timeout, 429/5xx, a broker away): retried with capped exponential backoff and
 *   jitter (a `Retry-After` is honoured); the batch stays first in line, the spool keeps filling behind it.
 * - A configuration problem (refused key, wrong URL, missing topic): retried the same way, logged as an error naming
 *   the flag to fix (a key rotated on the server should not cost the changes made meanwhile).
 * - Too large: the request is split (halved until it fits); progress inside a batch is checkpointed, so a restart
 *   sends only what is left.
 * - Refused as invalid (HTTP 400): the batch is moved to `<state dir>/rejected/` with the receiver's answer and an
 *   error is logged — kept, not lost, and not blocking everything behind it.
 *
 * Delivery is at least once: a crash after the receiver acknowledged a request but before the checkpoint recorded it
 * sends that request again on restart — the server recognises those changes by their binlog names and stores them
 * once (src/cdc/change-dedup.ts). Every other crash point (reading, spooling, between batches) repeats nothing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../observe/logger.ts';
import { Backoff, sleep } from './backoff.ts';
import type { Checkpoint } from './checkpoint.ts';
import { writeFileDurably } from './durable-file.ts';
import type { Spool, SpoolBatch } from './spool.ts';

export type Outcome =
  | { kind: 'ok' }
  | { kind: 'retry'; reason: string; retryAfterMs?: number; level: 'warn' | 'error' }
  | { kind: 'too-large' }
  | { kind: 'rejected'; status: number; body: string };

/** Where the spool goes: one call per request, answered with what the sender should do next. */
export interface Transport {
  /** For logs: `the central server at …`, `Kafka topic cdc at …`. */
  readonly description: string;
  send(messages: readonly string[]): Promise<Outcome>;
  close?(): Promise<void>;
}

export interface SpoolSenderOptions {
  transport: Transport;
  spool: Spool;
  checkpoint: Checkpoint;
  stateDir: string;
  logger: Logger;
  /** Largest request; the server refuses bodies over SIGHTLINE_BODY_LIMIT_BYTES (1 MiB by default). */
  maxRequestBytes?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
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

export class SpoolSender {
  readonly #o: SpoolSenderOptions;
  readonly #backoff: Backoff;
  readonly #stop = new AbortController();
  readonly #maxBytes: number;
  #loop: Promise<void> | undefined;
  readonly stats: SinkStats = { deliveredMessages: 0, deliveredBatches: 0, rejectedMessages: 0, failures: 0 };

  constructor(options: SpoolSenderOptions) {
    this.#o = options;
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
    await this.#o.transport.close?.();
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
              `${this.#o.transport.description} refuses one message as too large: raise SIGHTLINE_BODY_LIMIT_BYTES on the central server (Kafka: the topic's max.message.bytes); retrying`,
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
      const outcome = await this.#o.transport.send(chunk);
      if (outcome.kind !== 'retry') {
        if (this.stats.failures > 0)
          this.#o.logger.info(
            { after: this.stats.failures, to: this.#o.transport.description },
            'receiver reachable again; delivering',
          );
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
          `delivery to ${this.#o.transport.description} failed; retrying (changes wait in the spool)`,
        );
      if (signal.aborted) return undefined;
      await sleep(delay, signal);
      if (signal.aborted) return undefined;
    }
  }

  async #quarantine(
    batch: SpoolBatch,
    chunk: readonly string[],
    offset: number,
    outcome: { status: number; body: string },
  ): Promise<void> {
    const dir = path.join(this.#o.stateDir, 'rejected');
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
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
      `${this.#o.transport.description} refused these changes as invalid; they are kept in the rejected folder and delivery goes on`,
    );
  }
}
