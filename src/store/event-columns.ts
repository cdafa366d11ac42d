/**
 * The columns of `events`, defined once: what the migrations create (a test compares this with `DESCRIBE events`
 * of a freshly migrated store), and what each column is to the rest of the code. Derived from it: the processor's
 * `EventRow` and `blankRow` (src/process/event-row.ts), the seed's insert columns (src/seed/events-sql.ts), the fields
 * forwarded and testable by forward rules (src/forward/), the stats API's dimensions (src/query/dimensions.ts)
 * and the rolled-up dimensions (src/store/rollups.ts).
 *
 * Adding a column: a migration that adds it (`ALTER TABLE events ADD COLUMN … AFTER …`, in the place it has here),
 * an entry here, and the adapters or steps that fill it. Everything listed above follows.
 */
import { SESSION_HASH, VISITOR_KEY } from './event-keys.ts';

export interface EventColumn {
  /** The ClickHouse type, as `DESCRIBE` prints it. */
  readonly type: string;
  /** The compression codec, as `DESCRIBE` prints it (`codec_expression`). */
  readonly codec?: string;
  /** A `DEFAULT` expression of the table (SQL). */
  readonly default?: string;
  /** Computed by the engine on insert (`MATERIALIZED`): never written, not in `SELECT *`, not in `EventRow`. */
  readonly materialized?: string;
  /** The value of a row no adapter or step filled (`blankRow`), when not `''` (or `false` for a `Bool`). */
  readonly blank?: string;
  /** The stats API's name for it as a dimension (breakdowns and filters); absent: not a dimension. */
  readonly dimension?: string;
  /**
   * Rolled up into `events_hourly`/`events_daily`: its position among the rollup's dimensions. The rollup view
   * is made from these, in this order (migration 024 narrowed it to pages and event types); changing them needs a
   * migration that rebuilds it.
   */
  readonly rollup?: number;
  /** Sent to forward destinations (`field`), and also testable in a rule's `fields` (`rule`). */
  readonly forward?: 'field' | 'rule';
  /** A visit keeps its first event's value (`visits`, src/store/visits.ts `VISIT_ATTRIBUTES`). */
  readonly visit?: true;
}

/** Times rise within a granule: their deltas compress. */
export const TIME = { type: "DateTime64(3, 'UTC')", codec: 'Delta(8), ZSTD(1)' } as const;
export const TEXT = { type: 'String', codec: 'ZSTD(1)' } as const;
/**
 * A label from a short list, compressed with ZSTD: a dictionary column's indexes take half the bytes LZ4 leaves
 * (migration 028, src/store/column-codecs.ts: −4 B/event over the dozen of them at 10 M seeded events), and they are
 * read through the same dictionary.
 */
export const LABEL = { type: 'LowCardinality(String)', codec: 'ZSTD(1)' } as const;

/**
 * The sample key is the sorting key's fourth column: within a day and type its values rise, so their deltas are small
 * (−0.6 B/event in `events`, −1.4 in `visits`, migration 028).
 */
export const SAMPLE_KEY_CODEC = 'Delta(4), ZSTD(1)';

/** In table order (the order `DESCRIBE events` lists them). */
export const EVENT_COLUMNS = {
  event_id: { type: 'UUID', forward: 'field' },
  project: { ...LABEL, forward: 'rule' },
  tenant_id: { ...LABEL, forward: 'rule' },
  type: { ...LABEL, dimension: 'event', rollup: 2, forward: 'rule' },
  /** ISO 8601 UTC in `EventRow`. */
  timestamp: { ...TIME, forward: 'field' },
  received_at: { ...TIME, forward: 'field' },
  user_id: { ...TEXT, forward: 'rule' },
  session_id: { ...TEXT, forward: 'field' },
  /** UInt64 as a decimal string in `EventRow` (JSON numbers cannot hold 64 bits). */
  visitor_id: { type: 'UInt64', codec: 'ZSTD(1)', blank: '0', forward: 'field' },
  host: { ...LABEL, dimension: 'host', forward: 'rule', visit: true },
  path: { ...TEXT, dimension: 'page', rollup: 1, forward: 'rule' },
  referrer: { ...TEXT, dimension: 'referrer', forward: 'rule', visit: true },
  referrer_source: { ...LABEL, dimension: 'source', forward: 'rule', visit: true },
  channel: { ...LABEL, dimension: 'channel', forward: 'rule', visit: true },
  utm_source: { ...LABEL, dimension: 'utm_source', forward: 'rule', visit: true },
  utm_medium: { ...LABEL, dimension: 'utm_medium', forward: 'rule', visit: true },
  utm_campaign: { ...LABEL, dimension: 'utm_campaign', forward: 'rule', visit: true },
  utm_term: { ...TEXT, dimension: 'utm_term', forward: 'rule', visit: true },
  utm_content: { ...TEXT, dimension: 'utm_content', forward: 'rule', visit: true },
  locale: { ...LABEL, dimension: 'locale', forward: 'rule', visit: true },
  app_version: { ...LABEL, dimension: 'app_version', forward: 'rule' },
  country: { ...LABEL, dimension: 'country', forward: 'rule', visit: true },
  region: { ...LABEL, dimension: 'region', forward: 'rule', visit: true },
  city: { ...LABEL, dimension: 'city', forward: 'rule', visit: true },
  browser: { ...LABEL, dimension: 'browser', forward: 'rule', visit: true },
  browser_version: { ...LABEL, dimension: 'browser_version', forward: 'field' },
  os: { ...LABEL, dimension: 'os', forward: 'rule', visit: true },
  os_version: { ...LABEL, dimension: 'os_version', forward: 'field' },
  device_type: { ...LABEL, dimension: 'device', forward: 'rule', visit: true },
  device_vendor: { ...LABEL },
  device_model: { ...LABEL },
  /** The screen's width class (src/process/adapters/screen-size.ts), migration 022. */
  screen_size: { ...LABEL, dimension: 'screen_size', forward: 'rule' },
  is_bot: { type: 'Bool', forward: 'rule' },
  bot_reason: { ...LABEL },
  updates_profile: { type: 'Bool', codec: 'ZSTD(1)' },
  protocol: { ...LABEL, forward: 'rule' },
  /** Kept only with SIGHTLINE_STORE_IP=true; never forwarded. */
  ip: { ...TEXT },
  /** Event details as a JSON object text (forwarded parsed). */
  props: { type: 'String', codec: 'ZSTD(3)', default: "'{}'", blank: '{}', forward: 'field' },
  /** Migration 015 (src/store/events-sample-key.ts): whole visitors fall into or out of a `SAMPLE`. */
  sample_key: { type: 'UInt32', materialized: `intHash32(${VISITOR_KEY})`, codec: SAMPLE_KEY_CODEC },
  /** Migration 032 (src/store/events-session-hash.ts): the visit, for a visit filter over a sample (SESSION_HASH). */
  session_hash: { type: 'UInt32', materialized: SESSION_HASH, codec: 'ZSTD(1)' },
} as const satisfies Record<string, EventColumn>;

type Spec = typeof EVENT_COLUMNS;
export type EventColumnName = keyof Spec;
/** The columns a row is written with: all but those the engine computes. */
export type StoredColumn = {
  [K in EventColumnName]: Spec[K] extends { materialized: string } ? never : K;
}[EventColumnName];
/** The columns with the given flag value, as a union of names. */
type ColumnsWhere<F extends keyof EventColumn, V> = {
  [K in EventColumnName]: Spec[K] extends { readonly [P in F]: V } ? K : never;
}[EventColumnName];

export type ForwardedColumn = ColumnsWhere<'forward', 'field' | 'rule'>;
export type RuleColumn = ColumnsWhere<'forward', 'rule'>;
export type VisitColumn = ColumnsWhere<'visit', true>;

const entries = Object.entries(EVENT_COLUMNS) as Array<[EventColumnName, EventColumn]>;
const namesWhere = <K extends EventColumnName>(keep: (c: EventColumn) => boolean): K[] =>
  entries.filter(([, c]) => keep(c)).map(([name]) => name as K);

/** Every column a row is written with, in table order; also what `SELECT *` (exports, privacy exports) reads. */
export const STORED_COLUMNS: readonly StoredColumn[] = namesWhere((c) => c.materialized === undefined);
export const FORWARDED_COLUMNS: readonly ForwardedColumn[] = namesWhere((c) => c.forward !== undefined);
export const RULE_COLUMNS: readonly RuleColumn[] = namesWhere((c) => c.forward === 'rule');
export const VISIT_ATTRIBUTE_COLUMNS: readonly VisitColumn[] = namesWhere((c) => c.visit === true);

/** Stats API dimension → column, in table order. */
export const DIMENSION_COLUMNS: Readonly<Record<string, EventColumnName>> = Object.fromEntries(
  entries.flatMap(([name, c]) => (c.dimension === undefined ? [] : [[c.dimension, name]])),
);

/** Rolled-up dimension → column, in the rollup's order. */
export const ROLLED_UP_COLUMNS: Readonly<Record<string, EventColumnName>> = Object.fromEntries(
  entries
    .filter(([, c]) => c.rollup !== undefined && c.dimension !== undefined)
    .sort(([, a], [, b]) => (a.rollup ?? 0) - (b.rollup ?? 0))
    .map(([name, c]) => [c.dimension, name]),
);
