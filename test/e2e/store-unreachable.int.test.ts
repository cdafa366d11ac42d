// A ClickHouse server store that cannot be reached at start: the collector still acknowledges into the WAL,
// /ready says which part is missing, and a shutdown does not wait for the migration retries.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { SEED_EVENT } from '../support/seed-event.ts';
import { startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('unreachable');
after(cleanup);

describe('store unreachable at start', () => {
  it('acknowledges events, reports not ready, and stops promptly', async () => {
    const server = await startServerProcess(
      dir,
      { SIGHTLINE_STORE: 'http://127.0.0.1:1/sightline' },
      undefined,
      '/health',
    );
    try {
      const res = await fetch(`${server.url}/e`, {
        method: 'POST',
        headers: { 'x-app': 'app', 'content-type': 'application/json' },
        body: JSON.stringify(SEED_EVENT),
      });
      assert.equal(res.status, 202);
      const ready = await fetch(`${server.url}/ready`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'not_ready', checks: { log: true, store: false } });
    } finally {
      server.child.kill('SIGTERM');
    }
    const started = Date.now();
    const exit = await server.exited;
    assert.equal(exit.code, 0, server.output());
    assert.ok(Date.now() - started < 5000, 'shutdown should not wait out the retry backoff');
  });
});
