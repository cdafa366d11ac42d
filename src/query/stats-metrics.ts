/**
 * The metrics every stats query shares, as SQL over `events` (bots excluded by the caller's WHERE).
 * Visitors: the visitor id when the processor set one, else the user id, else the session.
 */
export const VISITOR_KEY =
  "if(visitor_id != 0, toString(visitor_id), if(user_id != '', concat('u:', user_id), concat('s:', session_id)))";

export const METRICS_SQL = `uniqExact(${VISITOR_KEY}) AS visitors,
       uniqExactIf(session_id, session_id != '') AS visits,
       countIf(type = 'pageview') AS pageviews,
       count() AS events`;

export interface Metrics {
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
}

export function metricsOf(row: Record<string, unknown>): Metrics {
  return {
    visitors: Number(row.visitors ?? 0),
    visits: Number(row.visits ?? 0),
    pageviews: Number(row.pageviews ?? 0),
    events: Number(row.events ?? 0),
  };
}
