/** Creates the topics Sightline uses when they are missing, with the configured partitions and retention. */
import type { Admin } from '@platformatic/kafka';

export interface TopicSettings {
  partitions: number;
  /** Replicas per partition (1 for a single broker; 3 in production clusters). */
  replicas: number;
  retentionMs: number;
}

export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  settings: TopicSettings,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length === 0) return [];
  try {
    await admin.createTopics({
      topics: missing,
      partitions: settings.partitions,
      replicas: settings.replicas,
      configs: [
        { name: 'retention.ms', value: String(settings.retentionMs) },
        // acks=all means "every in-sync replica"; with one replica in sync the write is still refused.
        { name: 'min.insync.replicas', value: String(Math.min(2, settings.replicas)) },
      ],
    });
  } catch (err) {
    // Another process created them meanwhile: fine, as long as they exist now.
    const now = new Set(await admin.listTopics());
    if (missing.some((t) => !now.has(t))) throw err;
  }
  return missing;
}
