/**
 * The raw archive (the seed's "raw logs storage, in case something goes wrong"): its own consumer group on every
 * topic writes each batch of envelopes, exactly as the collector logged them, to a gzip-compressed NDJSON file in
 * an hourly folder, and lists it in `manifest.ndjson`. File names come from the batch's offsets, so a re-delivered
 * batch rewrites the same file; `sightline replay` reads them back into the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeEnvelope } from '../../contract/envelope.ts';
import type { Logger } from '../../observe/logger.ts';
import type { EventLog, LogBatch, Subscription } from '../event-log.ts';
import { durableWrite } from './durable-write.ts';

export const ARCHIVE_GROUP = 'archive';
export const MANIFEST = 'manifest.ndjson';

export interface ManifestEntry {
  file: string;
  topic: string;
  partition: number;
  first: number;
  last: number;
  records: number;
  /** Receive times (ms) of the batch's first and last envelopes. */
  from: number;
  to: number;
}

const hour = (ms: number) => new Date(ms).toISOString().slice(0, 13);

function receivedAt(value: Buffer, fallback: number): number {
  try {
    return decodeEnvelope(value).receivedAt;
  } catch {
    return fallback;
  }
}

/** Records not to archive (an erased or suppressed person's: src/privacy/raw-records.ts). */
export type ArchiveDrop = (topic: string, value: Buffer) => boolean;

export async function archiveBatch(dir: string, batch: LogBatch, drop?: ArchiveDrop): Promise<ManifestEntry> {
  const now = Date.now();
  const times = batch.records.map((r) => receivedAt(r.value, now));
  const from = Math.min(...times);
  const to = Math.max(...times);
  const file = path.join(
    batch.topic,
    hour(from),
    `p${batch.partition}-${batch.first}-${batch.last}.ndjson.gz`,
  );
  // The file keeps the batch's name (its offsets) whatever is left out, so a re-delivery still rewrites it.
  const kept = drop ? batch.records.filter((r) => !drop(batch.topic, r.value)) : batch.records;
  const lines = kept.map((r) => JSON.stringify({ offset: r.offset, record: r.value.toString('base64') }));
  const target = path.join(dir, file);
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  durableWrite(`${target}.tmp`, gzipSync(lines.length > 0 ? `${lines.join('\n')}\n` : ''));
  fs.renameSync(`${target}.tmp`, target);
  const entry: ManifestEntry = {
    file,
    topic: batch.topic,
    partition: batch.partition,
    first: batch.first,
    last: batch.last,
    records: kept.length,
    from,
    to,
  };
  durableWrite(path.join(dir, MANIFEST), `${JSON.stringify(entry)}\n`, true);
  return entry;
}

export function startRawArchive(
  log: EventLog,
  dir: string,
  topics: readonly string[],
  logger: Logger,
  drop?: ArchiveDrop,
): Subscription[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return topics.map((topic) =>
    log.subscribe(topic, ARCHIVE_GROUP, { maxRecords: 20_000, maxWaitMs: 1_000 }, async (batch) => {
      const entry = await archiveBatch(dir, batch, drop);
      logger.debug({ file: entry.file, records: entry.records }, 'archived');
    }),
  );
}

/** Manifest entries, one per file (a re-delivered batch is listed twice), in topic and offset order. */
export function readManifest(dir: string): ManifestEntry[] {
  const text = fs.readFileSync(path.join(dir, MANIFEST), 'utf8');
  const byFile = new Map<string, ManifestEntry>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as ManifestEntry;
      byFile.set(e.file, e);
    } catch {
      // A line cut by a crash mid-append: its file is listed again when the batch is re-delivered.
    }
  }
  return [...byFile.values()].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.first - b.first,
  );
}
