/**
 * A group's backlog on a topic, as the broker sees it: end offset − committed offset, summed over every partition
 * (a partition the group never committed counts from its start). Measured on demand for /metrics.
 */
import type { Admin } from '@platformatic/kafka';

const LATEST = -1n;

export async function groupLag(admin: Admin, topic: string, group: string): Promise<number> {
  const metadata = await admin.metadata({ topics: [topic] });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  if (count === 0) return 0;
  const partitions = Array.from({ length: count }, (_, i) => i);
  const [ends, earliest, committed] = await Promise.all([
    admin.listOffsets({
      topics: [
        { name: topic, partitions: partitions.map((i) => ({ partitionIndex: i, timestamp: LATEST })) },
      ],
    }),
    admin.listOffsets({
      topics: [{ name: topic, partitions: partitions.map((i) => ({ partitionIndex: i, timestamp: -2n })) }],
    }),
    admin.listConsumerGroupOffsets({ groups: [group] }),
  ]);
  const done = new Map<number, bigint>();
  for (const t of committed[0]?.topics ?? [])
    if (t.name === topic)
      for (const p of t.partitions)
        if (p.committedOffset >= 0n) done.set(p.partitionIndex, p.committedOffset);
  const start = new Map<number, bigint>();
  for (const t of earliest) for (const p of t.partitions) start.set(p.partitionIndex, p.offset);
  let lag = 0n;
  for (const t of ends)
    for (const p of t.partitions) {
      const from = done.get(p.partitionIndex) ?? start.get(p.partitionIndex) ?? 0n;
      if (p.offset > from) lag += p.offset - from;
    }
  return Number(lag);
}
