import type { Realtime } from '../../../../query/api-types.ts';
import { get } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { Panel } from '../components/Panel.tsx';
import { count } from '../format.ts';
import { type Route, statsParams } from '../url-state.ts';
import { useApi } from '../use-api.ts';
import { labelTime } from './Overview.tsx';

/** Polls every 3 s: a new event shows within the 5 s the issue asks for. */
export function RealtimePage(props: { route: Route; project: string }) {
  const params = {
    ...statsParams(props.route.params),
    period: undefined,
    from: undefined,
    to: undefined,
    project: props.project,
  };
  const state = useApi(() => get<Realtime>('stats/realtime', params), [JSON.stringify(params)], 3_000);
  const list = (title: string, rows: Array<{ value: string; visitors: number }>) => (
    <section class="panel">
      <header>
        <h2>{title}</h2>
      </header>
      {rows.length === 0 ? (
        <div class="state empty">Nobody right now</div>
      ) : (
        <ul class="rows">
          {rows.map((r) => (
            <li key={r.value} class="row static">
              <span class="label">{r.value || '(none)'}</span>
              <span class="num">{r.visitors}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
  return (
    <main class="grid">
      <Panel state={state} class="wide" testId="realtime">
        {(r) => (
          <>
            <div class="live">
              <span class="pulse" aria-hidden="true" />
              <span class="kpi-value" data-testid="realtime-visitors">
                {count(r.visitors)}
              </span>
              <span>current visitors (last 5 minutes)</span>
              <span class="muted" data-testid="realtime-events">
                {r.minutes.reduce((n, m) => n + m.events, 0)} events in the last 30 minutes
              </span>
            </div>
            <Chart
              kind="bar"
              height={180}
              x={r.minutes.map((m) => labelTime(m.minute))}
              series={[{ label: 'Events per minute', values: r.minutes.map((m) => m.events) }]}
            />
          </>
        )}
      </Panel>
      {state.data && list('Top pages (30 min)', state.data.pages)}
      {state.data && list('Top sources (30 min)', state.data.sources)}
    </main>
  );
}
