/** The API's JSON, stats (src/query/stats.routes.ts): types only (see ../api-types.ts). */

export interface MetricNumbers {
  visitors: number;
  visits: number;
  pageviews: number;
  events: number;
  views_per_visit: number;
  /** Percent of visits with one pageview and nothing else. */
  bounce_rate: number;
  /** Mean seconds from a visit's first to its last event. */
  visit_duration: number;
  /** Present when the project has goals: visitors who reached one, and their share of all visitors (percent). */
  conversions?: number;
  conversion_rate?: number;
}

export interface Overview extends MetricNumbers {
  comparison?: { results: MetricNumbers; change: Record<string, number | null> };
  /** Share of visitors read when the range was sampled (0.1 = a tenth); absent when exact. */
  sampled?: number;
}

export interface TimePoint extends MetricNumbers {
  date: string;
}

/** A breakdown row: one value of a dimension with its metrics (`metrics=counts`: the counts only). */
export interface BreakdownRow extends Partial<MetricNumbers> {
  value: string;
}

export interface Extent {
  count: number;
  first: string | null;
  last: string | null;
}

export interface Realtime {
  visitors: number;
  minutes: Array<{ minute: string; events: number; visitors: number }>;
  pages: Array<{ value: string; visitors: number }>;
  sources: Array<{ value: string; visitors: number }>;
}

export interface Cohort {
  cohort: string;
  visitors: number;
  periods: Array<{ period: number; visitors: number; percentage: number }>;
}

export interface FunnelResult {
  window_seconds: number;
  steps: Array<{
    step: number;
    label: string;
    visitors: number;
    /** Percent of the first step's visitors. */
    conversion_rate: number;
    /** Percent of the previous step's visitors who got here. */
    conversion_rate_step: number;
    dropoff: number;
  }>;
}
