// The Kafka test harness itself: a real Apache Kafka broker from Maven Central, formatted and started by
// scripts/kafka/kafka-broker.ts, reachable with @platformatic/kafka (acks=all, idempotent producer).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Admin,
  Consumer,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('kafka');
let broker: KafkaBroker;

before(async () => {
  broker = await startKafkaBroker({ dir });
});
after(async () => {
  await broker?.stop();
  cleanup();
});

describe('Kafka broker for tests', () => {
  it('creates a topic, takes acks=all idempotent writes, serves them to a consumer group, and survives a restart', async () => {
    const admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [broker.bootstrap] });
    await admin.createTopics({ topics: ['smoke'], partitions: 3, replicas: 1 });
    await admin.close();

    const producer = new Producer({
      clientId: 'test-producer',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
      idempotent: true,
    });
    const sent = Array.from({ length: 50 }, (_, i) => `m${i}`);
    await producer.send({ messages: sent.map((value, i) => ({ topic: 'smoke', key: `k${i % 7}`, value })) });

    await broker.stop();
    await broker.restart();
    await producer.send({ messages: [{ topic: 'smoke', key: 'after', value: 'after-restart' }] });
    await producer.close();

    const consumer = new Consumer({
      groupId: 'smoke-group',
      clientId: 'test-consumer',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({
      topics: ['smoke'],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: true,
    });
    const received: string[] = [];
    for await (const message of stream) {
      received.push(message.value as string);
      if (received.length === sent.length + 1) break;
    }
    await stream.close();
    await consumer.close();
    assert.deepEqual(received.sort(), [...sent, 'after-restart'].sort());
  });
});
