/**
 * Forwarding on Kafka: each destination is a consumer group of its own on the events topic, so a destination that
 * is down does not hold back another one, and gets its backlog once it is reachable again.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { type KafkaBroker, startKafkaBroker } from '../../scripts/kafka/kafka-broker.ts';
import { loadConfig } from '../../src/config/config.ts';
import { EVENTS_TOPIC } from '../../src/contract/topics.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { type Forwarder, startForwarder } from '../../src/forward/forward-consumer.ts';
import type { ForwardEvent } from '../../src/forward/forward-event.ts';
import { createForwardMapper } from '../../src/forward/forward-mapping.ts';
import { createForwardMetrics } from '../../src/forward/forward-metrics.ts';
import { KafkaEventLog } from '../../src/log/kafka/kafka.log.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { openGeoLookup } from '../../src/process/enrich/geo-lookup.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/in-process-server.ts';
import { signupEnvelope } from '../support/native-envelope.ts';
import { tempDir } from '../support/temp-dir.ts';
import { Receiver } from './receiver.ts';

const { dir, cleanup } = tempDir('forward-kafka');
const N = 40;

const numbers = (r: Receiver) =>
  new Set(
    r
      .accepted()
      .flatMap((q) => (JSON.parse(q.body) as { events: ForwardEvent[] }).events.map((e) => e.props.n)),
  );

describe('forwarding on Kafka', () => {
  let broker: KafkaBroker;
  let log: KafkaEventLog;
  let store: Store;
  const forwarders: Forwarder[] = [];
  const up = new Receiver();
  const down = new Receiver();
  const ports = { up: 0, down: 0 };

  before(async () => {
    broker = await startKafkaBroker({ dir: path.join(dir, 'broker') });
    log = await KafkaEventLog.open({
      bootstrap: [broker.bootstrap],
      clientId: 'forward-test',
      topics: [EVENTS_TOPIC],
      partitions: 2,
      replicas: 1,
      retentionMs: 86_400_000,
      logger: createLogger('silent'),
    });
    store = openStore({ url: 'chdb', dataDir: dir });
    await migrate(store);
    ports.up = await freePort();
    ports.down = await freePort();
    await up.listen(ports.up);
  });

  after(async () => {
    for (const f of forwarders) await f.stop();
    await log?.close();
    await store?.close();
    await broker?.stop();
    await Promise.all([up.close(), down.close()]);
    cleanup();
  });

  it('one destination down does not hold back the other; it gets the backlog when it is back', async () => {
    const forward = parseForwardConfig(
      JSON.stringify({
        destinations: [
          { name: 'up', type: 'webhook', url: `http://127.0.0.1:${ports.up}/`, batchSize: 10 },
          {
            name: 'down',
            type: 'webhook',
            url: `http://127.0.0.1:${ports.down}/`,
            batchSize: 10,
            maxAttempts: 1000,
            backoffMs: 50,
            backoffMaxMs: 500,
          },
        ],
        rules: [{ destination: 'up' }, { destination: 'down' }],
      }),
    );
    const map = createForwardMapper({
      ...loadConfig({ SIGHTLINE_DATA_DIR: dir }),
      geo: await openGeoLookup(),
    });
    const registry = new Registry();
    for (const spec of forward.destinations)
      forwarders.push(
        startForwarder({
          log,
          store,
          spec,
          rules: forward.rules,
          map,
          metrics: createForwardMetrics(registry),
          logger: createLogger('silent'),
          maxWaitMs: 100,
        }),
      );
    const all = Array.from({ length: N }, (_, n) => n);
    await log.append(
      EVENTS_TOPIC,
      all.map(signupEnvelope),
      all.map((n) => Buffer.from(`u${n}`)),
    );
    await eventually(async () => (numbers(up).size === N ? true : undefined), 60_000, 'all events at up');
    assert.equal(down.requests.length, 0);
    await eventually(
      async () =>
        /sightline_forward_failed_attempts_total\{destination="down",reason="network"\} \d+/.test(
          await registry.metrics(),
        )
          ? true
          : undefined,
      30_000,
      'failed attempts at down',
    );
    await down.listen(ports.down);
    await eventually(
      async () => (numbers(down).size === N ? true : undefined),
      60_000,
      'the backlog at down',
    );
  });
});
