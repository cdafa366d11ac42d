import type { Cohort } from '../../../../query/api-types.ts';
import { get } from '../api.ts';
import { Panel } from '../components/Panel.tsx';
import { type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';

/** The cohort size that keeps the grid readable for a period: days for a week, months for a year. */
function defaultUnit(period: string | undefined, from?: string, to?: string): string {
  if (period === 'custom' && from && to) {
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    return days <= 14 ? 'day' : days <= 120 ? 'week' : 'month';
  }
  return period === 'realtime' || period === 'today' || period === '7d'
    ? 'day'
    : period === '12mo'
      ? 'month'
      : 'week';
}

/** Cohort grid, each cell heat-coloured by its share. */
export function RetentionPage(props: { route: Route; project: string }) {
  const shared = statsParams(props.route.params);
  const params = { ...shared, project: props.project };
  const unit = props.route.params.get('unit') ?? defaultUnit(shared.period, shared.from, shared.to);
  const state = useApi(
    () => get<{ cohorts: Cohort[] }>('stats/retention', { ...params, unit }).then((r) => r.cohorts),
    [JSON.stringify(params), unit],
  );
  return (
    <main class="grid">
      <Panel
        state={state}
        class="wide"
        testId="retention"
        title="Retention by first visit"
        isEmpty={(c) => c.length === 0}
        empty="No identified users first seen in this period (retention follows user ids)"
        actions={
          <select
            aria-label="Cohort size"
            value={unit}
            onChange={(e) => update({ unit: (e.target as HTMLSelectElement).value })}
          >
            <option value="day">Daily</option>
            <option value="week">Weekly</option>
            <option value="month">Monthly</option>
          </select>
        }
      >
        {(cohorts) => {
          const width = Math.max(...cohorts.map((c) => c.periods.length));
          return (
            <div class="scroll">
              <table class="retention">
                <thead>
                  <tr>
                    <th>Cohort</th>
                    <th>People</th>
                    {Array.from({ length: width }, (_, i) => (
                      <th key={i}>{`${unit[0].toUpperCase()}${i}`}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {cohorts.map((c) => (
                    <tr key={c.cohort}>
                      <th>{c.cohort}</th>
                      <td>{c.visitors}</td>
                      {c.periods.map((p) => (
                        <td
                          key={p.period}
                          class="heat"
                          style={{
                            background: `color-mix(in srgb, var(--accent) ${Math.round(p.percentage)}%, transparent)`,
                          }}
                          title={`${p.visitors} of ${c.visitors}`}
                        >
                          {p.percentage}%
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </Panel>
    </main>
  );
}
