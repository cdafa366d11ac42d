// Retention from config: TTLs set, changed and removed at start; the engine drops rows past them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { migrate } from '../../src/store/migrate.ts';
import { applyRetention } from '../../src/store/retention.ts';
import { openStore } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('retention');
const store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
after(async () => {
  await store.close();
  cleanup();
});

describe('retention', () => {
  it('keeps rows for the configured days, then forever again', async () => {
    await migrate(store);
    const day = 86_400_000;
    const at = (ago: number) => new Date(Date.now() - ago * day).toISOString();
    await store.insert(
      'logs',
      [
        { timestamp: at(60), received_at: at(60), project: 'p', message: 'old' },
        { timestamp: at(1), received_at: at(1), project: 'p', message: 'new' },
      ],
      'retention-rows',
    );
    const changed = await applyRetention(store, loadConfig({ SIGHTLINE_RETENTION_LOGS_DAYS: '30' }));
    assert.deepEqual(changed, ['logs: 30 days']);
    assert.deepEqual(
      await applyRetention(store, loadConfig({ SIGHTLINE_RETENTION_LOGS_DAYS: '30' })),
      [],
      'idempotent',
    );
    await store.command('OPTIMIZE TABLE logs FINAL');
    const rows = await store.query<{ message: string }>('SELECT message FROM logs ORDER BY message');
    assert.deepEqual(
      rows.map((r) => r.message),
      ['new'],
    );
    assert.deepEqual(await applyRetention(store, loadConfig({})), ['logs: kept forever']);
    const [t] = await store.query<{ q: string }>(
      "SELECT create_table_query AS q FROM system.tables WHERE name = 'logs'",
    );
    assert.doesNotMatch(t.q, /TTL/);
  });
});
