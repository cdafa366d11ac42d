// The Kafka EventLog against a real broker: acks=all appends, per-partition order, commits after the handler,
// and — after a consumer is SIGKILLed mid-batch — redelivery of exactly the batch that was in flight.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import type { LogBatch } from '../../src/log/event-log.ts';
import { KafkaEventLog } from '../../src/log/kafka/kafka.log.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { eventually } from '../support/in-process-server.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('kafka-log');
let broker: KafkaBroker;

const open = (topics: string[], partitions = 3) =>
  KafkaEventLog.open({
    bootstrap: [broker.bootstrap],
    clientId: 'test',
    topics,
    partitions,
    replicas: 1,
    retentionMs: 86_400_000,
    logger: createLogger('silent'),
  });

before(async () => {
  broker = await startKafkaBroker({ dir: path.join(dir, 'broker') });
});
after(async () => {
  await broker?.stop();
  cleanup();
});

describe('Kafka event log', () => {
  it('creates its topics, appends with keys, delivers every record once in partition order', async () => {
    const log = await open(['orders']);
    const values = Array.from({ length: 600 }, (_, i) => Buffer.from(`r${i}`));
    const keys = values.map((_, i) => Buffer.from(`visitor-${i % 17}`));
    for (let i = 0; i < values.length; i += 100)
      await log.append('orders', values.slice(i, i + 100), keys.slice(i, i + 100));
    const batches: LogBatch[] = [];
    const sub = log.subscribe('orders', 'g1', { maxRecords: 64, maxWaitMs: 50 }, async (b) => {
      batches.push(b);
    });
    await eventually(
      async () => (batches.reduce((n, b) => n + b.records.length, 0) === 600 ? true : undefined),
      30_000,
    );
    await sub.stop();
    const got = batches.flatMap((b) => b.records.map((r) => r.value.toString()));
    assert.deepEqual([...got].sort(), values.map(String).sort(), 'each record exactly once');
    assert.ok(new Set(batches.map((b) => b.partition)).size > 1, 'keys spread over partitions');
    for (const b of batches) {
      assert.ok(b.records.length <= 64);
      assert.equal(b.last - b.first + 1, b.records.length, 'dense offsets within a batch');
      assert.equal(b.redelivery, false);
    }
    // Committed: a new member of the same group gets nothing old.
    await log.append('orders', [Buffer.from('late')]);
    const again: string[] = [];
    const sub2 = log.subscribe('orders', 'g1', { maxRecords: 64, maxWaitMs: 50 }, async (b) => {
      again.push(...b.records.map((r) => r.value.toString()));
    });
    await eventually(async () => (again.includes('late') ? true : undefined), 30_000);
    await sub2.stop();
    assert.deepEqual(again, ['late']);
    await log.close();
  });

  it('redelivers exactly the batch in flight when its consumer was killed', async () => {
    const log = await open(['crashy'], 1);
    await log.append(
      'crashy',
      Array.from({ length: 120 }, (_, i) => Buffer.from(`c${i}`)),
    );
    const out = path.join(dir, 'child.jsonl');
    const child = spawn(
      path.join(ROOT, 'node_modules/.bin/node'),
      [
        path.join(ROOT, 'test/support/kafka-consumer-child.ts'),
        broker.bootstrap,
        'crashy',
        'g-crash',
        out,
        '2',
      ],
      { stdio: 'ignore' },
    );
    const lines = () =>
      fs.existsSync(out)
        ? fs
            .readFileSync(out, 'utf8')
            .trim()
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as LogBatch)
        : [];
    await eventually(async () => (lines().length >= 2 ? true : undefined), 60_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const [firstBatch, inFlight] = lines();
    assert.equal(firstBatch.first, 0);
    assert.equal(inFlight.first, firstBatch.last + 1);
    // More records arrive meanwhile: a naive consumer would now cut a different, larger batch.
    await log.append(
      'crashy',
      Array.from({ length: 80 }, (_, i) => Buffer.from(`d${i}`)),
    );
    const seen: LogBatch[] = [];
    const sub = log.subscribe('crashy', 'g-crash', { maxRecords: 500, maxWaitMs: 50 }, async (b) => {
      seen.push(b);
    });
    await eventually(
      async () => (seen.reduce((n, b) => n + b.records.length, 0) >= 200 - inFlight.first ? true : undefined),
      60_000,
    );
    await sub.stop();
    assert.deepEqual(
      { first: seen[0].first, last: seen[0].last, redelivery: seen[0].redelivery },
      { first: inFlight.first, last: inFlight.last, redelivery: true },
      'the in-flight batch comes back with identical boundaries',
    );
    assert.equal(seen[1].first, inFlight.last + 1);
    assert.equal(seen[1].redelivery, false);
    assert.equal(seen.at(-1)?.last, 199);
    await log.close();
  });

  it('refuses appends while the broker is down, and works again after', async () => {
    const log = await open(['outage'], 1);
    await log.append('outage', [Buffer.from('before')]);
    await broker.stop();
    await assert.rejects(log.append('outage', [Buffer.from('during')]));
    assert.equal(await log.ready(), false);
    await broker.restart();
    await eventually(async () => ((await log.ready()) ? true : undefined), 60_000);
    await eventually(async () => {
      await log.append('outage', [Buffer.from('after')]);
      return true;
    }, 60_000);
    const got: string[] = [];
    const sub = log.subscribe('outage', 'g-out', { maxRecords: 10, maxWaitMs: 50 }, async (b) => {
      got.push(...b.records.map((r) => r.value.toString()));
    });
    await eventually(async () => (got.includes('after') ? true : undefined), 60_000);
    await sub.stop();
    assert.deepEqual(
      got.filter((v) => v !== 'during'),
      ['before', 'after'],
    );
    await log.close();
  });

  it('reads on after an outage longer than the rebalance timeout, each record once', async () => {
    const log = await open(['long-outage'], 2);
    const got: string[] = [];
    const sub = log.subscribe('long-outage', 'g-long', { maxRecords: 10, maxWaitMs: 50 }, async (b) => {
      got.push(...b.records.map((r) => r.value.toString()));
    });
    await log.append(
      'long-outage',
      Array.from({ length: 20 }, (_, i) => Buffer.from(`a${i}`)),
      Array.from({ length: 20 }, (_, i) => Buffer.from(`k${i}`)),
    );
    await eventually(async () => (got.length >= 20 ? true : undefined), 60_000);
    await broker.stop();
    // Past the 30 s rebalance timeout: heartbeats stall and the member is out of the group for good.
    await new Promise((r) => setTimeout(r, 35_000));
    await broker.restart();
    await eventually(async () => {
      await log.append(
        'long-outage',
        Array.from({ length: 20 }, (_, i) => Buffer.from(`b${i}`)),
        Array.from({ length: 20 }, (_, i) => Buffer.from(`k${i}`)),
      );
      return true;
    }, 60_000);
    await eventually(
      async () => (got.filter((v) => v.startsWith('b')).length >= 20 ? true : undefined),
      90_000,
    );
    await sub.stop();
    assert.equal(new Set(got).size, got.length, `no record twice: ${got.length}`);
    assert.equal(got.length, 40);
    await log.close();
  });
});
