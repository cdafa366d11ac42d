import { useEffect, useState } from 'preact/hooks';
import type { LogLine as Line, LogVolume as Volume } from '../../../../query/api-types.ts';
import { get } from '../api.ts';
import { Chart } from '../components/Chart.tsx';
import { Panel } from '../components/Panel.tsx';
import { dateTime } from '../format.ts';
import { type Route, statsParams, update } from '../url-state.ts';
import { useApi } from '../use-api.ts';
import { labelTime } from './Overview.tsx';

/** Search by text, level, service and host; volume by level; live tail refreshes every 2 s. */
export function LogsPage(props: { route: Route; project: string }) {
  const p = props.route.params;
  const [typed, setTyped] = useState(p.get('q') ?? '');
  const live = p.get('live') === '1';
  const params = {
    ...statsParams(p),
    filters: undefined,
    project: props.project,
    q: p.get('q') ?? undefined,
    level: p.get('level') ?? undefined,
    service: p.get('service') ?? undefined,
    host: p.get('host') ?? undefined,
    ...(live ? { period: 'realtime', from: undefined, to: undefined } : {}),
  };
  const key = JSON.stringify(params);
  const lines = useApi(
    () => get<{ results: Line[] }>('logs', { ...params, limit: 300 }).then((r) => r.results),
    [key],
    live ? 2_000 : undefined,
  );
  const volume = useApi(() => get<Volume>('logs/volume', params), [key], live ? 2_000 : undefined);
  const facets = useApi(
    () =>
      get<Record<'services' | 'hosts' | 'levels', string[]>>('logs/facets', {
        ...params,
        q: undefined,
        level: undefined,
        service: undefined,
        host: undefined,
      }),
    [props.project, params.period, params.from, params.to],
  );
  useEffect(() => setTyped(p.get('q') ?? ''), [p.get('q')]);
  const select = (name: 'level' | 'service' | 'host', values: string[] | undefined) => (
    <select
      aria-label={name}
      value={p.get(name) ?? ''}
      onChange={(e) => update({ [name]: (e.target as HTMLSelectElement).value || undefined })}
    >
      <option value="">Any {name}</option>
      {(values ?? []).map((v) => (
        <option key={v} value={v}>
          {v || '(none)'}
        </option>
      ))}
    </select>
  );
  return (
    <main class="grid">
      <section class="panel wide">
        <form
          class="form-row"
          onSubmit={(e) => {
            e.preventDefault();
            update({ q: typed || undefined });
          }}
        >
          <input
            type="search"
            placeholder="Search messages (all words)"
            aria-label="Search logs"
            value={typed}
            onInput={(e) => setTyped((e.target as HTMLInputElement).value)}
          />
          {select('level', facets.data?.levels)}
          {select('service', facets.data?.services)}
          {select('host', facets.data?.hosts)}
          <button type="submit">Search</button>
          <label class="check">
            <input
              type="checkbox"
              checked={live}
              onChange={(e) => update({ live: (e.target as HTMLInputElement).checked ? '1' : undefined })}
            />
            Live tail
          </label>
        </form>
      </section>
      <Panel
        state={volume}
        class="wide"
        title="Volume by level"
        testId="log-volume"
        isEmpty={(v) => v.levels.length === 0}
        empty="No log lines in this period"
      >
        {(v) => (
          <Chart
            kind="bar"
            height={160}
            x={v.results.map((b) => labelTime(b.date))}
            series={v.levels.map((l) => ({ label: l, values: v.results.map((b) => b.counts[l]) }))}
          />
        )}
      </Panel>
      <Panel
        state={lines}
        class="wide"
        title={live ? 'Live tail (last 30 minutes)' : 'Lines'}
        testId="log-lines"
        isEmpty={(l) => l.length === 0}
        empty="Nothing matches"
      >
        {(rows) => (
          <ol class="log-lines">
            {rows.map((l, i) => (
              <li key={i} class={`lvl-${l.level}`}>
                <time>{dateTime(l.timestamp)}</time>
                <b>{l.level}</b>
                <span class="muted">
                  {l.service}
                  {l.host ? `@${l.host}` : ''}
                </span>
                <span class="msg">{l.message}</span>
              </li>
            ))}
          </ol>
        )}
      </Panel>
    </main>
  );
}
