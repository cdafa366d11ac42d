/** Numbers and durations the way people read them on a dashboard. */
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat();

export function count(n: number): string {
  return Math.abs(n) >= 10_000 ? compact.format(n) : whole.format(n);
}

export function duration(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m ${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export const METRICS = {
  visitors: { label: 'Unique visitors', format: count },
  visits: { label: 'Total visits', format: count },
  pageviews: { label: 'Total pageviews', format: count },
  views_per_visit: { label: 'Views per visit', format: (n: number) => n.toFixed(2) },
  bounce_rate: { label: 'Bounce rate', format: (n: number) => `${Math.round(n)}%` },
  visit_duration: { label: 'Visit duration', format: duration },
  events: { label: 'Events', format: count },
} as const;

export type MetricName = keyof typeof METRICS;

/** Metrics the API counts in one pass (`metrics=counts`, from its rollups where it can): a chart of one is fast. */
export const COUNT_METRICS = new Set<string>(['visitors', 'visits', 'pageviews', 'events']);

/** Bounce rate going up is bad news; everything else going up is good. */
export const LOWER_IS_BETTER = new Set<string>(['bounce_rate']);

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
