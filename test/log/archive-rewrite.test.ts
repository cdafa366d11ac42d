// Dropping records from the raw archive: the other records' lines stay byte for byte, the manifest counts what is
// left, and after a crash (a half-written temporary file, a manifest line never appended) running it again
// finishes the job and drops nothing more.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { dropFromArchive } from '../../src/log/archive/archive-rewrite.ts';
import { archiveBatch, MANIFEST, readManifest } from '../../src/log/archive/raw-archive.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('archive-rewrite');
after(cleanup);

const lines = (file: string) =>
  gunzipSync(fs.readFileSync(path.join(dir, file)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);

const batch = (first: number, values: string[]) => ({
  topic: 'events',
  partition: 0,
  first,
  last: first + values.length - 1,
  redelivery: false,
  records: values.map((v, i) => ({ offset: first + i, value: Buffer.from(v) })),
});

describe('dropFromArchive', () => {
  it('rewrites only the files holding a record to drop, keeping the other lines as they were', async () => {
    const a = await archiveBatch(dir, batch(0, ['keep-1', 'drop-me', 'keep-2']));
    const b = await archiveBatch(dir, batch(3, ['keep-3']));
    const before = { a: lines(a.file), b: fs.readFileSync(path.join(dir, b.file)) };
    const result = await dropFromArchive(dir, (_topic, value) => value.includes('drop-me'));
    assert.deepEqual(result, { files: 2, rewritten: 1, records: 1 });
    assert.deepEqual(lines(a.file), [before.a[0], before.a[2]]);
    assert.ok(fs.readFileSync(path.join(dir, b.file)).equals(before.b), 'an untouched file is not rewritten');
    assert.deepEqual(
      readManifest(dir).map((e) => e.records),
      [2, 1],
    );
  });

  it('after a crash: removes a leftover temporary file, corrects the manifest, drops nothing more', async () => {
    const [entry] = readManifest(dir);
    // Cut short: a temporary file of a rewrite, and the manifest's last word still the old count.
    fs.writeFileSync(path.join(dir, `${entry.file}.rewrite`), 'half a gzip stream holding drop-me');
    fs.appendFileSync(path.join(dir, MANIFEST), `${JSON.stringify({ ...entry, records: 3 })}\n`);
    const result = await dropFromArchive(dir, (_topic, value) => value.includes('drop-me'));
    assert.equal(result.records, 0);
    assert.equal(result.rewritten, 0);
    assert.ok(!fs.existsSync(path.join(dir, `${entry.file}.rewrite`)));
    assert.equal(readManifest(dir)[0].records, 2);
  });

  it('leaves an empty file when every record of it is dropped', async () => {
    const result = await dropFromArchive(dir, () => true);
    assert.equal(result.records, 3);
    for (const e of readManifest(dir)) {
      assert.deepEqual(lines(e.file), []);
      assert.equal(e.records, 0);
    }
  });
});
