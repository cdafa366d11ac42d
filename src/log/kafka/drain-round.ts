/**
 * One round of storing what the batcher has closed, without Kafka: the member's stream is paused for the round (no
 * new messages pile up while the store works) and resumed after it — unless a restart replaced the stream meanwhile.
 * Batches go one at a time; a partition the member no longer owns is dropped (its next owner reads it again); a
 * store that throws puts its batch back (never skipped); a commit that did not go through ends the round and asks
 * for a restart, so the partition's next batch is never stored past an uncommitted one.
 */
import type { PartitionBatcher, TakenBatch } from './partition-batcher.ts';

export interface Pausable {
  pause(): void;
  resume(): void;
}

export interface DrainRoundDeps {
  batches: PartitionBatcher;
  /** The member's stream now; compared again at the end of the round. */
  stream: () => Pausable | undefined;
  /** False once the member stopped or restarted: the round ends without taking another batch. */
  current: () => boolean;
  owned: (partition: number) => boolean;
  /** Stores and commits one batch; false when the commit did not go through. */
  store: (taken: TakenBatch) => Promise<boolean>;
  /** Called (before the stream resumes) when a commit did not go through. */
  refused: () => void;
  now?: () => number;
}

export async function drainRound(d: DrainRoundDeps): Promise<void> {
  const now = d.now ?? Date.now;
  const paused = d.stream();
  paused?.pause();
  try {
    for (;;) {
      const taken = d.batches.next(now());
      if (!taken || !d.current()) {
        taken?.putBack();
        return;
      }
      if (!d.owned(taken.partition)) {
        d.batches.drop(taken.partition);
        continue;
      }
      let committed: boolean;
      try {
        committed = await d.store(taken);
      } catch (err) {
        // Never skip a batch: it goes back to the front, and the next round tries again.
        taken.putBack();
        throw err;
      }
      if (!committed) {
        d.refused();
        return;
      }
    }
  } finally {
    if (paused === d.stream()) paused?.resume();
  }
}
