import { useMemo } from 'preact/hooks';
import type { Overview, TimePoint as Point } from '../../../../query/api-types.ts';
import { get, isShared } from '../api.ts';
import { BreakdownCard, Estimated, type FirstTabs } from '../components/Breakdown.tsx';
import { Chart } from '../components/Chart.tsx';
import { Panel } from '../components/Panel.tsx';
import { COUNT_METRICS, LOWER_IS_BETTER, METRICS, type MetricName } from '../format.ts';
import { navigate, type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';
import { ExtentNote, SampleNote } from './OverviewNotes.tsx';

/** `2024-04-01`, `2024-04-01 10:00`, `2024-04` → unix seconds of that local time. */
export function labelTime(label: string): number {
  const [d, t] = label.split(' ');
  const [y, m, day] = d.split('-').map(Number);
  const [h, min] = (t ?? '0:0').split(':').map(Number);
  return new Date(y, m - 1, day || 1, h, min).getTime() / 1000;
}

function Kpis(props: { params: Record<string, string | undefined>; metric: MetricName; compare?: string }) {
  const state = useApi(
    () => get<Overview>('stats/overview', { ...props.params, compare: props.compare }),
    [JSON.stringify(props.params), props.compare],
  );
  return (
    <Panel state={state} class="kpis" testId="kpis">
      {(o) => (
        <ul class="kpi-list">
          {(Object.keys(METRICS) as MetricName[]).map((name) => {
            const change = o.comparison?.change[name];
            const good = change !== null && change !== undefined && change > 0 !== LOWER_IS_BETTER.has(name);
            return (
              <li key={name}>
                <button
                  type="button"
                  class="kpi"
                  aria-pressed={props.metric === name}
                  data-testid={`kpi-${name}`}
                  onClick={() => update({ metric: name })}
                >
                  <span class="kpi-label">{METRICS[name].label}</span>
                  <span class="kpi-value" data-value={o[name]}>
                    {METRICS[name].format(o[name])}
                  </span>
                  {change !== undefined && (
                    <span class={`delta ${change === null || change === 0 ? '' : good ? 'up' : 'down'}`}>
                      {change === null
                        ? '—'
                        : `${change > 0 ? '↑' : change < 0 ? '↓' : ''}${Math.abs(change)}${name === 'bounce_rate' ? ' pts' : '%'}`}
                    </span>
                  )}
                </button>
              </li>
            );
          })}
          {o.conversion_rate !== undefined && (
            <li>
              <div class="kpi">
                <span class="kpi-label">Conversion rate</span>
                <span class="kpi-value">{o.conversion_rate}%</span>
              </div>
            </li>
          )}
          {o.events === 0 && !props.params.filters && (
            <li class="kpi-note">
              <ExtentNote params={props.params} />
            </li>
          )}
          {(o.sampled !== undefined || props.params.exact === '1') && (
            <li class="kpi-note">
              <SampleNote sampled={o.sampled} exact={props.params.exact === '1'} />
            </li>
          )}
        </ul>
      )}
    </Panel>
  );
}

function MainChart(props: {
  params: Record<string, string | undefined>;
  metric: MetricName;
  compare?: string;
  interval?: string;
}) {
  const counts = COUNT_METRICS.has(props.metric);
  const state = useApi(
    () =>
      get<{ results: Point[]; comparison?: Point[]; interval: string; sampled?: number }>(
        'stats/timeseries',
        {
          ...props.params,
          compare: props.compare,
          interval: props.interval,
          // The metric it plots only (as Plausible's main graph does: another KPI picked asks again): the visits
          // and the goals' conversions are what cost the most over the events.
          metrics: counts ? props.metric : undefined,
        },
      ),
    [JSON.stringify(props.params), props.compare, props.interval, counts ? props.metric : ''],
  );
  return (
    <Panel
      state={state}
      testId="main-chart"
      title={
        <>
          {METRICS[props.metric].label}
          <Estimated sampled={state.data?.sampled} />
        </>
      }
      actions={
        <select
          aria-label="Interval"
          value={props.interval ?? ''}
          onChange={(e) => update({ interval: (e.target as HTMLSelectElement).value || undefined })}
        >
          <option value="">Auto</option>
          <option value="hour">Hours</option>
          <option value="day">Days</option>
          <option value="week">Weeks</option>
          <option value="month">Months</option>
        </select>
      }
    >
      {(ts) => (
        <Chart
          x={ts.results.map((p) => labelTime(p.date))}
          format={METRICS[props.metric].format}
          series={[
            { label: METRICS[props.metric].label, values: ts.results.map((p) => p[props.metric]) },
            ...(ts.comparison
              ? [
                  {
                    label: 'Compared period',
                    values: ts.results.map((_, i) => ts.comparison?.[i]?.[props.metric] ?? null),
                    dashed: true,
                  },
                ]
              : []),
          ]}
        />
      )}
    </Panel>
  );
}

/** The first tab of each breakdown card below, in the page's order. */
const FIRST_TABS = ['page', 'channel', 'country', 'device', 'event'];

export function OverviewPage(props: { route: Route; project: string; managesGoals?: boolean }) {
  const params = { ...statsParams(props.route.params), project: props.project };
  const metric = (props.route.params.get('metric') as MetricName | null) ?? 'visitors';
  const compare = props.route.params.get('compare') ?? undefined;
  const key = JSON.stringify(params);
  // Every card's first tab in one request: the store answers one query at a time, and one pass beats five.
  const shared: FirstTabs = useMemo(
    () =>
      // A card shows visitors or events: the visits' count, the dearest to take from the events, is not asked for.
      get('stats/breakdowns', {
        ...params,
        dimensions: FIRST_TABS.join(','),
        limit: 9,
        metrics: 'visitors,events',
      }),
    [key],
  );
  return (
    <main class="grid">
      <Kpis params={params} metric={metric} compare={compare} />
      <MainChart
        params={params}
        metric={metric in METRICS ? metric : 'visitors'}
        compare={compare}
        interval={props.route.params.get('interval') ?? undefined}
      />
      <BreakdownCard
        testId="pages"
        params={params}
        shared={shared}
        tabs={[
          ['page', 'Top pages'],
          ['entry_page', 'Entry pages'],
          ['exit_page', 'Exit pages'],
        ]}
      />
      <BreakdownCard
        testId="sources"
        params={params}
        shared={shared}
        tabs={[
          ['channel', 'Channels'],
          ['source', 'Sources'],
          ['referrer', 'Referrers'],
          ['utm_campaign', 'Campaigns'],
        ]}
      />
      <BreakdownCard
        testId="locations"
        params={params}
        shared={shared}
        tabs={[
          ['country', 'Countries'],
          ['region', 'Regions'],
          ['city', 'Cities'],
        ]}
      />
      <BreakdownCard
        testId="devices"
        params={params}
        shared={shared}
        tabs={[
          ['device', 'Devices'],
          ['browser', 'Browsers'],
          ['os', 'Operating systems'],
          ['screen_size', 'Screen sizes'],
        ]}
      />
      <BreakdownCard
        testId="events"
        params={params}
        metric="events"
        tabs={[['event', 'Events']]}
        shared={shared}
      />
      <Goals params={params} manages={props.managesGoals === true} />
    </main>
  );
}

function Goals(props: { params: Record<string, string | undefined>; manages: boolean }) {
  const state = useApi(
    () =>
      get<{ results: Array<{ goal: string; visitors: number; events: number; conversion_rate: number }> }>(
        'stats/goals',
        props.params,
      ).then((r) => r.results),
    [JSON.stringify(props.params)],
  );
  return (
    <Panel title="Goal conversions" state={state} testId="goal-conversions">
      {(goals) =>
        goals.length === 0 ? (
          <div class="state empty" data-testid="goals-empty">
            No goals yet. {!isShared() && !props.manages && 'An admin can add one in Settings → Goals.'}
            {!isShared() && props.manages && (
              <button
                type="button"
                class="link"
                onClick={() => navigate('/settings', { project: props.params.project })}
              >
                Add one in Settings → Goals
              </button>
            )}
          </div>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Goal</th>
                <th>Visitors</th>
                <th>Events</th>
                <th>Conversion</th>
              </tr>
            </thead>
            <tbody>
              {goals.map((g) => (
                <tr key={g.goal}>
                  <td>{g.goal}</td>
                  <td>{g.visitors}</td>
                  <td>{g.events}</td>
                  <td>{g.conversion_rate}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    </Panel>
  );
}
