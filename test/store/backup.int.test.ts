// Backup → drop everything → restore: identical counts and checksums in every table, and the restored store keeps
// working (the materialized views write the rollups again for new events).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seed } from '../../src/seed/seed.ts';
import { BackupInvalidError, backupStore, restoreStore } from '../../src/store/backup.ts';
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
      "SELECT sum(events) AS n FROM events_hourly WHERE project = 'demo' AND dimension = '' AND hour = '2026-02-06 10:00:00'",
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
    const before = await fingerprints();
    await assert.rejects(
      restoreStore(store, tampered),
      /not a usable backup, the store was left as it is: table events: .* the manifest says/,
    );
    assert.deepEqual(await fingerprints(), before, 'nothing was dropped');
  });
});

describe('restore verifies the whole backup before it touches the store', () => {
  /** A copy of the good backup, damaged by `damage`. */
  const damaged = (name: string, damage: (copy: string) => void) => {
    const copy = path.join(dir, name);
    fs.cpSync(path.join(dir, 'backup'), copy, { recursive: true });
    damage(copy);
    return copy;
  };
  /** The largest column file of a table's copy: truncating it is what a cut-off copy looks like. */
  const biggestFile = (copy: string, table: string) => {
    const files = fs
      .readdirSync(path.join(copy, 'tables', table), { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.bin'))
      .map((f) => path.join(f.parentPath, f.name));
    return files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  };
  const leftovers = async () =>
    (
      await store.query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '\\_restore\\_check%'",
      )
    ).map((r) => r.name);

  const cases: Array<[string, (copy: string) => void, RegExp]> = [
    [
      'a truncated column file',
      (copy) => {
        const file = biggestFile(copy, 'events');
        fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
      },
      /table events: /,
    ],
    [
      'a column file with flipped bytes',
      (copy) => {
        const file = biggestFile(copy, 'events');
        const bytes = fs.readFileSync(file);
        for (let i = Math.floor(bytes.length / 2); i < bytes.length / 2 + 64; i++) bytes[i] ^= 0xff;
        fs.writeFileSync(file, bytes);
      },
      /table events: /,
    ],
    [
      "a table's folder missing",
      (copy) => fs.rmSync(path.join(copy, 'tables', 'visits'), { recursive: true }),
      /table visits: /,
    ],
    [
      'a cut-off manifest',
      (copy) => {
        const file = path.join(copy, 'manifest.json');
        fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 100));
      },
      /manifest\.json cannot be read/,
    ],
    [
      'a cut-off schema',
      (copy) => {
        const file = path.join(copy, 'schema.sql');
        const text = fs.readFileSync(file, 'utf8');
        fs.writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
      },
      /schema\.sql /,
    ],
  ];
  for (const [what, damage, why] of cases)
    it(`refuses ${what} and leaves every table as it was`, async () => {
      const copy = damaged(`damaged-${what.replaceAll(/\W+/g, '-')}`, damage);
      const before = await fingerprints();
      await assert.rejects(restoreStore(store, copy), (err: Error) => {
        assert.ok(err instanceof BackupInvalidError, err.stack);
        assert.match(err.message, why);
        return true;
      });
      assert.deepEqual(await fingerprints(), before);
      assert.deepEqual(await leftovers(), []);
    });

  it('writes the backup for its owner only (folders 0700, files 0600)', () => {
    const loose: string[] = [];
    const walk = (p: string) => {
      const st = fs.statSync(p);
      if (st.mode & 0o077) loose.push(`${p} ${(st.mode & 0o777).toString(8)}`);
      if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
    };
    walk(path.join(dir, 'backup'));
    assert.deepEqual(loose, []);
  });
});
