/**
 * A forwarder stopped in the middle of a delivery (shutdown, crash) leaves its batch uncommitted: the next start
 * sends the same events again, with the same ids and the same batch key — at least once, never lost.
 */

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { loadConfig } from '../../src/config/config.ts';
import { EVENTS_TOPIC } from '../../src/contract/topics.ts';
import { parseForwardConfig } from '../../src/forward/forward-config.ts';
import { startForwarder } from '../../src/forward/forward-consumer.ts';
import type { ForwardEvent } from '../../src/forward/forward-event.ts';
import { createForwardMapper } from '../../src/forward/forward-mapping.ts';
import { createForwardMetrics } from '../../src/forward/forward-metrics.ts';
import { startForwarding } from '../../src/forward/start-forwarding.ts';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { createMetrics } from '../../src/observe/metrics.ts';
import { openGeoLookup } from '../../src/process/enrich/geo-lookup.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/in-process-server.ts';
import { signupEnvelope } from '../support/native-envelope.ts';
import { tempDir } from '../support/temp-dir.ts';
import { Receiver } from './receiver.ts';

const { dir, cleanup } = tempDir('forward-restart');

describe('forwarder restart', () => {
  let store: Store;
  const receiver = new Receiver();
  let port = 0;

  before(async () => {
    port = await freePort();
    store = openStore({ url: 'chdb', dataDir: dir });
    await migrate(store);
  });

  after(async () => {
    await receiver.close();
    await store?.close();
    cleanup();
  });

  it('re-sends the batch that was in flight, unchanged', async () => {
    const forward = parseForwardConfig(
      JSON.stringify({
        destinations: [
          {
            name: 'crm',
            type: 'webhook',
            url: `http://127.0.0.1:${port}/`,
            batchSize: 50,
            timeoutMs: 60_000,
          },
        ],
        rules: [{ destination: 'crm' }],
      }),
    );
    const config = loadConfig({ SIGHTLINE_DATA_DIR: dir });
    const map = createForwardMapper({ ...config, geo: await openGeoLookup() });
    const start = (log: WalEventLog) =>
      startForwarder({
        log,
        store,
        spec: forward.destinations[0],
        rules: forward.rules,
        map,
        metrics: createForwardMetrics(new Registry()),
        logger: createLogger('silent'),
        maxWaitMs: 50,
      });
    const walDir = path.join(dir, 'wal');

    // First life: the receiver takes the request and never answers; the forwarder is stopped meanwhile.
    receiver.answer = () => 'hang';
    await receiver.listen(port);
    let log = await WalEventLog.open({ dir: walDir });
    await log.append(EVENTS_TOPIC, [0, 1, 2, 3, 4].map(signupEnvelope));
    let forwarder = start(log);
    await eventually(async () => (receiver.requests.length > 0 ? true : undefined));
    const stopping = Date.now();
    await forwarder.stop();
    assert.ok(Date.now() - stopping < 5_000, 'stopping does not wait for the hung request');
    await log.close();

    // Second life: the same batch again, then the rest.
    receiver.answer = () => ({ status: 200 });
    log = await WalEventLog.open({ dir: walDir });
    forwarder = start(log);
    await log.append(EVENTS_TOPIC, [5, 6].map(signupEnvelope));
    const events = (i: number) =>
      (JSON.parse(receiver.requests[i].body) as { events: ForwardEvent[] }).events;
    const delivered = () =>
      new Set(
        receiver
          .accepted()
          .flatMap((r) => (JSON.parse(r.body) as { events: ForwardEvent[] }).events.map((e) => e.props.n)),
      );
    await eventually(async () => (delivered().size === 7 ? true : undefined));
    await forwarder.stop();
    await log.close();
    assert.deepEqual(
      events(1).map((e) => e.event_id),
      events(0).map((e) => e.event_id),
      'the redelivered batch has the same events',
    );
    assert.equal(
      receiver.requests[1].headers['idempotency-key'],
      receiver.requests[0].headers['idempotency-key'],
    );
    assert.deepEqual(
      events(0).map((e) => e.props.n),
      [0, 1, 2, 3, 4],
    );
  });

  it('a destination removed from the config is reported at start: its position holds the log back', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const log = await WalEventLog.open({ dir: path.join(dir, 'wal') });
    try {
      const config = loadConfig({ SIGHTLINE_DATA_DIR: dir });
      const started = startForwarding({
        config,
        log,
        store,
        metrics: createMetrics(),
        logger,
        geo: await openGeoLookup(),
      });
      assert.deepEqual(started, []);
      const warning = lines.map((l) => JSON.parse(l) as { group?: string; msg: string }).find((l) => l.group);
      assert.equal(warning?.group, 'forward-crm');
      assert.match(warning?.msg ?? '', /wal\/events\/consumers\/forward-crm\.json/);
    } finally {
      await log.close();
    }
  });
});
