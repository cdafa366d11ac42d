import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import type { LogBatch } from '../../src/log/event-log.ts';
import { WalEventLog } from '../../src/log/wal/wal.log.ts';
import { tempDir } from '../support/temp-dir.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function folder(): string {
  const { dir, cleanup } = tempDir('wal');
  cleanups.push(cleanup);
  return dir;
}

function payloads(n: number, from = 0): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.from(`record-${from + i}`));
}

function recordingLogger() {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return {
    warnings,
    logger: { warn: (obj: object, msg: string) => warnings.push({ obj, msg }), info: () => undefined },
  };
}

/** Subscribes and collects batches until `count` records arrived; then stops the subscription. */
async function consume(
  log: WalEventLog,
  count: number,
  options = { maxRecords: 1000, maxWaitMs: 5 },
  group = 'g',
): Promise<LogBatch[]> {
  const batches: LogBatch[] = [];
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const sub = log.subscribe('events', group, options, async (batch) => {
    batches.push({ ...batch, records: [...batch.records] });
    seen += batch.records.length;
    if (seen >= count) done();
  });
  await finished;
  await sub.stop();
  return batches;
}

const segmentFiles = (dir: string) =>
  fs
    .readdirSync(path.join(dir, 'events'))
    .filter((f) => f.endsWith('.wal'))
    .sort();

describe('write-ahead log', () => {
  it('delivers appended records in order with dense offsets, batches bounded by maxRecords', async () => {
    const log = await WalEventLog.open({ dir: folder() });
    for (let i = 0; i < 10; i++) await log.append('events', payloads(25, i * 25));
    const batches = await consume(log, 250, { maxRecords: 40, maxWaitMs: 5 });
    const all = batches.flatMap((b) => b.records);
    assert.deepEqual(
      all.map((r) => r.offset),
      Array.from({ length: 250 }, (_, i) => i),
    );
    assert.deepEqual(
      all.map((r) => r.value.toString()),
      payloads(250).map(String),
    );
    for (const b of batches) {
      assert.ok(b.records.length <= 40);
      assert.equal(b.first, b.records[0].offset);
      assert.equal(b.last, b.records.at(-1)!.offset);
      assert.equal(b.redelivery, false);
    }
    await log.close();
  });

  it('shares one fsync among concurrent appends (group commit), resolving each only after its fsync', async () => {
    let fsyncs = 0;
    let durable = 0;
    const log = await WalEventLog.open({
      dir: folder(),
      onFsync: (_s, records) => {
        fsyncs++;
        durable += records;
      },
    });
    const resolvedBeforeSync: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        log.append('events', [Buffer.from(`c${i}`)]).then(() => {
          if (durable < 1) resolvedBeforeSync.push(i);
        }),
      ),
    );
    assert.equal(durable, 200);
    assert.ok(fsyncs < 50, `expected far fewer fsyncs than appends, got ${fsyncs}`);
    assert.deepEqual(resolvedBeforeSync, []);
    await log.close();
  });

  it('replays only uncommitted records to a group after a restart', async () => {
    const dir = folder();
    let log = await WalEventLog.open({ dir });
    await log.append('events', payloads(30));
    const first = await consume(log, 30, { maxRecords: 10, maxWaitMs: 1 });
    assert.equal(first.flatMap((b) => b.records).length, 30);
    await log.append('events', payloads(5, 30));
    await log.close();

    log = await WalEventLog.open({ dir });
    const again = await consume(log, 5);
    assert.deepEqual(
      again.flatMap((b) => b.records).map((r) => r.offset),
      [30, 31, 32, 33, 34],
    );
    await log.append('events', payloads(1, 35));
    assert.equal(log.stats().backlog.events, 1);
    await log.close();
  });

  it('truncates a torn tail with a warning and keeps every good record before it', async () => {
    const dir = folder();
    let log = await WalEventLog.open({ dir });
    await log.append('events', payloads(20));
    await log.close();
    const file = path.join(dir, 'events', segmentFiles(dir)[0]);
    const goodSize = fs.statSync(file).size;
    // A frame header promising 100 bytes, followed by only 3: a write cut short by a crash.
    const torn = Buffer.alloc(11);
    torn.writeUInt32LE(100, 0);
    fs.appendFileSync(file, torn);

    const { warnings, logger } = recordingLogger();
    log = await WalEventLog.open({ dir, logger });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].msg, /torn or corrupt tail truncated/);
    assert.equal(fs.statSync(file).size, goodSize);
    await log.append('events', payloads(1, 20));
    const batches = await consume(log, 21);
    const all = batches.flatMap((b) => b.records);
    assert.equal(all.length, 21);
    assert.equal(all[20].offset, 20);
    assert.equal(all[20].value.toString(), 'record-20');
    await log.close();
  });

  it('finds a CRC mismatch, cuts from the damaged record on, keeps the records before it', async () => {
    const dir = folder();
    let log = await WalEventLog.open({ dir });
    await log.append('events', payloads(10));
    await log.close();
    const file = path.join(dir, 'events', segmentFiles(dir)[0]);
    const bytes = fs.readFileSync(file);
    // Flip a byte inside the payload of record 7 (each frame: 8-byte header + "record-N").
    const frame = 8 + 'record-0'.length;
    bytes[frame * 7 + 8 + 2] ^= 0xff;
    fs.writeFileSync(file, bytes);

    const { warnings, logger } = recordingLogger();
    log = await WalEventLog.open({ dir, logger });
    assert.equal(warnings.length, 1);
    assert.equal((warnings[0].obj as { reason: string }).reason, 'corrupt');
    const batches = await consume(log, 7);
    assert.deepEqual(
      batches.flatMap((b) => b.records).map((r) => r.value.toString()),
      payloads(7).map(String),
    );
    await log.append('events', payloads(1, 99));
    assert.equal(log.stats().backlog.events, 1, 'new records continue at offset 7');
    await log.close();
  });

  it('re-delivers an in-flight batch after a crash with exactly the same boundaries', async () => {
    const dir = folder();
    let log = await WalEventLog.open({ dir });
    await log.append('events', payloads(8));
    let handed!: LogBatch;
    let gotBatch!: () => void;
    const got = new Promise<void>((r) => {
      gotBatch = r;
    });
    let finishInsert!: () => void;
    // The handler is stuck in its insert when the process "dies".
    log.subscribe('events', 'g', { maxRecords: 5, maxWaitMs: 1 }, (batch) => {
      handed = batch;
      gotBatch();
      return new Promise<void>((r) => {
        finishInsert = r;
      });
    });
    await got;
    assert.deepEqual([handed.first, handed.last], [0, 4]);
    // The crash: the folder as it is on disk at this moment, reopened with more records arriving.
    const copy = folder();
    fs.cpSync(dir, copy, { recursive: true });
    finishInsert();
    await log.close();
    log = await WalEventLog.open({ dir: copy });
    await log.append('events', payloads(20, 8));
    const batches = await consume(log, 28, { maxRecords: 100, maxWaitMs: 1 });
    assert.deepEqual([batches[0].first, batches[0].last, batches[0].redelivery], [0, 4, true]);
    assert.deepEqual([batches[1].first, batches[1].redelivery], [5, false]);
    assert.equal(batches.flatMap((b) => b.records).length, 28);
    await log.close();
  });

  it('retries the same batch after a handler failure', async () => {
    const log = await WalEventLog.open({ dir: folder() });
    await log.append('events', payloads(3));
    const seen: Array<[number, number, boolean]> = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const sub = log.subscribe('events', 'g', { maxRecords: 10, maxWaitMs: 1 }, async (batch) => {
      seen.push([batch.first, batch.last, batch.redelivery]);
      if (seen.length < 3) throw new Error('store is down');
      done();
    });
    await finished;
    await sub.stop();
    assert.deepEqual(seen, [
      [0, 2, false],
      [0, 2, true],
      [0, 2, true],
    ]);
    await log.close();
  });

  it('rolls segments and deletes the ones every group has consumed', async () => {
    const dir = folder();
    const log = await WalEventLog.open({ dir, segmentBytes: 4096 });
    for (let i = 0; i < 40; i++) await log.append('events', [Buffer.alloc(500, i)]);
    assert.ok(segmentFiles(dir).length >= 4, `expected several segments, got ${segmentFiles(dir).length}`);
    await consume(log, 40, { maxRecords: 7, maxWaitMs: 1 });
    const left = segmentFiles(dir);
    assert.equal(left.length, 1, `only the active segment should remain, got ${left.join(',')}`);
    await log.append('events', [Buffer.from('after')]);
    const more = await consume(log, 1);
    assert.equal(more[0].first, 40);
    await log.close();
  });

  it('keeps segments a slower group still needs', async () => {
    const dir = folder();
    const log = await WalEventLog.open({ dir, segmentBytes: 4096 });
    // A second group that subscribed once and committed nothing since.
    await log.subscribe('events', 'slow', { maxRecords: 1, maxWaitMs: 1 }, async () => undefined).stop();
    for (let i = 0; i < 20; i++) await log.append('events', [Buffer.alloc(500, i)]);
    await consume(log, 20, { maxRecords: 5, maxWaitMs: 1 }, 'fast');
    assert.ok(segmentFiles(dir).length > 1);
    assert.equal(log.stats().backlog.events, 20);
    await log.close();
  });

  describe('age bound (SIGHTLINE_WAL_MAX_SEGMENT_AGE_SECONDS)', () => {
    const holding = (dir: string, needle: string) =>
      segmentFiles(dir).filter((f) => fs.readFileSync(path.join(dir, 'events', f)).includes(needle));

    /** Polls (no timing assertion: only whether it happens) until `check` holds, or fails after 10 s. */
    async function until(check: () => boolean, what: string): Promise<void> {
      for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(check(), what);
    }

    it('rolls a quiet active segment once old, and deletes it when every group is past it', async () => {
      const dir = folder();
      const log = await WalEventLog.open({ dir, maxSegmentAgeMs: 100 });
      await log.append('events', [Buffer.from('quiet-secret-1'), Buffer.from('quiet-secret-2')]);
      await consume(log, 2);
      await until(() => holding(dir, 'quiet-secret').length === 0, 'the consumed records left the disk');
      assert.equal(segmentFiles(dir).length, 1, 'an empty active segment is left');
      // The log goes on at the next offset.
      await log.append('events', [Buffer.from('later')]);
      const more = await consume(log, 1);
      assert.equal(more[0].first, 2);
      await log.close();
    });

    it('without the bound, the consumed records stay in the active segment', async () => {
      const dir = folder();
      const log = await WalEventLog.open({ dir });
      await log.append('events', [Buffer.from('quiet-secret')]);
      await consume(log, 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(holding(dir, 'quiet-secret').length, 1);
      await log.close();
    });

    it('rolls but keeps an old segment a group has not read yet', async () => {
      const dir = folder();
      const log = await WalEventLog.open({ dir, maxSegmentAgeMs: 100 });
      await log.subscribe('events', 'slow', { maxRecords: 1, maxWaitMs: 1 }, async () => undefined).stop();
      await log.append('events', [Buffer.from('unread-secret')]);
      await consume(log, 1, undefined, 'fast');
      await until(() => segmentFiles(dir).length === 2, 'rolled');
      assert.equal(holding(dir, 'unread-secret').length, 1);
      assert.equal(log.stats().backlog.events, 1);
      await log.close();
    });

    it('counts a segment found at start as at least as old as its file', async () => {
      const dir = folder();
      const first = await WalEventLog.open({ dir });
      await first.append('events', [Buffer.from('before-restart-secret')]);
      await consume(first, 1);
      await first.close();
      const log = await WalEventLog.open({ dir, maxSegmentAgeMs: 100 });
      await until(() => holding(dir, 'before-restart-secret').length === 0, 'gone after the restart');
      await log.close();
    });
  });

  it('refuses topic names that could escape the folder, and appends after close', async () => {
    const log = await WalEventLog.open({ dir: folder() });
    await assert.rejects(log.append('../x', payloads(1)), TypeError);
    await log.append('events', []);
    await log.close();
    await assert.rejects(log.append('events', payloads(1)), { code: 'LOG_ERR_CLOSED' });
    assert.equal(await log.ready(), false);
  });
});
