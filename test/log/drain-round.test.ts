import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { drainRound, type Pausable } from '../../src/log/kafka/drain-round.ts';
import { lastOffset, PartitionBatcher, type TakenBatch } from '../../src/log/kafka/partition-batcher.ts';

const rec = (partition: number, offset: number) => ({
  partition,
  offset: BigInt(offset),
  value: Buffer.from('x'),
  leaderEpoch: 0,
});

function batcherWith(partitions: Record<number, number[]>) {
  const b = new PartitionBatcher({ maxRecords: 2, maxBytes: 1_000, maxWaitMs: 1_000 });
  for (const [p, offsets] of Object.entries(partitions))
    for (const o of offsets) {
      if (!b.has(Number(p))) b.start(rec(Number(p), o), undefined, 0);
      b.add(rec(Number(p), o), 0);
    }
  return b;
}

function recordingStream() {
  const calls: string[] = [];
  const stream: Pausable = { pause: () => calls.push('pause'), resume: () => calls.push('resume') };
  return { calls, stream };
}

const label = (t: TakenBatch) => `${t.partition}:${lastOffset(t.batch)}`;

describe('a drain round (no Kafka)', () => {
  it('pauses the stream, stores every closed batch in order, and resumes it', async () => {
    const batches = batcherWith({ 0: [0, 1, 2, 3], 1: [0, 1] });
    const { calls, stream } = recordingStream();
    const stored: string[] = [];
    await drainRound({
      batches,
      stream: () => stream,
      current: () => true,
      owned: () => true,
      store: async (t) => {
        calls.push(`store ${label(t)}`);
        stored.push(label(t));
        return true;
      },
      refused: () => assert.fail('no refusal'),
      now: () => 0,
    });
    assert.deepEqual(calls, ['pause', 'store 0:1', 'store 0:3', 'store 1:1', 'resume']);
  });

  it('closes batches older than maxWaitMs at the round’s time', async () => {
    const batches = batcherWith({ 0: [0] });
    const stored: string[] = [];
    const round = (now: number) =>
      drainRound({
        batches,
        stream: () => undefined,
        current: () => true,
        owned: () => true,
        store: async (t) => stored.push(label(t)) > 0,
        refused: () => undefined,
        now: () => now,
      });
    await round(999);
    assert.deepEqual(stored, []);
    await round(1_000);
    assert.deepEqual(stored, ['0:0']);
  });

  it('stops at a refused commit: asks for a restart before resuming, and stores nothing after it', async () => {
    const batches = batcherWith({ 0: [0, 1, 2, 3] });
    const { calls, stream } = recordingStream();
    await drainRound({
      batches,
      stream: () => stream,
      current: () => true,
      owned: () => true,
      store: async (t) => {
        calls.push(`store ${label(t)}`);
        return false;
      },
      refused: () => calls.push('restart'),
      now: () => 0,
    });
    assert.deepEqual(calls, ['pause', 'store 0:1', 'restart', 'resume']);
  });

  it('puts a batch back when its store throws, and the next round starts with it', async () => {
    const batches = batcherWith({ 0: [0, 1, 2, 3] });
    let fail = true;
    const stored: string[] = [];
    const round = () =>
      drainRound({
        batches,
        stream: () => undefined,
        current: () => true,
        owned: () => true,
        store: async (t) => {
          if (fail) throw new Error('store down');
          stored.push(label(t));
          return true;
        },
        refused: () => undefined,
        now: () => 0,
      });
    await assert.rejects(round(), /store down/);
    fail = false;
    await round();
    assert.deepEqual(stored, ['0:1', '0:3']);
  });

  it('drops a partition the member no longer owns; a stopped member takes nothing', async () => {
    const batches = batcherWith({ 0: [0, 1], 1: [0, 1] });
    const stored: string[] = [];
    const deps = {
      batches,
      stream: () => undefined,
      owned: (p: number) => p === 1,
      store: async (t: TakenBatch) => stored.push(label(t)) > 0,
      refused: () => undefined,
      now: () => 0,
    };
    await drainRound({ ...deps, current: () => false });
    assert.deepEqual(stored, []);
    assert.equal(batches.waiting(0), 1, 'a stopped round leaves the batch in place');
    await drainRound({ ...deps, current: () => true });
    assert.deepEqual(stored, ['1:1']);
    assert.equal(batches.has(0), false);
  });

  it('does not resume a stream that a restart replaced during the round', async () => {
    const batches = batcherWith({ 0: [0, 1] });
    const old = recordingStream();
    const replacement = recordingStream();
    let current = old.stream;
    await drainRound({
      batches,
      stream: () => current,
      current: () => true,
      owned: () => true,
      store: async () => {
        current = replacement.stream;
        return true;
      },
      refused: () => undefined,
      now: () => 0,
    });
    assert.deepEqual(old.calls, ['pause']);
    assert.deepEqual(replacement.calls, []);
  });
});
