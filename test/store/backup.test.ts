// Backup → drop everything → restore: identical counts and checksums in every table, and the restored store keeps
// working (the materialized views write sessions again for new events).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seed } from '../../src/seed/seed.ts';
import { backupStore, restoreStore } from '../../src/store/backup.ts';
import { migrate } from '../../src/store/migrate.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('backup');
let store: Store;

const fingerprints = async () => {
  const tables = await store.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [r] = await store.query<{ n: number; h: string }>(
      `SELECT count() AS n, toString(groupBitXor(cityHash64(formatRow('TSV', *)))) AS h FROM \`${name}\``,
    );
    out[name] = `${r.n}/${r.h}`;
  }
  return out;
};

before(async () => {
  store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
  await migrate(store);
  await seed(store, {
    project: 'demo',
    days: 5,
    eventsPerDay: 2000,
    seed: 5,
    end: '2026-02-05',
    tz: 'UTC',
    now: Date.UTC(2026, 1, 6),
  });
});
after(async () => {
  await store?.close();
  cleanup();
});

describe('backup and restore of the embedded store', () => {
  it('restores identical counts and checksums after every table was dropped', async () => {
    const before = await fingerprints();
    assert.ok(Number(before.events.split('/')[0]) > 5000);
    const out = path.join(dir, 'backup');
    const manifest = await backupStore(store, out);
    assert.equal(manifest.tables.events.rows, Number(before.events.split('/')[0]));
    for (const { name } of await store.query<{ name: string; engine: string }>(
      "SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY engine = 'View' DESC, engine = 'MaterializedView' DESC",
    ))
      await store.command(`DROP TABLE IF EXISTS \`${name}\` SYNC`);
    assert.equal(
      (await store.query('SELECT name FROM system.tables WHERE database = currentDatabase()')).length,
      0,
    );
    const restored = await restoreStore(store, out);
    assert.ok(restored.tables >= 8);
    assert.deepEqual(await fingerprints(), before);
  });

  it('the restored store keeps ingesting through its materialized views', async () => {
    await store.insert(
      'events',
      [
        {
          event_id: crypto.randomUUID(),
          project: 'demo',
          type: 'pageview',
          timestamp: '2026-02-06 10:00:00',
          received_at: '2026-02-06 10:00:00',
          session_id: 'after-restore',
          path: '/',
        },
      ],
      'after-restore',
    );
    const [s] = await store.query<{ n: number }>(
      "SELECT count() AS n FROM sessions_view WHERE session_id = 'after-restore'",
    );
    assert.equal(Number(s.n), 1);
  });

  it('refuses to overwrite a non-empty folder, and a backup that does not match', async () => {
    await assert.rejects(backupStore(store, path.join(dir, 'backup')), /not empty/);
    const tampered = path.join(dir, 'tampered');
    fs.cpSync(path.join(dir, 'backup'), tampered, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(tampered, 'manifest.json'), 'utf8'));
    manifest.tables.events.rows += 1;
    fs.writeFileSync(path.join(tampered, 'manifest.json'), JSON.stringify(manifest));
    await assert.rejects(restoreStore(store, tampered), /events does not match the backup/);
  });
});
