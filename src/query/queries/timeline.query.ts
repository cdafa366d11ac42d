import { isoFromClickHouse } from '../../store/clickhouse-time.ts';
import type { Store } from '../../store/store.ts';
import type { Target } from '../read-auth.ts';
import { scopeFilter } from '../scope-filter.ts';
import type { TimeRange } from '../time-range.ts';

export interface TimelineItem {
  eventId: string;
  projectId: string;
  tenantId: string;
  sessionId: string;
  eventType: string;
  itemId: string;
  metadataJson: string;
  timestamp: string;
}

export interface TimelineFilters {
  eventType?: string;
  sessionId?: string;
}

/** Newest events first, in the Nealytics timeline shape (`itemId` is the path, `metadataJson` the properties). */
export async function timelineQuery(
  store: Store,
  target: Target,
  range: TimeRange | undefined,
  filters: TimelineFilters,
  limit: number,
  timeoutMs: number,
): Promise<TimelineItem[]> {
  const scope = scopeFilter(target, range !== undefined);
  const params: Record<string, string | number> = { ...scope.params, limit };
  let where = scope.sql;
  if (range) Object.assign(params, { from: range.start, to: range.end });
  if (filters.eventType !== undefined) {
    where += ' AND type = {eventType:String}';
    params.eventType = filters.eventType;
  }
  if (filters.sessionId !== undefined) {
    where += ' AND session_id = {sessionId:String}';
    params.sessionId = filters.sessionId;
  }
  const rows = await store.query<Record<string, string>>(
    `SELECT toString(event_id) AS eventId, project AS projectId, tenant_id AS tenantId, session_id AS sessionId,
            type AS eventType, path AS itemId, props AS metadataJson, toString(timestamp) AS timestamp
     FROM events WHERE ${where}
     ORDER BY timestamp DESC, event_id
     LIMIT {limit:UInt32}`,
    params,
    { timeoutMs },
  );
  return rows.map((r) => ({ ...r, timestamp: isoFromClickHouse(r.timestamp) }) as TimelineItem);
}
