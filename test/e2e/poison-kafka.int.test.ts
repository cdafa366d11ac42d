// Poison on Kafka: deep records on Sightline's own topics (events, logs, cdc) and raw deep messages on the shippers'
// and Maxwell's topics are dead-lettered — in the `dead_letters` table and on the `dead-letters` topic — and a good
// event after them is stored promptly (within 2 s on the WAL, poison.int.test.ts); the collector refuses the same bodies at the door.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { encodeEnvelope, type Protocol } from '../../src/contract/envelope.ts';
import { CDC_TOPIC, DEAD_LETTERS_TOPIC, EVENTS_TOPIC, LOGS_TOPIC } from '../../src/contract/topics.ts';
import type { DeadLetterRow } from '../../src/process/event-row.ts';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('poison-kafka');
let broker: KafkaBroker;
let server: Awaited<ReturnType<typeof startInProcess>>;

before(async () => {
  broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
  server = await startInProcess({
    SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
    SIGHTLINE_KAFKA_PARTITIONS: '1',
    SIGHTLINE_KAFKA_LOGS_TOPIC: 'app.logs',
    SIGHTLINE_KAFKA_MAXWELL_TOPIC: 'maxwell',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
    SIGHTLINE_BATCH_MAX_WAIT_MS: '50',
  });
});
after(async () => {
  await server?.cleanup();
  await broker?.stop();
  cleanup();
});

const DEEP = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;

const envelope = (protocol: Protocol, body: string, call?: string) =>
  encodeEnvelope(
    {
      v: 1,
      id: crypto.randomUUID(),
      receivedAt: Date.now(),
      protocol,
      project: 'app',
      ip: '203.0.113.9',
      ua: 'poison',
      headers: {},
      count: 1,
      ...(call ? { call } : {}),
    },
    Buffer.from(body),
  );

describe('poison on Kafka', () => {
  it('dead-letters deep records on every consumed topic, publishes them, and keeps storing', async () => {
    const deep = await postJson(`${server.url}/`, `{"type":"x","details":{"x":${DEEP}}}`, { 'x-app': 'app' });
    assert.equal(deep.status, 400);
    assert.equal((deep.json.error as { code: string }).code, 'COLLECT_ERR_TOO_DEEP');

    const published: DeadLetterRow[] = [];
    const watcher = server.log.subscribe(
      DEAD_LETTERS_TOPIC,
      'poison-test',
      { maxRecords: 100, maxWaitMs: 50 },
      async (batch) => {
        for (const r of batch.records) published.push(JSON.parse(r.value.toString('utf8')));
      },
    );
    try {
      await server.log.append(EVENTS_TOPIC, [
        envelope('native', `{"type":"kafka-poison-events","details":{"x":${DEEP}}}`),
      ]);
      await server.log.append(LOGS_TOPIC, [
        envelope('logs', `{"message":"kafka-poison-logs","x":${DEEP}}`, 'json'),
      ]);
      await server.log.append(CDC_TOPIC, [
        envelope(
          'cdc',
          `{"database":"d","table":"kafka-poison-cdc","type":"insert","ts":1,"data":{"x":${DEEP}}}`,
        ),
      ]);
      await server.log.append('app.logs', [Buffer.from(`{"message":"kafka-poison-shipper","x":${DEEP}}`)]);
      await server.log.append('maxwell', [
        Buffer.from(`{"database":"d","table":"kafka-poison-maxwell","type":"insert","ts":1,"data":${DEEP}}`),
      ]);

      const sentAt = Date.now();
      assert.equal(
        (await postJson(`${server.url}/`, { type: 'kafka-good' }, { 'x-app': 'app' })).status,
        202,
      );
      await eventually(
        async () => {
          const [r] = await server.store.query<{ c: string }>(
            "SELECT count() c FROM events WHERE type = 'kafka-good'",
          );
          return Number(r.c) === 1 ? true : undefined;
        },
        // The 2 s bound is the WAL test's (poison.int.test.ts); on Kafka a loaded CI machine adds fetch and
        // commit round trips that say nothing about poison, so the bound here is only that it is not held back.
        10_000,
        'the good event after the poison',
      );
      assert.ok(Date.now() - sentAt < 10_000);

      const expected = [
        ['cdc', 'kafka-poison-cdc', 'too_deep'],
        ['cdc', 'kafka-poison-maxwell', 'too_deep'],
        ['logs', 'kafka-poison-logs', 'bad_log_line'],
        ['logs', 'kafka-poison-shipper', 'bad_log_line'],
        ['native', 'kafka-poison-events', 'too_deep'],
      ];
      const found = (rows: Array<Pick<DeadLetterRow, 'source' | 'payload' | 'reason'>>) =>
        expected.filter(([source, mark, reason]) =>
          rows.some((d) => d.source === source && d.payload.includes(mark) && d.reason.startsWith(reason)),
        ).length;
      await eventually(
        async () => {
          const rows = await server.store.query<DeadLetterRow>(
            'SELECT source, payload, reason FROM dead_letters',
          );
          return found(rows) === expected.length ? true : undefined;
        },
        15_000,
        'the dead letters in the table',
      );
      await eventually(
        async () => (found(published) === expected.length ? true : undefined),
        15_000,
        'the dead letters on the dead-letters topic',
      );
    } finally {
      await watcher.stop();
    }
  });
});
