// The store goes away for a while (the events table is detached in the real embedded ClickHouse): ingestion keeps
// acknowledging into the WAL, the processor retries, and the backlog drains once the table is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, postJson, startInProcess } from '../support/in-process-server.ts';
import { SEED_EVENT } from '../support/seed-event.ts';

type Server = Awaited<ReturnType<typeof startInProcess>>;
let server: Server;

before(async () => {
  server = await startInProcess({ SIGHTLINE_RATE_LIMIT_PER_SECOND: '0', SIGHTLINE_BATCH_MAX_WAIT_MS: '50' });
});
after(async () => {
  await server.cleanup();
});

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

describe('store outage', () => {
  it('keeps acknowledging, retries, and drains the backlog exactly once when the store returns', async () => {
    await server.store.command('DETACH TABLE events');
    const sent = 40;
    for (let i = 0; i < sent; i++) {
      const batch = Array.from({ length: 5 }, (_, j) => ({ ...SEED_EVENT, session_id: `outage-${i}-${j}` }));
      const res = await postJson(`${server.url}/e`, batch, { 'x-app': 'app' });
      assert.equal(res.status, 202, 'ingestion must keep acknowledging while the store is down');
    }
    await eventually(
      async () => ((await metric('sightline_process_insert_failures_total')) >= 2 ? true : undefined),
      15_000,
      'insert retries',
    );
    assert.ok((await metric('sightline_log_backlog_records{topic="events"}')) > 0, 'backlog should build up');
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 200, 'the log is fine, so the server stays ready for ingestion');

    await server.store.command('ATTACH TABLE events');
    const rows = await eventually(
      async () => {
        const r = await server.store.query<{ c: string; u: string }>(
          "SELECT count() AS c, uniqExact(session_id) AS u FROM events WHERE startsWith(session_id, 'outage-')",
        );
        return Number(r[0].c) >= sent * 5 ? r[0] : undefined;
      },
      30_000,
      'the backlog to drain',
    );
    await new Promise((r) => setTimeout(r, 500));
    const final = await server.store.query<{ c: string; u: string }>(
      "SELECT count() AS c, uniqExact(session_id) AS u FROM events WHERE startsWith(session_id, 'outage-')",
    );
    assert.equal(Number(rows.c), sent * 5);
    assert.equal(Number(final[0].c), sent * 5, 'no duplicates after the retries');
    assert.equal(Number(final[0].u), sent * 5);
    await eventually(
      async () => ((await metric('sightline_log_backlog_records{topic="events"}')) === 0 ? true : undefined),
      10_000,
      'backlog 0',
    );
  });

  it('answers 503 and acknowledges nothing when the log cannot write', async () => {
    await server.log.close();
    const res = await postJson(`${server.url}/e`, SEED_EVENT, { 'x-app': 'app' });
    assert.equal(res.status, 503);
    assert.equal((res.json.error as { code: string }).code, 'COLLECT_ERR_LOG_UNAVAILABLE');
    assert.ok(res.headers.get('retry-after'));
    const ready = await fetch(`${server.url}/ready`);
    assert.equal(ready.status, 503);
  });
});
