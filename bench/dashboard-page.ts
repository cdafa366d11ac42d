/**
 * The overview page as the dashboard's browser issues it: every call at once (Overview.tsx and its cards), with
 * the configuration's goals, filter and comparison. One "page" is the wall time until the last call answered.
 */
export interface PageConfig {
  name: string;
  /** What the configuration is, for the report (goals, filter, comparison). */
  description: string;
  goals: boolean;
  filters?: unknown[];
  compare?: 'previous_period';
  /** Every event read (`exact=1`), never a sample. */
  exact?: boolean;
}

/** The four configurations issue 17 names: what real sites run, not only the easy case. */
export const PAGE_CONFIGS: readonly PageConfig[] = [
  { name: 'plain', description: 'no goals, no filter, no comparison', goals: false },
  { name: 'goals', description: 'goals: event signup + page /pricing*', goals: true },
  {
    name: 'goals+channel',
    description: 'goals + filter channel is "organic search"',
    goals: true,
    filters: [['is', 'channel', ['organic search']]],
  },
  {
    name: 'goals+page+compare',
    description: 'goals + filter page is /pricing + compare previous period',
    goals: true,
    filters: [['is', 'page', ['/pricing']]],
    compare: 'previous_period',
  },
];

/** The goals the goal configurations run with (SIGHTLINE_GOALS): an event goal and a wildcard page goal. */
export const BENCH_GOALS = (project: string) => `${project}:event:signup,${project}:page:/pricing*`;

export interface PageCall {
  name: string;
  path: string;
  params: Record<string, string>;
}

/** The calls of the overview page's first load: KPIs, chart (visitors), the first tab of every card at once, goals. */
export function pageCalls(config: PageConfig, base: Record<string, string>): PageCall[] {
  const params: Record<string, string> = { ...base };
  if (config.filters) params.filters = JSON.stringify(config.filters);
  const compare: Record<string, string> = config.compare ? { compare: config.compare } : {};
  return [
    { name: 'overview (KPIs)', path: 'stats/overview', params: { ...params, ...compare } },
    // The metric the chart plots at first (Overview.tsx asks for that one only).
    {
      name: 'chart (visitors)',
      path: 'stats/timeseries',
      params: { ...params, ...compare, metrics: 'visitors' },
    },
    // The first tab of the pages, sources, locations, devices and events cards, in one request (Overview.tsx).
    {
      name: 'cards (5 breakdowns)',
      path: 'stats/breakdowns',
      params: {
        ...params,
        dimensions: 'page,channel,country,device,event',
        limit: '9',
        metrics: 'visitors,events',
      },
    },
    { name: 'goals', path: 'stats/goals', params },
  ];
}

export interface CallResult {
  name: string;
  ms: number;
  status: number;
}

export async function loadPage(
  baseUrl: string,
  token: string,
  calls: readonly PageCall[],
): Promise<CallResult[]> {
  return Promise.all(
    calls.map(async (call) => {
      const started = performance.now();
      const res = await fetch(`${baseUrl}/api/v1/${call.path}?${new URLSearchParams(call.params)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await res.arrayBuffer();
      return { name: call.name, ms: performance.now() - started, status: res.status };
    }),
  );
}
