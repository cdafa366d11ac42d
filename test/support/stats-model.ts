/**
 * The stats metrics computed in plain JS from fixture rows — an independent reference for the SQL in
 * `src/query/stats-metrics.ts` (same definitions, none of the same code).
 */
import type { EventRow } from '../../src/process/event-row.ts';

export interface ModelMetrics {
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  views_per_visit: number;
  bounce_rate: number;
  visit_duration: number;
}

const round = (n: number, d: number) => Math.round(n * 10 ** d) / 10 ** d;

export const visitorOf = (r: EventRow) =>
  Number(r.visitor_id) !== 0 ? String(r.visitor_id) : r.user_id ? `u:${r.user_id}` : `s:${r.session_id}`;

/**
 * `scoped`: every non-bot event of the scope and range (visits are described whole from these);
 * `matching`: the subset the filters keep. Metrics per group key.
 */
export function modelMetrics(
  scoped: EventRow[],
  matching: EventRow[],
  groupOf: (r: EventRow) => string = () => '',
): Map<string, ModelMetrics> {
  const whole = new Map<string, { pv: number; ev: number; min: number; max: number }>();
  for (const r of scoped) {
    if (!r.session_id) continue;
    const t = Date.parse(r.timestamp);
    const s = whole.get(r.session_id) ?? { pv: 0, ev: 0, min: t, max: t };
    s.pv += r.type === 'pageview' ? 1 : 0;
    s.ev += 1;
    s.min = Math.min(s.min, t);
    s.max = Math.max(s.max, t);
    whole.set(r.session_id, s);
  }
  const groups = new Map<string, EventRow[]>();
  for (const r of matching) groups.set(groupOf(r), [...(groups.get(groupOf(r)) ?? []), r]);
  const out = new Map<string, ModelMetrics>();
  for (const [key, rows] of groups) {
    const visits = [...new Set(rows.map((r) => r.session_id).filter(Boolean))].map((id) => whole.get(id)!);
    const n = visits.length;
    out.set(key, {
      visitors: new Set(rows.map(visitorOf)).size,
      visits: n,
      pageviews: rows.filter((r) => r.type === 'pageview').length,
      events: rows.length,
      views_per_visit: n ? round(visits.reduce((a, v) => a + v.pv, 0) / n, 2) : 0,
      bounce_rate: n ? round((100 * visits.filter((v) => v.pv === 1 && v.ev === 1).length) / n, 1) : 0,
      visit_duration: n
        ? Math.round(visits.reduce((a, v) => a + Math.floor((v.max - v.min) / 1000), 0) / n)
        : 0,
    });
  }
  return out;
}
