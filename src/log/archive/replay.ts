/**
 * `sightline replay`: archived envelopes back through the processing stage into the store. The records of the
 * chosen time range go onto a temporary write-ahead log and the ordinary consumers process them, so replayed rows
 * are made exactly as live ones; every event id is checked against the store first, so replaying what is already
 * stored changes nothing (logs and database changes have no ids: replay those into an empty store).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeEnvelope } from '../../contract/envelope.ts';
import type { Subscription } from '../event-log.ts';
import { WalEventLog } from '../wal/wal.log.ts';
import { type ManifestEntry, readManifest } from './raw-archive.ts';

export interface ReplayOptions {
  dir: string;
  /** Receive-time range (ms), inclusive start, exclusive end; undefined = everything. */
  since?: number;
  until?: number;
  /** Starts the consumers that put the temporary log's records into the store (async setup, then `startConsumers`). */
  prepare?: (log: WalEventLog) => Promise<void>;
  startConsumers: (log: WalEventLog) => Subscription[];
  onProgress?: (phase: string, done: number, total: number) => void;
}

export async function replayArchive(o: ReplayOptions): Promise<{ files: number; records: number }> {
  const entries = readManifest(o.dir).filter(
    (e: ManifestEntry) =>
      (o.since === undefined || e.to >= o.since) && (o.until === undefined || e.from < o.until),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-replay-'));
  // Offsets no live log reaches (ms × 1000, past 2^50): the store deduplicates inserts by tokens made of offsets,
  // and a replay's first batches would otherwise carry the very tokens of the live log's, and be dropped unstored.
  const log = await WalEventLog.open({ dir: tmp, firstOffset: Date.now() * 1000 });
  let records = 0;
  try {
    for (const [i, e] of entries.entries()) {
      const lines = gunzipSync(fs.readFileSync(path.join(o.dir, e.file)))
        .toString('utf8')
        .split('\n')
        .filter(Boolean);
      const values = lines
        .map((l) => Buffer.from((JSON.parse(l) as { record: string }).record, 'base64'))
        .filter((v) => {
          if (o.since === undefined && o.until === undefined) return true;
          let at: number;
          try {
            at = decodeEnvelope(v).receivedAt;
          } catch {
            return true;
          }
          return (o.since === undefined || at >= o.since) && (o.until === undefined || at < o.until);
        });
      for (let j = 0; j < values.length; j += 5_000) await log.append(e.topic, values.slice(j, j + 5_000));
      records += values.length;
      o.onProgress?.('reading the archive', i + 1, entries.length);
    }
    await o.prepare?.(log);
    const consumers = o.startConsumers(log);
    const total = Math.max(1, records);
    for (;;) {
      const backlog = Object.values(log.stats().backlog).reduce((a, b) => a + b, 0);
      o.onProgress?.('processing', total - Math.min(total, backlog), total);
      if (backlog === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const c of consumers) await c.stop();
  } finally {
    await log.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return { files: entries.length, records };
}
