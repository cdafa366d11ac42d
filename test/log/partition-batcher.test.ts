import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commitFor,
  firstOffset,
  inflightMarkFor,
  lastOffset,
  PartitionBatcher,
} from '../../src/log/kafka/partition-batcher.ts';

const limits = { maxRecords: 3, maxBytes: 1_000, maxWaitMs: 50 };
const rec = (partition: number, offset: number, bytes = 10, leaderEpoch = 1) => ({
  partition,
  offset: BigInt(offset),
  value: Buffer.alloc(bytes, 'x'),
  leaderEpoch,
});

function feed(b: PartitionBatcher, partition: number, offsets: number[], now = 0, bytes = 10) {
  for (const o of offsets) {
    const r = rec(partition, o, bytes);
    if (!b.has(partition)) b.start(r, undefined, now);
    b.add(r, now);
  }
}

describe('partition batcher (no Kafka)', () => {
  it('closes a batch at maxRecords and keeps offsets in order', () => {
    const b = new PartitionBatcher(limits);
    feed(b, 0, [10, 11, 12, 13]);
    const taken = b.next(0);
    assert.ok(taken);
    assert.equal(taken.partition, 0);
    assert.deepEqual(
      taken.batch.records.map((r) => r.offset),
      [10, 11, 12],
    );
    assert.equal(taken.batch.redelivery, false);
    // The fourth record waits for more (or for maxWaitMs).
    assert.equal(b.next(0), undefined);
  });

  it('closes a batch at maxBytes, with at least one record', () => {
    const b = new PartitionBatcher(limits);
    feed(b, 0, [0], 0, 5_000);
    feed(b, 0, [1, 2], 0, 600);
    assert.deepEqual(
      b.next(0)?.batch.records.map((r) => r.offset),
      [0],
    );
    assert.deepEqual(
      b.next(0)?.batch.records.map((r) => r.offset),
      [1, 2],
    );
  });

  it('closes an open batch once it is maxWaitMs old, counted from its first record', () => {
    const b = new PartitionBatcher(limits);
    feed(b, 0, [0], 100);
    feed(b, 0, [1], 140);
    assert.equal(b.next(149), undefined);
    assert.deepEqual(
      b.next(150)?.batch.records.map((r) => r.offset),
      [0, 1],
    );
    // The next batch's clock starts at its own first record.
    feed(b, 0, [2], 400);
    assert.equal(b.next(449), undefined);
    assert.ok(b.next(450));
  });

  it('re-reads a previous owner’s in-flight range as exactly one batch, whatever the limits', () => {
    const b = new PartitionBatcher(limits);
    const first = rec(2, 5);
    assert.deepEqual(b.start(first, 10n, 0), { from: 5n, to: 9n });
    for (let o = 5; o < 12; o++) b.add(rec(2, o), 0);
    // Neither maxRecords (3) nor age cuts the range: it keeps the first delivery's boundaries.
    const redelivered = b.next(10_000);
    assert.ok(redelivered);
    assert.deepEqual(
      redelivered.batch.records.map((r) => r.offset),
      [5, 6, 7, 8, 9],
    );
    assert.equal(redelivered.batch.redelivery, true);
    assert.equal(inflightMarkFor(redelivered.batch), undefined, 'a redelivered range is not marked again');
    // After the range, normal limits apply again.
    assert.deepEqual(
      b.next(10_000)?.batch.records.map((r) => r.offset),
      [10, 11],
    );
  });

  it('ignores a mark that lies behind the first record (the range was committed)', () => {
    const b = new PartitionBatcher(limits);
    assert.equal(b.start(rec(0, 20), 20n, 0), undefined);
    b.add(rec(0, 20), 0);
    assert.equal(b.next(0), undefined);
    assert.equal(b.next(50)?.batch.redelivery, false);
  });

  it('marks and commits the offset after the batch, with the last record’s leader epoch', () => {
    const b = new PartitionBatcher(limits);
    b.start(rec(1, 7, 10, 3), undefined, 0);
    b.add(rec(1, 7, 10, 3), 0);
    b.add(rec(1, 8, 10, 3), 0);
    b.add(rec(1, 9, 10, 4), 0);
    const taken = b.next(0);
    assert.ok(taken);
    assert.equal(firstOffset(taken.batch), 7);
    assert.equal(lastOffset(taken.batch), 9);
    assert.equal(inflightMarkFor(taken.batch), 10n);
    assert.deepEqual(commitFor(taken.batch), { offset: 10n, leaderEpoch: 4 });
  });

  it('serves partitions in turn and puts a failed batch back at the front of its partition', () => {
    const b = new PartitionBatcher(limits);
    feed(b, 0, [0, 1, 2, 3, 4, 5]);
    feed(b, 1, [0, 1, 2]);
    const a = b.next(0);
    assert.equal(a?.partition, 0);
    a?.putBack();
    assert.equal(b.waiting(0), 2);
    assert.deepEqual(
      b.next(0)?.batch.records.map((r) => r.offset),
      [0, 1, 2],
    );
    assert.deepEqual(
      b.next(0)?.batch.records.map((r) => r.offset),
      [3, 4, 5],
    );
    assert.equal(b.next(0)?.partition, 1);
  });

  it('forgets partitions that moved away; a put-back batch goes with its dropped partition', () => {
    const b = new PartitionBatcher(limits);
    feed(b, 0, [0, 1, 2]);
    feed(b, 1, [0, 1, 2]);
    const taken = b.next(0);
    b.retain((p) => p === 1);
    assert.equal(b.has(0), false);
    taken?.putBack();
    assert.equal(b.waiting(0), 0);
    // A partition that comes back starts fresh.
    feed(b, 0, [3, 4, 5]);
    assert.equal(b.waiting(0), 1);
    b.drop(1);
    assert.equal(b.has(1), false);
    b.clear();
    assert.equal(b.has(0), false);
  });

  it('refuses a record of a partition that was not started', () => {
    const b = new PartitionBatcher(limits);
    assert.throws(() => b.add(rec(9, 0), 0), /not started/);
  });
});
