import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import type { TimeRange } from '../time-range.ts';

export interface SessionSummary {
  sessionId: string;
  firstSeen: string;
  lastSeen: string;
  durationSeconds: number;
  eventCount: number;
}

export interface SessionAnalytics {
  projectId: string;
  tenantId: string | null;
  uniqueSessionCount: number;
  totalEventCount: number;
  avgDurationSeconds: number;
  sessions: SessionSummary[];
}

/** Per-session first/last seen, duration and events (newest sessions first), with a summary over those returned. */
export async function sessionsQuery(
  store: Store,
  target: Target,
  range: TimeRange,
  limit: number,
  timeoutMs: number,
): Promise<SessionAnalytics> {
  const scope = scopeFilter(target, true);
  const rows = await store.query<{
    sessionId: string;
    firstSeen: string;
    lastSeen: string;
    ms: string;
    eventCount: string;
  }>(
    `SELECT session_id AS sessionId, toString(min(timestamp)) AS firstSeen, toString(max(timestamp)) AS lastSeen,
            dateDiff('millisecond', min(timestamp), max(timestamp)) AS ms, count() AS eventCount
     FROM events WHERE ${scope.sql} AND session_id != ''
     GROUP BY session_id
     ORDER BY min(timestamp) DESC, session_id
     LIMIT {limit:UInt32}`,
    { ...scope.params, from: range.start, to: range.end, limit },
    { timeoutMs },
  );
  const sessions = rows.map((r) => ({
    sessionId: r.sessionId,
    firstSeen: isoFromClickHouse(r.firstSeen),
    lastSeen: isoFromClickHouse(r.lastSeen),
    durationSeconds: Number(r.ms) / 1000,
    eventCount: Number(r.eventCount),
  }));
  const total = sessions.reduce((n, s) => n + s.eventCount, 0);
  const duration = sessions.reduce((n, s) => n + s.durationSeconds, 0);
  return {
    projectId: target.project,
    tenantId: target.tenant ?? null,
    uniqueSessionCount: sessions.length,
    totalEventCount: total,
    avgDurationSeconds: sessions.length ? Math.round((duration / sessions.length) * 1000) / 1000 : 0,
    sessions,
  };
}
