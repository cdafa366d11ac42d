// What another local user can read of a running Sightline: nothing. After a start over a data dir an older version
// left world-readable, and some events, every folder under it is 0700 and every file 0600 — the WAL (raw bodies,
// client IPs), the embedded store, the admin token, the archive. The same start warns about a mistyped variable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startServerProcess } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('modes');
after(cleanup);

/** Every path under `root` whose mode has group or other bits, and how many paths were looked at. */
function looseModes(root: string): { loose: string[]; seen: string[] } {
  const loose: string[] = [];
  const seen: string[] = [];
  const visit = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    seen.push(path.relative(root, p));
    if (st.mode & 0o077) loose.push(`${path.relative(root, p) || '.'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of fs.readdirSync(p)) visit(path.join(p, name));
  };
  visit(root);
  return { loose, seen };
}

describe('file modes', () => {
  it('a start tightens an open data dir, and everything written after is 0700/0600', async () => {
    const data = path.join(dir, 'data');
    // As an older version left it: world-readable folder and files.
    fs.mkdirSync(path.join(data, 'wal'), { recursive: true, mode: 0o755 });
    fs.chmodSync(data, 0o755);
    fs.writeFileSync(path.join(data, 'wal', 'left-over.txt'), 'raw body', { mode: 0o644 });
    fs.chmodSync(path.join(data, 'wal', 'left-over.txt'), 0o644);

    const server = await startServerProcess(data, {
      SIGHTLINE_ADMIN_TOKEN: '',
      SIGHTLINE_ARCHIVE_DIR: path.join(data, 'archive'),
      SIGHTLINE_STORE_IP: 'false',
      // A typo: warned about at start, naming the setting it most likely meant.
      SIGHTLINE_RATE_LIMIT: '0',
    });
    try {
      const token = fs.readFileSync(path.join(data, 'admin-token'), 'utf8').trim();
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${server.url}/e`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-app': 'app', 'x-forwarded-for': '203.0.113.9' },
          body: JSON.stringify({ type: 'signup', user_id: `u${i}`, props: { email: `u${i}@example.com` } }),
        });
        assert.equal(res.status, 202);
      }
      const deadline = Date.now() + 30_000;
      let stored = 0;
      while (Date.now() < deadline) {
        const res = await fetch(`${server.url}/api/v1/explore/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sql: "SELECT count() AS n FROM events WHERE project = 'app'" }),
        });
        stored =
          res.status === 200 ? Number(((await res.json()) as { rows: Array<{ n: number }> }).rows[0].n) : 0;
        if (stored === 5 && fs.existsSync(path.join(data, 'archive', 'manifest.ndjson'))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(stored, 5);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const out = server.output();
    assert.match(out, /folder was readable by other users/);
    assert.match(out, /"was":"0755"/);
    assert.match(
      out,
      /unknown variable SIGHTLINE_RATE_LIMIT; did you mean SIGHTLINE_RATE_LIMIT_PER_SECOND\?/,
    );

    const { loose, seen } = looseModes(data);
    assert.deepEqual(loose, []);
    // The walk covered what matters: the token, WAL segments and checkpoints, the store's parts, the archive.
    for (const wanted of [
      /^admin-token$/,
      /^wal\/left-over\.txt$/,
      /^wal\/events\/.*\.wal$/,
      /^wal\/events\/consumers\/.*\.json$/,
      /^chdb\/.*\.bin$/,
      /^archive\/events\/.*\.ndjson\.gz$/,
    ])
      assert.ok(
        seen.some((p) => wanted.test(p)),
        `nothing matching ${wanted} under the data dir:\n${seen.slice(0, 40).join('\n')}`,
      );
  });
});
