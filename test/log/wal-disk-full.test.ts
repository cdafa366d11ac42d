// Disk full, for real: the WAL on a 256 KiB tmpfs (CI runs as root, which mounting needs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { tempDir } from '../support/temp-dir.ts';

const { dir, cleanup } = tempDir('walfull');

before(() => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
});
after(() => {
  execFileSync('umount', [dir]);
  cleanup();
});

describe('write-ahead log on a full disk', () => {
  it('rejects the append that does not fit, keeps every acknowledged record, and exposes no partial bytes', async () => {
    const log = await WalEventLog.open({ dir });
    const acked: string[] = [];
    let failure: unknown;
    for (let i = 0; i < 1000 && !failure; i++) {
      const value = `${String(i).padStart(6, '0')}${'x'.repeat(9_994)}`;
      try {
        await log.append('events', [Buffer.from(value)]);
        acked.push(value);
      } catch (err) {
        failure = err;
      }
    }
    assert.ok(failure, 'the disk should have filled up');
    assert.equal((failure as { code: string }).code, 'LOG_ERR_WRITE');
    assert.match((failure as Error).message, /ENOSPC|no space/i);
    assert.ok(acked.length > 5);
    assert.equal(await log.ready(), true, 'the log itself is intact; only that append failed');
    await log.close();

    // The operator frees space; the log carries on with exactly the acknowledged records.
    execFileSync('mount', ['-o', 'remount,size=1m', dir]);
    const reopened = await WalEventLog.open({ dir });
    const seen: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const sub = reopened.subscribe('events', 'g', { maxRecords: 1000, maxWaitMs: 1 }, async (batch) => {
      for (const r of batch.records) seen.push(r.value.toString());
      if (seen.length >= acked.length) done();
    });
    await finished;
    await sub.stop();
    assert.equal(seen.length, acked.length);
    assert.deepEqual(seen, acked);
    await reopened.close();
  });
});
