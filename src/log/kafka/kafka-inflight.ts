/**
 * In-flight markers for identical redelivery boundaries. Before a batch [first, last] of a partition is handed to
 * the store, `last + 1` is committed for a shadow group `<group>.inflight`; after the store accepted it, the real
 * group commits `last + 1`. After a crash, a shadow offset ahead of the real one means [real, shadow - 1] was in
 * flight: it is re-delivered with exactly those boundaries, so its insert tokens repeat and the store drops the
 * duplicate. Kafka's commit metadata would do the same, but the client does not expose it; a shadow group needs
 * nothing but the broker.
 */
import type { Admin } from '@platformatic/kafka';

export const inflightGroup = (group: string) => `${group}.inflight`;

export interface PartitionMarks {
  /** Next offset the real group will read (committed), or undefined when it never committed. */
  committed?: bigint;
  /** End (exclusive) of the range in flight when the process stopped, if ahead of `committed`. */
  inflightEnd?: bigint;
}

async function committedOffsets(admin: Admin, group: string, topic: string): Promise<Map<number, bigint>> {
  const [answer] = await admin.listConsumerGroupOffsets({ groups: [group] });
  const out = new Map<number, bigint>();
  for (const t of answer?.topics ?? [])
    if (t.name === topic)
      for (const p of t.partitions) if (p.committedOffset >= 0n) out.set(p.partitionIndex, p.committedOffset);
  return out;
}

export async function readMarks(
  admin: Admin,
  group: string,
  topic: string,
): Promise<Map<number, PartitionMarks>> {
  const [real, shadow] = await Promise.all([
    committedOffsets(admin, group, topic),
    committedOffsets(admin, inflightGroup(group), topic),
  ]);
  const marks = new Map<number, PartitionMarks>();
  for (const partition of new Set([...real.keys(), ...shadow.keys()])) {
    const committed = real.get(partition);
    const end = shadow.get(partition);
    marks.set(partition, {
      committed,
      ...(end !== undefined && end > (committed ?? 0n) ? { inflightEnd: end } : {}),
    });
  }
  return marks;
}

export async function markInflight(
  admin: Admin,
  group: string,
  topic: string,
  partition: number,
  end: bigint,
) {
  await admin.alterConsumerGroupOffsets({
    groupId: inflightGroup(group),
    topics: [{ name: topic, partitionOffsets: [{ partition, offset: end }] }],
  });
}
