/**
 * `sightline export`: rows of one table in a time range to a file, in a ClickHouse output format, written one day
 * at a time (so memory stays flat and a progress bar can tell how far it got). Parquet is one file written by
 * the engine in one go: a Parquet file cannot be appended to.
 */
import fs from 'node:fs';
import { toClickHouseTime } from './clickhouse-time.ts';
import type { Store } from './store.ts';

export const EXPORT_FORMATS = { csv: 'CSVWithNames', ndjson: 'JSONEachRow', parquet: 'Parquet' } as const;
export type ExportFormat = keyof typeof EXPORT_FORMATS;

/** The tables one can export, and their time column. */
export const EXPORT_TABLES: Record<string, string> = {
  events: 'timestamp',
  logs: 'timestamp',
  db_changes: 'ts',
  dead_letters: 'received_at',
};

export interface ExportOptions {
  table: string;
  project: string;
  /** UTC ms, [from, to). */
  fromMs: number;
  toMs: number;
  format: ExportFormat;
  out: string;
  onProgress?: (doneDays: number, totalDays: number, rows: number) => void;
}

const DAY = 86_400_000;

export async function exportRows(store: Store, o: ExportOptions): Promise<{ rows: number; bytes: number }> {
  const column = EXPORT_TABLES[o.table];
  if (!column) throw new Error(`cannot export "${o.table}"; one of ${Object.keys(EXPORT_TABLES).join(', ')}`);
  const where = `project = {project:String} AND ${column} >= {from:DateTime64(3, 'UTC')} AND ${column} < {to:DateTime64(3, 'UTC')}`;
  const order = `ORDER BY ${column}`;
  const count = async (fromMs: number, toMs: number) =>
    Number(
      (
        await store.query<{ n: number }>(`SELECT count() AS n FROM ${o.table} WHERE ${where}`, {
          project: o.project,
          from: toClickHouseTime(fromMs),
          to: toClickHouseTime(toMs),
        })
      )[0]?.n ?? 0,
    );
  const tmp = `${o.out}.partial`;
  fs.rmSync(tmp, { force: true });
  let rows = 0;
  if (o.format === 'parquet') {
    const data = await store.exec(`SELECT * FROM ${o.table} WHERE ${where} ${order} FORMAT Parquet`, {
      project: o.project,
      from: toClickHouseTime(o.fromMs),
      to: toClickHouseTime(o.toMs),
    });
    fs.writeFileSync(tmp, data);
    rows = await count(o.fromMs, o.toMs);
    o.onProgress?.(1, 1, rows);
  } else {
    const days = Math.max(1, Math.ceil((o.toMs - o.fromMs) / DAY));
    const fd = fs.openSync(tmp, 'w');
    try {
      for (let i = 0; i < days; i++) {
        const from = o.fromMs + i * DAY;
        const to = Math.min(o.toMs, from + DAY);
        // The CSV header once, at the top.
        const format = o.format === 'csv' && i > 0 ? 'CSV' : EXPORT_FORMATS[o.format];
        const data = await store.exec(`SELECT * FROM ${o.table} WHERE ${where} ${order} FORMAT ${format}`, {
          project: o.project,
          from: toClickHouseTime(from),
          to: toClickHouseTime(to),
        });
        fs.writeSync(fd, data);
        rows += o.format === 'csv' ? Math.max(0, countLines(data) - (i === 0 ? 1 : 0)) : countLines(data);
        o.onProgress?.(i + 1, days, rows);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  fs.renameSync(tmp, o.out);
  return { rows, bytes: fs.statSync(o.out).size };
}

function countLines(data: Buffer): number {
  let n = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) n++;
  return n;
}
