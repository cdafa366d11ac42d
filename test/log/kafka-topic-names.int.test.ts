// Sightline on Kafka with its topics renamed (SIGHTLINE_KAFKA_TOPICS): the collector, processors and metrics use
// the broker's names, nothing is created under the default names, and every dead letter is also published to the
// dead-letter topic.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Admin, Consumer, MessagesStreamModes, stringDeserializers } from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('kafka-names');
let broker: KafkaBroker;
let server: Awaited<ReturnType<typeof startInProcess>>;

before(async () => {
  broker = await startKafkaBroker({ dir: path.join(dir, 'kafka') });
  server = await startInProcess({
    SIGHTLINE_LOG: `kafka://${broker.bootstrap}`,
    SIGHTLINE_KAFKA_PARTITIONS: '1',
    SIGHTLINE_KAFKA_TOPICS: 'events=acme.events,logs=acme.logs,cdc=acme.cdc,dead-letters=acme.dlq',
    SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
  });
});
after(async () => {
  await server?.cleanup();
  await broker?.stop();
  cleanup();
});

describe('Kafka topic names', () => {
  it('uses the configured names and publishes dead letters to the dead-letter topic', async () => {
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [broker.bootstrap] });
    try {
      const topics = await admin.listTopics();
      for (const t of ['acme.events', 'acme.logs', 'acme.cdc', 'acme.dlq'])
        assert.ok(topics.includes(t), `${t} created (${topics})`);
      for (const t of ['events', 'logs', 'cdc', 'dead-letters'])
        assert.ok(!topics.includes(t), `no topic under the default name ${t}`);
    } finally {
      await admin.close();
    }

    const sent = await postJson(`${server.url}/e`, { type: 'renamed', path: '/x' }, { 'x-app': 'app' });
    assert.equal(sent.status, 202);
    // A good log line and a broken one: the broken one becomes a dead letter while processing.
    const logs = await fetch(`${server.url}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'x-app': 'app' },
      body: '{"message":"fine","level":"info"}\n{"message": broken\n',
    });
    assert.equal(logs.status, 202, await logs.text());
    await eventually(async () => {
      const [row] = await server.store.query<{ n: string }>(
        "SELECT count() AS n FROM events WHERE type = 'renamed'",
      );
      return Number(row.n) === 1 ? true : undefined;
    }, 60_000);
    const stored = await eventually(async () => {
      const rows = await server.store.query<{ reason: string }>(
        "SELECT reason FROM dead_letters WHERE source = 'logs'",
      );
      return rows.length > 0 ? rows : undefined;
    }, 60_000);

    const consumer = new Consumer({
      groupId: 'dlq-reader',
      clientId: 'test-dlq',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    try {
      const stream = await consumer.consume({ topics: ['acme.dlq'], mode: MessagesStreamModes.EARLIEST });
      const published: Array<{ source: string; reason: string; project: string }> = [];
      const timer = setTimeout(() => void stream.close(), 30_000);
      for await (const message of stream) {
        published.push(JSON.parse(message.value as string));
        if (published.length >= stored.length) break;
      }
      clearTimeout(timer);
      await stream.close();
      assert.deepEqual(
        published.map((d) => [d.source, d.project, d.reason]),
        stored.map((d) => ['logs', 'app', d.reason]),
      );
    } finally {
      await consumer.close();
    }

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(
      metrics,
      /sightline_log_backlog_records\{topic="events"\}/,
      'metrics keep the logical names',
    );
  });
});
