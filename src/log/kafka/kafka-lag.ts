/**
 * A group's backlog on a topic, as the broker sees it: end offset − committed offset per partition (a partition the
 * group never committed counts from its start). Measured on demand for /metrics and by the consumers' watchdog.
 */
import type { Admin } from '@platformatic/kafka';

const LATEST = -1n;
const EARLIEST = -2n;

export interface PartitionBacklog {
  /** Next offset the group reads (its committed offset, or the partition's start). */
  committed: bigint;
  records: number;
}

export async function partitionBacklog(
  admin: Admin,
  topic: string,
  group: string,
): Promise<Map<number, PartitionBacklog>> {
  const metadata = await admin.metadata({ topics: [topic] });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  const out = new Map<number, PartitionBacklog>();
  if (count === 0) return out;
  const partitions = Array.from({ length: count }, (_, i) => i);
  const offsets = (timestamp: bigint) =>
    admin.listOffsets({
      topics: [{ name: topic, partitions: partitions.map((i) => ({ partitionIndex: i, timestamp })) }],
    });
  const [ends, earliest, committed] = await Promise.all([
    offsets(LATEST),
    offsets(EARLIEST),
    admin.listConsumerGroupOffsets({ groups: [group] }),
  ]);
  const done = new Map<number, bigint>();
  for (const t of committed[0]?.topics ?? [])
    if (t.name === topic)
      for (const p of t.partitions)
        if (p.committedOffset >= 0n) done.set(p.partitionIndex, p.committedOffset);
  const start = new Map<number, bigint>();
  for (const t of earliest) for (const p of t.partitions) start.set(p.partitionIndex, p.offset);
  for (const t of ends)
    for (const p of t.partitions) {
      const from = done.get(p.partitionIndex) ?? start.get(p.partitionIndex) ?? 0n;
      out.set(p.partitionIndex, { committed: from, records: p.offset > from ? Number(p.offset - from) : 0 });
    }
  return out;
}

export async function groupLag(admin: Admin, topic: string, group: string): Promise<number> {
  let lag = 0;
  for (const p of (await partitionBacklog(admin, topic, group)).values()) lag += p.records;
  return lag;
}
