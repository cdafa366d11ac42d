/**
 * How an `events` row names its visitor and its visit, as SQL over the row's columns. The stats queries count
 * with them and the rollups (rollups.ts) store sets of them, so both must use the very same expressions.
 */

/** A UInt64: hashing beats building strings per row (about twice as fast over millions of events). */
export const VISITOR_KEY =
  "if(visitor_id != 0, visitor_id, if(user_id != '', cityHash64('u', user_id), cityHash64('s', session_id)))";

/** A session's key for grouping: 0 when the event has no session. */
export const SESSION_KEY = "if(session_id = '', toUInt64(0), cityHash64(session_id))";

/**
 * A 32-bit hash of the visit's id, stored on every event (`session_hash`, src/store/event-columns.ts; migration 032:
 * src/store/events-session-hash.ts). A visit filter keeps the events of the visits it selects by their ids: the
 * 16-byte ids, read and hashed per event, cost a sampled page's events pass ~30 ms more than the stored hash
 * (174 → 148 ms at 10 M events, docs/BENCHMARKS.md). 32 bits keep it within the store's bytes per event: two ids
 * share a hash about once in 4 billion, so a set of the ~200 000 visits a sample holds lets through ~1 in 20 000
 * events of other visits — far inside a sample's own error, and only sampled queries read it
 * (src/query/stats-filters.ts).
 */
export const SESSION_HASH = 'xxHash32(session_id)';
