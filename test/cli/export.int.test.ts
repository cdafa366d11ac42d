// `sightline export` as a user runs it: seed a few days, export them as CSV, NDJSON and Parquet, read them back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/store.ts';
import { ROOT } from '../support/server-process.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('export');
after(cleanup);
const env = {
  PATH: process.env.PATH ?? '',
  SIGHTLINE_DATA_DIR: path.join(dir, 'data'),
  SIGHTLINE_PROJECTS: 'demo',
};
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT, 'src/cli/main.ts'), ...args], {
    env,
    encoding: 'utf8',
    cwd: dir,
  });

describe('sightline export', () => {
  it('writes CSV, NDJSON and Parquet with every row of the range', async () => {
    const seeded = cli(
      'seed',
      '--project',
      'demo',
      '--days',
      '3',
      '--events-per-day',
      '400',
      '--seed',
      '3',
      '--end',
      '2026-03-03',
      '--quiet',
    );
    assert.equal(seeded.status, 0, seeded.stderr);
    const counts: Record<string, number> = {};
    for (const format of ['csv', 'ndjson', 'parquet']) {
      const out = path.join(dir, `events.${format}`);
      const run = cli(
        'export',
        '--project',
        'demo',
        '--from',
        '2026-03-02',
        '--to',
        '2026-03-03',
        '--format',
        format,
        '--out',
        out,
        '--quiet',
      );
      assert.equal(run.status, 0, run.stderr);
      counts[format] = Number(/Exported ([\d,]+) rows/.exec(run.stdout)?.[1].replaceAll(',', ''));
      assert.ok(fs.existsSync(out) && !fs.existsSync(`${out}.partial`));
    }
    const csv = fs.readFileSync(path.join(dir, 'events.csv'), 'utf8').trimEnd().split('\n');
    assert.match(csv[0], /^"event_id","project",/);
    assert.equal(csv.length - 1, counts.csv);
    const ndjson = fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n');
    assert.equal(ndjson.length, counts.ndjson);
    assert.ok(ndjson.every((l) => (JSON.parse(l) as { project: string }).project === 'demo'));
    const parquet = fs.readFileSync(path.join(dir, 'events.parquet'));
    assert.equal(parquet.subarray(0, 4).toString(), 'PAR1');
    const store = openStore({ url: 'chdb', dataDir: path.join(dir, 'data') });
    try {
      const [stored] = await store.query<{ n: number }>(
        "SELECT count() AS n FROM events WHERE project = 'demo' AND timestamp >= '2026-03-02' AND timestamp < '2026-03-04'",
      );
      const [fromParquet] = await store.query<{ n: number }>(
        `SELECT count() AS n FROM file('${path.join(dir, 'events.parquet')}', Parquet)`,
      );
      assert.ok(Number(stored.n) > 500);
      assert.deepEqual(
        [counts.csv, counts.ndjson, counts.parquet, Number(fromParquet.n)],
        Array(4).fill(Number(stored.n)),
      );
    } finally {
      await store.close();
    }
  });

  it('explains bad arguments', () => {
    const run = cli(
      'export',
      '--project',
      'demo',
      '--from',
      '2026-3-2',
      '--to',
      '2026-03-01',
      '--format',
      'xls',
    );
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--from must be a day/);
    assert.match(run.stderr, /--format must be one of csv, ndjson, parquet/);
    assert.match(cli('export', '--help').stdout, /Usage: sightline export/);
  });
});
