/**
 * Removing records from the raw archive (an erasure: src/privacy/erase.ts). Every file is read; one that holds a
 * record to drop is written again without it — the other records' lines byte for byte as they were — to a temporary
 * file that is fsync'd and renamed over the old one, so a crash leaves either the old file or the new one, never
 * half of one. Running it again drops nothing more, which makes it safe to repeat after a crash. The manifest gets
 * a line with the file's new record count (the last line of a file counts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { syncDir } from '../wal/wal-segment.ts';
import { durableWrite } from './durable-write.ts';
import { type ArchiveDrop, MANIFEST, type ManifestEntry, readManifest } from './raw-archive.ts';

/** Suffix of a file being rewritten; a crash can leave one, which the next rewrite deletes. */
const REWRITING = '.rewrite';

export interface ArchiveRewrite {
  /** Files read. */
  files: number;
  /** Files written again. */
  rewritten: number;
  /** Records dropped. */
  records: number;
}

function leftovers(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(REWRITING))
    .map((f) => path.join(dir, f));
}

/** Drops every archived record `drop` picks (by topic and the envelope's bytes). */
export async function dropFromArchive(dir: string, drop: ArchiveDrop): Promise<ArchiveRewrite> {
  const result: ArchiveRewrite = { files: 0, rewritten: 0, records: 0 };
  if (!fs.existsSync(path.join(dir, MANIFEST))) return result;
  // A rewrite a crash cut short: its file was never renamed into place, and may be incomplete.
  for (const file of leftovers(dir)) fs.rmSync(file, { force: true });
  for (const entry of readManifest(dir)) {
    const target = path.join(dir, entry.file);
    if (!fs.existsSync(target)) continue;
    result.files++;
    const lines = gunzipSync(fs.readFileSync(target)).toString('utf8').split('\n').filter(Boolean);
    const kept = lines.filter((line) => {
      let value: Buffer;
      try {
        value = Buffer.from((JSON.parse(line) as { record: string }).record, 'base64');
      } catch {
        return true;
      }
      return !drop(entry.topic, value);
    });
    if (kept.length < lines.length) {
      const temporary = `${target}${REWRITING}`;
      durableWrite(temporary, gzipSync(kept.length > 0 ? `${kept.join('\n')}\n` : ''));
      fs.renameSync(temporary, target);
      await syncDir(path.dirname(target));
      result.rewritten++;
      result.records += lines.length - kept.length;
    }
    // Also after a crash between the rename and this line: the count is checked against the file every time.
    if (kept.length !== entry.records) {
      const corrected: ManifestEntry = { ...entry, records: kept.length };
      durableWrite(path.join(dir, MANIFEST), `${JSON.stringify(corrected)}\n`, true);
    }
    // Between files: an erasure must not keep the event loop (the API, the collector) waiting for the whole archive.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return result;
}
