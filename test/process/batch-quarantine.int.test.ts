// A batch consumer on the real WAL and the embedded store: a record whose conversion throws, or whose row the store
// refuses, is quarantined as a dead letter and the log moves on; a re-delivered batch is split the same way (same
// insert tokens, nothing doubled); an unavailable store quarantines nothing and is simply waited for.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { EVENTS_TOPIC } from '../../src/contract/topics.ts';
import type { BatchHandler, EventLog, LogBatch, LogRecord } from '../../src/log/event-log.ts';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { createMetrics } from '../../src/observe/metrics.ts';
import { SessionTracker } from '../../src/process/enrich/session-tracker.ts';
import { createConverter, createSteps } from '../../src/process/pipeline.ts';
import { type GroupConverter, startBatchConsumer } from '../../src/process/processor.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { eventually } from '../support/in-process-server.ts';
import { signupEnvelope } from '../support/native-envelope.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('quarantine');
let store: Store;
let log: WalEventLog;
let convertEvents: GroupConverter;
const metrics = createMetrics();
const logger = createLogger('silent');

before(async () => {
  store = openStore({ url: 'chdb', dataDir: dir });
  await migrate(store);
  log = await WalEventLog.open({ dir: `${dir}/wal` });
  const convert = createConverter(
    await createSteps({
      ...loadConfig({ SIGHTLINE_DATA_DIR: dir }),
      sessions: new SessionTracker(30 * 60_000),
    }),
  );
  // The real pipeline, plus two kinds of poison it cannot produce itself any more: a conversion that throws for a
  // marked user (as a bug on hostile input would), and a row the store cannot read for another.
  convertEvents = async (records) => {
    const { events, deadLetters } = await convert(records);
    if (events.some((e) => e.user_id.startsWith('throws')))
      throw new RangeError('Maximum call stack size exceeded');
    for (const e of events)
      if (e.user_id.startsWith('unstorable')) e.timestamp = '+255479-09-13T00:00:00.000Z';
    return [
      { table: 'dead_letters', rows: deadLetters },
      { table: 'events', rows: events },
    ];
  };
});
after(async () => {
  await log.close();
  await store.close();
  cleanup();
});

const envelopeOf = (user: string) => {
  const value = signupEnvelope(0);
  return Buffer.from(value.toString('latin1').replace('"u0"', JSON.stringify(user)), 'latin1');
};

async function count(sql: string): Promise<number> {
  return Number((await store.query<{ c: string }>(sql))[0].c);
}

const consumer = (eventLog: EventLog, logStore: Store = store) => ({
  log: eventLog,
  store: logStore,
  metrics,
  logger,
  maxRecords: 1000,
  maxWaitMs: 20,
});

describe('batch consumer quarantine', () => {
  it('quarantines a record whose conversion throws and stores the rest of its batch and what follows', async () => {
    const users = Array.from({ length: 30 }, (_, i) => (i === 17 ? 'throws-1' : `conv-${i}`));
    await log.append(
      EVENTS_TOPIC,
      users.map((u) => envelopeOf(u)),
    );
    const subscription = startBatchConsumer(consumer(log), EVENTS_TOPIC, 'quarantine-a', convertEvents);
    try {
      await eventually(
        async () =>
          (await count("SELECT count() c FROM events WHERE startsWith(user_id, 'conv-')")) === 29
            ? true
            : undefined,
        20_000,
        'the good records of the poisoned batch',
      );
      const dead = await store.query<{ reason: string; payload: string; source: string }>(
        "SELECT reason, payload, source FROM dead_letters WHERE reason LIKE 'unconvertible%'",
      );
      assert.equal(dead.length, 1);
      assert.equal(dead[0].source, 'native');
      assert.match(dead[0].reason, /Maximum call stack/);
      assert.match(dead[0].payload, /throws-1/);
      await log.append(EVENTS_TOPIC, [envelopeOf('conv-after')]);
      await eventually(
        async () =>
          (await count("SELECT count() c FROM events WHERE user_id = 'conv-after'")) === 1 ? true : undefined,
        5_000,
        'a record after the poison',
      );
    } finally {
      await subscription.stop();
    }
  });

  it('quarantines a row the store refuses on its own, keeps its neighbours, and splits a re-delivery identically', async () => {
    const records: LogRecord[] = Array.from({ length: 12 }, (_, i) => ({
      offset: 5000 + i,
      value: envelopeOf(i === 9 ? 'unstorable-1' : `refuse-${i}`),
    }));
    const batch: LogBatch = {
      topic: 'events',
      partition: 0,
      first: 5000,
      last: 5011,
      records,
      redelivery: false,
    };
    const tokens: string[][] = [[], []];
    let attempt = 0;
    // The store as it is, recording the token of every insert attempt.
    const recording: Store = Object.create(store, {
      insert: {
        value: (table: string, rows: readonly object[], token: string) => {
          tokens[attempt].push(token);
          return store.insert(table, rows, token);
        },
      },
    });
    // The same batch handed over twice, as a log does after a crash between the insert and its commit.
    const twice: EventLog = Object.create(log, {
      subscribe: {
        value: (_topic: string, _group: string, _options: unknown, handler: BatchHandler) => {
          const done = (async () => {
            await handler(batch);
            attempt = 1;
            await handler({ ...batch, redelivery: true });
          })();
          return { stop: () => done };
        },
      },
    });
    await startBatchConsumer(consumer(twice, recording), EVENTS_TOPIC, 'quarantine-b', convertEvents).stop();
    assert.equal(await count("SELECT count() c FROM events WHERE startsWith(user_id, 'refuse-')"), 11);
    const dead = await store.query<{ reason: string; source: string; payload: string }>(
      "SELECT reason, source, payload FROM dead_letters WHERE reason LIKE 'rejected_by_store%'",
    );
    assert.equal(dead.length, 1, 'the refused row is quarantined once, also across the re-delivery');
    assert.equal(dead[0].source, 'native');
    assert.match(dead[0].reason, /^rejected_by_store: events: .*Code: 41/);
    assert.match(dead[0].payload, /unstorable-1/);
    assert.ok(
      tokens[0].some((t) => t.includes('/')),
      'the refused block was split',
    );
    assert.deepEqual(tokens[1], tokens[0], 'the re-delivered batch is inserted under the same tokens');
  });

  it('quarantines nothing while the store is unavailable, and stores everything once it is back', async () => {
    const deadBefore = await count('SELECT count() c FROM dead_letters');
    const failuresBefore = (await metrics.insertFailures.get()).values[0]?.value ?? 0;
    await store.command('DETACH TABLE events');
    const subscription = startBatchConsumer(consumer(log), 'outage', 'quarantine-c', convertEvents);
    try {
      await log.append(
        'outage',
        Array.from({ length: 8 }, (_, i) => envelopeOf(`outage-${i}`)),
      );
      await eventually(
        async () =>
          ((await metrics.insertFailures.get()).values[0]?.value ?? 0) >= failuresBefore + 2
            ? true
            : undefined,
        20_000,
        'retries of the batch',
      );
      assert.equal(await count('SELECT count() c FROM dead_letters'), deadBefore, 'nothing was quarantined');
      await store.command('ATTACH TABLE events');
      await eventually(
        async () =>
          (await count("SELECT count() c FROM events WHERE startsWith(user_id, 'outage-')")) === 8
            ? true
            : undefined,
        30_000,
        'the batch after the outage',
      );
    } finally {
      await subscription.stop();
    }
  });
});
