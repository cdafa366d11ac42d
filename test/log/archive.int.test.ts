// Raw archive → wipe the store → replay: the same events with the same ids, and a second replay changes nothing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { readManifest } from '../../src/log/archive/raw-archive.ts';
import { openStore } from '../../src/store/store.ts';
import { eventually } from '../support/in-process-server.ts';
import { ADMIN_TOKEN, ROOT, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('archive');
after(cleanup);
const archive = path.join(dir, 'archive');

async function storedIds(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/explore/query`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      sql: "SELECT toString(event_id) AS id FROM events WHERE project = 'app' ORDER BY id",
    }),
  });
  return ((await res.json()) as { rows: Array<{ id: string }> }).rows.map((r) => r.id);
}

describe('raw archive and replay', () => {
  it('replays the archive into an empty store with identical ids, and once only', async () => {
    const server = await startServerProcess(path.join(dir, 'live'), {
      SIGHTLINE_ARCHIVE_DIR: archive,
      SIGHTLINE_DASHBOARD: 'false',
    });
    let ids: string[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        const body = Array.from({ length: 1 + (i % 3) }, (_, j) => ({
          type: 'click',
          session_id: `s${i}`,
          path: `/p/${j}`,
        }));
        const res = await fetch(`${server.url}/e`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-app': 'app' },
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 202);
      }
      ids = await eventually(async () => {
        const stored = await storedIds(server.url);
        return stored.length === 60 ? stored : undefined;
      }, 20_000);
      await eventually(async () => {
        if (!fs.existsSync(path.join(archive, 'manifest.ndjson'))) return undefined;
        const archived = readManifest(archive)
          .filter((e) => e.topic === 'events')
          .reduce((n, e) => n + e.records, 0);
        return archived === 30 ? true : undefined;
      }, 20_000);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const fresh = path.join(dir, 'fresh');
    const env = { PATH: process.env.PATH ?? '', SIGHTLINE_DATA_DIR: fresh, SIGHTLINE_PROJECTS: 'app' };
    for (let run = 0; run < 2; run++) {
      const replay = spawnSync(
        process.execPath,
        [path.join(ROOT, 'src/cli/main.ts'), 'replay', '--from', archive, '--quiet'],
        {
          env,
          encoding: 'utf8',
        },
      );
      assert.equal(replay.status, 0, replay.stderr);
      assert.match(replay.stdout, /Replayed 30 records/);
    }
    const store = openStore({ url: 'chdb', dataDir: fresh });
    try {
      const rows = await store.query<{ id: string }>(
        "SELECT toString(event_id) AS id FROM events WHERE project = 'app' ORDER BY id",
      );
      assert.deepEqual(
        rows.map((r) => r.id),
        ids,
      );
    } finally {
      await store.close();
    }
  });

  it('explains a missing --from', () => {
    const run = spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), 'replay'], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--from <archive dir> is required/);
  });
});
