/**
 * Visits as rows (`visits`, migration 021), in the manner of Plausible's sessions: one row per visit, kept by the
 * processor as it stores the visit's events (src/process/visits/). A visit that gains events is replaced, not
 * updated: the processor writes a copy of the row it wrote before with `sign = -1` (a cancel) and the new row with
 * `sign = 1` and the next `version`. `VersionedCollapsingMergeTree` drops each pair in its merges; until then the
 * pairs cancel in any sum weighted by `sign`, so a visit metric is a plain pass over rows — `sum(sign)` visits,
 * `sum(sign * pageviews)`, `sum(sign * (pageviews = 1 AND events = 1))` bounces — never a GROUP BY over events.
 *
 * A visit is one tenant's: a session id that several tenants' events share (a client's own ids) makes one visit per
 * tenant, so a tenant-scoped reader sees its own events' visit, never another tenant's events in it.
 *
 * Ordered like `events` (project, start day, sample key) and sampled by the same hash of the visitor, so
 * `SAMPLE 1/N` reads the same visitors in both tables. The visitor key is the visit's first event's (events.ts
 * `VISITOR_KEY` over the visit's columns).
 *
 * The SELECT that folds stored events into visit rows is defined here once: it backfills the table in the migration,
 * fills it after `sightline seed`, and rebuilds visits after an erasure. src/process/visits/visit-fold.ts folds
 * the same way in the processor (a test holds the two equal).
 */
import { randomUUID } from 'node:crypto';
import {
  EVENT_COLUMNS,
  type EventColumn,
  LABEL,
  SAMPLE_KEY_CODEC,
  TEXT,
  TIME,
  VISIT_ATTRIBUTE_COLUMNS,
} from './event-columns.ts';
import { VISITOR_KEY } from './event-keys.ts';
import type { InsertOptions, QueryParams, Store } from './store.ts';
import {
  VISIT_CONTENT_AGGREGATES,
  VISIT_CONTENT_COLUMNS,
  VISIT_CONTENT_SELECT,
  VISIT_CONTENT_TYPES,
} from './visit-contents.ts';
import { planVisitSlices } from './visit-slices.ts';

export const VISITS_TABLE = 'visits';

/** The events' columns a visit carries from its first event (`visit: true` in src/store/event-columns.ts). */
export const VISIT_ATTRIBUTES = VISIT_ATTRIBUTE_COLUMNS;

/**
 * The lists every goal and event filter over the rows reads keep LZ4, which decodes faster: with ZSTD a pass
 * computing conversions took ~10 ms more at 10 M events, for 0.9 B/event (docs/BENCHMARKS.md).
 */
const READ_BY_GOALS: readonly string[] = ['pages', 'event_types'];
/** A visit's counts are small: `T64` keeps their significant bits only (−1.3 B/event, migration 028). */
const COUNT = { type: 'UInt32', codec: 'T64, ZSTD(1)' } as const;

/**
 * Every column of `visits`, in table order, with its type and codec — the DDL below and migration 028
 * (src/store/column-codecs.ts), which gives a store made before it the same codecs, are both made from it. The
 * attributes are typed and compressed as in `events`.
 */
export const VISIT_COLUMNS: ReadonlyArray<readonly [string, EventColumn]> = [
  ['project', LABEL],
  ['tenant_id', LABEL],
  ['session_id', TEXT],
  ['sign', { type: 'Int8' }],
  ['version', { type: 'UInt32' }],
  ['visitor_id', { type: 'UInt64', codec: 'ZSTD(1)' }],
  ['user_id', TEXT],
  ['started_at', TIME],
  ['ended_at', TIME],
  ['pageviews', COUNT],
  ['events', COUNT],
  ['is_bot', { type: 'Bool' }],
  ['entry_page', TEXT],
  ['exit_page', TEXT],
  ...VISIT_CONTENT_COLUMNS.map(
    (name) =>
      [
        name,
        { type: VISIT_CONTENT_TYPES[name], ...(READ_BY_GOALS.includes(name) ? {} : { codec: 'ZSTD(1)' }) },
      ] as const,
  ),
  ...VISIT_ATTRIBUTES.map((name) => [name, EVENT_COLUMNS[name]] as const),
  ['sample_key', { type: 'UInt32', materialized: `intHash32(${VISITOR_KEY})`, codec: SAMPLE_KEY_CODEC }],
  // The goals the visit reached, and the goal list they are of (src/query/visit-goal-bits.ts; migration 031).
  ['goal_mask', { type: 'UInt64', codec: 'ZSTD(1)' }],
  ['goal_epoch', { type: 'UInt32', codec: 'ZSTD(1)' }],
];

/** The columns migration 031 added (the codecs of migration 028 are those of the columns before it). */
export const GOAL_COLUMNS: readonly string[] = ['goal_mask', 'goal_epoch'];

const columnLines = VISIT_COLUMNS.map(
  ([name, c]) =>
    `    ${name.padEnd(15)} ${c.type}${c.materialized ? ` MATERIALIZED ${c.materialized}` : ''}${c.codec ? ` CODEC(${c.codec})` : ''},`,
).join('\n');

export const VISITS_DDL = `CREATE TABLE IF NOT EXISTS ${VISITS_TABLE}
(
${columnLines}
    INDEX session_idx session_id TYPE bloom_filter(0.01) GRANULARITY 4
)
ENGINE = VersionedCollapsingMergeTree(sign, version)
PARTITION BY toYYYYMM(started_at)
ORDER BY (project, toDate(started_at), sample_key, tenant_id, session_id)
SAMPLE BY sample_key
SETTINGS non_replicated_deduplication_window = 1000, fsync_after_insert = 1, fsync_part_directory = 1`;

/**
 * Visit rows (sign 1, version 1) of the stored events matching `where` (SQL over \`events\`, with parameters),
 * one per (project, tenant, session). The first event decides the visitor and the visit's attributes; the entry and
 * exit pages are the first and last pageviews' paths. Order: time, then (within a millisecond) an event with a
 * referrer before one without, then the event id — as src/process/visits/visit-fold.ts orders them.
 */
export function visitsFromEventsSql(where: string, version = '1'): string {
  // The first event's columns as one tuple, so one argMin per visit compares the order key instead of one per
  // column: the fold takes about half the time (docs/BENCHMARKS.md, "Visits as rows").
  const firstColumns = ['visitor_id', ...VISIT_ATTRIBUTES];
  const fromFirst = (c: string) => `tupleElement(first_event, ${firstColumns.indexOf(c) + 1}) AS ${c}`;
  return `SELECT project, tenant_id, session_id, toInt8(1) AS sign, toUInt32(${version}) AS version,
       ${fromFirst('visitor_id')}, user_id, started_at, ended_at, pageviews, events, is_bot, entry_page, exit_page,
       ${VISIT_CONTENT_SELECT},
       ${VISIT_ATTRIBUTES.map(fromFirst).join(',\n       ')}
FROM (
  SELECT project, tenant_id, session_id,
         argMin(first_columns, (timestamp, internal, toString(event_id))) AS first_event,
         argMinIf(user_id, (timestamp, internal, toString(event_id)), user_id != '') AS user_id,
         min(timestamp) AS started_at, max(timestamp) AS ended_at,
         toUInt32(countIf(type = 'pageview')) AS pageviews, toUInt32(count()) AS events, max(is_bot) AS is_bot,
         argMinIf(path, (timestamp, internal, toString(event_id)), type = 'pageview') AS entry_page,
         argMaxIf(path, (timestamp, internal, toString(event_id)), type = 'pageview') AS exit_page,
         ${VISIT_CONTENT_AGGREGATES}
  FROM (
    -- Computed before grouping: an alias \`referrer\` (the visit's) would shadow the column inside the aggregates.
    SELECT *, referrer = '' AS internal, (${firstColumns.join(', ')}) AS first_columns
    FROM events WHERE session_id != '' AND (${where})
  )
  GROUP BY project, tenant_id, session_id
)`;
}

/** The columns a visit row sets (all but the materialised sample key), in the order inserts send them. */
export const VISIT_ROW_COLUMNS: readonly string[] = [
  'project',
  'tenant_id',
  'session_id',
  'sign',
  'version',
  'visitor_id',
  'user_id',
  'started_at',
  'ended_at',
  'pageviews',
  'events',
  'is_bot',
  'entry_page',
  'exit_page',
  ...VISIT_CONTENT_COLUMNS,
  ...VISIT_ATTRIBUTES,
];

/**
 * How the processor inserts visit rows: compact, and without merging the block with itself first. A batch never
 * holds both signs of one version (it cancels the version written before and writes the next), so that merge finds
 * nothing to collapse, yet it cost about a quarter of the insert (bench/processor.ts).
 */
const PROCESSOR_ROW_COLUMNS = [...VISIT_ROW_COLUMNS, ...GOAL_COLUMNS];
const typeOf = new Map(VISIT_COLUMNS.map(([name, c]) => [name, c.type]));
const typeOfColumn = (name: string): string => {
  const type = typeOf.get(name);
  if (type === undefined) throw new Error(`visits has no column ${name} (VISIT_COLUMNS)`);
  return type;
};

export const VISIT_ROWS_INSERT: InsertOptions = {
  // The processor's rows also carry the goals they reached (those folded in SQL get them from a mutation).
  columns: PROCESSOR_ROW_COLUMNS,
  // Sent as RowBinary by the embedded store: the visit rows' text was most of their insert's time.
  types: PROCESSOR_ROW_COLUMNS.map(typeOfColumn),
  mergeOnInsert: false,
};

const COLUMNS = VISIT_ROW_COLUMNS.join(', ');

/** Events folded per pass: a visit's events are grouped in memory, so a big store is filled in slices of visits. */
export const EVENTS_PER_PASS = 20_000_000;

/** Where each visit of the backfill starts and ends: built once, then read by the start of the visit per slice. */
const SPANS_PREFIX = 'visits_backfill_';

/**
 * The table of a backfill that was killed before its `finally` (a crash, a kill -9) stays behind; the next backfill
 * drops those made more than a day ago — no backfill runs that long, and a younger one may be another process's.
 */
async function dropAbandonedSpans(store: Store): Promise<void> {
  const left = await store.query<{ name: string }>(
    `SELECT name FROM system.tables
     WHERE database = currentDatabase() AND startsWith(name, {prefix:String})
       AND metadata_modification_time < now() - INTERVAL 1 DAY`,
    { prefix: SPANS_PREFIX },
  );
  for (const { name } of left)
    if (/^visits_backfill_[0-9a-f]{32}$/.test(name)) await store.command(`DROP TABLE IF EXISTS ${name}`);
}

const SPANS_DDL = (table: string) => `CREATE TABLE ${table}
(
    project    LowCardinality(String),
    tenant_id  LowCardinality(String),
    session_id String,
    started_at DateTime64(3, 'UTC'),
    ended_at   DateTime64(3, 'UTC'),
    events     UInt64
)
ENGINE = MergeTree
ORDER BY started_at`;

const fromMs = (name: string) => `fromUnixTimestamp64Milli({${name}:Int64}, 'UTC')`;

export interface BackfillOptions {
  /** Events per slice (default EVENTS_PER_PASS); tests make it tiny to cut visits at slice boundaries. */
  eventsPerSlice?: number;
}

/**
 * Inserts the visits of the stored events matching `where` (SQL over `events`, with `params`). The caller makes sure
 * none of those visits has a row yet.
 *
 * Sliced by time, so each pass reads only its own stretch of `events` (partitioned and ordered by time): one pass
 * first notes where every visit starts and ends (a read of four columns, grouped by visit); then the days are cut
 * into slices of about `eventsPerSlice` events by the day their visits start, and each slice folds the visits
 * starting in it from their events — including the ones after the slice's end, up to the latest end of its visits,
 * so a visit is never cut in two however long it lasts (client session ids can span days). Only the visits that
 * cross a slice's edges are looked up by id, so the sets held in memory stay small.
 */
export async function insertVisitsFromEvents(
  store: Store,
  where = '1',
  params: QueryParams = {},
  progress: (message: string) => void = () => {},
  options: BackfillOptions = {},
): Promise<void> {
  const eventsPerSlice = options.eventsPerSlice ?? EVENTS_PER_PASS;
  const [row] = await store.query<{ n: string; first: string; last: string }>(
    `SELECT count() AS n, toString(toDate(min(timestamp))) AS first, toString(toDate(max(timestamp))) AS last
     FROM events WHERE session_id != '' AND (${where})`,
    params,
  );
  const events = Number(row?.n ?? 0);
  if (events === 0) return;
  if (events <= eventsPerSlice) {
    // One pass holds them all: no need to know where each visit starts.
    progress(
      `folding ${events.toLocaleString('en-US')} events into visits, slice 1 of 1 (0 %): ${row.first} … ${row.last}`,
    );
    await insertVisits(store, where, params);
    return;
  }
  await dropAbandonedSpans(store);
  // A name of its own: two backfills may run at once on a server (seeds of two projects).
  const spans = `${SPANS_PREFIX}${randomUUID().replaceAll('-', '')}`;
  await store.command(SPANS_DDL(spans));
  try {
    progress(`finding where the visits of ${events.toLocaleString('en-US')} events start`);
    await store.exec(
      `INSERT INTO ${spans}
       SELECT project, tenant_id, session_id, min(timestamp), max(timestamp), count()
       FROM events WHERE session_id != '' AND (${where})
       GROUP BY project, tenant_id, session_id`,
      params,
    );
    const days = await store.query<{ day: string; events: string; last: string }>(
      `SELECT toString(toDate(started_at)) AS day, sum(events) AS events,
              toUnixTimestamp64Milli(max(ended_at)) AS last
       FROM ${spans} GROUP BY day ORDER BY day`,
    );
    const slices = planVisitSlices(
      days.map((d) => ({ day: d.day, events: Number(d.events), lastMs: Number(d.last) })),
      eventsPerSlice,
    );
    const total = slices.reduce((n, s) => n + s.events, 0);
    for (const [i, slice] of slices.entries()) {
      const range =
        slice.firstDay === slice.lastDay ? slice.firstDay : `${slice.firstDay} … ${slice.lastDay}`;
      progress(
        `folding ${total.toLocaleString('en-US')} events into visits, slice ${i + 1} of ${slices.length} ` +
          `(${Math.round((100 * slice.eventsBefore) / total)} %): visits starting ${range}`,
      );
      await insertVisits(
        store,
        // Only the visits crossing the slice's edges are looked up (small sets): within the slice, every event but
        // those of visits started before it; after it, the events of the visits started in it.
        `(${where}) AND timestamp >= ${fromMs('backfillFrom')} AND timestamp <= ${fromMs('backfillLast')}
         AND if(timestamp < ${fromMs('backfillTo')},
           (project, tenant_id, session_id) NOT IN (
             SELECT project, tenant_id, session_id FROM ${spans}
             WHERE started_at < ${fromMs('backfillFrom')} AND ended_at >= ${fromMs('backfillFrom')}),
           (project, tenant_id, session_id) IN (
             SELECT project, tenant_id, session_id FROM ${spans}
             WHERE started_at >= ${fromMs('backfillFrom')} AND started_at < ${fromMs('backfillTo')}
               AND ended_at >= ${fromMs('backfillTo')}))`,
        { ...params, backfillFrom: slice.fromMs, backfillTo: slice.toMs, backfillLast: slice.lastMs },
      );
    }
  } finally {
    await store.command(`DROP TABLE IF EXISTS ${spans}`);
  }
}

/**
 * Inserts the visits of the stored events matching `where`, for a few sessions (the rebuild after an erasure): in
 * slices by a hash of the session id (a visit is never cut in two) of about 20 M events each, every slice a pass
 * over the events `where` selects. The caller makes sure none of those visits has a row yet.
 */
export async function insertVisitsOfSessions(
  store: Store,
  where: string,
  params: QueryParams = {},
  options: BackfillOptions = {},
): Promise<void> {
  const [row] = await store.query<{ n: string }>(
    `SELECT count() AS n FROM events WHERE session_id != '' AND (${where})`,
    params,
  );
  const events = Number(row?.n ?? 0);
  const passes = Math.max(1, Math.ceil(events / (options.eventsPerSlice ?? EVENTS_PER_PASS)));
  for (let slice = 0; slice < passes; slice++)
    await insertVisits(store, `(${where}) AND cityHash64(session_id) % {passes:UInt32} = {slice:UInt32}`, {
      ...params,
      passes,
      slice,
    });
}

/** Inserts the visits folded from the events matching `where`, every one of which must be among them. */
async function insertVisits(store: Store, where: string, params: QueryParams): Promise<void> {
  await store.exec(
    `INSERT INTO ${VISITS_TABLE} (${COLUMNS})
     ${visitsFromEventsSql(where)}`,
    params,
    // Rows equal to an earlier insert's (a rebuild after an erasure) must not be taken for a repeat of it.
    { insert_deduplicate: '0' },
  );
}
