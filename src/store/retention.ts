/** Per-table retention from config, as ClickHouse TTLs: old parts are dropped by the engine's own merges. */

import type { StoreConfig } from './store.settings.ts';
import type { Store } from './store.ts';

export const RETENTION: ReadonlyArray<{ table: string; column: string; key: keyof StoreConfig }> = [
  { table: 'events', column: 'timestamp', key: 'retentionEventsDays' },
  // The rollups of events hold nothing the events would not: they go with them.
  { table: 'events_hourly', column: 'hour', key: 'retentionEventsDays' },
  { table: 'events_daily', column: 'day', key: 'retentionEventsDays' },
  // Visits go with their events too (by the time they started).
  { table: 'visits', column: 'started_at', key: 'retentionEventsDays' },
  { table: 'logs', column: 'timestamp', key: 'retentionLogsDays' },
  { table: 'db_changes', column: 'ts', key: 'retentionDbChangesDays' },
  { table: 'dead_letters', column: 'received_at', key: 'retentionDeadLettersDays' },
];

/** Sets (or removes, for 0) each table's TTL when it differs from what the table has. Returns what changed. */
export async function applyRetention(
  store: Store,
  config: Pick<StoreConfig, (typeof RETENTION)[number]['key']>,
): Promise<string[]> {
  const changed: string[] = [];
  for (const { table, column, key } of RETENTION) {
    const days = Number(config[key]);
    const [row] = await store.query<{ create: string }>(
      'SELECT create_table_query AS create FROM system.tables WHERE database = currentDatabase() AND name = {t:String}',
      { t: table },
    );
    const has = /\bTTL\b/.test(row?.create ?? '');
    // ClickHouse shows the TTL back as `toIntervalDay(30)`.
    const match = /\bTTL\b.*?(?:INTERVAL (\d+) DAY|toIntervalDay\((\d+)\))/.exec(row?.create ?? '');
    const current = match?.[1] ?? match?.[2];
    if (days === 0 && has) {
      await store.command(`ALTER TABLE ${table} REMOVE TTL`);
      changed.push(`${table}: kept forever`);
    } else if (days > 0 && Number(current) !== days) {
      await store.command(`ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${days} DAY`);
      changed.push(`${table}: ${days} days`);
    }
  }
  return changed;
}
