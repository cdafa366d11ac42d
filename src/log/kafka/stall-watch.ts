/**
 * The watchdog's judgement, without Kafka: lag samples in, a reason to restart out. An owned partition with a
 * backlog whose committed offset has not moved for `stallMs` means this member stopped reading; a partition stalled
 * twice as long while this member owns nothing at all means its view of the group is stale.
 */
import type { PartitionBacklog } from './kafka-lag.ts';

export class StallWatch {
  readonly #stallMs: number;
  readonly #seen = new Map<number, { committed: bigint; since: number }>();

  constructor(stallMs: number) {
    this.#stallMs = stallMs;
  }

  /** Records one lag sample; returns why the member should restart, or undefined. */
  observe(
    backlog: Map<number, PartitionBacklog>,
    now: number,
    owned: (partition: number) => boolean,
    ownsNothing: () => boolean,
  ): string | undefined {
    let stalledFor = 0;
    let stalledMine = false;
    for (const [partition, b] of backlog) {
      const before = this.#seen.get(partition);
      if (b.records === 0 || !before || before.committed !== b.committed) {
        this.#seen.set(partition, { committed: b.committed, since: now });
        continue;
      }
      stalledFor = Math.max(stalledFor, now - before.since);
      if (owned(partition) && now - before.since >= this.#stallMs) stalledMine = true;
    }
    if (stalledMine) return `an owned partition has had a backlog and no commits for ${this.#stallMs} ms`;
    if (ownsNothing() && stalledFor >= 2 * this.#stallMs)
      return `a partition has had a backlog and no commits for ${stalledFor} ms while this member owns none`;
    return undefined;
  }

  /** A new member starts with no history. */
  reset(): void {
    this.#seen.clear();
  }
}
