// Erasure with the raw archive on, on `sightline serve` as a user runs it: two people's events (native before and
// after login, Segment, a log line), one erased. The archive's files are rewritten without any record of hers (the
// anonymous page view of her visit included), keeping Bob's; `sightline replay` of the rewritten archive into an
// empty store brings back only Bob; `sightline replay` of a copy taken *before* the erasure, into the same store,
// does not restore her either (the erasure's marker). Then every file under the data dir and the archive holds no
// trace of her id, except the parts ClickHouse replaced and removes on its own schedule (docs/privacy.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readManifest } from '../../src/log/archive/raw-archive.ts';
import { openStore } from '../../src/store/store.ts';
import { freePort } from '../support/free-port.ts';
import { eventually } from '../support/in-process-server.ts';
import { ADMIN_TOKEN, ROOT, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';
import { traces } from './store-checks.ts';

const { dir, cleanup } = tempDir('erase-archive');
after(cleanup);
const live = path.join(dir, 'live');
const archive = path.join(dir, 'archive');
const before = path.join(dir, 'archive-before');

const KEY = 'shop-write-key-456';
// A core no other value shares, so a compressed column file still holds it literally if it holds the id at all.
const CORE = 'Qx7ZpK9wV3';
const ALICE = `alice-${CORE}@example.com`;
const BOB = 'bob-Hm4TjR8sN2@example.com';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const basic = `Basic ${Buffer.from(`${KEY}:`).toString('base64')}`;

let server: ServerProcess;

async function post(pathname: string, body: unknown, headers: Record<string, string>): Promise<void> {
  const res = await fetch(`${server.url}${pathname}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/5.0 (X11; Linux) Test/1',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  assert.ok(res.status < 300, `${pathname}: ${res.status} ${await res.text()}`);
}

const native = (events: unknown[]) => post('/e', events, { 'x-app': 'shop', 'x-project-key': KEY });

/** Four envelopes per person: an anonymous page view, the identified events of that visit, a Segment batch, a log line. */
async function traffic(user: string, tag: string): Promise<void> {
  const visit = `${tag}-visit`;
  await native([{ type: 'pageview', path: `/${tag}/landing`, session_id: visit }]);
  await native([
    { type: 'identify', user_id: user, session_id: visit, details: { email: user } },
    { type: 'pageview', user_id: user, session_id: visit, path: `/${tag}/account` },
  ]);
  await post(
    '/v1/batch',
    {
      batch: [
        { type: 'track', userId: user, messageId: `${tag}-order`, event: 'Order Completed' },
        { type: 'identify', userId: user, messageId: `${tag}-identify`, traits: { email: user } },
      ],
    },
    { authorization: basic },
  );
  await fetch(`${server.url}/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', 'x-app': 'shop', 'x-project-key': KEY },
    body: `${JSON.stringify({ message: `${tag} paid`, level: 'info', email: user })}\n`,
  }).then((r) => assert.equal(r.status, 202));
}

/** Every record of the archive, decoded, with its file. */
function archivedRecords(at: string): Array<{ file: string; value: Buffer }> {
  const out: Array<{ file: string; value: Buffer }> = [];
  for (const entry of readManifest(at)) {
    const file = path.join(at, entry.file);
    for (const line of gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter(Boolean))
      out.push({ file: entry.file, value: Buffer.from(JSON.parse(line).record, 'base64') });
  }
  return out;
}

/** Files (relative to `root`) whose bytes — gunzipped too, archive records base64-decoded too — hold the needle. */
function filesHolding(root: string, needle: string): string[] {
  const found: string[] = [];
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    const file = path.join(root, name);
    // The WAL drops its aged segments while we walk: a file listed a moment ago may be gone.
    let bytes: Buffer;
    try {
      if (!fs.statSync(file).isFile()) continue;
      bytes = fs.readFileSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    let hit = bytes.includes(needle);
    if (!hit && name.endsWith('.gz')) {
      const text = gunzipSync(bytes).toString('utf8');
      hit = text.includes(needle);
      for (const line of text.split('\n').filter(Boolean)) {
        if (hit) break;
        try {
          hit = Buffer.from(JSON.parse(line).record, 'base64').includes(needle);
        } catch {}
      }
    }
    if (hit) found.push(name);
  }
  return found;
}

function cli(args: string[], dataDir: string) {
  return spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      SIGHTLINE_DATA_DIR: dataDir,
      SIGHTLINE_PROJECTS: `shop:${KEY}`,
      SIGHTLINE_LOG_LEVEL: 'warn',
    },
    encoding: 'utf8',
  });
}

describe('erasure and the raw archive', () => {
  const counts = { alice: 0, bob: 0 };

  it('archives both people', async () => {
    server = await startServerProcess(live, {
      SIGHTLINE_ARCHIVE_DIR: archive,
      SIGHTLINE_DASHBOARD: 'false',
      SIGHTLINE_PROJECTS: `shop:${KEY}`,
      SIGHTLINE_RATE_LIMIT_PER_SECOND: '0',
      SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS: '1',
    });
    await traffic(ALICE, 'alice');
    await traffic(BOB, 'bob');
    const exported = async (user: string) => {
      const res = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(user)}/export?project=shop`, {
        headers: admin,
      });
      return ((await res.json()) as { counts: Record<string, number> }).counts;
    };
    await eventually(
      async () => {
        const [a, b] = [await exported(ALICE), await exported(BOB)];
        counts.alice = a.events;
        counts.bob = b.events;
        return a.events === 5 && b.events === 5 && a.logs === 1 && b.logs === 1 ? true : undefined;
      },
      30_000,
      'both people stored',
    );
    await eventually(
      async () =>
        fs.existsSync(path.join(archive, 'manifest.ndjson')) && archivedRecords(archive).length === 8
          ? true
          : undefined,
      30_000,
      'eight envelopes archived',
    );
    // The scans below can fail: before the erasure they find her in the store's files and the archive (and in
    // the WAL until its 1 s segments age out: test/log/wal.test.ts tests that bound).
    const holding = filesHolding(live, CORE);
    assert.ok(
      holding.some((f) => !f.startsWith('wal')),
      `the store's files hold her: ${holding.join(', ')}`,
    );
    assert.ok(filesHolding(archive, CORE).length > 0);
    // A copy of the archive's events (log lines and database changes are replayed into empty stores only).
    fs.cpSync(archive, before, { recursive: true });
    const manifest = path.join(before, 'manifest.ndjson');
    const events = fs
      .readFileSync(manifest, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"topic":"events"'));
    fs.writeFileSync(manifest, `${events.join('\n')}\n`);
  });

  it('rewrites the archive without her records, and counts them', async () => {
    const res = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(ALICE)}?project=shop`, {
      method: 'DELETE',
      headers: admin,
    });
    const body = (await res.json()) as { removed: Record<string, number> };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.removed.events, counts.alice);
    assert.equal(body.removed.archive_records, 4);
    const left = archivedRecords(archive);
    assert.equal(left.length, 4);
    for (const r of left) {
      assert.ok(!r.value.includes(CORE), `a record of hers is left in ${r.file}`);
      assert.ok(!r.value.includes('/alice/landing'), 'her anonymous page view is left');
    }
    assert.equal(left.filter((r) => r.value.includes(BOB)).length, 3, "Bob's records are kept");
    // Bob's records are byte for byte what was archived.
    const original = archivedRecords(before)
      .concat(archivedRecords(archive).filter((r) => !r.file.startsWith('events')))
      .map((r) => r.value.toString('base64'));
    for (const r of left) assert.ok(original.includes(r.value.toString('base64')));
    assert.deepEqual(filesHolding(archive, CORE), []);
    assert.equal(
      readManifest(archive).reduce((n, e) => n + e.records, 0),
      4,
      'the manifest counts what is left',
    );
    // Again: nothing more to drop, nothing rewritten.
    const again = await fetch(`${server.url}/api/v1/people/${encodeURIComponent(ALICE)}?project=shop`, {
      method: 'DELETE',
      headers: admin,
    });
    assert.equal(((await again.json()) as { removed: Record<string, number> }).removed.archive_records, 0);
  });

  it('replays the rewritten archive into an empty store: only Bob comes back', async () => {
    const fresh = path.join(dir, 'fresh');
    const replay = cli(['replay', '--from', archive, '--quiet'], fresh);
    assert.equal(replay.status, 0, replay.stderr);
    assert.match(replay.stdout, /Replayed 4 records/);
    const port = String(await freePort());
    const exported = (user: string) => {
      const run = spawnSync(
        process.execPath,
        [path.join(ROOT, 'src/cli/main.ts'), 'export-person', '--project', 'shop', '--user-id', user],
        {
          env: {
            PATH: process.env.PATH ?? '',
            SIGHTLINE_DATA_DIR: fresh,
            SIGHTLINE_PROJECTS: `shop:${KEY}`,
            SIGHTLINE_PORT: port,
          },
          encoding: 'utf8',
        },
      );
      assert.equal(run.status, 0, run.stderr);
      return (JSON.parse(run.stdout) as { counts: Record<string, number> }).counts;
    };
    assert.equal(exported(ALICE).events, 0);
    assert.equal(exported(ALICE).logs, 0);
    assert.equal(exported(BOB).events, counts.bob);
  });

  it('leaves no file of the data dir holding her id once the WAL segment aged out', async () => {
    // SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS=1: the segments with her bodies are rolled and deleted.
    await eventually(
      async () => (filesHolding(live, CORE).some((f) => f.startsWith('wal')) ? undefined : true),
      30_000,
      'her records leaving the WAL',
    );
    server.child.kill('SIGTERM');
    await server.exited;
  });

  it('replaying a copy of the archive from before the erasure into the same store restores none of hers', async () => {
    const replay = cli(['replay', '--from', before, '--quiet'], live);
    assert.equal(replay.status, 0, replay.stderr);
    assert.match(replay.stdout, /Replayed 6 records/);
    const store = openStore({ url: 'chdb', dataDir: live });
    try {
      const rows = await store.query<{ user_id: string; path: string }>(
        "SELECT user_id, path FROM events WHERE project = 'shop' ORDER BY user_id, path",
      );
      assert.equal(rows.filter((r) => r.user_id === BOB || r.path.startsWith('/bob')).length, counts.bob);
      assert.equal(rows.filter((r) => r.user_id === ALICE).length, 0);
      assert.ok(!rows.some((r) => r.path.startsWith('/alice')), 'her anonymous page view is not restored');
      assert.deepEqual(await traces(store, CORE), []);
      // The data dir's files: only parts ClickHouse already replaced (inactive, removed after
      // old_parts_lifetime) may still hold her — docs/privacy.md.
      const inactive = await store.query<{ path: string }>(
        'SELECT path FROM system.parts WHERE database = currentDatabase() AND NOT active',
      );
      const real = (p: string) => fs.realpathSync(p);
      const replaced = inactive.map((p) => real(p.path));
      const unexplained = filesHolding(live, CORE).filter(
        (f) => !replaced.some((p) => real(path.join(live, f)).startsWith(p)),
      );
      assert.deepEqual(unexplained, []);
      assert.deepEqual(filesHolding(archive, CORE), []);
    } finally {
      await store.close();
    }
  });
});
