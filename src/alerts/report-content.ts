/** A report's numbers: the overview of the period with its change vs the period before, and the top lists. */
import { breakdownQuery } from '../query/queries/breakdown.query.ts';
import { type OverviewNumbers, overviewQuery } from '../query/queries/overview.query.ts';
import { NO_FILTER } from '../query/stats-filters.ts';
import type { Store } from '../store/store.ts';
import type { ReportRange } from './report-period.ts';

export interface TopRow {
  value: string;
  visitors: number;
  pageviews: number;
}

export interface ReportContent {
  project: string;
  period: ReportRange;
  tz: string;
  numbers: OverviewNumbers;
  before: OverviewNumbers;
  change: Record<string, number | null>;
  topPages: TopRow[];
  topSources: TopRow[];
  topCountries: TopRow[];
}

export const TOP_ROWS = 10;

export async function reportContent(
  store: Store,
  project: string,
  period: ReportRange,
  tz: string,
  timeoutMs: number,
): Promise<ReportContent> {
  const q = { store, target: { project }, range: period.range, tz, filter: NO_FILTER, timeoutMs };
  const overview = await overviewQuery(q, period.previous);
  const { comparison, ...numbers } = overview;
  const top = async (dimension: string) =>
    (await breakdownQuery(q, dimension, TOP_ROWS, 1, true))
      .filter((r) => r.value !== '')
      .map((r) => ({ value: r.value, visitors: r.visitors, pageviews: r.pageviews }));
  return {
    project,
    period,
    tz,
    numbers,
    before: comparison?.results ?? numbers,
    change: comparison?.change ?? {},
    topPages: await top('page'),
    topSources: await top('source'),
    topCountries: await top('country'),
  };
}
