/** The store's settings: which ClickHouse, how long each table keeps its rows, the ClickHouse-compatible endpoint. */

import { bool, ConfigValueError, field, integer, type SettingsOf, text } from '../config/setting-fields.ts';

/** `host:port` or `:port` (host then comes from SIGHTLINE_HOST). */
function listenAddress(raw: string): { host: string | undefined; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]*):(\d{1,5})$/.exec(raw.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535)
    throw new ConfigValueError(`expected [host]:port, e.g. :8123, got "${raw}"`);
  return { host: match[1] || undefined, port };
}

function storeUrl(raw: string): string {
  const v = raw.trim();
  if (v === 'chdb') return v;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigValueError(`expected "chdb" or an http(s):// URL of a ClickHouse server, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigValueError(`ClickHouse URL must start with http:// or https://, got "${url.protocol}"`);
  return v;
}

export const storeSettings = {
  store: field({
    env: 'SIGHTLINE_STORE',
    default: 'chdb',
    description:
      '`chdb` (embedded ClickHouse in `<data dir>/chdb`) or `http(s)://user:pass@host:8123/db` of a ClickHouse server.',
    parse: storeUrl,
  }),
  retentionEventsDays: field({
    env: 'SIGHTLINE_RETENTION_EVENTS_DAYS',
    default: '0',
    description:
      'Days `events` rows (and their rollups and `visits`) are kept (ClickHouse TTL, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionLogsDays: field({
    env: 'SIGHTLINE_RETENTION_LOGS_DAYS',
    default: '0',
    description:
      'Days `logs` rows are kept (ClickHouse TTL on `timestamp`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionDbChangesDays: field({
    env: 'SIGHTLINE_RETENTION_DB_CHANGES_DAYS',
    default: '0',
    description:
      'Days `db_changes` rows are kept (ClickHouse TTL on `ts`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  retentionDeadLettersDays: field({
    env: 'SIGHTLINE_RETENTION_DEAD_LETTERS_DAYS',
    default: '0',
    description:
      'Days `dead_letters` rows are kept (ClickHouse TTL on `received_at`, applied at start); 0 keeps them forever.',
    parse: integer(0, 100_000),
  }),
  clickhouseHttp: field({
    env: 'SIGHTLINE_CLICKHOUSE_HTTP',
    default: undefined,
    description:
      'Serve a ClickHouse-compatible HTTP endpoint over the embedded store on `[host]:port` (e.g. `:8123`; host defaults to SIGHTLINE_HOST). Off when unset. Needs SIGHTLINE_CLICKHOUSE_PASSWORD.',
    parse: listenAddress,
  }),
  clickhouseUser: field({
    env: 'SIGHTLINE_CLICKHOUSE_USER',
    default: 'sightline',
    description: 'User name of the ClickHouse-compatible endpoint.',
    parse: text,
  }),
  clickhousePassword: field({
    env: 'SIGHTLINE_CLICKHOUSE_PASSWORD',
    default: undefined,
    description: 'Password of the ClickHouse-compatible endpoint (at least 12 characters).',
    parse: (raw: string) => {
      if (raw.length < 12) throw new ConfigValueError('must be at least 12 characters');
      return raw;
    },
  }),
  clickhouseWrites: field({
    env: 'SIGHTLINE_CLICKHOUSE_WRITES',
    default: 'false',
    description:
      'Let the ClickHouse-compatible endpoint write (CREATE, INSERT, …; POST only). Off: SELECT/SHOW/DESCRIBE/EXPLAIN only.',
    parse: bool,
  }),
};

export type StoreConfig = SettingsOf<typeof storeSettings>;
