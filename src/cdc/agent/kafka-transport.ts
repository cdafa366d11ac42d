/**
 * The spool's Kafka route (scale-out): each request becomes one record on the `cdc` topic, in the envelope the
 * collectors write for `POST /cdc` — so Sightline's processors store it exactly as if it had come over HTTP.
 * Records are keyed by project and database server: one server's changes stay in one partition, in binlog order.
 * Whoever can write to the topic can write changes for any project: keep the brokers on a private network.
 */
import { randomUUID } from 'node:crypto';
import { ProduceAcks, Producer } from '@platformatic/kafka';
import { encodeEnvelope } from '../../contract/envelope.ts';
import type { Outcome, Transport } from './spool-sender.ts';

export interface KafkaTransportOptions {
  brokers: string[];
  topic: string;
  project: string;
  /** Names the source in the record key (`project/server`), so one database's changes keep their order. */
  source: string;
  requestTimeoutMs?: number;
  userAgent?: string;
}

export class KafkaTransport implements Transport {
  readonly #o: KafkaTransportOptions;
  readonly #producer: Producer<Buffer, Buffer, Buffer, Buffer>;
  readonly description: string;

  constructor(options: KafkaTransportOptions) {
    this.#o = options;
    this.description = `Kafka topic ${options.topic} at ${options.brokers.join(',')}`;
    const timeout = Math.min(options.requestTimeoutMs ?? 30_000, 30_000);
    this.#producer = new Producer({
      clientId: 'sightline-cdc',
      bootstrapBrokers: options.brokers,
      acks: ProduceAcks.ALL,
      idempotent: true,
      retries: 2,
      retryDelay: 250,
      compression: 'lz4',
      timeout,
      requestTimeout: timeout,
      connectTimeout: Math.min(timeout, 5_000),
    });
  }

  async send(chunk: readonly string[]): Promise<Outcome> {
    const body = Buffer.from(`${chunk.join('\n')}\n`);
    const value = encodeEnvelope(
      {
        v: 1,
        id: randomUUID(),
        receivedAt: Date.now(),
        protocol: 'cdc',
        project: this.#o.project,
        ip: '',
        ua: this.#o.userAgent ?? 'sightline-cdc',
        headers: {},
        count: chunk.length,
      },
      body,
    );
    try {
      await this.#producer.send({
        messages: [{ topic: this.#o.topic, key: Buffer.from(`${this.#o.project}/${this.#o.source}`), value }],
      });
      return { kind: 'ok' };
    } catch (err) {
      const text = describe(err);
      if (/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/i.test(text)) return { kind: 'too-large' };
      if (/UNKNOWN_TOPIC_OR_PARTITION|TOPIC_AUTHORIZATION_FAILED/i.test(text))
        return {
          kind: 'retry',
          level: 'error',
          reason: `${this.description}: ${text} — the topic is created by Sightline's processors on start (SIGHTLINE_LOG=kafka://…); --topic must name it`,
        };
      return { kind: 'retry', level: 'warn', reason: `${this.description}: ${text}` };
    }
  }

  async close(): Promise<void> {
    await this.#producer.close().catch(() => undefined);
  }
}

/** The client nests the broker's reason (an `apiId` like MESSAGE_TOO_LARGE) in `errors` of a wrapping error. */
function describe(err: unknown): string {
  const parts: string[] = [];
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 4) return;
    const x = e as { message?: string; apiId?: string; errors?: unknown[]; cause?: unknown };
    if (x.apiId) parts.push(x.apiId);
    else if (x.message && depth === 0) parts.push(x.message);
    for (const inner of x.errors ?? []) walk(inner, depth + 1);
    walk(x.cause, depth + 1);
  };
  walk(err, 0);
  return [...new Set(parts)].join(', ') || String(err);
}
