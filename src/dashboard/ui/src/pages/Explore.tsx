import { useEffect, useState } from 'preact/hooks';
import type { ChartSpec, ExploreResult as Result, SavedQuery as Saved } from '../../../../query/api-types.ts';
import { del, errorText, get, post } from '../api.ts';
import { Chart, Pie } from '../components/Chart.tsx';
import { type Route, update } from '../url-state.ts';

const EXAMPLE = `SELECT toStartOfDay(timestamp) AS day, count() AS events, uniqExact(session_id) AS visits
FROM events
WHERE timestamp > now() - INTERVAL 30 DAY
GROUP BY day ORDER BY day`;

const numeric = (rows: Result['rows'], c: string) =>
  rows.length > 0 &&
  rows.every(
    (r) =>
      typeof r[c] === 'number' || (typeof r[c] === 'string' && r[c] !== '' && !Number.isNaN(Number(r[c]))),
  );

/** X values for uPlot: times when the column holds dates, positions with labels otherwise. */
function xAxis(rows: Result['rows'], column: string): { x: number[]; labels?: string[] } {
  const values = rows.map((r) => String(r[column]));
  const times = values.map((v) =>
    /^\d{4}-\d{2}-\d{2}/.test(v)
      ? Date.parse(v.includes('T') || v.length === 10 ? v : `${v.replace(' ', 'T')}Z`) / 1000
      : Number.NaN,
  );
  if (times.every((t) => !Number.isNaN(t))) return { x: times };
  if (numeric(rows, column)) return { x: values.map(Number) };
  return { x: values.map((_, i) => i), labels: values };
}

function Visual(props: { result: Result; spec: ChartSpec }) {
  const { result, spec } = props;
  const x = spec.x ?? result.columns[0];
  const ys = (
    spec.y?.length ? spec.y : result.columns.filter((c) => c !== x && numeric(result.rows, c))
  ).slice(0, 6);
  if (spec.kind === 'table' || ys.length === 0)
    return (
      <div class="scroll">
        <table data-testid="explore-table">
          <thead>
            <tr>
              {result.columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r, i) => (
              <tr key={i}>
                {result.columns.map((c) => (
                  <td key={c}>{typeof r[c] === 'object' ? JSON.stringify(r[c]) : String(r[c])}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  if (spec.kind === 'pie')
    return (
      <Pie
        testId="explore-chart"
        labels={result.rows.map((r) => String(r[x]))}
        values={result.rows.map((r) => Number(r[ys[0]]))}
      />
    );
  const axis = xAxis(result.rows, x);
  return (
    <Chart
      testId="explore-chart"
      kind={spec.kind}
      x={axis.x}
      labels={axis.labels}
      series={ys.map((y) => ({ label: y, values: result.rows.map((r) => Number(r[y])) }))}
    />
  );
}

/** The rows a query returned, drawn as the chosen visualisation (and always as a table below it). */
function ResultPanel(props: { result: Result; spec: ChartSpec; setSpec: (spec: ChartSpec) => void }) {
  const { result, spec, setSpec } = props;
  return (
    <section class="panel wide">
      <header>
        <h2>
          {result.rows.length} rows · {result.elapsed_ms} ms
          {result.truncated ? ` · first ${result.max_rows} only` : ''}
        </h2>
        <div class="actions">
          <select
            aria-label="Visualisation"
            value={spec.kind}
            onChange={(e) =>
              setSpec({ ...spec, kind: (e.target as HTMLSelectElement).value as ChartSpec['kind'] })
            }
          >
            <option value="table">Table</option>
            <option value="line">Line</option>
            <option value="area">Area</option>
            <option value="bar">Bar</option>
            <option value="pie">Pie</option>
          </select>
          <select
            aria-label="X axis"
            value={spec.x ?? result.columns[0]}
            onChange={(e) => setSpec({ ...spec, x: (e.target as HTMLSelectElement).value })}
          >
            {result.columns.map((c) => (
              <option key={c} value={c}>
                x: {c}
              </option>
            ))}
          </select>
          <select
            aria-label="Y axis"
            value={spec.y?.[0] ?? ''}
            onChange={(e) => {
              const v = (e.target as HTMLSelectElement).value;
              setSpec({ ...spec, y: v ? [v] : undefined });
            }}
          >
            <option value="">y: every number column</option>
            {result.columns.map((c) => (
              <option key={c} value={c}>
                y: {c}
              </option>
            ))}
          </select>
        </div>
      </header>
      <Visual result={result} spec={spec} />
      {spec.kind !== 'table' && <Visual result={result} spec={{ ...spec, kind: 'table' }} />}
    </section>
  );
}

export function ExplorePage(props: { route: Route }) {
  const [sql, setSql] = useState(props.route.params.get('sql') ?? EXAMPLE);
  const [result, setResult] = useState<Result>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const [spec, setSpec] = useState<ChartSpec>({ kind: 'line' });
  const [saved, setSaved] = useState<Saved[]>([]);
  const [name, setName] = useState('');
  const [refresh, setRefresh] = useState(0);

  const loadSaved = () =>
    get<{ results: Saved[] }>('explore/saved').then(
      (r) => setSaved(r.results),
      () => undefined,
    );
  useEffect(() => {
    loadSaved();
  }, []);

  const run = async (text = sql) => {
    setRunning(true);
    setError(undefined);
    try {
      setResult(await post<Result>('explore/query', { sql: text }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setRunning(false);
    }
  };
  useEffect(() => {
    if (!refresh) return;
    const timer = setInterval(() => run(), refresh * 1000);
    return () => clearInterval(timer);
  }, [refresh, sql]);

  return (
    <main class="grid">
      <section class="panel wide">
        <header>
          <h2>Explore (SQL, read-only)</h2>
          <div class="actions">
            <select
              aria-label="Saved queries"
              value=""
              onChange={(e) => {
                const q = saved.find((s) => s.id === (e.target as HTMLSelectElement).value);
                if (q) {
                  setSql(q.sql);
                  const chart = q.chart as Partial<ChartSpec> | null;
                  setSpec(chart?.kind ? (chart as ChartSpec) : { kind: 'line' });
                  setName(q.name);
                  run(q.sql);
                }
              }}
            >
              <option value="">Saved queries ({saved.length})</option>
              {saved.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
          </div>
        </header>
        <textarea
          class="sql"
          aria-label="SQL"
          spellcheck={false}
          value={sql}
          onInput={(e) => setSql((e.target as HTMLTextAreaElement).value)}
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run();
          }}
        />
        <div class="form-row">
          <button type="button" onClick={() => run()} disabled={running} data-testid="explore-run">
            {running ? 'Running…' : 'Run (Ctrl+Enter)'}
          </button>
          <label>
            Auto-refresh{' '}
            <select
              value={refresh}
              onChange={(e) => setRefresh(Number((e.target as HTMLSelectElement).value))}
            >
              <option value={0}>off</option>
              <option value={10}>10 s</option>
              <option value={60}>1 min</option>
              <option value={300}>5 min</option>
            </select>
          </label>
          <input
            placeholder="Name to save as"
            aria-label="Query name"
            value={name}
            onInput={(e) => setName((e.target as HTMLInputElement).value)}
          />
          <button
            type="button"
            class="ghost"
            disabled={!name.trim()}
            onClick={async () => {
              const existing = saved.find((s) => s.name === name.trim());
              await post('explore/saved', { id: existing?.id, name, sql, chart: spec });
              loadSaved();
            }}
          >
            Save
          </button>
          {saved.some((s) => s.name === name.trim()) && (
            <button
              type="button"
              class="ghost"
              onClick={async () => {
                const q = saved.find((s) => s.name === name.trim());
                if (q) await del(`explore/saved/${q.id}`);
                setName('');
                loadSaved();
              }}
            >
              Delete
            </button>
          )}
          <button type="button" class="ghost" onClick={() => update({ sql })}>
            Link to this query
          </button>
        </div>
        {error && (
          <p class="state error" role="alert" data-testid="explore-error">
            {error}
          </p>
        )}
      </section>
      {result && <ResultPanel result={result} spec={spec} setSpec={setSpec} />}
    </main>
  );
}
