// `sightline erase|export-person` without a server (the CLI opens the store itself) accept a site made in the
// dashboard (a row of the store's `sites`), not only the projects of SIGHTLINE_PROJECTS; an unknown project is still
// a usage error. Each step is a process of its own: chDB opens one data folder per process.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../support/free-port.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('privacy-cli-sites');
let env: Record<string, string>;

before(async () => {
  // A port nothing listens on: the CLI finds no server and works on the store directly.
  env = {
    PATH: process.env.PATH ?? '',
    SIGHTLINE_DATA_DIR: dir,
    SIGHTLINE_STORE: 'chdb',
    SIGHTLINE_PROJECTS: 'app',
    SIGHTLINE_PORT: String(await freePort()),
  };
  const script = `
    import { openStore } from ${JSON.stringify(path.join(ROOT, 'src/store/store.ts'))};
    import { migrate } from ${JSON.stringify(path.join(ROOT, 'src/store/migrate.ts'))};
    import { writeSite } from ${JSON.stringify(path.join(ROOT, 'src/sites/site-store.ts'))};
    import { defaultSettings } from ${JSON.stringify(path.join(ROOT, 'src/sites/site-fields.ts'))};
    const store = openStore({ url: 'chdb', dataDir: ${JSON.stringify(dir)} });
    await migrate(store);
    const now = Date.now();
    await writeSite(store, { name: 'blog', ...defaultSettings('blog'), managed: false, createdAt: now, updatedAt: now });
    await store.close();`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env });
});
after(() => cleanup());

const sightline = (args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });

describe('sightline erase / export-person on the store itself', () => {
  it('take a site made in the dashboard', () => {
    const out = path.join(dir, 'alice.json');
    const exported = sightline(['export-person', '--project', 'blog', '--user-id', 'alice', '--out', out]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.equal((JSON.parse(fs.readFileSync(out, 'utf8')) as { project: string }).project, 'blog');
    const erased = sightline(['erase', '--project', 'blog', '--user-id', 'alice', '--yes']);
    assert.equal(erased.status, 0, erased.stderr);
  });

  it('refuse a project that is neither configured nor a site: exit 2 naming the known ones', () => {
    const r = sightline(['erase', '--project', 'nope', '--user-id', 'alice', '--yes']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /project must be one of app, blog/);
  });
});
