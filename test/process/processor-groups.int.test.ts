// The processor with visits on batches of many groups (a backlog, or batch envelopes of many events): the batch's
// visit rows go to the store once, beside its last group's events, one pair per visit however many groups touched
// it; and whatever insert fails on the way — an events insert, the visits insert — the retried batch ends with each
// event stored once and each visit one live row equal to its events folded.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { encodeEnvelope } from '../../src/contract/envelope.ts';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { createLogger } from '../../src/observe/logger.ts';
import { createMetrics } from '../../src/observe/metrics.ts';
import { SessionTracker } from '../../src/process/enrich/session-tracker.ts';
import { createConverter, createSteps } from '../../src/process/pipeline.ts';
import { startProcessor } from '../../src/process/processor.ts';
import { VisitKeeper } from '../../src/process/visits/visit-keeper.ts';
import { storeUnavailable } from '../../src/store/errors.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';
import { assertVisitsMatchEvents } from '../support/visits-check.ts';

const { dir, cleanup } = tempDir('processor-groups');
let store: Store;
// One log for every test, as a store has: its offsets (and so the inserts' tokens) never repeat.
let log: WalEventLog;
before(async () => {
  store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
  await migrate(store);
  log = await WalEventLog.open({ dir: path.join(dir, 'wal') });
});
after(async () => {
  await log.close();
  await store.close();
  cleanup();
});

const AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const T0 = Date.UTC(2026, 10, 24, 9);

/** `visitors` visitors (an address each) taking turns, one pageview a minute each: every visit spans the batch. */
function records(project: string, events: number, visitors: number): Buffer[] {
  return Array.from({ length: events }, (_, i) => {
    const visitor = i % visitors;
    const body = {
      type: i % 7 === 6 ? 'signup' : 'pageview',
      url: `https://shop.example.com/p/${i % 5}`,
      referrer: i < visitors ? 'https://www.google.com/' : '',
      timestamp: new Date(T0 + Math.floor(i / visitors) * 60_000).toISOString(),
    };
    return encodeEnvelope(
      {
        v: 1,
        id: crypto.randomUUID(),
        receivedAt: T0,
        protocol: 'native',
        project,
        ip: `81.169.${145 + (visitor >> 8)}.${1 + (visitor & 0xff)}`,
        ua: AGENT,
        headers: {},
        count: 1,
      },
      Buffer.from(JSON.stringify(body)),
    );
  });
}

/** A store whose methods call `inner`'s (each may be replaced). */
function delegating(inner: Store): Store {
  return {
    kind: inner.kind,
    insert: (...a) => inner.insert(...a),
    query: (...a) => inner.query(...a),
    exec: (...a) => inner.exec(...a),
    command: (...a) => inner.command(...a),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

/** The store, but the `nth` insert into `table` (counting from 1) fails once. */
function failingOnce(table: string, nth: number): { store: Store; failed: () => boolean } {
  let seen = 0;
  let failed = false;
  const wrapped = delegating(store);
  wrapped.insert = async (t, rows, token, options) => {
    if (t === table && ++seen === nth) {
      failed = true;
      // An outage (not a row the store refuses): the whole batch is retried.
      throw storeUnavailable(new Error(`injected: insert ${nth} into ${table} fails`));
    }
    return store.insert(t, rows, token, options);
  };
  return { store: wrapped, failed: () => failed };
}

async function run(project: string, failing: { store: Store; failed: () => boolean }) {
  const sent = records(project, 600, 40);
  await log.append('events', sent);
  const config = loadConfig({ SIGHTLINE_DATA_DIR: dir });
  const sessions = new SessionTracker(30 * 60_000);
  const convert = createConverter(await createSteps({ ...config, sessions }));
  const visits = new VisitKeeper(failing.store, { openedNow: (id) => sessions.openedNow(id) });
  const inserted: string[] = [];
  const watched = delegating(failing.store);
  watched.insert = (t, rows, token, options) => {
    inserted.push(`${t}:${rows.length}`);
    return failing.store.insert(t, rows, token, options);
  };
  const subscription = startProcessor({
    log,
    store: watched,
    metrics: createMetrics(),
    logger: createLogger(process.env.LOG_LEVEL ?? 'silent'),
    convert,
    visits,
    // One batch of every record, cut into groups of ~20 records.
    maxRecords: 10_000,
    maxWaitMs: 10,
    groupBytes: 20 * 400,
  });
  const deadline = Date.now() + 60_000;
  // Stored once the processor's group has committed every record (a failed batch is retried first).
  while ((log.stats().backlog.events ?? 1) > 0) {
    assert.ok(Date.now() < deadline, 'the batch is stored within a minute');
    await new Promise((r) => setTimeout(r, 20));
  }
  await subscription.stop();
  return { sent: sent.length, inserted };
}

describe('the processor’s visits on batches of many groups', () => {
  it('stores the visit rows of a batch of many groups once, each visit one live row', async () => {
    const { sent, inserted } = await run('groups', { store, failed: () => false });
    const [{ n }] = await store.query<{ n: string }>(
      `SELECT count() AS n FROM events WHERE project = 'groups'`,
    );
    assert.equal(Number(n), sent);
    assert.ok(
      inserted.filter((i) => i.startsWith('events:')).length > 10,
      `many groups: ${inserted.join(' ')}`,
    );
    // Its 40 visits, each touched by every group: one row each (a first batch cancels nothing).
    assert.deepEqual(
      inserted.filter((i) => i.startsWith('visits:')),
      ['visits:40'],
    );
    assert.equal(await assertVisitsMatchEvents(store, 'groups', 'many groups'), 40);
  });

  for (const [table, nth] of [
    ['events', 7],
    ['visits', 1],
  ] as const) {
    it(`retries the batch after insert ${nth} into ${table} fails: each event once, each visit right`, async () => {
      const project = `fail-${table}`;
      const failing = failingOnce(table, nth);
      const { sent } = await run(project, failing);
      assert.ok(failing.failed(), 'the failure was injected');
      const [{ n, ids }] = await store.query<{ n: string; ids: string }>(
        'SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE project = {p:String}',
        { p: project },
      );
      assert.equal(Number(n), sent);
      assert.equal(Number(ids), sent);
      assert.equal(
        await assertVisitsMatchEvents(store, project, `after insert ${nth} into ${table} failed`),
        40,
      );
    });
  }
});
