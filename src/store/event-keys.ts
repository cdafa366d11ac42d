/**
 * How an `events` row names its visitor and its visit, as SQL over the row's columns. The stats queries count
 * with them and the rollups (rollups.ts) store sets of them, so both must use the very same expressions.
 */

/** A UInt64: hashing beats building strings per row (about twice as fast over millions of events). */
export const VISITOR_KEY =
  "if(visitor_id != 0, visitor_id, if(user_id != '', cityHash64('u', user_id), cityHash64('s', session_id)))";

/** A session's key for grouping: 0 when the event has no session. */
export const SESSION_KEY = "if(session_id = '', toUInt64(0), cityHash64(session_id))";
